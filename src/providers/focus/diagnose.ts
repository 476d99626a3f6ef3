import * as fs from 'node:fs/promises';
import { SqlParams } from '../../core/cost/sql';
import { FinOpsError, isFinOpsError } from '../../core/errors';
import { ALL_TIME, addDays } from '../../core/period';
import { badValueOf, MAX_AMOUNT, type BadValue } from '../../core/native/columns';
import { sniffDelimiter } from './csvHeader';
import { walkCsvRecords, type CsvStructureProblem } from './csvRecords';
import type { DuckDbEngine } from './duckdb';
import { displayName, type BillFile, type InspectedFile } from './files';

/**
 * Turns a failure to read bill files into the FinOpsError a user can act on, naming the file, the row (and the
 * line it starts on) and the column: a value the bill must not hold (a `NaN` cost, a date that is not a date) is
 * found again in the files; a CSV DuckDB refused is read again by the small RFC 4180 reader to say where its
 * structure breaks. DuckDB's own message is kept as the cause (for the log), never shown as the message.
 */
export async function explainReadFailure(files: readonly (BillFile | InspectedFile)[], error: unknown, engine: DuckDbEngine, signal?: AbortSignal): Promise<FinOpsError> {
  if (isFinOpsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const bad = badValueOf(message);
  if (bad) return (await locateBadValue(files, bad, engine, signal).catch(() => undefined)) ?? unlocated(files, bad, error);
  for (const f of files) {
    const readable = readPathOf(f);
    try {
      await fs.access(readable, fs.constants.R_OK);
    } catch (e) {
      return new FinOpsError('input', `Could not open ${displayName(f)}: it no longer exists or cannot be read.`, { fix: 'Check that the file still exists and is readable.', cause: e });
    }
  }
  for (const f of files) {
    if (f.format !== 'csv') continue;
    const walk = await walkCsvRecords(readPathOf(f), await delimiterOf(f), () => false, signal).catch(() => undefined);
    if (walk?.problem) return structureError(displayName(f), walk.header, walk.problem, error);
  }
  const names = files.map(displayName).join(', ');
  return new FinOpsError('input', `Could not read ${names}: ${files.length === 1 ? 'it is not a bill file' : 'they are not bill files'} that can be read (cut short, damaged, or not CSV / Parquet).`, {
    fix: 'Check that each file is a complete export with one header row; export the bill again if it was edited.',
    cause: error,
  });
}

function readPathOf(f: BillFile | InspectedFile): string {
  return 'readPath' in f && f.readPath ? f.readPath : f.path;
}

/** The file's delimiter: known when its header was read directly, else guessed from its first line as DuckDB's sniffer would. */
async function delimiterOf(f: BillFile | InspectedFile): Promise<string> {
  return 'csvDelimiter' in f && f.csvDelimiter ? f.csvDelimiter : sniffDelimiter(readPathOf(f));
}

/** DuckDB writes a NUL inside a value as `\0` in its messages. */
const asInMessage = (cell: string) => cell.replaceAll('\0', '\\0');

const FIX_VALUE = 'Correct the value in the file, or export the bill again: a bill whose amounts or dates cannot be read would give a wrong total.';

function describeValue(bad: BadValue): string {
  const shown = bad.value.length > 60 ? `${bad.value.slice(0, 57)}…` : bad.value;
  switch (bad.kind) {
    case 'number':
    case 'amount': {
      const n = Number(bad.value.trim().replace(/^\+/, ''));
      if (bad.value.trim() === '' || Number.isNaN(n)) return `"${shown}" is not a number`;
      if (!Number.isFinite(n)) return `"${shown}" is infinite, not ${bad.kind === 'amount' ? 'an amount' : 'a number'}`;
      return `"${shown}" is too large for an amount (the limit is ${MAX_AMOUNT.toExponential().replace('e+', 'e')} in magnitude)`;
    }
    case 'timestamp': return `"${shown}" is not a date-time between ${ALL_TIME.start} and ${addDays(ALL_TIME.end, -1)}`;
    case 'required': return 'the value is missing, and every row needs one';
  }
}

function unlocated(files: readonly (BillFile | InspectedFile)[], bad: BadValue, cause: unknown): FinOpsError {
  const names = files.map(displayName).join(', ');
  return new FinOpsError('input', `Could not read ${names}: column ${bad.column}: ${describeValue(bad)}.`, { fix: FIX_VALUE, cause });
}

async function locateBadValue(files: readonly (BillFile | InspectedFile)[], bad: BadValue, engine: DuckDbEngine, signal?: AbortSignal): Promise<FinOpsError | undefined> {
  const wanted = bad.column.toLowerCase();
  for (const f of files) {
    if ('origin' in f && f.origin) continue; // a Parquet copy was checked when it was made
    if (f.format === 'csv') {
      let hit: { row: number; line: number; column: string } | undefined;
      let near: { row: number; line: number; column: string } | undefined;
      // the column's position: among the columns DuckDB read (its names for duplicate headers), else by header name
      const known = 'columns' in f ? f.columns.findIndex((c) => c.name === bad.column) : -1;
      let index: number | undefined = known >= 0 ? known : undefined;
      await walkCsvRecords(readPathOf(f), await delimiterOf(f), (fields, row, line, header) => {
        if (index === undefined) {
          index = header.findIndex((h) => h === bad.column);
          if (index < 0) index = header.findIndex((h) => h.toLowerCase() === wanted);
        }
        if (index < 0) return true;
        const cell = asInMessage(fields[index] ?? '');
        const column = header[index] || bad.column;
        if (bad.kind === 'required' ? cell === '' || cell === 'NULL' : cell === bad.value) { hit = { row, line, column }; return true; }
        if (!near && bad.kind !== 'required' && bad.value.length > 0 && cell.includes(bad.value)) near = { row, line, column };
        return false;
      }, signal);
      const at = hit ?? near;
      if (at) return new FinOpsError('input', `${displayName(f)}, row ${at.row} (line ${at.line}), column ${at.column}: ${describeValue(bad)}.`, { fix: FIX_VALUE });
    } else {
      const params = new SqlParams();
      const cols = 'columns' in f ? f.columns : [];
      const col = cols.find((c) => c.name === bad.column) ?? cols.find((c) => c.name.toLowerCase() === wanted);
      if (!col) continue;
      const ref = `"${col.name.replaceAll('"', '""')}"`;
      const where = bad.kind === 'required' ? `${ref} IS NULL` : `CAST(${ref} AS VARCHAR) = ${params.add(bad.value)}`;
      const rows = await engine.query(
        `SELECT file_row_number AS n FROM read_parquet(${params.add(readPathOf(f))}, file_row_number = true) WHERE ${where} ORDER BY file_row_number LIMIT 1`,
        params.values, signal);
      if (rows.length) {
        return new FinOpsError('input', `${displayName(f)}, row ${Number(rows[0]!.n) + 1}, column ${col.name}: ${describeValue(bad)}.`, { fix: FIX_VALUE });
      }
    }
  }
  return undefined;
}

function structureError(name: string, header: readonly string[], problem: CsvStructureProblem, cause: unknown): FinOpsError {
  const column = (n: number) => (header[n - 1] !== undefined && header[n - 1] !== '' ? header[n - 1]! : `number ${n}`);
  const fix = 'Check that line in the file (a value holding the delimiter or a line break must be quoted, a quote inside a quoted value doubled), or export the bill again.';
  switch (problem.kind) {
    case 'noHeader':
      return new FinOpsError('input', `${name} is empty: it has no header row.`, { fix: 'Point at a complete bill export.', cause });
    case 'fieldCount':
      return new FinOpsError('input', `${name}, row ${problem.row} (line ${problem.line}): ${problem.got} field${problem.got === 1 ? '' : 's'} where the header has ${problem.expected}.`, { fix, cause });
    case 'unterminatedQuote':
      return new FinOpsError('input', `${name}, row ${problem.row} (line ${problem.line}), column ${column(problem.column)}: a quoted value is never closed.`, { fix, cause });
    case 'textAfterQuote':
      return new FinOpsError('input', `${name}, row ${problem.row} (line ${problem.line}), column ${column(problem.column)}: text follows the closing quote of a value.`, { fix, cause });
  }
}
