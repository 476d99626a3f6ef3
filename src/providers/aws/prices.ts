import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { gpuModelFromName } from '../../core/pricing/gpuModels';
import {
  isoDate,
  termHours,
  type CommitmentPrice,
  type InstancePrices,
  type InstanceShape,
  type PaymentOption,
  type PriceSource,
  type PriceSourceRef,
} from '../../core/pricing/model';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * Live EC2 prices: on-demand and reserved-instance terms from the AWS Price List Query API (GetProducts, whose
 * PriceList is an array of JSON documents), and spot prices from EC2 DescribeSpotPriceHistory (last 7 days).
 */

interface AwsPriceOptions extends AwsOptions {
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  /** Days of spot history to average (default 7). */
  spotDays?: number;
  now?: () => Date;
}

const priceDimension = z.looseObject({
  unit: z.string(),
  pricePerUnit: z.record(z.string(), z.string()),
  description: z.string().optional(),
});

const term = z.looseObject({
  effectiveDate: z.string().optional(),
  priceDimensions: z.record(z.string(), priceDimension),
  termAttributes: z.record(z.string(), z.string()).optional(),
});

/** One element of GetProducts' PriceList (a JSON document in a string). */
export const priceListItemSchema = z.looseObject({
  product: z.looseObject({
    productFamily: z.string().optional(),
    sku: z.string().optional(),
    attributes: z.record(z.string(), z.string()),
  }),
  serviceCode: z.string().optional(),
  publicationDate: z.string().optional(),
  terms: z.looseObject({
    OnDemand: z.record(z.string(), term).optional(),
    Reserved: z.record(z.string(), term).optional(),
  }),
});
type PriceListItem = z.infer<typeof priceListItemSchema>;

const getProductsPage = z.object({
  FormatVersion: z.string().optional(),
  NextToken: z.string().optional(),
  // documented as JSON strings; the SDK may hand them over as String-like LazyJsonString objects
  PriceList: z.array(z.unknown()).optional(),
});

const spotPage = z.object({
  NextToken: z.string().optional(),
  SpotPriceHistory: z.array(z.object({
    AvailabilityZone: z.string().optional(),
    InstanceType: z.string().optional(),
    SpotPrice: z.string().optional(),
    Timestamp: z.date().optional(),
  })).optional(),
});

const PURCHASE: Record<string, PaymentOption> = {
  'No Upfront': 'noUpfront',
  'Partial Upfront': 'partialUpfront',
  'All Upfront': 'allUpfront',
};

function usd(d: z.infer<typeof priceDimension>): number {
  const v = Number(d.pricePerUnit.USD);
  return Number.isFinite(v) ? v : NaN;
}

function gib(text: string | undefined): number | undefined {
  const m = /([\d.,]+)\s*GiB/i.exec(text ?? '');
  return m?.[1] ? Number(m[1].replace(/,/g, '')) : undefined;
}

/**
 * Reads one EC2 product of the Price List: its on-demand hourly rate, its reserved-instance terms (upfront fee
 * and hourly rate per term, class and payment option) and its shape. Returns undefined for a product without
 * an on-demand hourly rate.
 */
