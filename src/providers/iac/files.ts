import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FinOpsError } from '../../core/errors';
import { iacKindOf, maxFileBytes, skippedDirs, type IacWorkspace } from '../../core/iac/workspace';
import { throwIfAborted } from '../../core/ports';

/** CloudFormation candidates (.yaml/.json) larger than this are not read when found in a folder: templates are far smaller. */
const maxTemplateBytes = 2 * 1024 * 1024;

/** A file or folder the walk did not read, and why (unreadable, not a regular file, too large). */
export interface SkippedPath {
  path: string;
  reason: string;
}

interface CollectResult {
  /** Files added to the workspace (read, or marked as not checked with the reason as a finding). */
  files: string[];
  /** Folders and files that could not be walked or read; the rest of the run goes on without them. */
  skipped: SkippedPath[];
}

const tooLarge = (bytes: number) => `is ${(bytes / 1024 / 1024).toFixed(1)} MB; files over ${maxFileBytes / 1024 / 1024} MB are not checked (is it generated?)`;
const why = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM' ? 'could not be read (permission denied)'
    : code === 'ELOOP' ? 'could not be read (too many levels of symbolic links)'
      : `could not be read (${code ?? (e instanceof Error ? e.message : String(e))})`;
};

interface FileSystem {
  stat(p: string): Promise<fsSync.Stats>;
  realpath(p: string): Promise<string>;
  readdir(p: string): Promise<fsSync.Dirent[]>;
  /** Reads at most `limit` bytes; `truncated` when the file holds more (never trusts the size stat gives). */
  read(p: string, limit: number, sizeHint: number): Promise<{ text: string; truncated: boolean }>;
}

/**
 * Reads until the end or one byte past `limit`, whichever comes first: the buffer starts at the size the stat
 * gave and grows only when the file holds more than it claimed (files of /proc, a file growing while read).
 */
async function readBounded(readInto: (buf: Buffer, at: number) => Promise<number>, limit: number, sizeHint: number): Promise<{ text: string; truncated: boolean }> {
  let buf = Buffer.allocUnsafe(Math.min(Math.max(sizeHint, 4096), limit) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > limit) break;
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = await readInto(buf, n);
    if (got === 0) break;
    n += got;
  }
  return { text: buf.subarray(0, Math.min(n, limit)).toString('utf8'), truncated: n > limit };
}

const asyncFs: FileSystem = {
  stat: (p) => fs.stat(p),
  realpath: (p) => fs.realpath(p),
  readdir: (p) => fs.readdir(p, { withFileTypes: true }),
  async read(p, limit, sizeHint) {
    // O_NONBLOCK: a file that turned into a FIFO after its stat can never block the walk
    const fh = await fs.open(p, fsSync.constants.O_RDONLY | fsSync.constants.O_NONBLOCK);
    try {
      return await readBounded((buf, at) => fh.read(buf, at, buf.length - at, null).then((r) => r.bytesRead), limit, sizeHint);
    } finally {
      await fh.close();
    }
  },
};

const syncFs: FileSystem = {
  stat: async (p) => fsSync.statSync(p),
  realpath: async (p) => fsSync.realpathSync(p),
  readdir: async (p) => fsSync.readdirSync(p, { withFileTypes: true }),
  async read(p, limit, sizeHint) {
    const fd = fsSync.openSync(p, fsSync.constants.O_RDONLY | fsSync.constants.O_NONBLOCK);
    try {
      return await readBounded(async (buf, at) => fsSync.readSync(fd, buf, at, buf.length - at, null), limit, sizeHint);
    } finally {
      fsSync.closeSync(fd);
    }
  },
};

/**
 * Walks files and folders and feeds every IaC file to the workspace: Terraform (`.tf`, `.tf.json`, tfvars)
 * and CloudFormation templates (YAML/JSON holding `AWSTemplateFormatVersion` or `AWS::` resources).
 *
 * Symbolic links are followed once per real path (a link to `.` or a loop of links ends); only regular files are
 * read (never a device, a FIFO or a socket), at most {@link maxFileBytes} bytes each whatever the size their stat
 * claims. A file or folder that cannot be read is skipped with the reason and the rest goes on; an IaC file that
 * is skipped gets a `file-skipped` finding, so a named file that is too large is never reported as "no problems".
 * A missing path given explicitly is an `input` error naming it.
 */
