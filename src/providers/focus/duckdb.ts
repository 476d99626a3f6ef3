import type * as DuckDbApiModule from '@duckdb/node-api';
import type { DuckDBInstance } from '@duckdb/node-api';

type DuckDbApi = typeof DuckDbApiModule;
import { CancelledError, FinOpsError, isFinOpsError } from '../../core/errors';
import type { SqlValue } from '../../core/cost/sql';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';

type Row = Record<string, unknown>;

interface DuckDbEngineOptions {
  /** Worker threads (DuckDB's default: one per core). */
  threads?: number;
  /** Upper bound of DuckDB's memory, e.g. `2GB` (DuckDB's default: 80% of RAM). */
  memoryLimit?: string;
  logger?: Logger;
}

/**
 * An in-process DuckDB that queries bill files where they lie. The native module is loaded on the first
 * query, not at import time, so activation stays fast and a platform without a DuckDB build fails only the
 * features that need it. Each query runs on its own connection; an AbortSignal interrupts it.
 */
export class DuckDbEngine {
  private instance?: Promise<DuckDBInstance>;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly options: DuckDbEngineOptions = {}) {
    this.log = options.logger ?? silentLogger;
  }

  private open(): Promise<DuckDBInstance> {
    if (this.closed) throw new FinOpsError('internal', 'The DuckDB engine was closed.', { fix: 'Reload the window.' });
    this.instance ??= (async () => {
      const started = Date.now();
      let api: DuckDbApi;
      try {
        api = await import('@duckdb/node-api');
      } catch (e) {
        this.instance = undefined;
        throw new FinOpsError('unavailable', `DuckDB could not be loaded on this platform (${process.platform}-${process.arch}): ${e instanceof Error ? e.message : String(e)}`, {
          fix: 'Install the ML FinOps build for this platform; FOCUS files need its DuckDB module.',
          cause: e,
        });
      }
      const config: Record<string, string> = {
        // Never fetch extensions from the network: json, parquet and icu are built in.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      };
      if (this.options.threads) config.threads = String(this.options.threads);
      if (this.options.memoryLimit) config.memory_limit = this.options.memoryLimit;
      const instance = await api.DuckDBInstance.create(':memory:', config);
      this.log.debug(`DuckDB ${api.version()} loaded in ${Date.now() - started} ms`);
      return instance;
    })();
    return this.instance;
  }

  /** Runs one statement with bound values and returns its rows as plain JS values (BIGINT as number). */
  async query(sql: string, values: readonly SqlValue[] = [], signal?: AbortSignal): Promise<Row[]> {
    throwIfAborted(signal);
    const instance = await this.open();
    const connection = await instance.connect();
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await connection.run("SET TimeZone = 'UTC'");
      const reader = await connection.runAndReadAll(sql, [...values]);
      throwIfAborted(signal);
      return toRows(reader.columnNames(), reader.getColumns());
    } catch (e) {
      if (signal?.aborted) throw new CancelledError();
      if (isFinOpsError(e)) throw e;
      await this.replaceIfBroken(instance);
      throw new DuckDbError(e instanceof Error ? e.message : String(e), e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  /**
   * After a failed query: an internal error in DuckDB invalidates the whole database, and every later query (of
   * every source sharing this engine) would fail too. A trivial query tells; a broken instance is dropped, and the
   * next query starts a new one.
   */
  private async replaceIfBroken(instance: DuckDBInstance): Promise<void> {
    try {
      const probe = await instance.connect();
      try {
        await probe.run('SELECT 1');
      } finally {
        probe.closeSync();
      }
    } catch (e) {
      if (this.instance && (await this.instance.catch(() => undefined)) === instance) {
        this.instance = undefined;
        try { instance.closeSync(); } catch { /* already unusable */ }
        this.log.warn(`DuckDB stopped after an internal error (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the next query starts a new one.`);
      }
    }
  }

  close(): void {
    this.closed = true;
    const pending = this.instance;
    this.instance = undefined;
    void pending?.then((i) => i.closeSync(), () => undefined);
  }
}

/** An error DuckDB raised (bad SQL input, a malformed file, I/O). Callers turn it into a FinOpsError. */
export class DuckDbError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'DuckDbError';
  }
}

/**
 * Rows from column vectors (several times faster than the reader's row objects on large results).
 * Text and DOUBLE arrive as JS strings and numbers; BIGINT becomes a number; other DuckDB values (dates,
 * lists) their text form — the engine's SQL casts what it reads back to text or numbers.
 */
function toRows(names: readonly string[], columns: readonly (readonly unknown[])[]): Row[] {
  const count = columns[0]?.length ?? 0;
  const rows: Row[] = new Array<Row>(count);
  for (let i = 0; i < count; i++) rows[i] = {};
  names.forEach((name, c) => {
    const column = columns[c]!;
    for (let i = 0; i < count; i++) {
      const v = column[i];
      rows[i]![name] = typeof v === 'bigint' ? Number(v) : v !== null && typeof v === 'object' ? String(v) : v;
    }
  });
  return rows;
}
