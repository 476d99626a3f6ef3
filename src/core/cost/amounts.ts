import { FinOpsError } from '../errors';

/**
 * A cost summed by an engine (DuckDB over local bills, Athena, BigQuery), as a number the product can show: a
 * finite number, else a FinOpsError naming what was summed where. Never a `null`, `NaN` or `∞` shown as money.
 * Single values are checked where they are read (src/core/native/columns.ts); this guards what an engine sums.
 */
export function checkedSum(value: unknown, where: { source: string; metric: string; group: string }): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (Number.isFinite(n)) return n;
  throw new FinOpsError('input', `${where.source}: the sum of ${where.metric} for ${where.group} is ${describe(value)}, not an amount.`, {
    fix: 'The bill holds values too large to add up, or values that are not numbers: check the amounts of that period, or export the bill again.',
  });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'missing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'not a number (NaN)' : value > 0 ? 'infinite (it overflows)' : 'infinite (it overflows, negative)';
  return `"${String(value).slice(0, 40)}"`;
}
