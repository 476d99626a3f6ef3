import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import { compareWithOurs, ourRightSizingOf, type NativeRow } from '../../core/savings/native';
import { nativeRecommendersFromSettings, recommendationsFor, type NativeResults } from '../../providers/nativeRecommenders';
import { defaultRegions, detectProvider } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { planSavings, type SavingsPlan } from '../../core/savings/plan';
import { buildReport, summarize, type SavingsReport, type SavingsSummary } from '../../core/savings/report';
import type { InstancePrices } from '../../core/pricing/model';
import type { SavingsKind } from '../../core/savings/estimate';
import type { UtilisationSeries } from '../../core/sources';
import { parseSchedule, type Schedule } from '../../core/savings/schedule';
import type { Services } from '../../platform/services';

/** One savings estimate to make: a type and region, where it came from, and (for a running EC2 instance) its id. */
export interface EstimateRequest {
  instanceType: string;
  region?: string;
  /** "main.tf: aws_instance.trainer", shown on the report. */
  subject?: string;
  /** An EC2 instance id or ARN: its CloudWatch metrics size it and suggest a schedule. */
  resourceId?: string;
  /** Extra notes for the report (SageMaker priced as EC2 …). */
  notes?: string[];
  /** Options silenced for this resource, each with where (`main.tf:18 (# finops:ignore rightsizing)`). */
  ignore?: Partial<Record<SavingsKind, string>>;
}

/** How long the clouds' own recommendations are reused (they refresh daily at most). */
const NATIVE_TTL_MS = 15 * 60_000;

/** How long an estimate that read a running instance's metrics is reused (the lens, the action and the report quote one). */
const METRICS_ESTIMATE_TTL_MS = 10 * 60_000;

/** The machine's own time zone, for schedules written without one. */
function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Builds savings reports from the settings: prices and metrics from the savings sources (the catalogue, with live
 * prices when enabled in a trusted workspace; CloudWatch for running AWS instances), the schedule, spot and usage
 * assumptions.
 */
export class SavingsEstimator {
  private readonly measured = new Map<string, { at: number; report: Promise<SavingsReport> }>();
  private nativeCache?: { key: string; at: number; value: Promise<NativeResults> };

  constructor(private readonly services: Pick<Services, 'settings' | 'savingsSources' | 'log'>, private readonly clock: () => number = Date.now) {}

  private get settings() {
    return this.services.settings;
  }

  /** Live prices are used only when turned on and the workspace is trusted. */
  get liveEnabled(): boolean {
    return this.services.savingsSources().live;
  }

  /** The schedule setting, in the machine's zone when it names none; undefined when empty. */
  schedule(): Schedule | undefined {
    const text = this.settings.get('savings.schedule').trim();
    return text ? parseSchedule(text, localTimeZone()) : undefined;
  }

  /**
   * The savings report for a request. A request for a running instance (its metrics are read) is estimated once
   * per ten minutes and settings: the code lens, the right-size code action and the report it opens then quote the
   * very same figures, to the cent.
   */
  estimate(request: EstimateRequest, signal?: AbortSignal, progress?: vscode.Progress<{ message?: string }>): Promise<SavingsReport> {
    if (!request.resourceId) return this.compute(request, signal, progress);
    const s = this.settings;
    // every setting is part of the key: an estimate is reused only for the very same assumptions and sources
    const key = JSON.stringify([request.instanceType, request.region, request.subject, request.resourceId, request.notes ?? [], Object.entries(request.ignore ?? {}).sort(), this.services.savingsSources().live, vscode.workspace.isTrusted, s.settings]);
    const now = this.clock();
    for (const [k, v] of this.measured) if (now - v.at > METRICS_ESTIMATE_TTL_MS) this.measured.delete(k);
    const hit = this.measured.get(key);
    if (hit) return hit.report;
    const report = this.compute(request, signal, progress);
    this.measured.set(key, { at: now, report });
    report.catch(() => { if (this.measured.get(key)?.report === report) this.measured.delete(key); });
    return report;
  }

  private async compute(request: EstimateRequest, signal?: AbortSignal, progress?: vscode.Progress<{ message?: string }>): Promise<SavingsReport> {
    const s = this.settings;
    const now = new Date();
    const warnings: string[] = [...(request.notes ?? [])];
    const provider = detectProvider(request.instanceType);
    const region = request.region ?? (provider === 'aws' ? s.get('aws.region') : provider ? defaultRegions[provider] : undefined);
    const sources = this.services.savingsSources();
    progress?.report({ message: sources.live ? 'prices (live)…' : 'prices…' });
    const { prices, warnings: priceWarnings } = await sources.resolver.resolve(request.instanceType, region, { live: sources.live, signal });
    warnings.push(...priceWarnings);
    if (!request.region) warnings.push(`No region given: priced in ${prices.region}.`);

    let metrics: (UtilisationSeries & { source: string }) | undefined;
    const metricSource = request.resourceId ? sources.metrics(prices.provider, prices.region) : undefined;
    if (request.resourceId && metricSource?.covers(request.resourceId)) {
      if (metricSource.kind === 'off') {
        warnings.push(metricSource.why);
      } else {
        progress?.report({ message: `${metricSource.source.name} metrics…` });
        try {
          metrics = await metricSource.source.getUtilisation(request.resourceId, { days: s.get('savings.lookbackDays') }, signal);
        } catch (e) {
          warnings.push(`${metricSource.source.name} metrics unavailable: ${describeError(e)}`);
        }
      }
    }

    let schedule: Schedule | undefined;
    try {
      schedule = this.schedule();
    } catch (e) {
      warnings.push(`The "mlFinops.savings.schedule" setting is not a schedule: ${describeError(e)}`);
    }
    const idle = metrics?.gpu ?? metrics?.cpu;
    const plan = planSavings({
      ...this.planInput(prices, now),
      ...(metrics ? { metrics, metricsSource: metrics.source } : {}),
      ...(schedule ? {} : idle?.length ? { idleSeries: { points: idle, timeZone: localTimeZone() } } : {}),
      ...(request.ignore ? { ignore: Object.keys(request.ignore) as SavingsKind[] } : {}),
    });
    const native = request.resourceId ? await this.nativeRows(request.resourceId, plan, warnings, signal, progress) : [];
    return buildReport(plan, {
      warnings, ...(request.subject ? { subject: request.subject } : {}), now, ...(request.ignore ? { ignored: request.ignore } : {}),
      ...(native.length ? { native } : {}),
    });
  }

