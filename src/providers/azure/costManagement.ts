import type { CostManagementClient, QueryDefinition, QueryFilter, QueryGrouping } from '@azure/arm-costmanagement';
import { z } from 'zod';
import type { CostQuery, CostResult, CostRow, FocusDimension, GroupKey } from '../../core/cost/model';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { RequestMeter } from '../../core/cache/requestMeter';
import { allPages, callWithRetry, type RetryOptions } from '../../core/retry';
import { CloudCostSource } from '../cloudCostSource';
import { armEndpoint, azureCredential, parseScope, type AzureOptions } from './config';
import { mapAzureError } from './errors';

/**
 * Azure Cost Management Query API as a CostSource: one POST per page on the configured scope, grouped by
 * dimensions and TagKey, every nextLink followed, HTTP 429 retried after the Retry-After the service names.
 * ActualCost answers BilledCost, AmortizedCost answers EffectiveCost. The query asks for daily rows (the only
 * granularity the API documents) and monthly rows are summed from them; 'total' asks for no granularity.
 */
const API = 'Cost Management Query';
const ACTION = 'Microsoft.CostManagement/query/action';
const ROLE = 'Cost Management Reader';
const COST_COLUMNS = ['cost', 'pretaxcost', 'costusd', 'pretaxcostusd', 'totalcost'];

/** FOCUS ChargeCategory of an Azure ChargeType. */
function azureChargeCategory(chargeType: string): string {
  if (/refund/i.test(chargeType)) return 'Credit';
  if (/purchase/i.test(chargeType)) return 'Purchase';
  if (/tax/i.test(chargeType)) return 'Tax';
  if (/adjustment|rounding/i.test(chargeType)) return 'Adjustment';
  return 'Usage';
}
/** FOCUS PricingCategory of an Azure PricingModel. */
function azurePricingCategory(pricingModel: string): string {
  if (/spot/i.test(pricingModel)) return 'Dynamic';
  if (/reservation|savingsplan|savings plan/i.test(pricingModel)) return 'Committed';
  if (/ondemand|on demand|payg/i.test(pricingModel)) return 'Standard';
  return 'Other';
}

interface AzDimension {
  name: string;
  value?: (v: string) => string | null;
  /** Values the service knows for a FOCUS filter (default: the FOCUS values as they are). */
  filterValues?: (values: string[]) => string[];
}
const dimensions: Partial<Record<FocusDimension, AzDimension>> = {
  ServiceName: { name: 'ServiceName' },
  RegionId: { name: 'ResourceLocation' },
  SubAccountId: { name: 'SubscriptionId' },
  SubAccountName: { name: 'SubscriptionName' },
  BillingAccountId: { name: 'BillingAccountId' },
  ResourceId: { name: 'ResourceId' },
  ResourceType: { name: 'ResourceType' },
  ChargeCategory: { name: 'ChargeType', value: azureChargeCategory, filterValues: (vs) => ['Usage', 'Purchase', 'Refund', 'UnusedReservation', 'UnusedSavingsPlan', 'Tax', 'Adjustment'].filter((c) => vs.includes(azureChargeCategory(c))) },
  PricingCategory: { name: 'PricingModel', value: azurePricingCategory, filterValues: (vs) => ['OnDemand', 'Spot', 'Reservation', 'SavingsPlan'].filter((p) => vs.includes(azurePricingCategory(p))) },
};

function unsupported(key: string): FinOpsError {
  return new FinOpsError('input', `Azure Cost Management cannot group or filter by ${key}.`, { fix: `Use ProviderName, ${Object.keys(dimensions).join(', ')} or one tag (tag:Key).`, code: 'unsupportedGrouping' });
}

type Column = { kind: 'constant'; value: string } | { kind: 'dimension'; dim: AzDimension } | { kind: 'tag'; azureKey: string };

