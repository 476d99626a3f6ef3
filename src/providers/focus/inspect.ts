import * as path from 'node:path';
import { FOCUS_COLUMNS, type FocusColumn } from '../../core/cost/focusColumns';
import { quoteIdent, quoteLiteral, SqlParams } from '../../core/cost/sql';
import { FinOpsError, isFinOpsError } from '../../core/errors';
import { azureDatasetFromFileName, azureDatasetProbe } from '../../core/native/azureCost';
import { SourceColumns, type ColumnInfo } from '../../core/native/columns';
import { detectBillFormat, type BillFormat } from '../../core/native/detect';
import { focusColumnExpression } from '../../core/native/focusFile';
import type { AzureDataset, ConvertOptions } from '../../core/native/types';
import { readCsvHeader } from './csvHeader';
import { DuckDbError, type DuckDbEngine } from './duckdb';
import type { BillFile, FileFormat } from './files';

/** A bill file with its header read and its format recognised. */
export interface InspectedFile extends BillFile {
  columns: ColumnInfo[];
  bill: Exclude<BillFormat, { kind: 'unknown' }>;
  azureDataset?: AzureDataset;
  /** The delimiter, when the header was read directly: DuckDB then reads the file without sniffing it again. */
  csvDelimiter?: string;
  /** Set on a Parquet copy of a large CSV (already in FOCUS columns): the bill it was made from. */
  origin?: { path: string; format: FileFormat; native: boolean };
}

/** CSV reading: every field as text (the relation casts), FOCUS's `NULL` token and empty fields as NULL. */
const CSV_OPTIONS = "header = true, all_varchar = true, nullstr = ['NULL', '']";

/**
 * The table function that reads these files (all of one format; for CSV all with one header), paths and
 * names bound as parameters. A CSV whose header was read already is parsed with that header and delimiter
 * (RFC 4180 quoting, strict column count) instead of sampling the file to guess them again.
 */
function readerSql(files: readonly (BillFile & { columns?: ColumnInfo[]; csvDelimiter?: string })[], params: SqlParams): string {
  const list = `[${files.map((f) => params.add(f.path)).join(', ')}]`;
  const first = files[0];
  if (first?.format === 'parquet') return `read_parquet(${list}, union_by_name = true)`;
  if (first?.csvDelimiter && first.columns) {
    // DuckDB takes the column list only as a STRUCT literal: the names are written as escaped string literals
    // (quoteLiteral doubles quotes and refuses NUL), the one place a file's header reaches the SQL text.
    const columns = `{${first.columns.map((c) => `${quoteLiteral(c.name)}: 'VARCHAR'`).join(', ')}}`;
    return `read_csv(${list}, header = true, nullstr = ['NULL', ''], auto_detect = false, delim = ${params.add(first.csvDelimiter)}, quote = '"', escape = '"', columns = ${columns})`;
  }
  return `read_csv(${list}, ${CSV_OPTIONS}, union_by_name = true)`;
}

const FIX_FORMAT = 'Point at a FOCUS 1.0–1.2 export (CSV, CSV.gz or Parquet), an AWS Cost and Usage Report, an Azure cost details export or a Google Cloud billing export.';

/** A DuckDB failure while reading `files`, as the FinOpsError a user can act on. */
export function readError(files: readonly BillFile[], e: unknown): FinOpsError {
  if (isFinOpsError(e)) return e;
  const message = e instanceof DuckDbError || e instanceof Error ? e.message : String(e);
  const names = files.map(displayName).join(', ');
  const first = message.split('\n').find((l) => l.trim().length > 0) ?? message;
  if (/No files found|Cannot open file|No such file/i.test(message)) {
    return new FinOpsError('input', `Could not open ${names}: ${first}`, { fix: 'Check that the file still exists and is readable.', cause: e });
  }
  return new FinOpsError('input', `Could not read ${names}: ${first}`, {
    fix: 'Check that the file is a complete export with one header row (a CSV cut short or hand-edited fails here).',
    cause: e,
  });
}

