import type { CostFilter, CostRow, GroupKey } from '../cost/model';
import { FinOpsError } from '../errors';
import { forecastDaily, SHORT_HISTORY_DAYS, type DailyValue } from '../forecast/forecast';
import type { ForecastModelName } from '../forecast/models';
import { addDays, daysBetween } from '../period';

/**
 * Cost anomalies: a day whose cost falls outside the 95 % band of a forecast fitted on the days before it. The
 * model is chosen once, by the forecast's backtest on the history before the first day examined, and refitted for
 * each later day on the days before that one. A day found anomalous is left out of the later days' histories, so a
 * spike that lasts two days is seen on both.
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
  /** Report days below the band too (spend that stopped); default: only spend above it. */
  includeBelow?: boolean;
  /** Ignore differences smaller than this amount (default 1, in the bill's currency): noise on tiny groups. */
  minDifference?: number;
}

/** Days of history a group needs before `since` to be examined. */
export const MIN_ANOMALY_HISTORY = SHORT_HISTORY_DAYS;

/** Anomalous days of one group's recurring daily series. Groups with less history than 21 days are skipped (empty). */
export function detectAnomalies(group: Record<string, string | null>, series: readonly DailyValue[], options: AnomalyOptions): Anomaly[] {
  const minDifference = options.minDifference ?? 1;
  const sorted = [...series].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const history: DailyValue[] = sorted.filter((v) => v.date < options.since);
  if (history.length < MIN_ANOMALY_HISTORY) return [];
  let model: ForecastModelName | undefined;
  const out: Anomaly[] = [];
  for (const day of sorted.filter((v) => v.date >= options.since)) {
    // the days up to the one before `day` (a gap in the series is left as a gap)
    // forecast as far as the day (past a gap, or a day left out as anomalous)
    const horizon = Math.max(1, daysBetween(history.at(-1)!.date, day.date));
    const f = forecastDaily(history, model ? { horizon, candidates: [model] } : { horizon });
    model ??= f.model;
    const p = f.points.at(-1)!;
    let anomalous = false;
    if (p.date === day.date) {
      const difference = day.cost - p.mean;
      const above = day.cost > p.hi95;
      const below = day.cost < p.lo95;
      if ((above || (below && options.includeBelow)) && Math.abs(difference) >= minDifference) {
        anomalous = true;
        out.push({ group, date: day.date, actual: day.cost, expected: p.mean, lo95: p.lo95, hi95: p.hi95, difference, direction: above ? 'above' : 'below', model: f.model });
      }
    }
    if (!anomalous) history.push(day);
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
