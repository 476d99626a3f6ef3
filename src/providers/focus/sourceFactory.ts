import * as path from 'node:path';
import type { Settings } from '../../core/settings';
import type { NotConfigured, SourceContext, SourceEntry, SourceFactory } from '../registry';
import { DuckDbEngine } from './duckdb';
import { FocusFileSource } from './focusFileSource';
import { ScratchDir } from './scratch';

interface FocusSourceFactoryOptions {
  /** Where relative paths in "mlFinops.focus.files" start: the first workspace folder (else they must be absolute). */
  baseDir: () => string | undefined;
  /** Folder for Parquet copies of large CSV bills (the extension's global storage). */
  copiesDir?: string;
  /** One DuckDB for every file source; created here when absent and closed by dispose(). */
  engine?: DuckDbEngine;
}

/** Describes what the files hold, for the connection check ("2 files: FOCUS 1.0 CSV, AWS CUR; 2024-09-01 – 2024-09-30"). */
export async function describeFiles(source: FocusFileSource, signal?: AbortSignal): Promise<string> {
  const { files } = await source.summary(signal);
  const kinds = [...new Set(files.map((f) => (f.focusVersion ? `FOCUS ${f.focusVersion} ${f.format === 'csv' ? 'CSV' : 'Parquet'}` : `${f.kind}${f.azureDataset ? ` (${f.azureDataset} cost)` : ''}`)))];
  const covered = await source.coverage(signal);
  const dates = covered ? `; ${covered.start} to ${covered.end} (exclusive)` : '; no rows';
  return `${files.length} file${files.length === 1 ? '' : 's'}: ${kinds.join(', ')}${dates}.`;
}

/**
 * The "FOCUS file" source: the files, folders and globs of "mlFinops.focus.files" (FOCUS, or native AWS / Azure /
 * GCP exports converted on the way in) as one cost and resource source. Local files make no cloud call, so they are
 * read in untrusted workspaces too. Nothing is read until a view asks.
 */
export function focusSourceFactory(options: FocusSourceFactoryOptions): SourceFactory & { dispose(): void } {
  const engine = options.engine ?? new DuckDbEngine();
  const scratch = new ScratchDir();
  return {
    kind: 'focus',
    create(settings: Settings, ctx: SourceContext): (SourceEntry | NotConfigured)[] {
      const paths = settings['focus.files'];
      if (!paths.length) return [];
      const baseDir = options.baseDir();
      const relative = paths.filter((p) => !path.isAbsolute(p));
      if (relative.length && !baseDir) {
        return [{
          notConfigured: true, id: 'focus', kind: 'focus', label: 'FOCUS files', enabled: true,
          fix: `Open the workspace folder that holds ${relative.join(', ')}, or give absolute paths in "mlFinops.focus.files".`,
        }];
      }
      const source = new FocusFileSource({
        id: 'focus',
        paths,
        baseDir: baseDir ?? '/',
        engine,
        scratch,
        logger: ctx.log,
        ...(ctx.tagAliases ? { tagAliases: ctx.tagAliases } : {}),
        ...(options.copiesDir ? { copies: { dir: options.copiesDir } } : {}),
      });
      return [{ id: 'focus', kind: 'focus', label: source.label, cost: source, resources: source, check: (signal) => describeFiles(source, signal) }];
    },
    dispose: () => {
      if (!options.engine) engine.close();
      scratch.dispose();
    },
  };
}
