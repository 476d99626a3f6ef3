import {
  ENGINE_REQUIRED_COLUMNS, FOCUS_COLUMN_ALIASES, detectFocusVersion, looksLikeFocus, type FocusColumn, type FocusVersion,
} from '../cost/focusColumns';
import { SqlParams } from '../cost/sql';
import { awsCurConverter } from './awsCur';
import { SourceColumns, type ColumnInfo } from './columns';
import { azureCostConverter } from './azureCost';
import { gcpBillingConverter } from './gcpBilling';
import type { NativeConverter } from './types';

const NATIVE_CONVERTERS: readonly NativeConverter[] = [awsCurConverter, azureCostConverter, gcpBillingConverter];

export type BillFormat =
  | { kind: 'focus'; version: FocusVersion; missing: FocusColumn[] }
  | { kind: 'native'; converter: NativeConverter }
  | { kind: 'unknown'; missing: FocusColumn[] };

/**
 * What a header is: a FOCUS export (with the engine's required columns it lacks, if any), a native export
 * this project converts, or neither (with the FOCUS columns that would have made it one).
 */
export function detectBillFormat(header: readonly (ColumnInfo | string)[]): BillFormat {
  const infos = header.map((c) => (typeof c === 'string' ? { name: c, type: 'VARCHAR' } : c));
  const columns = infos.map((c) => c.name);
  const cols = new SourceColumns(infos, new SqlParams());
  // Native first: an Azure export shares several names with FOCUS (BillingCurrency, ResourceId, Tags…).
  // Names match without regard to case, and `service.description` also matches a nested `service` column.
  for (const converter of NATIVE_CONVERTERS) {
    if (converter.signature.every((group) => cols.has(...group))) return { kind: 'native', converter };
  }
  if (looksLikeFocus(columns)) {
    const present = new Set(columns);
    const missing = ENGINE_REQUIRED_COLUMNS.filter((c) => !present.has(c) && !(FOCUS_COLUMN_ALIASES[c] ?? []).some((a) => present.has(a)));
    return { kind: 'focus', version: detectFocusVersion(columns), missing };
  }
  return { kind: 'unknown', missing: ENGINE_REQUIRED_COLUMNS.filter((c) => !columns.includes(c)) };
}