export function parseEc2Product(item: PriceListItem, source: PriceSourceRef): { onDemand: number; commitments: CommitmentPrice[]; shape: Partial<InstanceShape>; effectiveDate?: string } | undefined {
  let onDemand: number | undefined;
  let effectiveDate: string | undefined;
  for (const t of Object.values(item.terms.OnDemand ?? {})) {
    for (const d of Object.values(t.priceDimensions)) {
      if (d.unit === 'Hrs' && Number.isFinite(usd(d)) && usd(d) > 0) {
        onDemand = usd(d);
        effectiveDate = t.effectiveDate;
      }
    }
  }
  if (onDemand === undefined) return undefined;
  const commitments: CommitmentPrice[] = [];
  for (const t of Object.values(item.terms.Reserved ?? {})) {
    const attrs = t.termAttributes ?? {};
    const years = attrs.LeaseContractLength === '3yr' ? 3 : attrs.LeaseContractLength === '1yr' ? 1 : undefined;
    const payment = PURCHASE[attrs.PurchaseOption ?? ''];
    const offering = attrs.OfferingClass === 'convertible' ? 'convertible' : attrs.OfferingClass === 'standard' ? 'standard' : undefined;
    if (!years || !payment || !offering) continue;
    let upfront = 0;
    let hourly = 0;
    for (const d of Object.values(t.priceDimensions)) {
      const v = usd(d);
      if (!Number.isFinite(v)) continue;
      if (d.unit === 'Quantity') upfront += v;
      else if (d.unit === 'Hrs') hourly += v;
    }
    const effectiveHourly = upfront / termHours(years) + hourly;
    commitments.push({ kind: 'reservedInstance', offering, term: years, payment, upfront, hourly, effectiveHourly, source });
  }
  const a = item.product.attributes;
  const gpus = a.gpu !== undefined ? Number(a.gpu) : undefined;
  const shape: Partial<InstanceShape> = {
    ...(a.vcpu ? { vcpu: Number(a.vcpu) } : {}),
    ...(gib(a.memory) !== undefined ? { memoryGiB: gib(a.memory) } : {}),
    ...(gpus !== undefined && Number.isFinite(gpus) ? { gpus } : {}),
  };
  return { onDemand, commitments, shape, ...(effectiveDate ? { effectiveDate } : {}) };
}

export class AwsPriceSource implements PriceSource {
  readonly id = 'aws-price-list';
  readonly provider = 'aws' as const;
  readonly label: string;
  private readonly log: Logger;
  private clients?: Promise<{ pricing: PricingClient; ec2: Map<string, EC2Client> }>;

  constructor(private readonly options: AwsPriceOptions) {
    this.label = `AWS Price List (${describeProfile(options)})`;
    this.log = options.log ?? silentLogger;
  }

  private getClients() {
    this.clients ??= (async () => {
      const { PricingClient } = await import('@aws-sdk/client-pricing');
      // The Price List Query API is served from us-east-1 (and ap-south-1, eu-central-1) whatever region is priced.
      return { pricing: new PricingClient(await awsClientConfig(this.options, 'us-east-1')), ec2: new Map<string, EC2Client>() };
    })();
    return this.clients;
  }

  private async ec2(region: string): Promise<EC2Client> {
    const clients = await this.getClients();
    let c = clients.ec2.get(region);
    if (!c) {
      const { EC2Client } = await import('@aws-sdk/client-ec2');
      c = new EC2Client(await awsClientConfig(this.options, region));
      clients.ec2.set(region, c);
    }
    return c;
  }

  private call<T>(api: string, action: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    return callAws({ options: this.options, api, action }, send, { signal, log: this.log, retry: this.options.retry });
  }

