import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { quoteLiteral, SqlParams, compactParams } from '../../core/cost/sql';
import { CancelledError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { DuckDbEngine } from './duckdb';
import { explainReadFailure } from './diagnose';
import { displayName, type InspectedFile } from './files';
import { providedColumns, relationSql } from './inspect';

interface ParquetCopyOptions {
  /** Where the copies live (the extension's global storage); created when needed. */
  dir: string;
  /** CSV files smaller than this are read directly (default 32 MB). */
  minBytes?: number;
  logger?: Logger;
}

const FORMAT_VERSION = 'v1';

/**
 * Large CSV bills loaded on first use: the file is converted once into a Parquet copy that already holds
 * FOCUS columns (native exports converted, types normalised), and later queries read the copy — a CSV scan
 * costs seconds, the copy tenths of a second. A copy is keyed by the bill's path, size and modification time,
 * replaced when the bill changes, and written to a temporary name first so a reader never sees half a file.
 * Concurrent queries on the same bill share one conversion.
 */
export class ParquetCopies {
  private readonly inFlight = new Map<string, Promise<InspectedFile>>();
  private readonly log: Logger;

  constructor(private readonly options: ParquetCopyOptions, private readonly engine: DuckDbEngine) {
    this.log = options.logger ?? silentLogger;
  }

  eligible(file: InspectedFile): boolean {
    return file.format === 'csv' && !file.origin && file.size >= (this.options.minBytes ?? 32 * 1024 * 1024);
  }

  /** The Parquet copy of `file`, made now if it does not exist yet. */
  async copyOf(file: InspectedFile, signal?: AbortSignal): Promise<InspectedFile> {
    const prefix = createHash('sha256').update(file.path).digest('hex').slice(0, 16);
    const stamp = createHash('sha256').update(`${file.size}|${file.mtimeMs}|${file.azureDataset ?? ''}|${FORMAT_VERSION}`).digest('hex').slice(0, 12);
    const target = path.join(this.options.dir, `${prefix}-${stamp}.parquet`);
    let pending = this.inFlight.get(target);
    if (!pending) {
      pending = this.make(file, prefix, target).finally(() => this.inFlight.delete(target));
      this.inFlight.set(target, pending);
    }
    if (!signal) return pending;
    throwIfAborted(signal);
    // A caller that gives up stops waiting; the conversion goes on for the others and for next time.
    return new Promise<InspectedFile>((resolve, reject) => {
      const onAbort = () => reject(new CancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
        (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
      );
    });
  }

  private async make(file: InspectedFile, prefix: string, target: string): Promise<InspectedFile> {
    const existing = await fs.stat(target).catch(() => undefined);
    if (!existing) {
      await fs.mkdir(this.options.dir, { recursive: true });
      const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      const params = new SqlParams();
      const select = relationSql({ files: [file], key: '' }, providedColumns(file), {}, params, []);
      const c = compactParams(`COPY (${select}) TO ${quoteLiteral(temp)} (FORMAT parquet, COMPRESSION zstd)`, params.values);
      const started = Date.now();
      try {
        await this.engine.query(c.sql, c.values);
        await fs.rename(temp, target);
      } catch (e) {
        await fs.rm(temp, { force: true }).catch(() => undefined);
        throw await explainReadFailure([file], e, this.engine);
      }
      this.log.info(`${displayName(file)}: loaded into a Parquet copy in ${((Date.now() - started) / 1000).toFixed(1)} s; later queries read the copy.`);
      // Older copies of the same bill are no longer needed.
      for (const name of await fs.readdir(this.options.dir).catch(() => [] as string[])) {
        if (name.startsWith(`${prefix}-`) && path.join(this.options.dir, name) !== target && !name.endsWith('.tmp')) {
          await fs.rm(path.join(this.options.dir, name), { force: true }).catch(() => undefined);
        }
      }
    }
    const stat = await fs.stat(target);
    const params = new SqlParams();
    const rows = await this.engine.query(`DESCRIBE SELECT * FROM read_parquet(${params.add(target)})`, params.values);
    const [meta] = await this.engine.query('SELECT sum(num_rows) AS n FROM parquet_file_metadata($1)', [target]);
    return {
      path: target,
      format: 'parquet',
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      columns: rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
      bill: { kind: 'focus', version: file.bill.kind === 'focus' ? file.bill.version : '1.2', missing: [] },
      ...(file.azureDataset ? { azureDataset: file.azureDataset } : {}),
      ...(file.notes ? { notes: file.notes } : {}),
      ...(file.azureKeys ? { azureKeys: file.azureKeys } : {}),
      ...(meta?.n !== null && meta?.n !== undefined ? { rows: Number(meta.n) } : {}),
      origin: { path: file.path, format: file.format, native: file.bill.kind === 'native' },
    };
  }
}
