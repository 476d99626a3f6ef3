import { dominantCurrency } from '../../core/cost/currency';
import type { CostFilter, CostMetric, CostQuery, CostResult, CostRow, GroupKey, Period } from '../../core/cost/model';
import { describeError, isCancelled } from '../../core/errors';
import { throwIfAborted } from '../../core/ports';
import { addDays, describePeriod, type PeriodChoice } from '../../core/period';
import { dailySeries, splitCredits, topN, totalsBy, weekOverWeek, untaggedShare } from '../../core/allocation/summaries';
import type { CostSource } from '../../core/sources';
import { costPerGpuHour, GPU_KEY, gpuSourceQuery, regroupByGpu } from '../../core/cost/gpu';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import type { DashboardData } from '../../shared/protocol';

/** Values a breakdown chart shows before the rest is summed as "other". */
export const TOP_N = 10;

export interface DashboardSource {
  id: string;
  label: string;
  cost: CostSource;
}

interface DashboardInput {
  sources: readonly DashboardSource[];
  choice: PeriodChoice;
  period: Period;
  metric: CostMetric;
  filters: readonly CostFilter[];
  hierarchy: readonly string[];
  /** Tag keys offered in the tag filter besides the hierarchy (the policy's keys). */
  tagKeys?: readonly string[];
  recommendations?: DashboardData['recommendations'];
  budgets?: DashboardData['budgets'];
  anomalies?: DashboardData['anomalies'];
  /** Sources that are configured but could not be asked (not signed in, failing), shown with their state. */
  otherSources?: DashboardData['sources'];
  signal?: AbortSignal;
}

interface DashboardResult {
  data: DashboardData;
  /** Sources whose queries failed, with the error; the others' numbers are still shown. */
  failures: { source: DashboardSource; error: unknown }[];
}

interface SourceAnswers {
  daily: CostResult;
  level: CostResult[];
  service: CostResult;
  movers: CostResult;
  options: CostResult;
  /** Cost by GPU model × count with GPU-hours; undefined for a source that does not know instance types. */
  gpu?: CostResult;
}

function tagCol(key: string): GroupKey {
  return `tag:${key}`;
}

/**
 * Everything the dashboard shows, from the cost sources' answers: a few aggregate queries per source (the
 * sources push them down to DuckDB, BigQuery, Cost Explorer …, and cache them), merged and summarised here.
 */
