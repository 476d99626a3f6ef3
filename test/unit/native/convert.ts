import * as fs from 'node:fs';
import { FOCUS_COLUMNS, TIMESTAMP_COLUMNS, type FocusColumn } from '../../../src/core/cost/focusColumns';
import { compactParams, SqlParams } from '../../../src/core/cost/sql';
import type { ConvertOptions } from '../../../src/core/native/types';
import type { DuckDbEngine } from '../../../src/providers/focus/duckdb';
import { formatOf } from '../../../src/providers/focus/files';
import type { InspectedFile } from '../../../src/providers/focus/files';
import { inspectFile, relationSql } from '../../../src/providers/focus/inspect';

export const nativeDir = new URL('../../../../shared/data/native_billing/', `file://${__filename}`).pathname;
/** The real native samples live outside the repository; their tests skip where the folder is absent. */
export const haveSamples = fs.existsSync(nativeDir);

export type FocusRow = Record<string, string | number | null>;

/** Converts one file to FOCUS rows (every FOCUS 1.2 column), in file order; times as ISO strings. */
export async function convertFile(engine: DuckDbEngine, file: string, options: ConvertOptions = {}): Promise<{ inspected: InspectedFile; rows: FocusRow[] }> {
  const stat = fs.statSync(file);
  const inspected = await inspectFile({ path: file, format: formatOf(file)!, size: stat.size, mtimeMs: stat.mtimeMs }, engine);
  const params = new SqlParams();
  const columns = FOCUS_COLUMNS['1.2'] as FocusColumn[];
  const sql = relationSql({ files: [inspected], key: '' }, columns, options, params, []);
  const c = compactParams(sql, params.values);
  const rows = await engine.query(c.sql, c.values);
  return {
    inspected,
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [
      k,
      TIMESTAMP_COLUMNS.has(k as FocusColumn) && typeof v === 'string' ? new Date(`${v.replace(' ', 'T')}Z`).toISOString() : (v as string | number | null),
    ]))),
  };
}

export const iso = (text: string) => new Date(text).toISOString();
export const num = (v: string | null | undefined): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
