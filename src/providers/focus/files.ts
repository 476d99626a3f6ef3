import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FinOpsError } from '../../core/errors';
import type { ColumnInfo } from '../../core/native/columns';
import type { BillFormat } from '../../core/native/detect';
import type { AzureDataset } from '../../core/native/types';
import { throwIfAborted } from '../../core/ports';
import type { DuckDbEngine } from './duckdb';

export type FileFormat = 'csv' | 'parquet';

export interface BillFile {
  path: string;
  format: FileFormat;
  size: number;
  mtimeMs: number;
  /** False when the file was found in a folder or by a glob rather than named itself. */
  named?: boolean;
}

/** A bill file with its header read and its format recognised. */
export interface InspectedFile extends BillFile {
  columns: ColumnInfo[];
  bill: Exclude<BillFormat, { kind: 'unknown' }>;
  azureDataset?: AzureDataset;
  /** Billing account and month of each (account, period) an Azure file holds (`account|YYYY-MM`): pairs actual and amortized exports. */
  azureKeys?: string[];
  /** The delimiter, when the header was read directly: DuckDB then reads the file without sniffing it again. */
  csvDelimiter?: string;
  /** What DuckDB reads when it cannot read `path` as it is: a UTF-8, LF copy of a Windows-1252, UTF-16 or mixed-newline CSV. */
  readPath?: string;
  /** What the user should know about how the file was read ("read as Windows-1252"). */
  notes?: string[];
  /** Rows, when the file says without a scan (Parquet metadata). */
  rows?: number;
  /** Set on a Parquet copy of a large CSV (already in FOCUS columns): the bill it was made from. */
  origin?: { path: string; format: FileFormat; native: boolean };
}

/** The name a user knows a file by (the bill, not its cached Parquet copy). */
export function displayName(file: InspectedFile | BillFile): string {
  return path.basename('origin' in file && file.origin ? file.origin.path : file.path);
}

const GLOB_CHARS = /[*?[]/;

/** The format a file name says: CSV (also gzip- or zstd-compressed) or Parquet; undefined for anything else. */
export function formatOf(file: string): FileFormat | undefined {
  const name = file.toLowerCase();
  if (/\.(csv|tsv)(\.(gz|gzip|zst))?$/.test(name)) return 'csv';
  if (/\.parquet$|\.snappy\.parquet$|\.gz\.parquet$/.test(name)) return 'parquet';
  return undefined;
}

const SUPPORTED = 'CSV (.csv, .csv.gz) or Parquet (.parquet)';

function unsupported(file: string): FinOpsError {
  const hint = /\.zip$/i.test(file) ? ' Unzip it first.' : '';
  return new FinOpsError('input', `${file} is not a bill file this extension reads.`, { fix: `Point at ${SUPPORTED} files.${hint}` });
}

async function walk(dir: string, signal?: AbortSignal): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  throwIfAborted(signal);
  // Skips hidden files and folders (.git, .cache) below `dir`.
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => formatOf(f) !== undefined && !path.relative(dir, f).split(path.sep).some((part) => part.startsWith('.')));
}

/**
 * Expands files, folders (recursively: every CSV / Parquet file under it) and globs (`bills/2024-*.parquet`,
 * `exports/**\/*.csv.gz`; expanded by DuckDB) relative to `baseDir`, sorted, duplicates removed.
 */
export async function resolveBillFiles(specs: readonly string[], baseDir: string, engine: DuckDbEngine, signal?: AbortSignal): Promise<BillFile[]> {
  if (!specs.length) throw new FinOpsError('usage', 'No FOCUS file is configured.', { fix: 'Set "mlFinops.focus.files" (or pass --focus) to a FOCUS or native bill file, folder or glob.' });
  const found = new Set<string>();
  const named = new Set<string>();
  for (const spec of specs) {
    throwIfAborted(signal);
    const full = path.resolve(baseDir, spec);
    if (GLOB_CHARS.test(spec)) {
      const rows = await engine.query('SELECT file FROM glob($1) ORDER BY file', [full.split(path.sep).join('/')], signal);
      // Like a shell, `*` skips hidden files and folders (.git, .cache) unless the pattern names them.
      const segments = full.split(path.sep);
      const fixed = segments.slice(0, segments.findIndex((s) => GLOB_CHARS.test(s))).join(path.sep) || path.sep;
      const namesHidden = segments.slice(fixed.split(path.sep).length).some((s) => s.startsWith('.'));
      const files = rows.map((r) => path.resolve(String(r.file)))
        .filter((f) => formatOf(f) !== undefined)
        .filter((f) => namesHidden || !path.relative(fixed, f).split(path.sep).some((part) => part.startsWith('.')));
      if (!files.length) throw new FinOpsError('input', `No ${SUPPORTED} file matches ${spec}.`, { fix: 'Check the pattern in "mlFinops.focus.files" / --focus.' });
      files.forEach((f) => found.add(f));
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      throw new FinOpsError('input', `${spec} does not exist (looked for ${full}).`, { fix: 'Check the path in "mlFinops.focus.files" / --focus.' });
    }
    if (stat.isDirectory()) {
      const files = await walk(full, signal);
      if (!files.length) throw new FinOpsError('input', `${spec} holds no ${SUPPORTED} file.`, { fix: 'Export your bill into that folder, or point at another one.' });
      files.forEach((f) => found.add(f));
    } else {
      if (!formatOf(full)) throw unsupported(spec);
      found.add(full);
      named.add(full);
    }
  }
  const out: BillFile[] = [];
  for (const file of [...found].sort()) {
    const stat = await fs.stat(file);
    out.push({ path: file, format: formatOf(file)!, size: stat.size, mtimeMs: stat.mtimeMs, named: named.has(file) });
  }
  return out;
}
