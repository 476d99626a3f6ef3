import * as vscode from 'vscode';
import type { CostQuery, CostRow } from '../core/cost/model';
import { describeError, isCancelled, isFinOpsError } from '../core/errors';
import { CHARGE_KEYS } from '../core/forecast/series';
import type { CostSource } from '../core/sources';
import type { Services } from './services';
import type { CostView } from './costView';

/**
 * A report computed from the cost view (budgets, anomalies) that several features read: computed once after the
 * view's sources have loaded and settled, again when costs or the view changed (or a subclass says so), shared by
 * concurrent callers, and announced to listeners after each computation.
 */
export abstract class ReportWatch<R> implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<R>();
  /** Fires after every computation. */
  readonly onDidChange = this.emitter.event;
  private current: R | undefined;
  private running: Promise<R> | undefined;
  private stale = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  protected readonly disposables: vscode.Disposable[] = [];

  constructor(protected readonly services: Services, protected readonly view: CostView) {
    this.disposables.push(this.emitter, view.onDidLoad(() => this.later()), view.onDidChange(() => { this.stale = true; if (view.loadedAt) this.later(); }));
  }

  /** Marks the report stale and computes it again soon: several sources finish one after the other, so once they have settled. */
  protected later(): void {
    this.stale = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.evaluate().catch(() => undefined); }, 300);
  }

  /** The last report (undefined before the first computation). */
  get report(): R | undefined {
    return this.current;
  }

  /** The current report, computed again when something it depends on changed since (callers share one computation). */
  evaluate(options: { force?: boolean } = {}): Promise<R> {
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

  protected abstract compute(): Promise<R>;

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * One query asked of every source, each source's answer on its own: a source that fails is noted (`note`) and
 * answers no rows; a cloud API that cannot also split by charge category is asked again without it, and noted with
 * `withoutCharges` (what that means for the feature: "its one-off charges are forecast like usage").
 */
export function queryEachSource(sources: readonly { label: string; cost?: CostSource }[], q: CostQuery, note: (message: string) => void, withoutCharges: string, signal?: AbortSignal): Promise<{ rows: CostRow[]; warnings?: string[] }[]> {
  const chargeKeys = CHARGE_KEYS as readonly string[];
  return Promise.all(sources.map(async (s) => {
    try {
      return await s.cost!.query(q, signal);
    } catch (e) {
      if (isCancelled(e)) throw e;
      if (isFinOpsError(e) && e.code === 'unsupportedGrouping' && q.groupBy.some((k) => chargeKeys.includes(k))) {
        try {
          const plain = await s.cost!.query({ ...q, groupBy: q.groupBy.filter((k) => !chargeKeys.includes(k)) }, signal);
          note(`${s.label} cannot split costs by charge category: ${withoutCharges}.`);
          return plain;
        } catch (e2) {
          if (isCancelled(e2)) throw e2;
          e = e2;
        }
      }
      note(`${s.label}: ${describeError(e)}`);
      return { rows: [] as CostRow[] };
    }
  }));
}
