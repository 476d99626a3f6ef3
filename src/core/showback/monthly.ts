import { scanAnomalies, type AnomalyQuery } from '../anomaly/scan';
import { budgetQueryKeys, evaluateBudget, type BudgetStatus } from '../budgets/evaluate';
import { budgetPeriodContaining } from '../budgets/periods';
import type { Budget, ShowbackSettings } from '../budgets/schema';
import type { CostMetric, CostRow, GroupKey } from '../cost/model';
import { parseCostQuery } from '../cost/query';
import { FinOpsError } from '../errors';
import { addDays, ALL_TIME } from '../period';
import { buildShowback, type ShowbackReport } from './report';

/**
 * The monthly showback report from cost sources: the month's cost grouped by who is charged, project, stage and
 * service category; the budgets evaluated for the period holding the month; the month's anomalies per team (the
 * one anomaly scan); then buildShowback. `mlfinops report` and "ML FinOps: Showback Report…" both call this, so
 * the two show the same cents.
 */
export interface MonthlyShowbackRequest {
  /** YYYY-MM. */
  month: string;
  /** Who is charged ("tag:Team"). */
  by: GroupKey;
  metric: CostMetric;
  settings: ShowbackSettings;
  budgets: readonly Budget[];
  /** The last day with complete cost: later days of a budget's period are forecast. */
  lastDay: string;
  /** The first day of the bill (days from it without a row are $0); default: the first day with a row. */
  dataStart?: string;
}

export interface MonthlyShowback {
  report: ShowbackReport;
  /** The sources' warnings and the budgets' notes, for stderr or the log. */
  notes: string[];
}

export function showbackMonthBounds(month: string): { start: string; end: string } {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new FinOpsError('input', `The month must be written YYYY-MM (got "${month}").`, { fix: 'Give a month such as 2026-10.' });
  const start = `${month}-01`;
  return { start, end: `${addDays(`${month}-28`, 4).slice(0, 7)}-01` };
}

/** Budgets evaluated as of `lastDay` for the period holding `monthDay`: one daily query per cost metric. */
export async function evaluateBudgetsAsOf(query: AnomalyQuery, list: readonly Budget[], o: { monthDay: string; lastDay: string; dataStart?: string }): Promise<{ statuses: BudgetStatus[]; notes: string[] }> {
  const notes: string[] = [];
  const byMetric = new Map<CostMetric, Budget[]>();
  for (const b of list) byMetric.set(b.metric ?? 'EffectiveCost', [...(byMetric.get(b.metric ?? 'EffectiveCost') ?? []), b]);
  const evaluated = new Map<Budget, BudgetStatus>();
  for (const [metric, budgetsOfMetric] of byMetric) {
    const result = await query(parseCostQuery({ period: ALL_TIME, granularity: 'daily', groupBy: budgetQueryKeys(budgetsOfMetric), metric }));
    notes.push(...(result.warnings ?? []));
    const dataStart = o.dataStart ?? firstDay(result.rows);
    for (const b of budgetsOfMetric) {
      const period = budgetPeriodContaining(o.monthDay, b.period);
      if (period.start > o.lastDay) notes.push(`budget ${b.name}: the bill ends on ${o.lastDay}, before ${period.start}: the whole period is forecast`);
      evaluated.set(b, evaluateBudget({ budget: b, rows: result.rows, asOf: o.lastDay, ...(dataStart ? { dataStart } : {}), period }));
    }
  }
  return { statuses: list.map((b) => evaluated.get(b)!), notes };
}

function firstDay(rows: readonly CostRow[]): string | undefined {
  let first: string | undefined;
  for (const r of rows) { const d = r.period.slice(0, 10); if (first === undefined || d < first) first = d; }
  return first;
}

export async function monthlyShowback(query: AnomalyQuery, r: MonthlyShowbackRequest): Promise<MonthlyShowback> {
  const { start, end } = showbackMonthBounds(r.month);
  const stageKey = `tag:${r.settings.stageTag ?? 'Stage'}` as GroupKey;
  const projectKey: GroupKey = 'tag:Project';
  const result = await query(parseCostQuery({ period: { start, end }, granularity: 'total', groupBy: [...new Set<GroupKey>([r.by, projectKey, stageKey, 'ServiceCategory'])], metric: r.metric }));
  const notes = [...(result.warnings ?? [])];
  const currencies = [...new Set(result.rows.filter((x) => x.cost !== 0).map((x) => x.currency))];
  if (currencies.length > 1) {
    throw new FinOpsError('input', `${r.month} has costs in ${currencies.join(' and ')}: a showback report adds amounts, and they are never converted between currencies.`, { fix: 'Report on the bills of one currency at a time.' });
  }
  if (!result.rows.length) throw new FinOpsError('input', `The bill has no cost in ${r.month}.`, { fix: 'Pick a month the bill covers.' });
  let statuses: BudgetStatus[] = [];
  if (r.budgets.length) {
    const b = await evaluateBudgetsAsOf(query, r.budgets, { monthDay: start, lastDay: r.lastDay, ...(r.dataStart ? { dataStart: r.dataStart } : {}) });
    statuses = b.statuses;
    notes.push(...b.notes);
  }
  const byTag = r.by.startsWith('tag:') ? r.by.slice(4) : undefined;
  // anomalies of the month per team (the scan `mlfinops anomalies` and the extension run), on the days the bill covers
  const { anomalies } = await scanAnomalies(query, { keys: [r.by], metric: r.metric, since: start, until: addDays(end, -1) });
  const report = buildShowback({
    month: r.month, currency: currencies[0] ?? '', by: r.by, rows: result.rows, projectKey, stageKey, settings: r.settings, budgets: statuses,
    budgetTeams: (s) => (byTag ? s.scope.tag?.[byTag] ?? [] : []), anomalies,
  });
  return { report, notes };
}
