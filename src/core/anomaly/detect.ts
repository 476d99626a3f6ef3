import type { CostFilter, CostRow, GroupKey } from '../cost/model';
import { FinOpsError } from '../errors';
import { forecastDaily, SHORT_HISTORY_DAYS, type DailyValue } from '../forecast/forecast';
import type { ForecastModelName } from '../forecast/models';
import { addDays, daysBetween } from '../period';

/**
 * Cost anomalies: a day whose cost falls outside the 95 % band of a forecast fitted on the days before it, by more
 * than a minimum amount and a minimum share of the expected cost (so that tiny groups and very regular series, whose
 * bands are a few cents wide, do not flag every cent of drift), and higher than any day of the group's four weeks
 * before it (a team that trains in bursts is not flagged for a burst like its recent ones). The model is chosen once, among the exponential
 * smoothing models (weekly seasonality, with or without a damped trend, or level only), by the forecast's backtest on
 * the history before the first day examined; it is refitted for each later day on the days before that one. The
 * seasonal naive benchmark is not a candidate: it carries a single odd day into the same weekday of the next week,
 * where it would be found again. A day outside its band enters the later days' histories at the edge of the band
 * (not at its own value, and not left out), so a spike that lasts two days is seen on both; three such days in a row
 * are a change of level, and enter at their own values, so the new level is learnt instead of flagged day after day. One-off charges never reach this series (see forecast/series.ts).
 */

export interface Anomaly {
  /** The group's values ({ "tag:Team": "recsys" }); {} for the total. */
  group: Record<string, string | null>;
  date: string;
  actual: number;
  /** The forecast's expected cost and its 95 % band. */
  expected: number;
  lo95: number;
  hi95: number;
  /** actual − expected: positive above the band, negative below it. */
  difference: number;
  direction: 'above' | 'below';
  model: ForecastModelName;
}

export interface AnomalyOptions {
  /** First day examined (inclusive); the days before it are history only. */
  since: string;
  /** Last day examined (inclusive); default: the series' last day. */
  until?: string;
  /** Report days below the band too (spend that stopped); default: only spend above it. */
  includeBelow?: boolean;
  /** Smallest difference from the expected cost reported, in the bill's currency (default 50). */
  minAmount?: number;
  /** Smallest difference from the expected cost reported, in percent of it (default 50). */
  minPercent?: number;
}

/** Defaults of the two thresholds: what `mlfinops anomalies` and the extension use unless told otherwise. */
export const ANOMALY_DEFAULTS = { minAmount: 50, minPercent: 50 } as const;

/** Days in a row outside the band (on one side) after which the change is taken as the series' new level. */
export const LEVEL_SHIFT_DAYS = 3;

/** A day above its band is not reported when the group spent as much on a day of the four weeks before it. */
export const PEAK_DAYS = 28;

/** The models a detector may pick from (all fitted by smoothing; see above for why seasonal naive is left out). */
export const ANOMALY_MODELS: readonly ForecastModelName[] = ['holt-winters', 'seasonal-smoothing', 'simple-smoothing'];

/** Days of history a group needs before `since` to be examined. */
export const MIN_ANOMALY_HISTORY = SHORT_HISTORY_DAYS;

/** Checks the thresholds (a FinOpsError naming the fix for a negative or non-finite one). */
export function anomalyThresholds(options: Pick<AnomalyOptions, 'minAmount' | 'minPercent'>): { minAmount: number; minPercent: number } {
  const minAmount = options.minAmount ?? ANOMALY_DEFAULTS.minAmount;
  const minPercent = options.minPercent ?? ANOMALY_DEFAULTS.minPercent;
  if (!Number.isFinite(minAmount) || minAmount < 0) throw new FinOpsError('input', `The minimum anomaly amount must be a number of 0 or more (got ${minAmount}).`, { fix: `Give an amount in the bill's currency, such as ${ANOMALY_DEFAULTS.minAmount}.` });
  if (!Number.isFinite(minPercent) || minPercent < 0) throw new FinOpsError('input', `The minimum anomaly percentage must be a number of 0 or more (got ${minPercent}).`, { fix: `Give a percentage of the expected cost, such as ${ANOMALY_DEFAULTS.minPercent}.` });
  return { minAmount, minPercent };
}

