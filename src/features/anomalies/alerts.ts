import * as vscode from 'vscode';
import { anomalyGroupId, type AnomalyEvent } from '../../core/anomaly/scan';
import type { AnomalyReport } from '../../platform/anomalyWatch';
import { anomalyAmounts, anomalyDay, anomalyGroupLabel, shortResourceName } from '../../shared/anomalyText';
import { formatMoney } from '../../shared/format';

/** Where the anomalies already notified are remembered (global state: across restarts and windows). */
export const ANOMALY_NOTIFIED_KEY = 'mlFinops.anomalies.notified';
/** Where muted groups are kept (workspace state: the groups are this workspace's bill's). */
export const ANOMALY_MUTED_KEY = 'mlFinops.anomalies.muted';
/** The most notified keys kept (the oldest fall off first). */
const MAX_KEYS = 2000;
/** Notifications shown at once; more new anomalies are summed up in one more notification. */
export const MAX_AT_ONCE = 3;

export const OPEN_DASHBOARD = 'Open Dashboard';
export const MUTE_GROUP = 'Mute This Group';

/** A muted group: its id (anomalyGroupId) and how it reads. */
export interface MutedGroup { id: string; label: string }

/** One notification shown, for the log and the extension-host tests. */
export interface ShownAnomaly {
  /** The notified key: the event's first group and first day. */
  key: string;
  /** The group "Mute This Group" mutes (the event's first: the team, when teams are examined). */
  group: MutedGroup;
  message: string;
  actions: string[];
}

/** The key an event is notified under: its first group and its first day. */
export function eventKey(e: AnomalyEvent): string {
  return `${anomalyGroupId(e.groups[0]!)}|${e.start}`;
}

/** The notification's sentence for one event. */
export function eventMessage(e: AnomalyEvent): string {
  const peak = e.peak;
  const days = e.start === e.end ? `on ${anomalyDay(e.start)}` : `from ${anomalyDay(e.start)} to ${anomalyDay(e.end)}`;
  const others = e.groups.slice(1).map(anomalyGroupLabel);
  const top = peak.contributors[0];
  return `Cost anomaly ${days}: ${anomalyGroupLabel(e.groups[0]!)} — ${anomalyAmounts(peak)}${e.start === e.end ? '' : ` on ${anomalyDay(peak.date)}`}.`
    + (top ? ` Most of it: ${shortResourceName(top.resourceId ?? top.skuId)} (+${formatMoney(top.increase, peak.currency)}).` : '')
    + (others.length ? ` Also seen in ${others.join('; ')}.` : '');
}

/**
 * Anomaly notifications: one per new event (a group's consecutive anomalous days, with the other groups that share
 * its cause), the largest first, at most three at once (the rest summed up in one), each with "Open Dashboard" and "Mute
 * This Group". An event is notified once (remembered in global state); a muted group's events are not notified
 * (muted groups are kept in workspace state; "Unmute Anomaly Groups…" gives them back).
 */
export class AnomalyAlerts {
  /** What was shown since activation (tests and the log read it). */
  readonly shown: ShownAnomaly[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly workspaceState: vscode.Memento,
    private readonly openDashboard: () => unknown,
    private readonly notify: (message: string, ...actions: string[]) => Thenable<string | undefined> = (m, ...a) => vscode.window.showInformationMessage(m, ...a),
  ) {}

  private notified(): string[] {
    const v = this.globalState.get<unknown>(ANOMALY_NOTIFIED_KEY);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  }

  /** The muted groups, oldest first. */
  muted(): MutedGroup[] {
    const v = this.workspaceState.get<unknown>(ANOMALY_MUTED_KEY);
    return Array.isArray(v) ? v.filter((g): g is MutedGroup => typeof g === 'object' && g !== null && typeof (g as MutedGroup).id === 'string' && typeof (g as MutedGroup).label === 'string') : [];
  }

  async mute(group: MutedGroup): Promise<void> {
    const list = this.muted().filter((g) => g.id !== group.id);
    await this.workspaceState.update(ANOMALY_MUTED_KEY, [...list, group]);
  }

  async unmute(ids: readonly string[]): Promise<void> {
    await this.workspaceState.update(ANOMALY_MUTED_KEY, this.muted().filter((g) => !ids.includes(g.id)));
  }

  /** Resolves when the last check has recorded what it shows (not when the user answers). */
  whenIdle(): Promise<unknown> {
    return this.last;
  }

  /** Shows what is new in the report. */
  check(report: AnomalyReport): Promise<ShownAnomaly[]> {
    const run = this.last.catch(() => undefined).then(() => this.show(report));
    this.last = run;
    return run;
  }

  private async show(report: AnomalyReport): Promise<ShownAnomaly[]> {
    const done = new Set(this.notified());
    const muted = new Set(this.muted().map((g) => g.id));
    // the largest first: when there are more than three, the costly ones are shown and the rest summed up
    const fresh = report.events.filter((e) => e.peak.direction === 'above' && !done.has(eventKey(e)) && !muted.has(anomalyGroupId(e.groups[0]!)))
      .sort((a, b) => Math.abs(b.peak.difference) - Math.abs(a.peak.difference) || (a.start > b.start ? -1 : a.start < b.start ? 1 : 0));
    if (!fresh.length) return [];
    for (const e of fresh) done.add(eventKey(e));
    // recorded before the notifications show: a reload while one is open does not show it twice
    await this.globalState.update(ANOMALY_NOTIFIED_KEY, [...done].slice(-MAX_KEYS));
    const out: ShownAnomaly[] = fresh.slice(0, MAX_AT_ONCE).map((e) => ({
      key: eventKey(e),
      group: { id: anomalyGroupId(e.groups[0]!), label: anomalyGroupLabel(e.groups[0]!) },
      message: eventMessage(e),
      actions: [OPEN_DASHBOARD, MUTE_GROUP],
    }));
    const rest = fresh.slice(MAX_AT_ONCE);
    if (rest.length) {
      out.push({
        key: rest.map(eventKey).join(','),
        group: { id: '', label: '' },
        message: `${rest.length} more cost anomal${rest.length === 1 ? 'y' : 'ies'} in ${report.periodLabel}: the dashboard lists them.`,
        actions: [OPEN_DASHBOARD],
      });
    }
    for (const a of out) {
      this.shown.push(a);
      void this.notify(a.message, ...a.actions).then(async (choice) => {
        if (choice === OPEN_DASHBOARD) this.openDashboard();
        else if (choice === MUTE_GROUP && a.group.id) {
          await this.mute(a.group);
          void vscode.window.showInformationMessage(`Anomalies of ${a.group.label} will not be notified. "ML FinOps: Unmute Anomaly Groups…" brings them back.`);
        }
      });
    }
    return out;
  }
}
