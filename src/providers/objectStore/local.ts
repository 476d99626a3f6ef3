import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ObjectBackend, StoredObject } from '../objectStore';

/** A local folder (dry runs): keys are paths under it; writes go through a temporary file and a rename. */
export function localBackend(root: string): ObjectBackend {
  const file = (key: string) => path.join(root, ...key.split('/'));
  const missing = (e: unknown) => (e as { code?: string }).code === 'ENOENT';
  return {
    async get(key) {
      try {
        return await fs.readFile(file(key));
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    },
    async put(key, body) {
      const target = file(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const tmp = path.join(path.dirname(target), `.tmp-${process.pid}-${Date.now()}`);
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, target);
    },
    async list(sub) {
      const dir = file(sub);
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch (e) {
        if (missing(e)) return [];
        throw e;
      }
      const out: StoredObject[] = [];
      for (const n of names.filter((x) => !x.startsWith('.tmp-'))) {
        const st = await fs.stat(path.join(dir, n));
        if (st.isFile()) out.push({ key: sub + n, size: st.size, lastModified: st.mtime.toISOString() });
      }
      return out;
    },
    async delete(key) {
      await fs.rm(file(key), { force: true });
    },
  };
}