  /** Every GetProducts document for a Linux, shared-tenancy, no-preinstalled-software EC2 instance type in a region. */
  async getProducts(instanceType: string, region: string, signal?: AbortSignal): Promise<PriceListItem[]> {
    const { GetProductsCommand } = await import('@aws-sdk/client-pricing');
    const { pricing } = await this.getClients();
    const filters = Object.entries({
      instanceType, regionCode: region, operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used',
    }).map(([Field, Value]) => ({ Type: 'TERM_MATCH' as const, Field, Value }));
    const items: PriceListItem[] = [];
    let token: string | undefined;
    do {
      throwIfAborted(signal);
      const input = { ServiceCode: 'AmazonEC2', FormatVersion: 'aws_v1', Filters: filters, MaxResults: 100, ...(token ? { NextToken: token } : {}) };
      const page = getProductsPage.parse(await this.call('AWS Price List GetProducts', 'pricing:GetProducts', signal, () => pricing.send(new GetProductsCommand(input), { abortSignal: signal })));
      for (const raw of page.PriceList ?? []) {
        let json: unknown;
        try {
          json = typeof raw === 'string' || raw instanceof String ? JSON.parse(String(raw)) : raw;
        } catch {
          throw new FinOpsError('internal', 'AWS Price List GetProducts returned a price document that is not JSON.', { fix: INTERNAL_FIX });
        }
        const parsed = priceListItemSchema.safeParse(json);
        if (parsed.success) items.push(parsed.data);
        else this.log.warn(`Skipping a Price List document in an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
      }
      token = page.NextToken || undefined;
    } while (token);
    return items;
  }

  /** Spot prices of the last `spotDays` days across the region's availability zones: average, lowest and highest. */
  async getSpotHistory(instanceType: string, region: string, signal?: AbortSignal): Promise<{ average: number; min: number; max: number; zones: number; points: number } | undefined> {
    const { DescribeSpotPriceHistoryCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await this.ec2(region);
    const now = this.options.now?.() ?? new Date();
    const start = new Date(now.getTime() - (this.options.spotDays ?? 7) * 86_400_000);
    const prices: number[] = [];
    const zones = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      throwIfAborted(signal);
      const input = { InstanceTypes: [instanceType as never], ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'], StartTime: start, EndTime: now, MaxResults: 1000, ...(token ? { NextToken: token } : {}) };
      const page = spotPage.parse(await this.call('EC2 DescribeSpotPriceHistory', 'ec2:DescribeSpotPriceHistory', signal, () => ec2.send(new DescribeSpotPriceHistoryCommand(input), { abortSignal: signal })));
      for (const p of page.SpotPriceHistory ?? []) {
        const v = Number(p.SpotPrice);
        if (p.InstanceType !== instanceType || !Number.isFinite(v) || v <= 0) continue;
        prices.push(v);
        if (p.AvailabilityZone) zones.add(p.AvailabilityZone);
      }
      token = page.NextToken || undefined;
    } while (token && ++pages < 20);
    if (prices.length === 0) return undefined;
    return { average: prices.reduce((a, b) => a + b, 0) / prices.length, min: Math.min(...prices), max: Math.max(...prices), zones: zones.size, points: prices.length };
  }

  async getPrices(instanceType: string, region: string, base: InstancePrices | undefined, signal?: AbortSignal): Promise<InstancePrices | undefined> {
    const today = isoDate(this.options.now?.() ?? new Date());
    const products = await this.getProducts(instanceType, region, signal);
    const listSource: PriceSourceRef = { name: 'AWS Price List API (GetProducts)', capturedAt: today, live: true };
    const product = products.map((p) => parseEc2Product(p, listSource)).find((p) => p !== undefined);
    if (!product) return undefined;
    const spot = await this.getSpotHistory(instanceType, region, signal).catch((e: unknown) => {
      this.log.warn(`Spot price history for ${instanceType} in ${region} unavailable: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    const gpuModel = base?.shape.gpuModelId ? undefined : gpuModelFromName(products[0]?.product.attributes.gpuModel ?? products[0]?.product.attributes.physicalProcessor ?? '');
    const shape: InstanceShape = base?.shape ?? {
      vcpu: product.shape.vcpu ?? 0,
      memoryGiB: product.shape.memoryGiB ?? 0,
      gpus: product.shape.gpus ?? 0,
      ...(gpuModel ? { gpuModel: gpuModel.label, gpuModelId: gpuModel.id, gpuMemoryGiB: gpuModel.memoryGiB } : {}),
    };
    // The Price List's EC2 offer carries on-demand and RI terms only: Savings Plans rates are a separate offer, so
    // savings plans stay unestimated here (the report says so) rather than priced as convertible RIs.
    return {
      provider: 'aws',
      region,
      instanceType,
      shape,
      currency: 'USD',
      onDemand: { hourly: product.onDemand, source: listSource },
      ...(spot
        ? { spot: { hourly: spot.average, min: spot.min, max: spot.max, source: { name: `EC2 DescribeSpotPriceHistory (${spot.points} prices in ${spot.zones} zones, ${this.options.spotDays ?? 7} days)`, capturedAt: today, live: true } } }
        : base?.spot ? { spot: base.spot } : {}),
      commitments: product.commitments,
      notes: [
        'Linux, shared tenancy, no pre-installed software.',
        ...(product.effectiveDate ? [`On-demand rate effective ${product.effectiveDate.slice(0, 10)}.`] : []),
        ...(spot ? [] : base?.spot ? ['No live spot history: the spot price is from the snapshot.'] : []),
      ],
    };
  }
}
