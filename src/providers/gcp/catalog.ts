import type { CloudCatalogClient } from '@google-cloud/billing';
import { z } from 'zod';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { isoDate, type CommitmentPrice, type InstancePrices, type PriceSource, type PriceSourceRef } from '../../core/pricing/model';
import { gaxClientOptions, type GcpOptions } from './config';
import { callGoogle } from './errors';

/**
 * Live Compute Engine prices from the Cloud Billing Catalog API (CloudCatalogClient.listSkus over REST). Google
 * prices a VM by its parts: vCPU-hours and GiB-hours of its series, plus GPU-hours for the GPUs it carries
 * (A2, A3, G2 include theirs). A machine type's hourly price is therefore
 *   vCPUs × core SKU + memory × RAM SKU + GPUs × GPU SKU
 * for on-demand (usageType OnDemand), Spot (Preemptible) and 1- / 3-year resource commitments (Commit1Yr / Commit3Yr).
 */

const COMPUTE_ENGINE_SERVICE = 'services/6F81-5844-456A';

interface GcpCatalogOptions extends GcpOptions {
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  pageSize?: number;
  now?: () => Date;
}

const money = z.object({ units: z.union([z.string(), z.number()]).nullish(), nanos: z.number().nullish(), currencyCode: z.string().nullish() });
export const skuSchema = z.object({
  skuId: z.string().nullish(),
  description: z.string(),
  category: z.object({ resourceFamily: z.string().nullish(), resourceGroup: z.string().nullish(), usageType: z.string().nullish() }).nullish(),
  serviceRegions: z.array(z.string()).nullish(),
  pricingInfo: z.array(z.object({
    effectiveTime: z.union([z.string(), z.object({ seconds: z.union([z.string(), z.number()]).nullish() })]).nullish(),
    pricingExpression: z.object({
      usageUnit: z.string().nullish(),
      tieredRates: z.array(z.object({ startUsageAmount: z.number().nullish(), unitPrice: money.nullish() })).nullish(),
    }).nullish(),
  })).nullish(),
});
type CatalogSku = z.infer<typeof skuSchema>;

function unitPrice(sku: CatalogSku): number | undefined {
  const rates = sku.pricingInfo?.[0]?.pricingExpression?.tieredRates ?? [];
  // the first tier that is not free
  for (const r of rates) {
    const p = r.unitPrice;
    if (!p) continue;
    const v = Math.round((Number(p.units ?? 0) + (p.nanos ?? 0) / 1e9) * 1e9) / 1e9;
    if (v > 0) return v;
  }
  return undefined;
}

const GPU_PATTERNS: Record<string, { include: RegExp; exclude?: RegExp }> = {
  a100: { include: /\bA100\b/i, exclude: /80\s?GB/i },
  'a100-80gb': { include: /\bA100 80\s?GB\b/i },
  h100: { include: /\bH100\b/i, exclude: /mega/i },
  'h100-mega': { include: /\bH100 80\s?GB Mega\b/i },
  l4: { include: /\bL4\b/i },
  t4: { include: /\bT4\b/i },
  v100: { include: /\bV100\b/i },
};

const EXCLUDED = /custom|sole tenancy|premium|extended|dws|calendar|flex|reserved|licen[cs]e|memory-optimized upgrade/i;

type Usage = 'OnDemand' | 'Preemptible' | 'Commit1Yr' | 'Commit3Yr';

/**
 * The per-part prices of one machine series in one region, by usage type: core (per vCPU-hour), ram
 * (per GiB-hour) and gpu (per GPU-hour, for the given model).
 */
export function partPrices(skus: readonly CatalogSku[], series: string, region: string, gpuModelId: string | undefined): Partial<Record<Usage, { core?: number; ram?: number; gpu?: number }>> {
  const out: Partial<Record<Usage, { core?: number; ram?: number; gpu?: number }>> = {};
  const s = series.toUpperCase();
  const seriesWord = new RegExp(`(^|[\\s:])${s}\\b`, 'i');
  const gpuPattern = gpuModelId ? GPU_PATTERNS[gpuModelId] : undefined;
  for (const sku of skus) {
    if (!sku.serviceRegions?.includes(region) || EXCLUDED.test(sku.description)) continue;
    const usage = sku.category?.usageType as Usage | undefined;
    if (!usage || !['OnDemand', 'Preemptible', 'Commit1Yr', 'Commit3Yr'].includes(usage)) continue;
    const price = unitPrice(sku);
    if (price === undefined) continue;
    const group = (sku.category?.resourceGroup ?? '').toUpperCase();
    const d = sku.description;
    const slot = (out[usage] ??= {});
    if (group === 'GPU' || /\bGPU\b/i.test(d)) {
      if (gpuPattern && gpuPattern.include.test(d) && !gpuPattern.exclude?.test(d)) slot.gpu ??= price;
    } else if (seriesWord.test(d) && (group === 'CPU' || /\b(core|cpu)\b/i.test(d))) {
      slot.core ??= price;
    } else if (seriesWord.test(d) && (group === 'RAM' || /\bram\b/i.test(d))) {
      slot.ram ??= price;
    }
  }
  return out;
}

