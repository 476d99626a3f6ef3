import type { CostMetric, CostQuery, CostRow, GroupKey } from '../cost/model';
import { parseCostQuery } from '../cost/query';
import { FinOpsError } from '../errors';
import { CHARGE_KEYS, seriesFromRows } from '../forecast/series';
import { addDays, daysBetween, isIsoDate } from '../period';
import { anomalyThresholds, detectAnomalies, groupFilters, topContributors, type Anomaly, type Contributor } from './detect';

/**
 * One anomaly scan over cost sources: per group-by key, one daily query (with the charge keys, so one-off charges
 * stay out of the examined series), the days `since`..`until` examined, and the resources and SKUs behind each
 * anomalous day. `mlfinops anomalies` and the extension (dashboard markers and list, tree badges, notifications)
 * both call this, so an anomaly's figures are computed once.
 */

/** Days of history before the first day examined: enough for the weekly pattern, the backtest and the interval calibration. */
export const ANOMALY_HISTORY_DAYS = 182;

/** Days before an anomalous day that its contributors are compared with. */
export const CONTRIBUTOR_BASELINE_DAYS = 7;

/** The default keys examined: teams, services, accounts. */
export const DEFAULT_ANOMALY_KEYS: readonly GroupKey[] = ['tag:Team', 'ServiceName', 'SubAccountId'];

/** Answers a cost query with rows (from one source, or several merged). */
export type AnomalyQuery = (query: CostQuery, signal?: AbortSignal) => Promise<{ rows: CostRow[]; warnings?: string[] }>;

export interface FoundAnomaly extends Anomaly {
  /** The group-by key the group belongs to ("tag:Team"). */
  key: GroupKey;
  currency: string;
  /** Up to 5 resources / SKUs, by increase over their usual daily cost in the week before. */
  contributors: Contributor[];
}

export interface AnomalyScanOptions {
  keys: readonly GroupKey[];
  metric: CostMetric;
  /** First and last day examined (inclusive). */
  since: string;
  until: string;
  includeBelow?: boolean;
  minAmount?: number;
  minPercent?: number;
  signal?: AbortSignal;
}

export interface AnomalyScan {
  since: string;
  until: string;
  minAmount: number;
  minPercent: number;
  /** By date, then the largest difference first. */
  anomalies: FoundAnomaly[];
  warnings: string[];
}

/** Runs the scan. Days after the last day with any cost are not examined (they are not billed yet). */
export async function scanAnomalies(query: AnomalyQuery, options: AnomalyScanOptions): Promise<AnomalyScan> {
  const { since, until, metric, signal } = options;
  if (!isIsoDate(since) || !isIsoDate(until)) throw new FinOpsError('input', `The days examined must be dates written YYYY-MM-DD (got ${since} – ${until}).`, { fix: 'Give the first and last day as YYYY-MM-DD.' });
  if (until < since) throw new FinOpsError('input', `The last day examined (${until}) is before the first (${since}).`, { fix: 'Give a last day on or after the first day.' });
  if (daysBetween(since, until) > 3660) throw new FinOpsError('input', `${daysBetween(since, until) + 1} days to examine is more than ten years.`, { fix: 'Examine at most ten years at once.' });
  const thresholds = anomalyThresholds(options);
  const period = { start: addDays(since, -ANOMALY_HISTORY_DAYS), end: addDays(until, 1) };
  const anomalies: FoundAnomaly[] = [];
  const warnings = new Set<string>();
  for (const key of options.keys) {
    const result = await query(parseCostQuery({ period, granularity: 'daily', groupBy: [key, ...CHARGE_KEYS], metric }), signal);
    for (const w of result.warnings ?? []) warnings.add(w);
    // a bill lists every charge: from its first day with a row to its last, a day without one is a day of $0
    const days = result.rows.map((r) => r.period.slice(0, 10)).sort();
    if (!days.length) continue;
    const last = days.at(-1)! < until ? days.at(-1)! : until;
    const series = seriesFromRows(result.rows, [key], { start: days[0]! > period.start ? days[0]! : period.start, end: addDays(last, 1) });
    for (const g of series) {
      for (const a of detectAnomalies(g.group, g.recurring, { since, until: last, includeBelow: options.includeBelow, ...thresholds })) {
        anomalies.push({ ...a, key, currency: g.currency, contributors: await contributors(query, a, metric, signal) });
      }
    }
  }
  anomalies.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || b.difference - a.difference);
  return { since, until, ...thresholds, anomalies, warnings: [...warnings] };
}

