import * as path from 'node:path';
import type { Logger } from '../core/ports';
import { PriceResolver } from '../core/pricing/live';
import type { CloudProvider, PriceSource } from '../core/pricing/model';
import { shippedCatalogue } from '../core/pricing/shippedCatalogue';
import type { Settings } from '../core/settings';
import type { MetricSource } from '../core/sources';
import { CloudWatchMetrics, isEc2Instance } from './aws/cloudwatch';
import { instancesByLogicalId, type StackInstance } from './aws/deployedInstances';
import { AwsPriceSource } from './aws/prices';
import { AzureRetailPrices } from './azure/retailPrices';
import { DiskCache } from './diskCache';
import { GcpCatalogPrices } from './gcp/catalog';

/**
 * Where savings estimates get prices and metrics: the factory the extension and the CLI share (the extension
 * from the settings, the CLI from its flags), so neither builds a cloud client itself.
 */
interface SavingsSourceOptions {
  /** Price with the clouds' live price APIs (answers cached for 24 hours), else the shipped snapshot only. */
  live: boolean;
  /** AWS: Price List and spot history (live), CloudWatch (right-sizing). Absent: AWS is not asked. */
  aws?: { profile: string; region: string; endpoint: string };
  /** Why AWS is not asked, when it is not (shown instead of a right-sizing from CloudWatch). */
  awsOff?: string;
  azure?: { retailPricesEndpoint: string };
  gcp?: { projectId: string; endpoint: string; authClient?: unknown };
  /** Folder of the live-price cache. */
  cacheDir: string;
  log?: Logger;
}

/** A cloud's metric source for right-sizing, or why it cannot be asked; `covers` tells which resources it is for. */
type MetricsAvailability =
  | { kind: 'ready'; source: MetricSource; covers(resourceId: string): boolean }
  | { kind: 'off'; why: string; covers(resourceId: string): boolean };

export interface SavingsSources {
  /** Prices: the shipped snapshot, overlaid with live prices when they are on. */
  readonly resolver: PriceResolver;
  readonly live: boolean;
  /** The metric source of a cloud in a region (CloudWatch for AWS); undefined for a cloud without one. */
  metrics(provider: CloudProvider, region: string): MetricsAvailability | undefined;
  /**
   * The EC2 instances CloudFormation created for these logical ids (its `aws:cloudformation:logical-id` tag), in
   * the AWS region; undefined when AWS is not configured.
   */
  stackInstances?(logicalIds: readonly string[], signal?: AbortSignal): Promise<Map<string, StackInstance[]>>;
}

const PRICE_TTL_MS = 24 * 3_600_000;

export function createSavingsSources(options: SavingsSourceOptions): SavingsSources {
  const log = options.log ? { log: options.log } : {};
  const prices: PriceSource[] = [];
  if (options.live) {
    if (options.aws) prices.push(new AwsPriceSource({ ...options.aws, ...log }));
    if (options.azure) prices.push(new AzureRetailPrices({ endpoint: options.azure.retailPricesEndpoint, ...log }));
    if (options.gcp) prices.push(new GcpCatalogPrices({ ...options.gcp, ...log }));
  }
  const cache = new DiskCache({ dir: options.cacheDir, ttlMs: PRICE_TTL_MS, ...log });
  const resolver = new PriceResolver(shippedCatalogue(), prices, cache, options.log);
  const cloudWatch = new Map<string, CloudWatchMetrics>();
  return {
    resolver,
    live: options.live,
    metrics(provider, region) {
      if (provider !== 'aws') return undefined;
      if (!options.aws) return { kind: 'off', why: options.awsOff ?? 'AWS is not configured.', covers: isEc2Instance };
      let source = cloudWatch.get(region);
      if (!source) cloudWatch.set(region, (source = new CloudWatchMetrics({ ...options.aws, region, ...log })));
      return { kind: 'ready', source, covers: isEc2Instance };
    },
    ...(options.aws ? { stackInstances: (ids: readonly string[], signal?: AbortSignal) => instancesByLogicalId({ ...options.aws!, ...log }, ids, signal) } : {}),
  };
}

/** The extension's savings sources, from the settings: live prices only when turned on in a trusted workspace. */
function savingsSourcesFromSettings(settings: Settings, context: { trusted: boolean; storageDir: string; log?: Logger }): SavingsSources {
  const awsOn = settings['aws.enabled'] && context.trusted;
  return createSavingsSources({
    live: settings['savings.livePrices'] && context.trusted,
    ...(awsOn ? { aws: { profile: settings['aws.profile'], region: settings['aws.region'], endpoint: settings['aws.endpoint'] } } : {}),
    awsOff: 'Right-sizing reads CloudWatch: turn on "mlFinops.aws.enabled" (in a trusted workspace) to size this instance from its metrics.',
    azure: { retailPricesEndpoint: settings['savings.azureRetailPricesEndpoint'] },
    ...(settings['gcp.enabled'] ? { gcp: { projectId: settings['gcp.projectId'], endpoint: settings['gcp.endpoint'] } } : {}),
    cacheDir: path.join(context.storageDir, 'price-cache'),
    ...(context.log ? { log: context.log } : {}),
  });
}

/**
 * The extension's savings sources for the current settings and trust, rebuilt only when what they depend on
 * changes (price clients and SKU lists are reused between estimates).
 */
export function settingsSavingsSources(context: { settings(): Settings; trusted(): boolean; storageDir: string; log?: Logger }): () => SavingsSources {
  let cached: { key: string; sources: SavingsSources } | undefined;
  return () => {
    const s = context.settings();
    const trusted = context.trusted();
    const key = JSON.stringify([trusted, s['savings.livePrices'], s['aws.enabled'], s['aws.profile'], s['aws.region'], s['aws.endpoint'],
      s['savings.azureRetailPricesEndpoint'], s['gcp.enabled'], s['gcp.projectId'], s['gcp.endpoint']]);
    if (cached?.key !== key) cached = { key, sources: savingsSourcesFromSettings(s, { trusted, storageDir: context.storageDir, ...(context.log ? { log: context.log } : {}) }) };
    return cached.sources;
  };
}