export async function buildDashboardData(input: DashboardInput): Promise<DashboardResult> {
  const { period, metric, hierarchy } = input;
  const filters = input.filters.length ? [...input.filters] : undefined;
  const levels = hierarchy.slice(0, 2);
  /** A query over `p`, with the dashboard's filters unless `unfiltered`. */
  const q = (granularity: CostQuery['granularity'], groupBy: GroupKey[], p: Period = period, unfiltered = false): CostQuery =>
    ({ period: p, granularity, groupBy, metric, ...(filters && !unfiltered ? { filters } : {}) });
  const moversPeriod = { start: addDays(period.end, -14), end: period.end };

  const failures: DashboardResult['failures'] = [];
  const answers: { source: DashboardSource; a: SourceAnswers }[] = [];
  await Promise.all(input.sources.map(async (source) => {
    try {
      const ask = (query: CostQuery) => source.cost.query(query, input.signal);
      // the GPU view: sources that cannot group by instance type answer without it (Cost Explorer, BigQuery …)
      const gpuAsked: CostQuery = q('total', [GPU_KEY as GroupKey]);
      const gpu = ask(gpuSourceQuery(gpuAsked)).then((r) => regroupByGpu(r, shippedCatalogue(), gpuAsked), (e: unknown) => { if (isCancelled(e)) throw e; return undefined; });
      const [daily, service, movers, options, ...level] = await Promise.all([
        // by ChargeCategory too, so credits and refunds are told apart from charges (Cost Explorer: two groups at most)
        ask(q('daily', ['ProviderName', 'ChargeCategory'])),
        ask(q('total', ['ServiceName', 'ChargeCategory'])),
        ask(q('daily', ['ServiceName', ...(levels[0] ? [tagCol(levels[0])] : [])], moversPeriod)),
        ask(q('total', ['ProviderName', 'ServiceName'], period, true)),
        ...levels.map((k) => ask(q('total', [tagCol(k), 'ChargeCategory']))),
      ]);
      const gpuResult = await gpu;
      answers.push({ source, a: { daily: daily!, service: service!, movers: movers!, options: options!, level, ...(gpuResult ? { gpu: gpuResult } : {}) } });
    } catch (error) {
      if (isCancelled(error)) throw error;
      failures.push({ source, error });
    }
  }));
  throwIfAborted(input.signal);

  const all = (pick: (a: SourceAnswers) => CostResult | undefined): CostRow[] => answers.flatMap(({ a }) => pick(a)?.rows ?? []);
  const currency = dominantCurrency([...all((a) => a.daily), ...all((a) => a.options)]);
  const warnings: string[] = [];
  const inCurrency = (rows: CostRow[]): CostRow[] => rows.filter((r) => r.currency === currency);
  const other = new Map<string, number>();
  for (const r of all((a) => a.daily)) if (r.currency !== currency) other.set(r.currency, (other.get(r.currency) ?? 0) + r.cost);
  for (const [c, cost] of other) warnings.push(`Costs in ${c} (${cost.toFixed(2)} ${c}) are not included: the dashboard shows ${currency ?? 'one currency'} only.`);
  for (const { a } of answers) for (const r of [a.daily, a.service, a.movers, ...a.level]) for (const w of r.warnings ?? []) if (!warnings.includes(w)) warnings.push(w);
  for (const f of failures) warnings.push(`${f.source.label}: ${describeError(f.error)}`);

  const dailyRows = inCurrency(all((a) => a.daily));
  // charts and shares are over charges; credits and refunds are reported beside them, never netted in
  const { charges: dailyCharges, credits } = splitCredits(dailyRows);
  const daily = dailySeries(dailyCharges, 'ProviderName', period);
  const total = dailyRows.reduce((s, r) => s + r.cost, 0);
  const charges = dailyCharges.reduce((s, r) => s + r.cost, 0);

  const breakdowns: DashboardData['breakdowns'] = [];
  levels.forEach((key, i) => {
    const rows = splitCredits(inCurrency(answers.flatMap(({ a }) => a.level[i]?.rows ?? []))).charges;
    breakdowns.push({ id: i === 0 ? 'level1' : 'level2', title: `Cost by ${key}`, key: tagCol(key), items: topN(totalsBy(rows, tagCol(key)), TOP_N) });
  });
  breakdowns.push({ id: 'service', title: 'Cost by service', key: 'ServiceName', items: topN(totalsBy(splitCredits(inCurrency(all((a) => a.service))).charges, 'ServiceName'), TOP_N) });

  // week over week: the last 7 days with data in the period against the 7 before
  const lastDay = dailyRows.reduce<string | undefined>((m, r) => (r.cost !== 0 && (!m || r.period.slice(0, 10) > m) ? r.period.slice(0, 10) : m), undefined);
  const moversEnd = lastDay ? addDays(lastDay, 1) : period.end;
  const moverRows = inCurrency(all((a) => a.movers));
  const movers: DashboardData['movers'] = [
    ...weekOverWeek(moverRows, 'ServiceName', moversEnd, TOP_N).map((m) => ({ dimension: 'Service', key: 'ServiceName', ...m })),
    ...(levels[0] ? weekOverWeek(moverRows, tagCol(levels[0]), moversEnd, TOP_N).map((m) => ({ dimension: levels[0]!, key: tagCol(levels[0]!), ...m })) : []),
  ].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta)).slice(0, TOP_N).map(({ change, ...m }) => ({ ...m, ...(change === undefined ? {} : { change }) }));

  const untagged = levels.map((key, i) => {
    const u = untaggedShare(inCurrency(answers.flatMap(({ a }) => a.level[i]?.rows ?? [])), key);
    return { key, cost: u.cost, ...(u.share === undefined ? {} : { share: u.share }) };
  });

  const optionRows = all((a) => a.options);
  const distinct = (key: string): string[] => [...new Set(optionRows.map((r) => r.groups[key]).filter((v): v is string => typeof v === 'string' && v.trim() !== ''))].sort((x, y) => x.localeCompare(y));
  const tagKeys = [...new Set([...hierarchy, ...(input.tagKeys ?? [])])];

  const sources: DashboardData['sources'] = [
    ...answers.map(({ source, a }) => ({ label: source.label, state: 'ok' as const, fetchedAt: a.daily.fetchedAt })),
    ...failures.map(({ source, error }) => ({ label: source.label, state: 'error' as const, message: describeError(error) })),
    ...(input.otherSources ?? []),
  ];

  const data: DashboardData = {
    generatedAt: new Date().toISOString(),
    ...(currency ? { currency } : {}),
    period: { choice: input.choice, start: period.start, end: period.end, label: describePeriod(input.choice, period) },
    metric,
    filters: input.filters.map((f) => ({ key: f.key, values: [...f.values] })),
    hierarchy: [...hierarchy],
    total,
    charges,
    credits,
    daily: { key: 'ProviderName', dates: daily.dates, series: daily.series },
    breakdowns: breakdowns.map((b) => ({ ...b, items: b.items.map(({ share, ...it }) => ({ ...it, ...(share === undefined ? {} : { share }) })) })),
    movers,
    ...(lastDay ? { moversEnd: lastDay } : {}),
    untagged,
    gpus: gpuSpend(inCurrency(all((a) => a.gpu))),
    recommendations: input.recommendations ?? [],
    budgets: input.budgets ?? [],
    anomalies: input.anomalies ?? [],
    options: { providers: distinct('ProviderName').slice(0, 500), services: distinct('ServiceName').slice(0, 2000), tagKeys: tagKeys.slice(0, 500) },
    sources,
    warnings: warnings.slice(0, 20),
  };
  return { data, failures };
}