export async function collectIacFiles(
  paths: readonly string[],
  workspace: IacWorkspace,
  options: { signal?: AbortSignal; /** Read with blocking calls: fastest for a CLI run, never in the extension host. */ sync?: boolean } = {},
): Promise<CollectResult> {
  const { signal, sync = false } = options;
  const io = sync ? syncFs : asyncFs;
  const files: string[] = [];
  const skipped: SkippedPath[] = [];
  const seen = new Set<string>();
  const skipFile = (p: string, reason: string, explicit = false) => {
    skipped.push({ path: p, reason });
    // a finding on the file for Terraform, and for a YAML/JSON file named explicitly (one found in a folder may not
    // be a template at all: the warning is enough)
    const kind = iacKindOf(p);
    if (kind && (explicit || kind !== 'cloudformation')) {
      workspace.upsertSkipped(p, reason);
      files.push(p);
    }
  };

  const visit = async (p: string, explicit: boolean): Promise<void> => {
    throwIfAborted(signal);
    let st: fsSync.Stats;
    try {
      st = await io.stat(p);
    } catch (e) {
      if (explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FinOpsError('input', `No such file or folder: ${p}`, { cause: e, fix: 'Check the path (relative paths start at the current folder).' });
      }
      // a dangling link or an unreadable entry: only worth a word when it would have been checked
      if (explicit || iacKindOf(p)) skipFile(p, why(e), explicit);
      return;
    }
    if (st.isDirectory()) {
      if (!explicit && skippedDirs.has(path.basename(p))) return;
      let real: string;
      try { real = await io.realpath(p); } catch (e) { skipped.push({ path: p, reason: why(e) }); return; }
      if (seen.has(real)) return;
      seen.add(real);
      let entries: fsSync.Dirent[];
      try {
        entries = (await io.readdir(p)).sort((x, y) => (x.name < y.name ? -1 : 1));
      } catch (e) {
        skipped.push({ path: p, reason: why(e) });
        return;
      }
      // read the folder's files in parallel, recurse into sub-folders one by one
      const subdirs: string[] = [];
      await Promise.all(entries.map(async (d) => {
        const child = path.join(p, d.name);
        if (d.isDirectory()) { subdirs.push(child); return; }
        if (d.isSymbolicLink()) {
          const target = await io.stat(child).catch(() => undefined);
          if (target?.isDirectory()) { subdirs.push(child); return; }
        }
        // every IaC-named entry is visited, so a FIFO or a device named main.tf is reported as skipped, not ignored
        if (iacKindOf(child)) await visit(child, false);
      }));
      for (const d of subdirs.sort()) await visit(d, false);
      return;
    }
    const kind = iacKindOf(p);
    if (!kind) {
      if (explicit) throw new FinOpsError('input', `${p} is not a Terraform or CloudFormation file.`, { fix: 'Pass .tf, .tf.json, .tfvars, or CloudFormation .yaml/.json files, or a folder.' });
      return;
    }
    if (!st.isFile()) {
      skipFile(p, 'is not a regular file (a device, FIFO or socket is never read)', explicit);
      return;
    }
    let real: string;
    try { real = await io.realpath(p); } catch (e) { skipFile(p, why(e), explicit); return; }
    if (seen.has(real)) return;
    seen.add(real);
    // CloudFormation candidates found in a folder: a large YAML/JSON file is data, not a template
    if (kind === 'cloudformation' && !explicit && st.size > maxTemplateBytes) return;
    if (st.size > maxFileBytes) { skipFile(p, tooLarge(st.size), explicit); return; }
    let read: { text: string; truncated: boolean };
    try {
      read = await io.read(p, maxFileBytes, st.size);
    } catch (e) {
      skipFile(p, why(e), explicit);
      return;
    }
    if (read.truncated) { skipFile(p, `is over ${maxFileBytes / 1024 / 1024} MB; files that large are not checked (is it generated?)`, explicit); return; }
    if (workspace.upsert(p, read.text)) files.push(p);
  };
  for (const p of paths) await visit(p, true);
  return { files, skipped };
}
