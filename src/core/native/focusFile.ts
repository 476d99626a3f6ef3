import {
  AMOUNT_COLUMNS, FOCUS_COLUMN_ALIASES, KEY_VALUE_COLUMNS, NUMERIC_COLUMNS, TIMESTAMP_COLUMNS, type FocusColumn,
} from '../cost/focusColumns';
import type { SourceColumns } from './columns';

/**
 * The SQL expression of one FOCUS column of a FOCUS file, in the engine's types: numbers DOUBLE, times
 * TIMESTAMP (UTC), Tags a JSON object text (a Parquet MAP or STRUCT is turned into JSON). NULL when absent.
 * Names are matched exactly first (FOCUS column ids are case-sensitive), then without regard to case.
 */
export function focusColumnExpression(c: SourceColumns, column: FocusColumn): string {
  const names = [column, ...(FOCUS_COLUMN_ALIASES[column] ?? [])];
  const found = c.find(...names);
  if (!found) return 'NULL';
  if (AMOUNT_COLUMNS.has(column)) return c.amount(found.name);
  if (NUMERIC_COLUMNS.has(column)) return c.num(found.name);
  // every row needs its charge date: a row without one would fall out of every period
  if (TIMESTAMP_COLUMNS.has(column)) return c.ts(found.name, { required: column === 'ChargePeriodStart' });
  const ref = c.ref(found);
  if (KEY_VALUE_COLUMNS.has(column)) {
    if (/^(MAP|STRUCT)\(/i.test(found.type)) return `NULLIF(CAST(to_json(${ref}) AS VARCHAR), '{}')`;
    return /^VARCHAR$/i.test(found.type) ? ref : `CAST(${ref} AS VARCHAR)`;
  }
  return /^VARCHAR$/i.test(found.type) ? ref : `CAST(${ref} AS VARCHAR)`;
}
