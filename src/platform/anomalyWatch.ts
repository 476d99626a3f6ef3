import * as vscode from 'vscode';
import { anomalyEvents, mergeAnswers, scanAnomalies, type AnomalyEvent, type AnomalyQuery, type AnomalyScan } from '../core/anomaly/scan';
import type { CostMetric, CostQuery, CostRow, GroupKey } from '../core/cost/model';
import { parseGroupBy } from '../core/cost/query';
import { describeError, isCancelled, isFinOpsError } from '../core/errors';
import { CHARGE_KEYS } from '../core/forecast/series';
import { addDays, todayUtc } from '../core/period';
import type { Services } from './services';
import type { CostView } from './costView';

/**
 * Cost anomalies over the cost view's period (the days the dashboard shows): src/core/anomaly's one scan, run over
 * every cost source (their rows merged), with the keys and thresholds of the `mlFinops.anomalies.*` settings. The
 * dashboard's markers and list, the Resources view's badges and the notifications read this one report, so an
 * anomaly's figures are computed once — and are those of `mlfinops anomalies --since <first day> --until <last day>`.
 */
export interface AnomalyReport {
  scan: AnomalyScan;
  /** The scan's anomalies as events (a group's consecutive days, and groups sharing their cause), newest first. */
  events: AnomalyEvent[];
  keys: GroupKey[];
  metric: CostMetric;
  /** "October 2026": the view's period, as the dashboard names it. */
  periodLabel: string;
  /** Sources that could not be asked, and why. */
  problems: string[];
  computedAt: Date;
}

/** The most days of the view's period examined (its last ones). */
export const MAX_SCAN_DAYS = 92;

export class AnomalyWatch implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AnomalyReport>();
  /** Fires after every scan. */
  readonly onDidChange = this.emitter.event;
  private current: AnomalyReport | undefined;
  private running: Promise<AnomalyReport> | undefined;
  private stale = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly view: CostView) {
    const later = (): void => {
      this.stale = true;
      if (this.timer) clearTimeout(this.timer);
      // several sources finish one after the other: scan once they have settled
      this.timer = setTimeout(() => { this.timer = undefined; void this.evaluate().catch(() => undefined); }, 300);
    };
    this.disposables.push(
      this.emitter,
      view.onDidLoad(later),
      view.onDidChange(() => { this.stale = true; if (view.loadedAt) later(); }),
      services.settings.onDidChange((e) => {
        if (e.affects('anomalies.groupBy') || e.affects('anomalies.minAmount') || e.affects('anomalies.minPercent')) later();
      }),
    );
  }

  /** The last report (undefined before the first scan). */
  get report(): AnomalyReport | undefined {
    return this.current;
  }

  /** The current report, scanned again when costs, the period or the settings changed since (callers share one scan). */
  evaluate(options: { force?: boolean } = {}): Promise<AnomalyReport> {
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

  private async compute(): Promise<AnomalyReport> {
    await this.view.readPolicy();
    const anchor = await this.view.ensureAnchor();
    const today = todayUtc();
    // bill files end on a past day (the anchor, complete); a live cloud's today is still being billed
    const asOf = anchor < today ? anchor : addDays(today, -1);
    const p = this.view.resolvedPeriod();
    const lastDay = addDays(p.period.end, -1);
    const until = lastDay < asOf ? lastDay : asOf;
    // a long custom period: its last three months are examined (each day is a forecast fitted per group)
    const earliest = addDays(until, 1 - MAX_SCAN_DAYS);
    const since = p.period.start > earliest ? p.period.start : earliest;
    const settings = this.services.settings;
    const keys = parseGroupBy(settings.get('anomalies.groupBy').join(','));
    const metric: CostMetric = this.view.metric;
    const problems: string[] = [];
    const sources = this.view.sources.filter((s) => s.cost && s.state.kind !== 'notConfigured');
    const query: AnomalyQuery = async (q: CostQuery, signal?: AbortSignal) => {
      const answers = await Promise.all(sources.map(async (s) => {
        try {
          return await s.cost!.query(q, signal);
        } catch (e) {
          if (isCancelled(e)) throw e;
          // a cloud API that cannot also split by charge category: its one-off charges are examined like usage
          if (isFinOpsError(e) && e.code === 'unsupportedGrouping' && q.groupBy.some((k) => (CHARGE_KEYS as readonly string[]).includes(k))) {
            try {
              const plain = await s.cost!.query({ ...q, groupBy: q.groupBy.filter((k) => !(CHARGE_KEYS as readonly string[]).includes(k)) }, signal);
              note(`${s.label} cannot split costs by charge category: its one-off charges are examined like usage.`);
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
      return mergeAnswers(answers);
    };
    const note = (m: string): void => { if (!problems.includes(m)) problems.push(m); };
    const scan = until < since
      ? { since, until, minAmount: settings.get('anomalies.minAmount'), minPercent: settings.get('anomalies.minPercent'), anomalies: [], warnings: [] }
      : await scanAnomalies(query, { keys, metric, since, until, minAmount: settings.get('anomalies.minAmount'), minPercent: settings.get('anomalies.minPercent') });
    for (const m of problems) this.services.log.warn(`Anomalies: ${m}`);
    this.services.log.info(`Anomalies: ${scan.anomalies.length} anomalous day${scan.anomalies.length === 1 ? '' : 's'} from ${since} to ${until} by ${keys.join(', ')}`);
    return { scan, events: anomalyEvents(scan.anomalies, keys), keys, metric, periodLabel: p.label, problems, computedAt: new Date() };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
