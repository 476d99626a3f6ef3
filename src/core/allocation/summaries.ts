import type { CostRow, Period } from '../cost/model';
import { addDays, daysBetween } from '../period';

/** One slice of a breakdown: a value of a dimension or tag, "(untagged)" (value null) or the rest ("other"). */
interface BreakdownItem {
  kind: 'value' | 'untagged' | 'other';
  value: string | null;
  cost: number;
  /** 0..1 of the breakdown's total; undefined when the total is not positive. */
  share: number | undefined;
  /** How many values the item stands for (more than one only for "other"). */
  count: number;
}

function clean(v: string | null | undefined): string | null {
  return v === null || v === undefined || v.trim() === '' ? null : v;
}

/** Sums cost by one group key (a FOCUS dimension or `tag:Key`); missing values sum under null. */
export function totalsBy(rows: readonly CostRow[], key: string): Map<string | null, number> {
  const totals = new Map<string | null, number>();
  for (const r of rows) {
    const v = clean(r.groups[key]);
    totals.set(v, (totals.get(v) ?? 0) + r.cost);
  }
  return totals;
}

/**
 * The `n` largest values and one "other" item for the rest, most expensive first; "other" comes last. With n ≥ the
 * number of values there is no "other". "(untagged)" is never summed into "other": when it is not among the largest,
 * it takes the last named place, in its rank.
 */
export function topN(totals: ReadonlyMap<string | null, number>, n: number): BreakdownItem[] {
  const entries = [...totals].sort((a, b) => b[1] - a[1] || compareLabels(a[0], b[0]));
  const total = entries.reduce((s, [, c]) => s + c, 0);
  const share = (c: number): number | undefined => (total > 0 ? c / total : undefined);
  let keep = entries.length <= n ? entries : entries.slice(0, Math.max(0, n));
  if (keep.length < entries.length && n > 0 && !keep.some(([v]) => v === null)) {
    const untagged = entries.find(([v]) => v === null);
    if (untagged) keep = [...keep.slice(0, n - 1), untagged];
  }
  const items: BreakdownItem[] = keep.map(([value, cost]) => ({ kind: value === null ? 'untagged' : 'value', value, cost, share: share(cost), count: 1 }));
  const kept = new Set(keep.map(([v]) => v));
  const rest = entries.filter(([v]) => !kept.has(v));
  if (rest.length > 0) {
    const cost = rest.reduce((s, [, c]) => s + c, 0);
    items.push({ kind: 'other', value: null, cost, share: share(cost), count: rest.length });
  }
  return items;
}

function compareLabels(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

interface DailySeries {
  /** Every day of the period, ISO dates. */
  dates: string[];
  /** One series per value of the key, largest total first; values align with `dates`. */
  series: { value: string | null; total: number; values: number[] }[];
}

/** Daily rows → one dense series per value of `key` over every day of the period (missing days are 0). */
export function dailySeries(rows: readonly CostRow[], key: string, period: Period): DailySeries {
  const days = Math.max(0, daysBetween(period.start, period.end));
  const dates: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < days; i++) {
    const d = addDays(period.start, i);
    dates.push(d);
    index.set(d, i);
  }
  const byValue = new Map<string | null, number[]>();
  for (const r of rows) {
    const i = index.get(r.period.slice(0, 10));
    if (i === undefined) continue;
    const v = clean(r.groups[key]);
    let values = byValue.get(v);
    if (!values) { values = new Array<number>(days).fill(0); byValue.set(v, values); }
    values[i] = (values[i] ?? 0) + r.cost;
  }
  // a value with no cost in the period (a provider filtered out, or only zero rows) has no series and no legend entry
  const series = [...byValue].map(([value, values]) => ({ value, values, total: values.reduce((s, x) => s + x, 0) }))
    .filter((x) => x.values.some((v) => Math.abs(v) > 1e-9));
  series.sort((a, b) => b.total - a.total || compareLabels(a.value, b.value));
  return { dates, series };
}

interface Mover {
  value: string | null;
  /** Cost in the 7 days before the last 7. */
  previous: number;
  /** Cost in the last 7 days. */
  current: number;
  delta: number;
  /** delta / previous; undefined when previous is 0 (new spend). */
  change: number | undefined;
}

/**
 * Week-over-week movers: for each value of `key`, the cost in the 7 days before `end` (exclusive) against the
 * 7 days before those, largest absolute change first; values that did not change are left out.
 */
export function weekOverWeek(rows: readonly CostRow[], key: string, end: string, limit = 10): Mover[] {
  const currentStart = addDays(end, -7);
  const previousStart = addDays(end, -14);
  const acc = new Map<string | null, { previous: number; current: number }>();
  for (const r of rows) {
    const day = r.period.slice(0, 10);
    if (day < previousStart || day >= end) continue;
    const v = clean(r.groups[key]);
    const a = acc.get(v) ?? { previous: 0, current: 0 };
    if (day >= currentStart) a.current += r.cost; else a.previous += r.cost;
    acc.set(v, a);
  }
  const movers: Mover[] = [];
  for (const [value, { previous, current }] of acc) {
    const delta = current - previous;
    if (Math.abs(delta) < 1e-9) continue;
    movers.push({ value, previous, current, delta, change: Math.abs(previous) > 1e-9 ? delta / previous : undefined });
  }
  movers.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || compareLabels(a.value, b.value));
  return movers.slice(0, limit);
}

/**
 * A credit or refund: a row of ChargeCategory Credit, or any negative amount (a refund, a correction). Credits are
 * reported beside the charges, never netted into a share or a breakdown (so no share is negative or above 100 %).
 */
export function isCredit(row: CostRow): boolean {
  return row.groups.ChargeCategory === 'Credit' || row.cost < 0;
}

/** Rows split into charges and the sum of credits and refunds (≤ 0). */
export function splitCredits<T extends CostRow>(rows: readonly T[]): { charges: T[]; credits: number } {
  const charges: T[] = [];
  let credits = 0;
  for (const r of rows) {
    if (isCredit(r)) credits += r.cost;
    else charges.push(r);
  }
  return { charges, credits };
}

/**
 * The cost of charges lacking the tag `key` and its share of all charges (0..1); credits and refunds (their sum,
 * ≤ 0) are reported beside it, never netted into it.
 */
export function untaggedShare(rows: readonly CostRow[], tagKey: string): { cost: number; total: number; share: number | undefined; credits: number } {
  const col = `tag:${tagKey}`;
  const { charges, credits } = splitCredits(rows);
  let cost = 0;
  let total = 0;
  for (const r of charges) {
    total += r.cost;
    if (clean(r.groups[col]) === null) cost += r.cost;
  }
  return { cost, total, share: total > 0 ? cost / total : undefined, credits };
}
