import * as vscode from 'vscode';
import { DiskCache } from '../../providers/diskCache';
import { describeError } from '../../core/errors';
import { PriceResolver } from '../../core/pricing/live';
import { defaultRegions, detectProvider } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { planSavings } from '../../core/savings/plan';
import { buildReport, type SavingsReport } from '../../core/savings/report';
import type { UtilisationSeries } from '../../core/savings/rightsizing';
import { parseSchedule, type Schedule } from '../../core/savings/schedule';
import { CloudWatchMetrics, instanceIdOf } from '../../providers/aws/cloudwatch';
import { createPriceSources } from '../../providers/priceSources';
import type { Services } from '../../services';

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
}

/** The machine's own time zone, for schedules written without one. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Builds savings reports from the settings: the catalogue (with live prices when enabled and the workspace is
 * trusted, cached in the extension's storage), the schedule, spot and usage assumptions, and CloudWatch for
 * running AWS instances.
 */
export class SavingsEstimator {
  private cached: { key: string; resolver: PriceResolver } | undefined;

  constructor(private readonly services: Services) {}

  private get settings() {
    return this.services.settings;
  }

  /** Live prices are used only when turned on and the workspace is trusted. */
  get liveEnabled(): boolean {
    return this.settings.get('savings.livePrices') && vscode.workspace.isTrusted;
  }

  /** The resolver for the current settings and trust, kept while they stay the same (clients and SKU lists are reused). */
  resolver(): PriceResolver {
    const s = this.settings;
    const key = JSON.stringify([this.liveEnabled, s.get('aws.enabled'), s.get('aws.profile'), s.get('aws.region'), s.get('aws.endpoint'),
      s.get('savings.azureRetailPricesEndpoint'), s.get('gcp.enabled'), s.get('gcp.projectId'), s.get('gcp.endpoint')]);
    if (this.cached?.key === key) return this.cached.resolver;
    const sources = this.liveEnabled
      ? createPriceSources({
        ...(s.get('aws.enabled') ? { aws: { profile: s.get('aws.profile'), region: s.get('aws.region'), endpoint: s.get('aws.endpoint') } } : {}),
        azure: { retailPricesEndpoint: s.get('savings.azureRetailPricesEndpoint') },
        ...(s.get('gcp.enabled') ? { gcp: { projectId: s.get('gcp.projectId'), endpoint: s.get('gcp.endpoint') } } : {}),
        log: this.services.log,
      })
      : [];
    const cache = new DiskCache({ dir: vscode.Uri.joinPath(this.services.context.globalStorageUri, 'price-cache').fsPath, ttlMs: 24 * 3_600_000, log: this.services.log });
    const resolver = new PriceResolver(shippedCatalogue(), sources, cache, this.services.log);
    this.cached = { key, resolver };
    return resolver;
  }

  /** The schedule setting, in the machine's zone when it names none; undefined when empty. */
  schedule(): Schedule | undefined {
    const text = this.settings.get('savings.schedule').trim();
    return text ? parseSchedule(text, localTimeZone()) : undefined;
  }

  async estimate(request: EstimateRequest, signal?: AbortSignal, progress?: vscode.Progress<{ message?: string }>): Promise<SavingsReport> {
    const s = this.settings;
    const warnings: string[] = [...(request.notes ?? [])];
    const provider = detectProvider(request.instanceType);
    const region = request.region ?? (provider === 'aws' ? s.get('aws.region') : provider ? defaultRegions[provider] : undefined);
    progress?.report({ message: this.liveEnabled ? 'prices (live)…' : 'prices…' });
    const { prices, warnings: priceWarnings } = await this.resolver().resolve(request.instanceType, region, { live: this.liveEnabled, signal });
    warnings.push(...priceWarnings);
    if (!request.region) warnings.push(`No region given: priced in ${prices.region}.`);

    let metrics: (UtilisationSeries & { source: string }) | undefined;
    if (request.resourceId && prices.provider === 'aws' && /(^|\/)i-[0-9a-f]+$/.test(request.resourceId)) {
      if (!s.get('aws.enabled') || !vscode.workspace.isTrusted) {
        warnings.push('Right-sizing reads CloudWatch: turn on "mlFinops.aws.enabled" (in a trusted workspace) to size this instance from its metrics.');
      } else {
        progress?.report({ message: 'CloudWatch metrics…' });
        try {
          metrics = await new CloudWatchMetrics({ profile: s.get('aws.profile'), region: prices.region, endpoint: s.get('aws.endpoint'), log: this.services.log })
            .getUtilisation(instanceIdOf(request.resourceId), {}, signal);
        } catch (e) {
          warnings.push(`CloudWatch metrics unavailable: ${describeError(e)}`);
        }
      }
    }

    let schedule: Schedule | undefined;
    try {
      schedule = this.schedule();
    } catch (e) {
      warnings.push(`The "mlFinops.savings.schedule" setting is not a schedule: ${describeError(e)}`);
    }
    const now = new Date();
    const hours = s.get('savings.hoursPerMonth');
    const idle = metrics?.gpu ?? metrics?.cpu;
    const plan = planSavings({
      prices,
      candidates: shippedCatalogue().pricedIn(prices.provider, prices.region),
      hoursPerMonth: hours,
      month: { year: now.getFullYear(), month: now.getMonth() + 1 },
      ...(metrics ? { metrics, metricsSource: metrics.source } : {}),
      ...(schedule ? { schedule } : idle?.length ? { idleSeries: { points: idle, timeZone: localTimeZone() } } : {}),
      spot: { interruptionsPerHour: s.get('savings.spotInterruptionsPerDay') / 24, checkpointIntervalHours: s.get('savings.checkpointIntervalMinutes') / 60 },
    });
    return buildReport(plan, { hoursPerMonth: hours, warnings, ...(request.subject ? { subject: request.subject } : {}), now });
  }
}
