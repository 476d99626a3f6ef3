import { createHash } from 'node:crypto';
import { FOCUS_COLUMNS, type FocusColumn } from '../../core/cost/focusColumns';
import { compactParams, quoteIdent, quoteLiteral, SqlParams } from '../../core/cost/sql';
import { FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import { azureDatasetFromFileName, azureDatasetProbe, azurePairingKey } from '../../core/native/azureCost';
import { SourceColumns, type ColumnInfo } from '../../core/native/columns';
import { detectBillFormat } from '../../core/native/detect';
import { focusColumnExpression } from '../../core/native/focusFile';
import type { AzureDataset, ConvertOptions } from '../../core/native/types';
import type { Period } from '../../core/cost/model';
import { ALL_TIME } from '../../core/period';
import { readCsvHeader } from './csvHeader';
import { readableAsIs, scanCsvText, writeUtf8Copy, type CsvTextScan } from './csvText';
import { explainReadFailure } from './diagnose';
import type { DuckDbEngine } from './duckdb';
import { displayName, type BillFile, type InspectedFile } from './files';
import type { ScratchDir } from './scratch';


/** A file that is not a bill at all (its header matches no format): skipped when a folder or glob found it. */
export function notABill(message: string, fix: string): FinOpsError {
  return new FinOpsError('input', message, { fix, code: 'notABill' });
}

/** CSV reading: every field as text (the relation casts), FOCUS's `NULL` token and empty fields as NULL. */
const CSV_OPTIONS = "header = true, all_varchar = true, nullstr = ['NULL', '']";

/**
 * The table function that reads these files (all of one format; for CSV all with one header), paths and
 * names bound as parameters. A CSV whose header was read already is parsed with that header and delimiter
 * (RFC 4180 quoting, strict column count) instead of sampling the file to guess them again.
 */
function readerSql(files: readonly (BillFile & { columns?: ColumnInfo[]; csvDelimiter?: string; readPath?: string })[], params: SqlParams): string {
  const list = `[${files.map((f) => params.add(f.readPath ?? f.path)).join(', ')}]`;
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

/** A file-system or decompression failure while reading `file` ourselves, as a FinOpsError. */
function ioError(file: BillFile, e: unknown): FinOpsError {
  if (isFinOpsError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const name = displayName(file);
  if (code === 'ENOENT') return new FinOpsError('input', `Could not open ${name}: it no longer exists.`, { fix: 'Check that the file still exists.', cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new FinOpsError('permission', `Could not open ${name}: permission denied.`, { fix: 'Make the file readable for your user.', cause: e });
  if (code === 'EISDIR') return new FinOpsError('input', `${name} is a folder, not a bill file.`, { fix: 'Point at the files, or at the folder itself.', cause: e });
  if (typeof code === 'string' && code.startsWith('Z_')) return new FinOpsError('input', `${name} is not a complete gzip file (cut short or damaged).`, { fix: 'Download or export the bill again.', cause: e });
  return new FinOpsError('input', `Could not read ${name}.`, { fix: 'Check that the file is a complete, readable export.', cause: e });
}

const ENCODING_LABELS: Record<CsvTextScan['encoding'], string> = {
  'utf-8': 'UTF-8', 'utf-16le': 'UTF-16 (little-endian)', 'utf-16be': 'UTF-16 (big-endian)', 'windows-1252': 'Windows-1252 (Latin-1)',
};

/** The CSV as DuckDB can read it: the file itself, or a UTF-8, LF copy in `scratch`, with a note for a converted encoding. */
async function readableCsv(file: BillFile, scratch: ScratchDir | undefined, signal?: AbortSignal): Promise<{ readPath?: string; notes: string[] }> {
  let scan: CsvTextScan | undefined;
  try {
    scan = await scanCsvText(file.path, signal);
  } catch (e) {
    throw isCancelled(e) ? e : ioError(file, e);
  }
  if (!scan || readableAsIs(scan)) return { notes: [] };
  if (!scratch) throw new FinOpsError('internal', `${displayName(file)} needs a converted copy, and no scratch folder was given.`, { fix: INTERNAL_FIX });
  const key = createHash('sha256').update(`${file.path}|${file.size}|${file.mtimeMs}`).digest('hex').slice(0, 16);
  const readPath = await scratch.file(`${key}.csv`);
  try {
    await writeUtf8Copy(file.path, scan, readPath, signal);
  } catch (e) {
    throw isCancelled(e) ? e : ioError(file, e);
  }
  const notes: string[] = [];
  if (scan.encoding === 'windows-1252') {
    notes.push(`${displayName(file)} is not UTF-8 (from line ${scan.firstNonUtf8?.line ?? 1}): read as ${ENCODING_LABELS[scan.encoding]}. If names look wrong, export the bill again as UTF-8.`);
  } else if (scan.encoding !== 'utf-8') {
    notes.push(`${displayName(file)} is ${ENCODING_LABELS[scan.encoding]}: read as such.`);
  }
  return { readPath, notes };
}

interface InspectOptions {
  /** Where UTF-8 copies of CSVs DuckDB cannot read as they are go (Windows-1252, UTF-16, mixed line endings). */
  scratch?: ScratchDir;
  signal?: AbortSignal;
}

/** Reads a file's header (directly for CSV, DuckDB's sniffer or the Parquet schema otherwise) and recognises its format. */
export async function inspectFile(file: BillFile, engine: DuckDbEngine, options: InspectOptions = {}): Promise<InspectedFile> {
  const { signal } = options;
  const readable = file.format === 'csv' ? await readableCsv(file, options.scratch, signal) : { notes: [] as string[] };
  const target: BillFile & { readPath?: string } = { ...file, ...(readable.readPath ? { readPath: readable.readPath } : {}) };
  let columns: ColumnInfo[];
  const header = file.format === 'csv' ? await readCsvHeader(readable.readPath ?? file.path).catch(() => undefined) : undefined;
  if (header) {
    columns = header.columns.map((name) => ({ name, type: 'VARCHAR' }));
  } else {
    const params = new SqlParams();
    let rows;
    try {
      rows = await engine.query(`DESCRIBE SELECT * FROM ${readerSql([target], params)}`, params.values, signal);
    } catch (e) {
      throw await explainReadFailure([target], e, engine, signal);
    }
    columns = rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }
  let rowCount: number | undefined;
  if (file.format === 'parquet') {
    const [meta] = await engine.query('SELECT sum(num_rows) AS n FROM parquet_file_metadata($1)', [file.path], signal).catch(() => [] as Record<string, unknown>[]);
    if (meta?.n !== null && meta?.n !== undefined) rowCount = Number(meta.n);
  }
  const base = displayName(file);
  const nul = columns.findIndex((c) => c.name.includes('\0'));
  if (nul >= 0) {
    throw new FinOpsError('input', `${base}: the header's column ${nul + 1} holds a NUL character.`, { fix: 'The file is damaged or not a text CSV: export the bill again.' });
  }
  const names = columns.map((c) => c.name);
  const bill = detectBillFormat(columns);
  if (bill.kind === 'unknown') {
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : '');
    throw notABill(`${base} is not a FOCUS file: it lacks the FOCUS columns ${bill.missing.join(', ')} (its columns: ${shown || 'none'}).`, FIX_FORMAT);
  }
  // a bill naming a column twice is ambiguous: which of the two holds the costs?
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new FinOpsError('input', `${base}: the header names column ${name} twice (columns ${first + 1} and ${i + 1}).`, { fix: 'Remove or rename one of the two columns, or export the bill again.' });
    }
    seen.set(name.toLowerCase(), i);
  }
  if (bill.kind === 'focus' && bill.missing.length) {
    throw new FinOpsError('input', `${base} reads like FOCUS ${bill.version} but lacks the required columns ${bill.missing.join(', ')}.`, {
      fix: 'Export every FOCUS column (AWS Data Exports "FOCUS 1.0 with AWS columns", Azure "FOCUS cost" export, the Google Cloud FOCUS BigQuery view), or add the missing columns.',
    });
  }
  const inspected: InspectedFile = {
    ...target, columns, bill,
    ...(header ? { csvDelimiter: header.delimiter } : {}),
    ...(readable.notes.length ? { notes: readable.notes } : {}),
    ...(rowCount !== undefined ? { rows: rowCount } : {}),
  };
  if (bill.kind === 'native' && bill.converter.kind === 'azureCostDetails') {
    inspected.azureDataset = azureDatasetFromFileName(base) ?? await probeAzureDataset(inspected, engine, signal);
    inspected.azureKeys = await probeAzureKeys(inspected, engine, signal);
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
    throw await explainReadFailure([file], e, engine, signal);
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
/**
 * A WHERE on a FOCUS file's own date-time column (Parquet TIMESTAMP), so DuckDB skips the row groups outside the
 * period by their statistics; the checked column above still validates every row read. A missing date passes the
 * prefilter and is refused by the check, never dropped silently.
 */
function periodPrefilter(file: InspectedFile, cols: SourceColumns, period: Period | undefined, params: SqlParams): string {
  if (!period || (period.start <= ALL_TIME.start && period.end >= ALL_TIME.end) || file.bill.kind !== 'focus') return '';
  const col = cols.find('ChargePeriodStart');
  if (!col || !/^TIMESTAMP( WITH TIME ZONE)?$|^TIMESTAMP_(NS|MS|S)$/i.test(col.type)) return '';
  const ref = cols.ref(col);
  return ` WHERE ${ref} IS NULL OR (${ref} >= CAST(${params.add(period.start)} AS TIMESTAMP) AND ${ref} < CAST(${params.add(period.end)} AS TIMESTAMP))`;
}

/** A FOCUS column of a file, converted (native) or read (FOCUS, a Parquet copy). */
function columnOf(file: InspectedFile, cols: SourceColumns, projection: Partial<Record<FocusColumn, string>>, col: FocusColumn): string {
  return projection[col] ?? (file.bill.kind === 'focus' ? focusColumnExpression(cols, col) : 'NULL');
}

/** When the rows of an Azure group have their twin from the other dataset among the files: TRUE, FALSE or an SQL condition. */
function pairedCondition(group: FileGroup, cols: SourceColumns, projection: Partial<Record<FocusColumn, string>>, options: ConvertOptions, params: SqlParams): string {
  const paired = new Set(options.azurePairedKeys ?? []);
  const keys = new Set(group.files.flatMap((f) => f.azureKeys ?? []));
  const hits = [...keys].filter((k) => paired.has(k));
  if (!hits.length) return 'FALSE';
  if (hits.length === keys.size) return 'TRUE';
  const key = azurePairingKey((c) => columnOf(group.files[0]!, cols, projection, c));
  return `(${key}) IN (${hits.map((k) => params.add(k)).join(', ')})`;
}

/** The pairing keys (billing account and month) an Azure file holds. */
async function probeAzureKeys(file: InspectedFile, engine: DuckDbEngine, signal?: AbortSignal): Promise<string[]> {
  const params = new SqlParams();
  const cols = new SourceColumns(file.columns, params);
  const projection = file.bill.kind === 'native' ? file.bill.converter.project(cols, { azureDataset: file.azureDataset }) : {};
  const key = azurePairingKey((c) => columnOf(file, cols, projection, c));
  try {
    const c = compactParams(`SELECT DISTINCT ${key} AS k FROM ${readerSql([file], params)} ORDER BY k`, params.values);
    const rows = await engine.query(c.sql, c.values, signal);
    return rows.map((r) => String(r.k));
  } catch (e) {
    throw await explainReadFailure([file], e, engine, signal);
  }
}

export function relationSql(group: FileGroup, needed: readonly FocusColumn[], options: ConvertOptions, params: SqlParams, warnings: string[], period?: Period): string {
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
  const paired = first.azureDataset ? pairedCondition(group, cols, projection, options, params) : 'FALSE';
  const zeroWhenPaired = (expr: string | undefined) => (paired === 'TRUE' ? '0' : paired === 'FALSE' ? expr : `CASE WHEN ${paired} THEN 0 ELSE ${expr ?? 'NULL'} END`);
  if (first.azureDataset === 'amortized') projection.BilledCost = zeroWhenPaired(projection.BilledCost);
  if (first.azureDataset === 'actual') {
    projection.EffectiveCost = zeroWhenPaired(projection.EffectiveCost);
    projection.ListCost = zeroWhenPaired(projection.ListCost);
  }
  const select = needed.map((col) => `${projection[col] ?? 'NULL'} AS ${quoteIdent(col)}`);
  return `SELECT ${select.join(', ')} FROM ${readerSql(group.files, params)}${periodPrefilter(first, cols, period, params)}`;
}
