import { z } from 'zod';
import { CancelledError, FinOpsError, INTERNAL_FIX } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import { parseRetryAfter, throttled, withRetry, type RetryOptions } from '../../core/retry';
import { isoDate, termHours, type CommitmentPrice, type InstancePrices, type PriceSource, type PriceSourceRef } from '../../core/pricing/model';

/**
 * Live Azure VM prices from the Azure Retail Prices API (public REST, no sign-in): pay-as-you-go Linux, Spot, and
 * 1- / 3-year reservations, following NextPageLink. The endpoint is configurable (sovereign clouds, tests).
 */

const DEFAULT_RETAIL_PRICES_ENDPOINT = 'https://prices.azure.com';
const API_VERSION = '2023-01-01-preview';

interface AzureRetailPricesOptions {
  /** Base URL; default https://prices.azure.com. */
  endpoint?: string;
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  now?: () => Date;
  fetch?: typeof fetch;
}

const retailItemSchema = z.looseObject({
  currencyCode: z.string(),
  retailPrice: z.number(),
  unitPrice: z.number(),
  armRegionName: z.string(),
  armSkuName: z.string(),
  skuName: z.string(),
  productName: z.string(),
  serviceName: z.string().optional(),
  unitOfMeasure: z.string(),
  type: z.string(),
  reservationTerm: z.string().optional(),
  effectiveStartDate: z.string().optional(),
  meterName: z.string().optional(),
});
type RetailItem = z.infer<typeof retailItemSchema>;

const pageSchema = z.object({
  BillingCurrency: z.string().optional(),
  Items: z.array(z.unknown()),
  NextPageLink: z.string().nullable().optional(),
  Count: z.number().optional(),
});

