import { budgetQueryKeys, evaluateBudget, worstFirst, type BudgetStatus } from '../core/budgets/evaluate';
import { budgetPeriodContaining } from '../core/budgets/periods';
import type { Budget } from '../core/budgets/schema';
import type { CostMetric, GroupKey } from '../core/cost/model';
import { describeError } from '../core/errors';
import { addDays, todayUtc } from '../core/period';
import { queryEachSource, ReportWatch } from './reportWatch';

/**
 * The team's budgets (`.finops.yaml` `budgets:`) against the cost sources: one daily query per metric, grouped by
 * what the budgets' scopes need, then each budget evaluated by src/core/budgets (actual, forecast, bands, status,
 * alert crossings). The dashboard's budget panel, the status bar and the threshold notifications read this one
 * report, so a budget's figure is computed once.
 */
export interface BudgetReport {
  /** Worst first (over, at risk, ok). */
  statuses: BudgetStatus[];
  /** Budgets that could not be evaluated, and why (a currency that is not the bill's, a source that failed). */
  problems: string[];
  /** The last day counted as actual. */
  asOf: string;
  computedAt: Date;
}

/** Days of history before the earliest budget period: enough for the weekly seasonality and the backtest. */
const HISTORY_DAYS = 12 * 7;

export class BudgetWatch extends ReportWatch<BudgetReport> {
  /** The worst budget when one is at risk or over. */
  worstAtRisk(): BudgetStatus | undefined {
    const worst = this.report?.statuses[0];
    return worst && worst.status !== 'ok' ? worst : undefined;
  }

  protected async compute(): Promise<BudgetReport> {
    await this.view.readPolicy();
    const budgets = this.view.budgets;
    const today = todayUtc();
    const anchor = await this.view.ensureAnchor();
    // bill files end on a past day (the anchor, complete); a live cloud's today is still being billed
    const asOf = anchor < today ? anchor : addDays(today, -1);
    const problems: string[] = [];
    if (!budgets.length) return { statuses: [], problems, asOf, computedAt: new Date() };
    const sources = this.view.sources.filter((s) => s.cost && s.state.kind !== 'notConfigured');
    const byMetric = new Map<CostMetric, Budget[]>();
    for (const b of budgets) {
      const metric: CostMetric = b.metric ?? (this.view.metric === 'ListCost' ? 'EffectiveCost' : this.view.metric);
      byMetric.set(metric, [...(byMetric.get(metric) ?? []), b]);
    }
    const statuses: BudgetStatus[] = [];
    for (const [metric, group] of byMetric) {
      let keys: GroupKey[];
      try {
        keys = budgetQueryKeys(group);
      } catch (e) {
        problems.push(describeError(e));
        continue;
      }
      // from well before the earliest period that holds asOf, to asOf
      const starts = group.map((b) => budgetPeriodContaining(asOf, b.period).start);
      const period = { start: addDays(starts.sort()[0]!, -HISTORY_DAYS), end: addDays(asOf, 1) };
      const answers = await queryEachSource(sources, { period, granularity: 'daily', groupBy: keys, metric }, (m) => problems.push(m), 'its one-off charges are forecast like usage');
      const rows = answers.flatMap((a) => a.rows);
      for (const budget of group) {
        try {
          statuses.push(evaluateBudget({ budget, rows, asOf }));
        } catch (e) {
          problems.push(`Budget "${budget.name}": ${describeError(e)}`);
        }
      }
    }
    for (const p of problems) this.services.log.warn(`Budgets: ${p}`);
    return { statuses: worstFirst(statuses), problems, asOf, computedAt: new Date() };
  }
}