/** The top resources and SKUs of an anomalous day, against the week before. */
async function contributors(query: AnomalyQuery, a: Anomaly, metric: CostMetric, signal?: AbortSignal): Promise<Contributor[]> {
  const result = await query(parseCostQuery({
    period: { start: addDays(a.date, -CONTRIBUTOR_BASELINE_DAYS), end: addDays(a.date, 1) },
    granularity: 'daily',
    groupBy: ['ResourceId', 'SkuId'] as GroupKey[],
    filters: groupFilters(a.group),
    metric,
  }), signal);
  return topContributors(result.rows, a.date, CONTRIBUTOR_BASELINE_DAYS);
}

/** A stable identity of an anomaly's group: "tag:Team=recsys" ("tag:Team=" for rows without the tag). */
export function anomalyGroupId(group: Record<string, string | null>): string {
  return Object.entries(group).map(([k, v]) => `${k}=${v ?? ''}`).join('|');
}

/**
 * Anomalies that are one event: the consecutive anomalous days of one group, and the groups of other keys whose
 * days overlap them and whose top contributor is the same resource or SKU (a team, its service and its account
 * jumping on the same day because of one scale set). Newest first.
 */
export interface AnomalyEvent {
  /** The first and last anomalous day. */
  start: string;
  end: string;
  /** The anomalies it is made of, by date. */
  anomalies: FoundAnomaly[];
  /** Each group once, in the order of the scan's keys. */
  groups: Record<string, string | null>[];
  /** The first group's largest day (its figures are the ones a notification quotes). */
  peak: FoundAnomaly;
}

export function anomalyEvents(found: readonly FoundAnomaly[], keys: readonly GroupKey[]): AnomalyEvent[] {
  // runs of consecutive days per group
  const byGroup = new Map<string, FoundAnomaly[]>();
  for (const a of [...found].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0))) {
    const id = `${anomalyGroupId(a.group)}|${a.direction}`;
    byGroup.set(id, [...(byGroup.get(id) ?? []), a]);
  }
  const runs: FoundAnomaly[][] = [];
  for (const list of byGroup.values()) {
    let run: FoundAnomaly[] = [];
    for (const a of list) {
      if (run.length && daysBetween(run.at(-1)!.date, a.date) > 1) { runs.push(run); run = []; }
      run.push(a);
    }
    if (run.length) runs.push(run);
  }
  const cause = (a: FoundAnomaly): string | undefined => {
    const c = a.contributors[0];
    return c ? JSON.stringify([c.resourceId, c.skuId]) : undefined;
  };
  const rank = (a: FoundAnomaly): number => { const i = keys.indexOf(a.key); return i < 0 ? keys.length : i; };
  // runs sharing a cause on an overlapping day are merged (union by a small scan: runs are few)
  const parent = runs.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const shared = runs[i]!.some((a) => runs[j]!.some((b) => a.date === b.date && a.direction === b.direction && cause(a) !== undefined && cause(a) === cause(b)));
      if (shared) parent[root(j)] = root(i);
    }
  }
  const merged = new Map<number, FoundAnomaly[]>();
  runs.forEach((run, i) => merged.set(root(i), [...(merged.get(root(i)) ?? []), ...run]));
  return [...merged.values()].map((list) => {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || rank(a) - rank(b));
    const groups: Record<string, string | null>[] = [];
    const seen = new Set<string>();
    for (const a of [...list].sort((x, y) => rank(x) - rank(y))) {
      const id = anomalyGroupId(a.group);
      if (!seen.has(id)) { seen.add(id); groups.push(a.group); }
    }
    const first = anomalyGroupId(groups[0]!);
    const peak = list.filter((a) => anomalyGroupId(a.group) === first).reduce((p, a) => (Math.abs(a.difference) > Math.abs(p.difference) ? a : p));
    return { start: list[0]!.date, end: list.at(-1)!.date, anomalies: list, groups, peak };
  }).sort((a, b) => (a.start > b.start ? -1 : a.start < b.start ? 1 : 0) || Math.abs(b.peak.difference) - Math.abs(a.peak.difference));
}

/** Rows of several sources answering one query, as one answer. */
export function mergeAnswers(answers: readonly { rows: CostRow[]; warnings?: string[] }[]): { rows: CostRow[]; warnings: string[] } {
  return { rows: answers.flatMap((a) => a.rows), warnings: answers.flatMap((a) => a.warnings ?? []) };
}
