import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AnswerCache, CacheHit } from '../core/cache/cache';
import { stableHash, stableStringify } from '../core/cache/stableHash';
import { silentLogger, type Logger } from '../core/ports';

/**
 * Answers kept on disk (the extension's global storage, or the CLI's cache folder), one JSON file per query,
 * named by the SHA-256 of the query's stable JSON. Entries older than the TTL are not used; a refresh bypasses
 * them. A file that is unreadable, from another format version or for another key (a hash collision) is ignored.
 */
const FORMAT = 1;

const entrySchema = z.object({
  format: z.literal(FORMAT),
  key: z.string(),
  storedAt: z.number(),
  value: z.unknown(),
});

interface DiskCacheOptions {
  dir: string;
  /** How long an entry is fresh, in ms; 0 turns the cache off (nothing is read or written). */
  ttlMs: number;
  now?: () => number;
  log?: Logger;
}

export class DiskCache implements AnswerCache {
  private readonly dir: string;
  readonly ttlMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(options: DiskCacheOptions) {
    this.dir = options.dir;
    this.ttlMs = Math.max(0, options.ttlMs);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  private file(namespace: string, key: unknown): { path: string; keyText: string } {
    const keyText = stableStringify(key);
    return { path: join(this.dir, safeName(namespace), `${stableHash(key)}.json`), keyText };
  }

  /** The fresh entry for `key`, validated with `schema`; undefined when absent, stale (stored before `notBefore` or older than the TTL) or invalid. */
  async get<T>(namespace: string, key: unknown, schema: z.ZodType<T>, notBefore = 0): Promise<CacheHit<T> | undefined> {
    if (!this.enabled) return undefined;
    const { path, keyText } = this.file(namespace, key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log.warn(`Ignoring an unreadable cache file ${path}`);
      return undefined;
    }
    const entry = entrySchema.safeParse(raw);
    if (!entry.success || entry.data.key !== keyText) return undefined;
    const age = this.now() - entry.data.storedAt;
    if (age < 0 || age >= this.ttlMs || entry.data.storedAt < notBefore) return undefined;
    const value = schema.safeParse(entry.data.value);
    if (!value.success) {
      this.log.warn(`Ignoring a cache file in an unexpected shape: ${path}`);
      return undefined;
    }
    return { value: value.data, storedAt: entry.data.storedAt };
  }

  /** Stores `value` for `key` (written to a temporary file, then renamed, so readers never see half a file). */
  async set(namespace: string, key: unknown, value: unknown): Promise<void> {
    if (!this.enabled) return;
    const { path, keyText } = this.file(namespace, key);
    const dir = join(this.dir, safeName(namespace));
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.floor(this.now())}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: FORMAT, key: keyText, storedAt: this.now(), value }), 'utf8');
    await rename(tmp, path);
  }

  /** Forgets every entry of a namespace (or of all of them). */
  async clear(namespace?: string): Promise<void> {
    if (namespace !== undefined) {
      await rm(join(this.dir, safeName(namespace)), { recursive: true, force: true });
      return;
    }
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    await Promise.all(names.map((n) => rm(join(this.dir, n), { recursive: true, force: true })));
  }
}

function safeName(namespace: string): string {
  return namespace.replace(/[^A-Za-z0-9._-]/g, '_');
}