function effectiveDate(sku: CatalogSku | undefined): string | undefined {
  const t = sku?.pricingInfo?.[0]?.effectiveTime;
  if (!t) return undefined;
  if (typeof t === 'string') return t.slice(0, 10);
  return t.seconds !== undefined && t.seconds !== null ? new Date(Number(t.seconds) * 1000).toISOString().slice(0, 10) : undefined;
}

export class GcpCatalogPrices implements PriceSource {
  readonly id = 'gcp-billing-catalog';
  readonly provider = 'gcp' as const;
  readonly label = 'Cloud Billing Catalog API';
  private readonly log: Logger;
  private client?: Promise<CloudCatalogClient>;
  private skus?: Promise<CatalogSku[]>;

  constructor(private readonly options: GcpCatalogOptions) {
    this.log = options.log ?? silentLogger;
  }

  private getClient(): Promise<CloudCatalogClient> {
    this.client ??= (async () => {
      const { CloudCatalogClient } = await import('@google-cloud/billing');
      return new CloudCatalogClient(gaxClientOptions(this.options) as ConstructorParameters<typeof CloudCatalogClient>[0]);
    })();
    return this.client;
  }

  /** Every Compute Engine SKU (several thousand), listed once per session; the resolver caches the prices it derives. */
  listComputeSkus(signal?: AbortSignal): Promise<CatalogSku[]> {
    this.skus ??= (async () => {
      const client = await this.getClient();
      const ctx = { projectId: this.options.projectId, ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}), api: 'Cloud Billing Catalog listSkus', permission: 'the Cloud Billing Catalog API (any signed-in account)', role: 'an account with the Cloud Billing API enabled in the project' };
      const out: CatalogSku[] = [];
      let pageToken: string | undefined;
      do {
        throwIfAborted(signal);
        const [skus, next] = await callGoogle(ctx, async () => {
          const [page, request] = await client.listSkus({ parent: COMPUTE_ENGINE_SERVICE, currencyCode: 'USD', pageSize: this.options.pageSize ?? 5000, ...(pageToken ? { pageToken } : {}) }, { autoPaginate: false });
          return [page, (request as { pageToken?: string } | null)?.pageToken] as const;
        }, { signal, log: this.log, retry: this.options.retry });
        for (const raw of skus) {
          const parsed = skuSchema.safeParse(raw);
          if (parsed.success) out.push(parsed.data);
        }
        pageToken = next || undefined;
      } while (pageToken);
      this.log.info(`Cloud Billing Catalog: ${out.length} Compute Engine SKUs`);
      return out;
    })();
    this.skus.catch(() => { this.skus = undefined; });
    return this.skus;
  }

  async getPrices(instanceType: string, region: string, base: InstancePrices | undefined, signal?: AbortSignal): Promise<InstancePrices | undefined> {
    if (!base) {
      // Parts prices need the machine's vCPUs, memory and GPUs; the snapshot knows the GPU machine types.
      this.log.warn(`Cloud Billing Catalog: no shape for ${instanceType}; cannot price it from SKUs`);
      return undefined;
    }
    const skus = await this.listComputeSkus(signal);
    const series = instanceType.split('-')[0] ?? instanceType;
    const shape = base.shape;
    const parts = partPrices(skus, series, region, shape.gpus ? shape.gpuModelId : undefined);
    const price = (usage: Usage): number | undefined => {
      const p = parts[usage];
      if (!p || p.core === undefined || p.ram === undefined) return undefined;
      const gpus = shape.gpus ?? 0;
      if (gpus > 0 && p.gpu === undefined) return undefined;
      return shape.vcpu * p.core + shape.memoryGiB * p.ram + gpus * (p.gpu ?? 0);
    };
    const onDemand = price('OnDemand');
    if (onDemand === undefined) return undefined;
    const today = isoDate(this.options.now?.() ?? new Date());
    const dates = skus.filter((s) => s.serviceRegions?.includes(region)).map(effectiveDate).filter((d): d is string => Boolean(d)).sort();
    const source: PriceSourceRef = { name: 'Cloud Billing Catalog API (Compute Engine SKUs)', capturedAt: today, live: true };
    const spot = price('Preemptible');
    const commitments: CommitmentPrice[] = [];
    for (const [usage, term] of [['Commit1Yr', 1], ['Commit3Yr', 3]] as const) {
      const hourly = price(usage);
      if (hourly !== undefined) commitments.push({ kind: 'committedUse', term, payment: 'noUpfront', upfront: 0, hourly, effectiveHourly: hourly, source });
    }
    const gpuText = shape.gpus ? ` + ${shape.gpus} × ${shape.gpuModel ?? 'GPU'}` : '';
    return {
      provider: 'gcp',
      region,
      instanceType,
      shape,
      currency: 'USD',
      onDemand: { hourly: onDemand, source },
      ...(spot !== undefined ? { spot: { hourly: spot, source } } : {}),
      commitments,
      notes: [
        `Priced from SKUs: ${shape.vcpu} vCPU + ${shape.memoryGiB} GiB${gpuText} of the ${series.toUpperCase()} series in ${region}.`,
        ...(dates.length ? [`SKU prices effective from ${dates[dates.length - 1]}.`] : []),
        ...(commitments.length ? [] : ['No resource-based commitment SKUs for this series in the catalog.']),
      ],
    };
  }
}
