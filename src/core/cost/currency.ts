import type { CostRow } from './model';

/**
 * The currency a set of rows is shown in: the one with the most money (by absolute amount), so the tree, the
 * dashboard and the status bar agree. Costs are never added across currencies; the others are named apart.
 */
export function dominantCurrency(rows: readonly CostRow[]): string | undefined {
  const first = rows[0]?.currency;
  if (rows.every((r) => r.currency === first)) return first;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + Math.abs(r.cost));
  let best: string | undefined;
  let bestTotal = -1;
  for (const [c, t] of totals) if (t > bestTotal) { best = c; bestTotal = t; }
  return best;
}
