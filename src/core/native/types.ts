import type { FocusColumn } from '../cost/focusColumns';
import type { SourceColumns } from './columns';

type NativeKind = 'awsCur' | 'azureCostDetails' | 'gcpBillingExport';

/**
 * Which Azure cost details dataset a file holds. `actual` and `amortized` alone each give both costs as well
 * as one dataset can; when both are read together the reader takes BilledCost from the actual rows only and
 * EffectiveCost / ListCost from the amortized rows only (src/providers/focus/inspect.ts), so sums stay right.
 */
export type AzureDataset = 'actual' | 'amortized';

export interface ConvertOptions {
  azureDataset?: AzureDataset;
  /**
   * Pairing keys (`billing account|YYYY-MM`, see azurePairingKey) for which both Azure datasets are among the files
   * read together: rows of those keys take BilledCost from the actual export only and EffectiveCost / ListCost from
   * the amortized export only (used by the reader, not the converters).
   */
  azurePairedKeys?: readonly string[];
}

/** FOCUS column → SQL expression over the native file's columns (DuckDB dialect, normalised types). */
export type FocusProjection = Partial<Record<FocusColumn, string>>;

export interface NativeConverter {
  kind: NativeKind;
  /** For messages: "AWS Cost and Usage Report". */
  label: string;
  /** Header names that identify the format: each group must be matched by one of its names (any case). */
  signature: readonly (readonly string[])[];
  project(cols: SourceColumns, options: ConvertOptions): FocusProjection;
}