  /**
   * The clouds' own recommendations (Compute Optimizer, Recommender, Advisor) for every resource of the configured
   * clouds, asked once per 15 minutes and settings; a recommender that fails is named with its fix.
   */
  nativeRecommendations(signal?: AbortSignal): Promise<NativeResults> {
    const settings = this.settings.settings;
    const trusted = vscode.workspace.isTrusted;
    const key = JSON.stringify([trusted, settings['savings.nativeRecommenders'], settings['aws.enabled'], settings['aws.profile'], settings['aws.region'], settings['aws.endpoint'],
      settings['aws.computeOptimizerEndpoint'], settings['gcp.enabled'], settings['gcp.projectId'], settings['gcp.endpoint'], settings['savings.gcpZones'],
      settings['azure.enabled'], settings['azure.scope'], settings['azure.endpoint'], settings['azure.tenantId']]);
    const now = this.clock();
    if (this.nativeCache?.key === key && now - this.nativeCache.at < NATIVE_TTL_MS) return this.nativeCache.value;
    const value = nativeRecommendersFromSettings(settings, { trusted, log: this.services.log }).list(signal);
    const entry = { key, at: now, value };
    this.nativeCache = entry;
    value.catch(() => { if (this.nativeCache === entry) this.nativeCache = undefined; });
    return value;
  }

  private async nativeRows(resourceId: string, plan: SavingsPlan, warnings: string[], signal?: AbortSignal, progress?: vscode.Progress<{ message?: string }>): Promise<NativeRow[]> {
    if (!this.settings.get('savings.nativeRecommenders')) return [];
    progress?.report({ message: 'the clouds\' own recommenders…' });
    let results: NativeResults;
    try {
      results = await this.nativeRecommendations(signal);
    } catch (e) {
      if (isCancelled(e)) throw e;
      warnings.push(`The clouds' own recommenders could not be read: ${describeError(e)}`);
      return [];
    }
    for (const p of results.problems) warnings.push(`${p.source}: ${p.message}${p.fix ? ` ${p.fix}` : ''}`);
    const ours = plan.options.find((o) => o.kind === 'rightsizing');
    return recommendationsFor(results.recommendations, resourceId).map((recommendation) => ({
      recommendation,
      ...(ours ? { comparison: compareWithOurs(recommendation, ourRightSizingOf(ours, this.settings.get('savings.lookbackDays'), plan.hoursPerMonth)) } : {}),
    }));
  }

  /**
   * What every estimate of this window assumes, from the settings: the baseline hours a month, the month, the
   * schedule, spot interruptions and checkpoints. The code lens, the report, the tree and the dashboard all plan
   * with it, so one resource shows the same figures everywhere.
   */
  planInput(prices: InstancePrices, now = new Date()): Parameters<typeof planSavings>[0] {
    const s = this.settings;
    let schedule: Schedule | undefined;
    try {
      schedule = this.schedule();
    } catch {
      schedule = undefined; // reported by estimate(); the lens shows no schedule option
    }
    return {
      prices,
      candidates: shippedCatalogue().pricedIn(prices.provider, prices.region),
      hoursPerMonth: s.get('savings.hoursPerMonth'),
      month: { year: now.getFullYear(), month: now.getMonth() + 1 },
      ...(schedule ? { schedule } : {}),
      spot: {
        interruptionsPerHour: s.get('savings.spotInterruptionsPerDay') / 24,
        checkpointIntervalHours: s.get('savings.checkpointIntervalMinutes') / 60,
        checkpointWriteHours: s.get('savings.checkpointWriteMinutes') / 60,
      },
    };
  }

  /**
   * The figures shown for a type outside its report (code lens, tree, dashboard), from the shipped catalogue:
   * instant and offline. Throws FinOpsError('input') for a type or region the catalogue does not price.
   */
  catalogueSummary(instanceType: string, region: string | undefined): { prices: InstancePrices; summary: SavingsSummary } {
    const prices = shippedCatalogue().prices(instanceType, region);
    // no metrics here, so no right-sizing: the candidates are not needed
    return { prices, summary: summarize(planSavings({ ...this.planInput(prices), candidates: [] })) };
  }
}
