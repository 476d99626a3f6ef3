import { anomalyEvents, mergeAnswers, scanAnomalies, type AnomalyEvent, type AnomalyQuery, type AnomalyScan } from '../core/anomaly/scan';
import type { CostMetric, CostQuery, GroupKey } from '../core/cost/model';
import { parseGroupBy } from '../core/cost/query';
import { addDays, todayUtc } from '../core/period';
import type { Services } from './services';
import type { CostView } from './costView';
import { queryEachSource, ReportWatch } from './reportWatch';

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

export class AnomalyWatch extends ReportWatch<AnomalyReport> {
  constructor(services: Services, view: CostView) {
    super(services, view);
    this.disposables.push(services.settings.onDidChange((e) => {
      if (e.affects('anomalies.groupBy') || e.affects('anomalies.minAmount') || e.affects('anomalies.minPercent')) this.later();
    }));
  }

  protected async compute(): Promise<AnomalyReport> {
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
    const query: AnomalyQuery = async (q: CostQuery, signal?: AbortSignal) =>
      mergeAnswers(await queryEachSource(sources, q, note, 'its one-off charges are examined like usage', signal));
    const note = (m: string): void => { if (!problems.includes(m)) problems.push(m); };
    const scan = until < since
      ? { since, until, minAmount: settings.get('anomalies.minAmount'), minPercent: settings.get('anomalies.minPercent'), anomalies: [], warnings: [] }
      : await scanAnomalies(query, { keys, metric, since, until, minAmount: settings.get('anomalies.minAmount'), minPercent: settings.get('anomalies.minPercent') });
    for (const m of problems) this.services.log.warn(`Anomalies: ${m}`);
    this.services.log.info(`Anomalies: ${scan.anomalies.length} anomalous day${scan.anomalies.length === 1 ? '' : 's'} from ${since} to ${until} by ${keys.join(', ')}`);
    return { scan, events: anomalyEvents(scan.anomalies, keys), keys, metric, periodLabel: p.label, problems, computedAt: new Date() };
  }
}