/**
 * GPU spend by accelerator model × count over every source, most expensive first: cost, GPU-hours and cost per
 * GPU-hour (rows regrouped by src/core/cost/gpu.ts, as `mlfinops costs --group-by gpu`); spend without GPUs is left out.
 */
function gpuSpend(rows: readonly (CostRow & { gpuHours?: number })[]): NonNullable<DashboardData['gpus']> {
  const by = new Map<string, { cost: number; gpuHours?: number }>();
  for (const r of rows) {
    const label = r.groups[GPU_KEY];
    if (!label) continue;
    const e = by.get(label) ?? { cost: 0 };
    e.cost += r.cost;
    if (r.gpuHours !== undefined) e.gpuHours = (e.gpuHours ?? 0) + r.gpuHours;
    by.set(label, e);
  }
  return [...by].sort((a, b) => b[1].cost - a[1].cost).slice(0, 200).map(([label, e]) => {
    const per = costPerGpuHour(e.cost, e.gpuHours);
    return { label, cost: e.cost, ...(e.gpuHours !== undefined ? { gpuHours: e.gpuHours } : {}), ...(per !== undefined ? { costPerGpuHour: per } : {}) };
  });
}

/** Distinct values of one key in the period (for the tag value filter), most expensive first. */
export async function tagValues(sources: readonly DashboardSource[], key: GroupKey, period: Period, metric: CostMetric, signal?: AbortSignal): Promise<(string | null)[]> {
  const totals = new Map<string | null, number>();
  await Promise.all(sources.map(async (s) => {
    try {
      const r = await s.cost.query({ period, granularity: 'total', groupBy: [key], metric }, signal);
      for (const [v, c] of totalsBy(r.rows, key)) totals.set(v, (totals.get(v) ?? 0) + c);
    } catch (e) {
      if (isCancelled(e)) throw e;
    }
  }));
  return [...totals].sort((a, b) => b[1] - a[1]).map(([v]) => v).slice(0, 5000);
}