interface CostManagementPlan {
  /** The request body; undefined when the filters exclude Azure altogether. */
  body?: QueryDefinitionJson;
  columns: Column[];
  /** Filters that are applied to the answer (untagged values cannot be asked for). */
  localFilters: { index: number; values: (string | null)[] }[];
}

/** The Query API body as JSON (what goes on the wire for the first page and every nextLink). */
interface QueryDefinitionJson {
  type: 'ActualCost' | 'AmortizedCost';
  timeframe: 'Custom';
  timePeriod: { from: string; to: string };
  dataset: {
    granularity?: 'Daily';
    aggregation: { totalCost: { name: string; function: 'Sum' } };
    grouping?: QueryGrouping[];
    filter?: QueryFilter;
  };
}

/** The day before an ISO date (the Query API's `to` is inclusive; CostQuery periods are half-open). */
function dayBefore(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function planCostManagementQuery(query: CostQuery, tagKeyFor: (key: string) => string = (k) => k): CostManagementPlan {
  if (query.metric === 'ListCost') {
    throw new FinOpsError('input', 'The Azure Cost Management Query API has no list cost.', { fix: 'Choose EffectiveCost or BilledCost in "mlFinops.cost.metric", or read an Azure FOCUS export for ListCost.' });
  }
  const grouping: QueryGrouping[] = [];
  const columns: Column[] = query.groupBy.map((key: GroupKey): Column => {
    if (key === 'ProviderName') return { kind: 'constant', value: 'Microsoft' };
    if (key.startsWith('tag:')) {
      const azureKey = tagKeyFor(key.slice(4));
      if (grouping.some((g) => g.type === 'TagKey' && g.name !== azureKey)) {
        throw new FinOpsError('input', 'Azure Cost Management groups by one tag key at a time.', { fix: 'Group by a single tag (and at most one dimension).', code: 'unsupportedGrouping' });
      }
      if (!grouping.some((g) => g.type === 'TagKey')) grouping.push({ type: 'TagKey', name: azureKey });
      return { kind: 'tag', azureKey };
    }
    const dim = dimensions[key as FocusDimension];
    if (!dim) throw unsupported(key);
    if (!grouping.some((g) => g.type === 'Dimension' && g.name === dim.name)) grouping.push({ type: 'Dimension', name: dim.name });
    return { kind: 'dimension', dim };
  });
  if (grouping.length > 2) {
    throw new FinOpsError('input', `Azure Cost Management groups by at most two keys; the query asks for ${grouping.length} (${query.groupBy.join(', ')}).`, { fix: 'Group by fewer keys, or read an Azure FOCUS export for deeper breakdowns.', code: 'unsupportedGrouping' });
  }

  const filters: QueryFilter[] = [];
  const localFilters: CostManagementPlan['localFilters'] = [];
  for (const filter of query.filters ?? []) {
    const values = filter.values.filter((v): v is string => v !== null);
    if (filter.key === 'ProviderName') {
      if (!values.includes('Microsoft')) return { columns, localFilters };
      continue;
    }
    const wantsMissing = values.length < filter.values.length;
    const groupIndex = query.groupBy.indexOf(filter.key);
    if (wantsMissing) {
      // The API cannot ask for "no value": filter the grouped answer instead.
      if (groupIndex < 0) throw new FinOpsError('input', `Azure Cost Management can only filter on a missing ${filter.key} when the query also groups by it.`, { fix: `Add ${filter.key} to the group-by keys.` });
      localFilters.push({ index: groupIndex, values: filter.values });
      continue;
    }
    if (!values.length) return { columns, localFilters };
    if (filter.key.startsWith('tag:')) {
      filters.push({ tags: { name: tagKeyFor(filter.key.slice(4)), operator: 'In', values } });
      continue;
    }
    const dim = dimensions[filter.key as FocusDimension];
    if (!dim) throw unsupported(filter.key);
    const azValues = dim.filterValues ? dim.filterValues(values) : values;
    if (!azValues.length) return { columns, localFilters };
    filters.push({ dimensions: { name: dim.name, operator: 'In', values: azValues } });
  }

  const body: QueryDefinitionJson = {
    type: query.metric === 'BilledCost' ? 'ActualCost' : 'AmortizedCost',
    timeframe: 'Custom',
    timePeriod: { from: new Date(`${query.period.start}T00:00:00Z`).toISOString(), to: new Date(`${dayBefore(query.period.end)}T23:59:59Z`).toISOString() },
    dataset: {
      ...(query.granularity === 'total' ? {} : { granularity: 'Daily' as const }),
      aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      ...(grouping.length ? { grouping } : {}),
      ...(filters.length === 1 ? { filter: filters[0] } : filters.length > 1 ? { filter: { and: filters } } : {}),
    },
  };
  return { body, columns, localFilters };
}

const pageSchema = z.object({
  nextLink: z.string().nullish(),
  columns: z.array(z.object({ name: z.string(), type: z.string().optional() })).default([]),
  rows: z.array(z.array(z.unknown())).default([]),
});
type QueryPage = z.infer<typeof pageSchema>;

/** "20240901" / 20240901 / "2024-09-01T00:00:00" → "2024-09-01". */
function isoDate(value: unknown): string | undefined {
  const text = String(value ?? '');
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

function rowsFromQueryPages(query: CostQuery, plan: CostManagementPlan, pages: QueryPage[]): CostRow[] {
  const sums = new Map<string, CostRow>();
  for (const page of pages) {
    const names = page.columns.map((c) => c.name.toLowerCase());
    const costAt = names.findIndex((n) => COST_COLUMNS.includes(n));
    const dateAt = names.findIndex((n) => n === 'usagedate' || n === 'billingmonth');
    const currencyAt = names.indexOf('currency');
    const tagValueAt = names.indexOf('tagvalue');
    if (costAt < 0 || currencyAt < 0) throw new FinOpsError('internal', `The Cost Management answer has no cost or currency column (columns: ${page.columns.map((c) => c.name).join(', ')}).`, { fix: INTERNAL_FIX });
    for (const r of page.rows) {
      const cost = Number(r[costAt]);
      if (!Number.isFinite(cost)) continue;
      const groups: Record<string, string | null> = {};
      query.groupBy.forEach((key, i) => {
        const col = plan.columns[i]!;
        if (col.kind === 'constant') groups[key] = col.value;
        else if (col.kind === 'tag') groups[key] = tagValueAt >= 0 && r[tagValueAt] !== null && r[tagValueAt] !== '' ? String(r[tagValueAt]) : null;
        else {
          const at = names.indexOf(col.dim.name.toLowerCase());
          const raw = at >= 0 && r[at] !== null && r[at] !== undefined ? String(r[at]) : '';
          groups[key] = raw === '' ? null : col.dim.value ? col.dim.value(raw) : raw;
        }
      });
      if (plan.localFilters.some((f) => !f.values.includes(groups[query.groupBy[f.index]!] ?? null))) continue;
      const day = dateAt >= 0 ? isoDate(r[dateAt]) : undefined;
      const period = query.granularity === 'total' || !day ? query.period.start : query.granularity === 'monthly' ? `${day.slice(0, 7)}-01` : day;
      const currency = String(r[currencyAt] ?? '');
      const id = JSON.stringify([period, currency, ...query.groupBy.map((k) => groups[k])]);
      const row = sums.get(id);
      if (row) row.cost += cost;
      else sums.set(id, { groups, period, cost, currency });
    }
  }
  return [...sums.values()].sort((a, b) => a.period.localeCompare(b.period) || b.cost - a.cost);
}

interface CostManagementOptions extends AzureOptions {
  log?: Logger;
  meter?: RequestMeter;
  tagKeyFor?: (key: string) => string;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random' | 'maxRetryAfterMs'>;
  maxPages?: number;
  apiVersion?: string;
}

export class CostManagementSource extends CloudCostSource<CostManagementClient> {
  constructor(private readonly options: CostManagementOptions) {
    parseScope(options.scope);
    super('azure', `Azure Cost Management (${options.scope})`, options);
  }

  protected async createClient(): Promise<CostManagementClient> {
    const { CostManagementClient } = await import('@azure/arm-costmanagement');
    return new CostManagementClient(await azureCredential(this.options), {
      endpoint: armEndpoint(this.options),
      // Throttling is retried by src/core/retry.ts, which honours Cost Management's own retry-after headers.
      retryOptions: { maxRetries: 0 },
      ...(this.options.apiVersion ? { apiVersion: this.options.apiVersion } : {}),
      ...(this.options.agent ? { agent: this.options.agent } : {}),
    });
  }

  protected async answer(query: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    const plan = planCostManagementQuery(query, this.options.tagKeyFor);
    const fetchedAt = new Date().toISOString();
    if (!plan.body) return { query, rows: [], source: this.label, fetchedAt };
    const body = plan.body;
    const client = await this.getClient();
    const { createHttpHeaders, createPipelineRequest } = await import('@azure/core-rest-pipeline');
    const scope = this.options.scope.replace(/^\/+|\/+$/g, '');
    const ctx = { options: this.options, api: API, action: ACTION, role: ROLE };
    const origin = new URL(armEndpoint(this.options)).origin;
    const maxPages = this.options.maxPages ?? 200;
    let requests = 0;
    /** The first page from the SDK; the next ones by POSTing the same body to nextLink (the SDK has no "next page" for Query). */
    const fetchPage = async (link: string | undefined): Promise<QueryPage> => {
      requests++;
      if (link === undefined) {
        const definition: QueryDefinition = { ...body, timePeriod: { from: new Date(body.timePeriod.from), to: new Date(body.timePeriod.to) } };
        const r = await client.query.usage(scope, definition, { abortSignal: signal });
        return pageSchema.parse({ nextLink: r.nextLink, columns: r.columns, rows: r.rows });
      }
      const response = await client.sendRequest(createPipelineRequest({
        url: link, method: 'POST', body: JSON.stringify(body), abortSignal: signal,
        headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', accept: 'application/json' }),
      }));
      if (response.status >= 400) {
        throw Object.assign(new Error(`HTTP ${response.status}: ${response.bodyAsText ?? ''}`), { statusCode: response.status, response: { status: response.status, headers: { get: (n: string) => response.headers.get(n) } } });
      }
      const json = JSON.parse(response.bodyAsText ?? '{}') as { properties?: unknown };
      return pageSchema.parse(json.properties ?? {});
    };
    const mapError = (e: unknown) => (e instanceof z.ZodError
      ? new FinOpsError('internal', `Cost Management returned an unexpected answer: ${e.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX })
      : mapAzureError(e, ctx));
    let pages: QueryPage[];
    try {
      pages = await allPages(async (link: string | undefined) => {
        const page = await callWithRetry(() => fetchPage(link), { ...this.options.retry, signal, log: this.log, what: API, mapError });
        const next = page.nextLink || undefined;
        // The bearer token must never follow a link to another host.
        if (next && new URL(next).origin !== origin) throw new FinOpsError('internal', `Cost Management returned a nextLink outside ${origin}; not followed.`, { fix: 'Check "mlFinops.azure.endpoint": the answer came from somewhere else than the endpoint asked.' });
        return { page, next };
      }, {
        maxPages,
        tooMany: () => new FinOpsError('input', `Cost Management returned more than ${maxPages} pages for one query.`, { fix: 'Choose a shorter period or fewer group-by keys.', code: 'unsupportedGrouping' }),
      });
    } finally {
      if (requests > 0) this.meter.record({ source: this.id, api: API, requests });
    }
    return { query, rows: rowsFromQueryPages(query, plan, pages), source: this.label, fetchedAt };
  }
}
