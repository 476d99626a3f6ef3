import * as vscode from 'vscode';
import type { AlertStatus, BudgetStatus } from '../../core/budgets/evaluate';
import type { BudgetReport } from '../../platform/budgetWatch';
import { formatMoney } from '../../shared/format';

/** Where the thresholds already notified are remembered (global state: across restarts and windows). */
export const NOTIFIED_KEY = 'mlFinops.budgets.notified';
/** The most keys kept (old periods' keys fall off first). */
const MAX_KEYS = 1000;

/** One notification shown, for the log and the extension-host tests. */
export interface ShownAlert {
  budget: string;
  keys: string[];
  message: string;
}

function dayText(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** The sentence for one crossed threshold. */
function alertText(s: BudgetStatus, a: AlertStatus): string {
  const m = (v: number) => formatMoney(v, s.currency);
  if (a.on === 'actual') return `spend passed ${a.at} % (${m(a.threshold)})${a.crossesOn ? ` on ${dayText(a.crossesOn)}` : ''}: ${m(s.actual)} so far`;
  return `the forecast reaches ${a.at} % (${m(a.threshold)})${a.crossesOn ? ` ${a.expected ? 'by' : 'on'} ${dayText(a.crossesOn)}` : ''}: ${m(s.forecast)} expected`;
}

/**
 * Threshold notifications: when a budget's alert threshold is crossed (`on: actual`: spend so far; `on: forecast`:
 * spend expected by the end of the period), one notification per budget names every newly crossed threshold, once
 * per threshold per period. What was shown is kept in global state, so a reload or a restart does not show it again.
 */
export class BudgetAlerts {
  /** What was shown since activation (tests and the log read it). */
  readonly shown: ShownAlert[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly openDashboard: () => unknown,
    private readonly notify: (message: string, ...actions: string[]) => Thenable<string | undefined> = (m, ...a) => vscode.window.showWarningMessage(m, ...a),
  ) {}

  private notified(): string[] {
    const v = this.state.get<unknown>(NOTIFIED_KEY);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  }

  private last: Promise<unknown> = Promise.resolve();

  /** Resolves when the last check has recorded what it shows (not when the user answers). */
  whenIdle(): Promise<unknown> {
    return this.last;
  }

  /** Shows what is new in the report; resolves once it is recorded (not when the user answers). Checks run one at a time. */
  check(report: BudgetReport): Promise<ShownAlert[]> {
    const run = this.last.catch(() => undefined).then(() => this.show(report));
    this.last = run;
    return run;
  }

  private async show(report: BudgetReport): Promise<ShownAlert[]> {
    const done = new Set(this.notified());
    const out: ShownAlert[] = [];
    for (const s of report.statuses) {
      const fresh = s.alerts.filter((a) => a.crossed && !done.has(a.key));
      if (!fresh.length) continue;
      const message = `Budget "${s.name}" (${s.periodLabel}, ${formatMoney(s.amount, s.currency)}): ${fresh.map((a) => alertText(s, a)).join('; ')}.`;
      const keys = fresh.map((a) => a.key);
      for (const k of keys) done.add(k);
      out.push({ budget: s.name, keys, message });
    }
    if (!out.length) return out;
    // recorded before the notifications show: a reload while one is open does not show it twice
    await this.state.update(NOTIFIED_KEY, [...done].slice(-MAX_KEYS));
    for (const a of out) {
      this.shown.push(a);
      void this.notify(a.message, 'Open Dashboard').then((choice) => { if (choice === 'Open Dashboard') this.openDashboard(); });
    }
    return out;
  }
}
