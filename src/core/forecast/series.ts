import type { CostRow, GroupKey, Period } from '../cost/model';
import { addDays } from '../period';
import type { DailyValue, KnownAmount } from './forecast';

/**
 * Daily cost rows (a query grouped by the caller's keys plus ChargeCategory and ChargeFrequency) turned into the
 * series a forecast is fitted on and the one-off amounts it is not: purchases, credits and adjustments
 * (ChargeCategory Purchase / Credit / Adjustment) and one-time fees (ChargeFrequency One-Time) are known amounts,
 * added back on their day. A purchase billed as a recurring fee (a commitment's daily or monthly fee) recurs like
 * usage, so it stays in the fitted series.
 */

/** The dimensions a daily query for forecasting groups by, after the caller's own keys. */
export const CHARGE_KEYS: readonly GroupKey[] = ['ChargeCategory', 'ChargeFrequency'];

/** True for a charge kept out of the fitted series. */
export function isOneOffCharge(chargeCategory: string | null | undefined, chargeFrequency: string | null | undefined): boolean {
  const category = (chargeCategory ?? '').toLowerCase();
  const frequency = (chargeFrequency ?? '').toLowerCase();
  if (frequency === 'one-time') return true;
  if (category === 'credit' || category === 'adjustment') return true;
  return category === 'purchase' && frequency !== 'recurring';
}

/** One group's daily series. */
export interface GroupSeries {
  /** The group's values (a missing tag or dimension is null); {} for the total. */
  group: Record<string, string | null>;
  currency: string;
  /** Recurring spend per day: every day of `fill` (0 when the bill has no row), or only the days with rows. */
  recurring: DailyValue[];
  /** One-off amounts per day. */
  known: KnownAmount[];
}

/** Stable identity of a group's values, for maps. */
export function groupId(group: Record<string, string | null>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => group[k] ?? null));
}

/**
 * Splits daily rows into one series per group and currency. With `fill`, every day of that period with no row is a
 * day of $0 (a bill lists every charge: no row is no spend); without it, days with no row are unknown.
 */
export function seriesFromRows(rows: readonly CostRow[], keys: readonly string[], fill?: Period): GroupSeries[] {
  const out = new Map<string, { group: Record<string, string | null>; currency: string; recurring: Map<string, number>; known: Map<string, number> }>();
  for (const row of rows) {
    const group: Record<string, string | null> = {};
    for (const k of keys) group[k] = row.groups[k] ?? null;
    const id = `${groupId(group, keys)}|${row.currency}`;
    let g = out.get(id);
    if (!g) {
      g = { group, currency: row.currency, recurring: new Map(), known: new Map() };
      out.set(id, g);
    }
    const day = row.period.slice(0, 10);
    const target = isOneOffCharge(row.groups.ChargeCategory, row.groups.ChargeFrequency) ? g.known : g.recurring;
    target.set(day, (target.get(day) ?? 0) + row.cost);
  }
  return [...out.values()].map((g) => {
    if (fill) for (let d = fill.start; d < fill.end; d = addDays(d, 1)) if (!g.recurring.has(d)) g.recurring.set(d, 0);
    return {
      group: g.group,
      currency: g.currency,
      recurring: [...g.recurring].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, cost]) => ({ date, cost })),
      known: [...g.known].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, amount]) => ({ date, amount })),
    };
  });
}
