import * as vscode from 'vscode';
import { budgetQueryKeys, evaluateBudget, worstFirst, type BudgetStatus } from '../core/budgets/evaluate';
import { budgetPeriodContaining } from '../core/budgets/periods';
import type { Budget } from '../core/budgets/schema';
import type { CostMetric, CostRow, GroupKey } from '../core/cost/model';
import { describeError, isCancelled, isFinOpsError } from '../core/errors';
import { CHARGE_KEYS } from '../core/forecast/series';
import { addDays, todayUtc } from '../core/period';
import type { Services } from './services';
import type { CostView } from './costView';

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

export class BudgetWatch implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<BudgetReport>();
  /** Fires after every evaluation. */
  readonly onDidChange = this.emitter.event;
  private current: BudgetReport | undefined;
  private running: Promise<BudgetReport> | undefined;
  private stale = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly view: CostView) {
    const later = (): void => {
      this.stale = true;
      if (this.timer) clearTimeout(this.timer);
      // several sources finish one after the other: evaluate once they have settled
      this.timer = setTimeout(() => { this.timer = undefined; void this.evaluate().catch(() => undefined); }, 300);
    };
    this.disposables.push(this.emitter, view.onDidLoad(later), view.onDidChange(() => { this.stale = true; if (view.loadedAt) later(); }));
  }

  /** The last report (undefined before the first evaluation). */
  get report(): BudgetReport | undefined {
    return this.current;
  }

  /** The worst budget when one is at risk or over. */
  worstAtRisk(): BudgetStatus | undefined {
    const worst = this.current?.statuses[0];
    return worst && worst.status !== 'ok' ? worst : undefined;
  }

  /** The current report, evaluated again when costs or the policy changed since (callers share one evaluation). */
  evaluate(options: { force?: boolean } = {}): Promise<BudgetReport> {
    if (this.running) return this.running;
    if (this.current && !this.stale && !options.force) return Promise.resolve(this.current);
    this.stale = false;
    const run = this.compute().then((report) => {
      this.current = report;
      this.emitter.fire(report);
      return report;
    }).finally(() => { if (this.running === run) this.running = undefined; });
    this.running = run;
    return run;
  }

  private async compute(): Promise<BudgetReport> {
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
      const rows: CostRow[] = [];
      await Promise.all(sources.map(async (s) => {
        const ask = (groupBy: GroupKey[]) => s.cost!.query({ period, granularity: 'daily', groupBy, metric });
        try {
          rows.push(...(await ask(keys)).rows);
        } catch (e) {
          if (isCancelled(e)) throw e;
          // a cloud API that cannot also split by charge category: without it, one-off charges are forecast like usage
          if (isFinOpsError(e) && e.code === 'unsupportedGrouping') {
            try {
              const plain = keys.filter((k) => !(CHARGE_KEYS as readonly string[]).includes(k));
              rows.push(...(await ask(plain)).rows);
              problems.push(`${s.label} cannot split costs by charge category: its one-off charges are forecast like usage.`);
              return;
            } catch (e2) {
              if (isCancelled(e2)) throw e2;
              e = e2;
            }
          }
          problems.push(`${s.label}: ${describeError(e)}`);
        }
      }));
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

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

