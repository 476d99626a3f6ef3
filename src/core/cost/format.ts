import { toCsv } from '../allocation/csv';
import type { CostResult } from './model';
import { costPerGpuHour } from './gpu';

/** Rows grouped by GPU carry their GPU-hours (instance-hours × GPUs; src/core/cost/gpu.ts). */
type RowWithGpu = CostResult['rows'][number] & { gpuHours?: number };

/** True when the result is grouped by GPU: its rows get `gpuHours` and `costPerGpuHour` columns. */
export function hasGpuHours(result: CostResult): boolean {
  return result.query.groupBy.includes('gpu' as never);
}

/**
 * One object per row: a key per group-by column (`tag:Team`; a missing value is null), period, cost, currency; grouped
 * by GPU also `gpuHours` and `costPerGpuHour` (null for rows without GPUs or without usage hours).
 */
export function costRowsAsObjects(result: CostResult): Record<string, string | number | null>[] {
  const gpu = hasGpuHours(result);
  return result.rows.map((row: RowWithGpu) => {
    const out: Record<string, string | number | null> = {};
    for (const key of result.query.groupBy) out[key] = row.groups[key] ?? null;
    out.period = row.period;
    out.cost = row.cost;
    out.currency = row.currency;
    if (gpu) {
      out.gpuHours = row.gpuHours ?? null;
      out.costPerGpuHour = costPerGpuHour(row.cost, row.gpuHours) ?? null;
    }
    return out;
  });
}

/**
 * RFC 4180 CSV with a header row; a missing group value is an empty field. Written by the one CSV writer of the
 * product (the dashboard's export uses it too), which keeps text that a spreadsheet would run as a formula as text.
 */
export function costRowsAsCsv(result: CostResult): string {
  const header = [...result.query.groupBy, 'period', 'cost', 'currency', ...(hasGpuHours(result) ? ['gpuHours', 'costPerGpuHour'] : [])];
  return toCsv(header, costRowsAsObjects(result).map((row) => header.map((h) => row[h] ?? null)));
}

/** Sum per currency (never added across currencies). */
export function totalsByCurrency(result: CostResult): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of result.rows) totals.set(row.currency, (totals.get(row.currency) ?? 0) + row.cost);
  return totals;
}