/** Anomalous days of one group's recurring daily series. Groups with less history than 21 days are skipped (empty). */
export function detectAnomalies(group: Record<string, string | null>, series: readonly DailyValue[], options: AnomalyOptions): Anomaly[] {
  const { minAmount, minPercent } = anomalyThresholds(options);
  const sorted = [...series].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const history: DailyValue[] = sorted.filter((v) => v.date < options.since);
  if (history.length < MIN_ANOMALY_HISTORY) return [];
  let model: ForecastModelName | undefined;
  const out: Anomaly[] = [];
  // the days in a row outside the band (on the same side), with their own values: a level shift once long enough
  let run: { index: number; cost: number; side: 'above' | 'below' }[] = [];
  for (const day of sorted.filter((v) => v.date >= options.since && (options.until === undefined || v.date <= options.until))) {
    // forecast as far as the day (past a gap in the series, it is left as a gap)
    const horizon = Math.max(1, daysBetween(history.at(-1)!.date, day.date));
    const f = forecastDaily(history, { horizon, candidates: model ? [model] : ANOMALY_MODELS });
    model ??= f.model;
    const p = f.points.at(-1)!;
    let entered = day.cost;
    if (p.date === day.date) {
      const difference = day.cost - p.mean;
      const above = day.cost > p.hi95;
      const below = day.cost < p.lo95;
      const large = Math.abs(difference) >= minAmount && Math.abs(difference) * 100 >= minPercent * Math.abs(p.mean);
      // spend the group already reached in the last four weeks is not new (bursty training teams)
      const first = addDays(day.date, -PEAK_DAYS);
      const seen = above && history.some((h) => h.date >= first && h.cost >= day.cost);
      if ((above || (below && options.includeBelow)) && large && !seen) {
        out.push({ group, date: day.date, actual: day.cost, expected: p.mean, lo95: p.lo95, hi95: p.hi95, difference, direction: above ? 'above' : 'below', model: f.model });
      }
      // a day outside its band is learnt at the band's edge: the spike does not become the next days' level
      const side = above ? 'above' : below ? 'below' : undefined;
      if (side) {
        entered = side === 'above' ? p.hi95 : p.lo95;
        if (run.length && run[0]!.side !== side) run = [];
        run.push({ index: history.length, cost: day.cost, side });
      } else {
        run = [];
      }
    }
    history.push({ date: day.date, cost: entered });
    // ... unless it lasts: LEVEL_SHIFT_DAYS days in a row on one side are a new level, learnt at their own values
    if (run.length >= LEVEL_SHIFT_DAYS) {
      for (const r of run) history[r.index]!.cost = r.cost;
      run = [];
    }
  }
  return out;
}

/** "14d" (the last 14 days of the bill, ending on `lastDay`) or a day written YYYY-MM-DD. */
export function parseSince(text: string, lastDay: string): string {
  const days = /^(\d{1,4})d$/.exec(text);
  if (days) {
    const n = Number(days[1]);
    if (n < 1) throw new FinOpsError('input', `--since ${text}: at least one day.`, { fix: 'Write --since 14d or --since 2026-11-01.' });
    return addDays(lastDay, 1 - n);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return addDays(text, 0);
  throw new FinOpsError('input', `--since "${text}" is neither a number of days (14d) nor a date (YYYY-MM-DD).`, { fix: 'Write --since 14d or --since 2026-11-01.' });
}

/** Filters that select one group's rows (a null value selects rows without the tag or dimension). */
export function groupFilters(group: Record<string, string | null>): CostFilter[] {
  return Object.entries(group).map(([key, value]) => ({ key: key as GroupKey, values: [value] }));
}

/** A resource or SKU's part in an anomalous day: its cost that day, its usual daily cost before, the increase. */
export interface Contributor {
  resourceId: string | null;
  skuId: string | null;
  cost: number;
  /** Mean daily cost over the days before (a resource absent on a day counts $0). */
  usual: number;
  increase: number;
}

/**
 * What made a day expensive: rows grouped by ResourceId and SkuId, daily, for the day and `baselineDays` days
 * before it; the top `limit` by increase over their usual cost.
 */
export function topContributors(rows: readonly CostRow[], day: string, baselineDays: number, limit = 5): Contributor[] {
  const first = addDays(day, -baselineDays);
  const byKey = new Map<string, { resourceId: string | null; skuId: string | null; cost: number; before: number }>();
  for (const r of rows) {
    const d = r.period.slice(0, 10);
    if (d < first || d > day) continue;
    const resourceId = r.groups.ResourceId ?? null;
    const skuId = r.groups.SkuId ?? null;
    const k = JSON.stringify([resourceId, skuId]);
    const e = byKey.get(k) ?? { resourceId, skuId, cost: 0, before: 0 };
    if (d === day) e.cost += r.cost;
    else e.before += r.cost;
    byKey.set(k, e);
  }
  return [...byKey.values()]
    .map((e) => ({ resourceId: e.resourceId, skuId: e.skuId, cost: e.cost, usual: e.before / Math.max(1, baselineDays), increase: e.cost - e.before / Math.max(1, baselineDays) }))
    .filter((c) => c.increase > 0)
    .sort((a, b) => b.increase - a.increase || String(a.resourceId).localeCompare(String(b.resourceId)))
    .slice(0, limit);
}