/** Hours in a unit of measure such as "1 Hour", "100 Hours"; undefined for anything else. */
function hoursOf(unit: string): number | undefined {
  const m = /^(\d+)\s+Hours?$/i.exec(unit.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Turns the Retail Prices items of one VM size and region into prices: the Linux pay-as-you-go meter (not
 * Windows, not Low Priority), the Spot meter, and reservations (whose unit price is the whole term's).
 */
function pricesFromRetailItems(items: readonly RetailItem[], source: PriceSourceRef): Pick<InstancePrices, 'onDemand' | 'spot' | 'commitments' | 'notes'> | undefined {
  const linux = items.filter((i) => i.currencyCode === 'USD' && !/windows/i.test(i.productName) && !/low priority/i.test(i.skuName));
  const hourly = (i: RetailItem) => {
    const h = hoursOf(i.unitOfMeasure);
    return h ? i.unitPrice / h : undefined;
  };
  const payg = linux.filter((i) => i.type === 'Consumption' && !/spot/i.test(i.skuName)).map(hourly).filter((v): v is number => v !== undefined && v > 0);
  if (payg.length === 0) return undefined;
  const spot = linux.filter((i) => i.type === 'Consumption' && /spot/i.test(i.skuName)).map(hourly).filter((v): v is number => v !== undefined && v > 0);
  const commitments: CommitmentPrice[] = [];
  for (const r of linux.filter((i) => i.type === 'Reservation')) {
    const term = /^3 Years?$/i.test(r.reservationTerm ?? '') ? 3 : /^1 Years?$/i.test(r.reservationTerm ?? '') ? 1 : undefined;
    if (!term || !(r.unitPrice > 0)) continue;
    const total = r.unitPrice;
    const effectiveHourly = total / termHours(term);
    const derivation = 'Azure reservations cost the same paid up front or monthly; the unit price is the whole term.';
    commitments.push({ kind: 'reservation', term, payment: 'allUpfront', upfront: total, hourly: 0, effectiveHourly, source, derivation });
    commitments.push({ kind: 'reservation', term, payment: 'noUpfront', upfront: 0, hourly: effectiveHourly, effectiveHourly, source, derivation });
  }
  return {
    onDemand: { hourly: Math.min(...payg), source },
    ...(spot.length ? { spot: { hourly: Math.min(...spot), source } } : {}),
    commitments,
    notes: ['Linux pay-as-you-go; reservations apply to the VM compute only (no OS licence).'],
  };
}

export class AzureRetailPrices implements PriceSource {
  readonly id = 'azure-retail-prices';
  readonly provider = 'azure' as const;
  readonly label = 'Azure Retail Prices API';
  private readonly log: Logger;
  private readonly endpoint: string;

  constructor(private readonly options: AzureRetailPricesOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.endpoint = (options.endpoint || DEFAULT_RETAIL_PRICES_ENDPOINT).replace(/\/+$/, '');
  }

  private async page(url: string, signal?: AbortSignal): Promise<z.infer<typeof pageSchema>> {
    const doFetch = this.options.fetch ?? fetch;
    return withRetry(async () => {
      let res: Response;
      try {
        res = await doFetch(url, { headers: { accept: 'application/json' }, signal: signal ?? null });
      } catch (e) {
        if (signal?.aborted) throw new CancelledError();
        throw new FinOpsError('unavailable', `Could not reach the Azure Retail Prices API at ${this.endpoint}.`, { fix: 'Check the network connection, a proxy, or "mlFinops.savings.azureRetailPricesEndpoint".', cause: e });
      }
      if (res.status === 429) {
        throw throttled('The Azure Retail Prices API is throttling requests.', { retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
      }
      if (res.status >= 500) throw new FinOpsError('unavailable', `The Azure Retail Prices API failed (HTTP ${res.status}).`, { fix: 'Try again in a minute.' });
      if (!res.ok) throw new FinOpsError('input', `The Azure Retail Prices API refused the query (HTTP ${res.status}): ${(await res.text()).slice(0, 200)}`, { fix: 'Check the VM size and the region, and "mlFinops.savings.azureRetailPricesEndpoint".' });
      let json: unknown;
      try {
        json = await res.json();
      } catch (e) {
        throw new FinOpsError('internal', 'The Azure Retail Prices API answered something that is not JSON.', { fix: INTERNAL_FIX, cause: e });
      }
      const parsed = pageSchema.safeParse(json);
      if (!parsed.success) throw new FinOpsError('internal', `The Azure Retail Prices API answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX });
      return parsed.data;
    }, { ...this.options.retry, signal, log: this.log, what: 'Azure Retail Prices' });
  }

  /** Every Virtual Machines price item for one ARM SKU in one region. */
  async items(armSkuName: string, region: string, signal?: AbortSignal): Promise<RetailItem[]> {
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const filter = `serviceName eq 'Virtual Machines' and armSkuName eq ${quote(armSkuName)} and armRegionName eq ${quote(region)}`;
    let url: string | undefined = `${this.endpoint}/api/retail/prices?api-version=${API_VERSION}&$filter=${encodeURIComponent(filter)}`;
    const origin = new URL(this.endpoint).origin;
    const out: RetailItem[] = [];
    for (let pages = 0; url && pages < 50; pages++) {
      throwIfAborted(signal);
      const page = await this.page(url, signal);
      for (const raw of page.Items) {
        const item = retailItemSchema.safeParse(raw);
        if (item.success) out.push(item.data);
      }
      // only follow links to the configured endpoint
      url = page.NextPageLink && new URL(page.NextPageLink, this.endpoint).origin === origin ? page.NextPageLink : undefined;
    }
    return out;
  }

  async getPrices(instanceType: string, region: string, base: InstancePrices | undefined, signal?: AbortSignal): Promise<InstancePrices | undefined> {
    const items = await this.items(instanceType, region, signal);
    const dates = items.map((i) => i.effectiveStartDate?.slice(0, 10)).filter((d): d is string => Boolean(d)).sort();
    const source: PriceSourceRef = { name: 'Azure Retail Prices API', capturedAt: isoDate(this.options.now?.() ?? new Date()), live: true, url: `${this.endpoint}/api/retail/prices` };
    const prices = pricesFromRetailItems(items, source);
    if (!prices) return undefined;
    return {
      provider: 'azure',
      region,
      instanceType: items[0]?.armSkuName ?? instanceType,
      shape: base?.shape ?? { vcpu: 0, memoryGiB: 0, gpus: null },
      currency: 'USD',
      ...prices,
      notes: [...prices.notes, ...(dates.length ? [`Prices effective from ${dates[dates.length - 1]}.`] : []), ...(base ? [] : ['The VM shape is not in the snapshot.'])],
    };
  }
}