/** Reads a file's header (DuckDB's sniffer for CSV, the schema for Parquet) and recognises its format. */
export async function inspectFile(file: BillFile, engine: DuckDbEngine, signal?: AbortSignal): Promise<InspectedFile> {
  let columns: ColumnInfo[];
  const header = file.format === 'csv' ? await readCsvHeader(file.path).catch(() => undefined) : undefined;
  if (header) {
    columns = header.columns.map((name) => ({ name, type: 'VARCHAR' }));
  } else {
    const params = new SqlParams();
    let rows;
    try {
      rows = await engine.query(`DESCRIBE SELECT * FROM ${readerSql([file], params)}`, params.values, signal);
    } catch (e) {
      throw readError([file], e);
    }
    columns = rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }
  const names = columns.map((c) => c.name);
  const bill = detectBillFormat(columns);
  const base = path.basename(file.path);
  if (bill.kind === 'unknown') {
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : '');
    throw new FinOpsError('input', `${base} is not a FOCUS file: it lacks the FOCUS columns ${bill.missing.join(', ')} (its columns: ${shown || 'none'}).`, { fix: FIX_FORMAT });
  }
  if (bill.kind === 'focus' && bill.missing.length) {
    throw new FinOpsError('input', `${base} reads like FOCUS ${bill.version} but lacks the required columns ${bill.missing.join(', ')}.`, {
      fix: 'Export every FOCUS column (AWS Data Exports "FOCUS 1.0 with AWS columns", Azure "FOCUS cost" export, the Google Cloud FOCUS BigQuery view), or add the missing columns.',
    });
  }
  const inspected: InspectedFile = { ...file, columns, bill, ...(header ? { csvDelimiter: header.delimiter } : {}) };
  if (bill.kind === 'native' && bill.converter.kind === 'azureCostDetails') {
    inspected.azureDataset = azureDatasetFromFileName(base) ?? await probeAzureDataset(inspected, engine, signal);
  }
  return inspected;
}

async function probeAzureDataset(file: InspectedFile, engine: DuckDbEngine, signal?: AbortSignal): Promise<AzureDataset> {
  const params = new SqlParams();
  const cols = new SourceColumns(file.columns, params);
  try {
    const [row] = await engine.query(`SELECT ${azureDatasetProbe(cols)} FROM ${readerSql([file], params)}`, params.values, signal);
    return Number(row?.amortized ?? 0) > 0 && Number(row?.actual ?? 0) === 0 ? 'amortized' : 'actual';
  } catch (e) {
    throw readError([file], e);
  }
}

/** Files read by one table function: same format, same kind, same header and types. */
interface FileGroup {
  files: InspectedFile[];
  key: string;
}

export function groupFiles(files: readonly InspectedFile[]): FileGroup[] {
  const groups = new Map<string, InspectedFile[]>();
  for (const f of files) {
    const kind = f.bill.kind === 'focus' ? 'focus' : f.bill.converter.kind;
    const key = JSON.stringify([f.format, kind, f.azureDataset ?? '', f.csvDelimiter ?? '', f.origin ? 'copy' : '', f.columns]);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()].map(([key, files]) => ({ key, files }));
}

/** The name a user knows a file by (the bill, not its cached Parquet copy). */
export function displayName(file: InspectedFile | BillFile): string {
  return path.basename('origin' in file && file.origin ? file.origin.path : file.path);
}

/** Every FOCUS column a file provides (present in a FOCUS file, or produced by a native file's conversion). */
export function providedColumns(file: InspectedFile): FocusColumn[] {
  const cols = new SourceColumns(file.columns, new SqlParams());
  const all = FOCUS_COLUMNS['1.2'];
  if (file.bill.kind === 'focus') return all.filter((c) => focusColumnExpression(cols, c) !== 'NULL');
  const projection = file.bill.converter.project(cols, { azureDataset: file.azureDataset });
  return all.filter((c) => (projection[c] ?? 'NULL') !== 'NULL');
}

/**
 * SELECT of the `needed` FOCUS columns from one group, converting native exports on the way. Columns a
 * FOCUS file lacks (a 1.1 column in a 1.0 file) read as NULL and are reported in `warnings`.
 * When Azure actual and amortized exports are read together (`options.azurePaired`), BilledCost comes from the
 * actual rows only and EffectiveCost / ListCost from the amortized rows only, so neither is counted twice.
 */
export function relationSql(group: FileGroup, needed: readonly FocusColumn[], options: ConvertOptions, params: SqlParams, warnings: string[]): string {
  const first = group.files[0]!;
  const cols = new SourceColumns(first.columns, params);
  let projection: Partial<Record<FocusColumn, string>>;
  if (first.bill.kind === 'focus') {
    projection = {};
    for (const col of needed) {
      const expr = focusColumnExpression(cols, col);
      if (expr === 'NULL' && !first.origin?.native) {
        warnings.push(`${group.files.map(displayName).join(', ')} ha${group.files.length > 1 ? 've' : 's'} no ${col} column (FOCUS ${first.bill.version}); it reads as empty.`);
      }
      projection[col] = expr;
    }
  } else {
    projection = first.bill.converter.project(cols, { azureDataset: first.azureDataset });
  }
  if (options.azurePaired && first.azureDataset === 'amortized') projection.BilledCost = '0';
  if (options.azurePaired && first.azureDataset === 'actual') {
    projection.EffectiveCost = '0';
    projection.ListCost = '0';
  }
  const select = needed.map((col) => `${projection[col] ?? 'NULL'} AS ${quoteIdent(col)}`);
  return `SELECT ${select.join(', ')} FROM ${readerSql(group.files, params)}`;
}
