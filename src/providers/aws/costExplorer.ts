import type { CostExplorerClient, Expression, GetCostAndUsageCommandInput, GroupDefinition } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import type { CostQuery, CostResult, CostRow, FocusDimension, GroupKey } from '../../core/cost/model';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { RequestMeter } from '../../core/cache/requestMeter';
import { allPages, type RetryOptions } from '../../core/retry';
import { CloudCostSource } from '../cloudCostSource';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * AWS Cost Explorer as a CostSource: GetCostAndUsage with GroupBy DIMENSION / TAG, every page followed
 * (NextPageToken). UnblendedCost answers BilledCost, AmortizedCost answers EffectiveCost; Cost Explorer has no
 * list cost. Every request is billed (USD 0.01), so each one is counted and logged; wrap the source in
 * CachedCostSource so repeated queries cost nothing.
 */
const COST_EXPLORER_REQUEST_USD = 0.01;
const API = 'Cost Explorer GetCostAndUsage';
const ACTION = 'ce:GetCostAndUsage';

const metricOf = { BilledCost: 'UnblendedCost', EffectiveCost: 'AmortizedCost' } as const;

/** FOCUS ChargeCategory of a Cost Explorer RECORD_TYPE. */
export function chargeCategoryOf(recordType: string): string {
  if (recordType === 'Tax') return 'Tax';
  if (recordType === 'Credit' || recordType === 'Refund') return 'Credit';
  if (/Fee$|^Support$|Upfront|Recurring/.test(recordType)) return 'Purchase';
  if (/Discount|Negation/.test(recordType)) return 'Adjustment';
  return 'Usage';
}
const recordTypes = ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'Tax', 'Credit', 'Refund', 'RIFee', 'Fee', 'Support', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee', 'SavingsPlanNegation', 'BundledDiscount', 'Enterprise Discount Program Discount', 'Solution Provider Program Discount', 'Distributor Discount'];

/** FOCUS PricingCategory of a Cost Explorer PURCHASE_TYPE. */
function pricingCategoryOf(purchaseType: string): string {
  if (/spot/i.test(purchaseType)) return 'Dynamic';
  if (/reserved|savings plan|capacity block/i.test(purchaseType)) return 'Committed';
  if (/on demand/i.test(purchaseType)) return 'Standard';
  return 'Other';
}
const purchaseTypes = ['On Demand Instances', 'Spot Instances', 'Standard Reserved Instances', 'Convertible Reserved Instances', 'Dedicated Reserved Instances', 'Savings Plans', 'Capacity Blocks'];

interface CeDimension {
  /** The Cost Explorer dimension to group by. */
  group: string;
  /** The dimension to filter by (defaults to `group`). */
  filter?: string;
  /** FOCUS value of a Cost Explorer value (null = none). */
  value?: (v: string, attributes?: Record<string, string>) => string | null;
  /** Cost Explorer values for FOCUS filter values. */
  filterValues?: (values: string[]) => string[];
}

const dimensions: Partial<Record<FocusDimension, CeDimension>> = {
  ServiceName: { group: 'SERVICE' },
  RegionId: { group: 'REGION', value: (v) => (v === 'NoRegion' || v === '' ? null : v) },
  SubAccountId: { group: 'LINKED_ACCOUNT' },
  SubAccountName: { group: 'LINKED_ACCOUNT', filter: 'LINKED_ACCOUNT_NAME', value: (v, a) => a?.description ?? v },
  ChargeCategory: { group: 'RECORD_TYPE', value: chargeCategoryOf, filterValues: (vs) => recordTypes.filter((r) => vs.includes(chargeCategoryOf(r))) },
  PricingCategory: { group: 'PURCHASE_TYPE', value: pricingCategoryOf, filterValues: (vs) => purchaseTypes.filter((p) => vs.includes(pricingCategoryOf(p))) },
};

function unsupported(key: string): FinOpsError {
  const supported = ['ProviderName', ...Object.keys(dimensions)].join(', ');
  return new FinOpsError('input', `Cost Explorer cannot group or filter by ${key}.`, { fix: `Use ${supported} or a tag (tag:Key); for resource-level detail use a FOCUS export (mlFinops.focus.files) or Athena.`, code: 'unsupportedGrouping' });
}

/** How one of the query's group-by keys is answered: a constant, a Cost Explorer group, or a tag group. */
type Column = { kind: 'constant'; value: string } | { kind: 'group'; index: number; dim?: CeDimension; tagKey?: string };

interface CostExplorerPlan {
  /** The request without NextPageToken; undefined when the filters exclude AWS altogether. */
  input?: GetCostAndUsageCommandInput;
  columns: Column[];
  metric: string;
}

/** Translates a CostQuery into a GetCostAndUsage request (at most two Cost Explorer groups). */
function planCostExplorerQuery(query: CostQuery, tagKeyFor: (key: string) => string = (k) => k): CostExplorerPlan {
  if (query.metric === 'ListCost') {
    throw new FinOpsError('input', 'Cost Explorer has no list cost.', { fix: 'Choose EffectiveCost or BilledCost in "mlFinops.cost.metric", or use a FOCUS export for ListCost.' });
  }
  const metric = metricOf[query.metric];
  const groups: GroupDefinition[] = [];
  const columns: Column[] = query.groupBy.map((key: GroupKey): Column => {
    if (key === 'ProviderName') return { kind: 'constant', value: 'AWS' };
    let def: GroupDefinition;
    let dim: CeDimension | undefined;
    let tagKey: string | undefined;
    if (key.startsWith('tag:')) {
      tagKey = tagKeyFor(key.slice(4));
      def = { Type: 'TAG', Key: tagKey };
    } else {
      dim = dimensions[key as FocusDimension];
      if (!dim) throw unsupported(key);
      def = { Type: 'DIMENSION', Key: dim.group };
    }
    let index = groups.findIndex((g) => g.Type === def.Type && g.Key === def.Key);
    if (index < 0) {
      groups.push(def);
      index = groups.length - 1;
    }
    return { kind: 'group', index, dim, tagKey };
  });
  if (groups.length > 2) {
    throw new FinOpsError('input', `Cost Explorer groups by at most two keys; the query asks for ${groups.length} (${query.groupBy.join(', ')}).`, { fix: 'Group by fewer keys, or use a FOCUS export or Athena for deeper breakdowns.', code: 'unsupportedGrouping' });
  }

  const expressions: Expression[] = [];
  for (const filter of query.filters ?? []) {
    const values = filter.values.filter((v): v is string => v !== null);
    if (filter.key === 'ProviderName') {
      if (!values.includes('AWS')) return { columns, metric };
      continue;
    }
    if (filter.key.startsWith('tag:')) {
      const Key = tagKeyFor(filter.key.slice(4));
      const present: Expression | undefined = values.length ? { Tags: { Key, Values: values, MatchOptions: ['EQUALS'] } } : undefined;
      const absent: Expression | undefined = values.length < filter.values.length ? { Tags: { Key, MatchOptions: ['ABSENT'] } } : undefined;
      if (present && absent) expressions.push({ Or: [present, absent] });
      else if (present ?? absent) expressions.push((present ?? absent)!);
      else return { columns, metric };
      continue;
    }
    const dim = dimensions[filter.key as FocusDimension];
    if (!dim) throw unsupported(filter.key);
    const withNulls = filter.key === 'RegionId' && values.length < filter.values.length ? [...values, 'NoRegion'] : values;
    const ceValues = dim.filterValues ? dim.filterValues(withNulls) : withNulls;
    if (!ceValues.length) return { columns, metric };
    expressions.push({ Dimensions: { Key: (dim.filter ?? dim.group) as never, Values: ceValues, MatchOptions: ['EQUALS'] } });
  }

  const input: GetCostAndUsageCommandInput = {
    TimePeriod: { Start: query.period.start, End: query.period.end },
    Granularity: query.granularity === 'daily' ? 'DAILY' : 'MONTHLY',
    Metrics: [metric],
    ...(groups.length ? { GroupBy: groups } : {}),
    ...(expressions.length === 1 ? { Filter: expressions[0] } : expressions.length > 1 ? { Filter: { And: expressions } } : {}),
  };
  return { input, columns, metric };
}

const amount = z.object({ Amount: z.string().optional(), Unit: z.string().optional() });
const pageSchema = z.object({
  NextPageToken: z.string().optional(),
  ResultsByTime: z.array(z.object({
    TimePeriod: z.object({ Start: z.string(), End: z.string().optional() }),
    Total: z.record(z.string(), amount).optional(),
    Groups: z.array(z.object({ Keys: z.array(z.string()).optional(), Metrics: z.record(z.string(), amount).optional() })).optional(),
  })).optional(),
  DimensionValueAttributes: z.array(z.object({ Value: z.string().optional(), Attributes: z.record(z.string(), z.string()).optional() })).optional(),
});
type Page = z.infer<typeof pageSchema>;

/** Folds Cost Explorer pages into CostRows (summing rows that map to the same FOCUS values, e.g. record types). */
function rowsFromPages(query: CostQuery, plan: CostExplorerPlan, pages: Page[]): CostRow[] {
  const attributes = new Map<string, Record<string, string>>();
  for (const page of pages) for (const a of page.DimensionValueAttributes ?? []) if (a.Value && a.Attributes) attributes.set(a.Value, a.Attributes);
  const sums = new Map<string, CostRow>();
  const add = (period: string, keys: string[], value: z.infer<typeof amount> | undefined) => {
    if (!value?.Amount) return;
    const cost = Number(value.Amount);
    if (!Number.isFinite(cost)) throw new FinOpsError('internal', `Cost Explorer returned an amount that is not a number: "${value.Amount}".`, { fix: INTERNAL_FIX });
    if (!value.Unit) {
      if (cost === 0) return;
      throw new FinOpsError('internal', 'Cost Explorer returned an amount without a currency.', { fix: INTERNAL_FIX });
    }
    const groups: Record<string, string | null> = {};
    query.groupBy.forEach((key, i) => {
      const col = plan.columns[i]!;
      if (col.kind === 'constant') {
        groups[key] = col.value;
        return;
      }
      const raw = keys[col.index] ?? '';
      if (col.tagKey !== undefined) {
        const prefix = `${col.tagKey}$`;
        const v = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw.slice(raw.indexOf('$') + 1);
        groups[key] = v === '' ? null : v;
      } else {
        groups[key] = col.dim?.value ? col.dim.value(raw, attributes.get(raw)) : raw === '' ? null : raw;
      }
    });
    const rowPeriod = query.granularity === 'total' ? query.period.start : period;
    const id = JSON.stringify([rowPeriod, value.Unit, ...query.groupBy.map((k) => groups[k])]);
    const row = sums.get(id);
    if (row) row.cost += cost;
    else sums.set(id, { groups, period: rowPeriod, cost, currency: value.Unit });
  };
  for (const page of pages) {
    for (const r of page.ResultsByTime ?? []) {
      if (plan.input?.GroupBy?.length) {
        for (const g of r.Groups ?? []) add(r.TimePeriod.Start, g.Keys ?? [], g.Metrics?.[plan.metric]);
      } else {
        add(r.TimePeriod.Start, [], r.Total?.[plan.metric]);
      }
    }
  }
  return [...sums.values()].sort((a, b) => a.period.localeCompare(b.period) || b.cost - a.cost);
}

interface CostExplorerSourceOptions extends AwsOptions {
  log?: Logger;
  meter?: RequestMeter;
  /** The cloud's name for a policy tag key (identity by default). */
  tagKeyFor?: (key: string) => string;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  /** Largest number of pages followed (a guard against a token that never ends). */
  maxPages?: number;
}

export class CostExplorerSource extends CloudCostSource<CostExplorerClient> {
  constructor(private readonly options: CostExplorerSourceOptions) {
    super('aws', `AWS Cost Explorer (${describeProfile(options)})`, options);
  }

  protected async createClient(): Promise<CostExplorerClient> {
    const { CostExplorerClient } = await import('@aws-sdk/client-cost-explorer');
    // Cost Explorer has one endpoint, in us-east-1, whatever the user's region.
    return new CostExplorerClient(await awsClientConfig(this.options, 'us-east-1'));
  }

  protected async answer(query: CostQuery, signal?: AbortSignal): Promise<CostResult> {
    const plan = planCostExplorerQuery(query, this.options.tagKeyFor);
    const fetchedAt = new Date().toISOString();
    const request = plan.input;
    if (!request) return { query, rows: [], source: this.label, fetchedAt };
    const { GetCostAndUsageCommand } = await import('@aws-sdk/client-cost-explorer');
    const client = await this.getClient();
    const ctx = { options: this.options, api: API, action: ACTION };
    const maxPages = this.options.maxPages ?? 100;
    let requests = 0;
    let pages: Page[];
    try {
      pages = await allPages(async (token: string | undefined) => {
        const input = { ...request, ...(token ? { NextPageToken: token } : {}) };
        const raw = await callAws(ctx, () => { requests++; return client.send(new GetCostAndUsageCommand(input), { abortSignal: signal }); }, { signal, log: this.log, retry: this.options.retry });
        const page = pageSchema.safeParse(raw);
        if (!page.success) throw new FinOpsError('internal', `Cost Explorer returned an unexpected response: ${page.error.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX });
        return { page: page.data, next: page.data.NextPageToken || undefined };
      }, {
        maxPages,
        tooMany: () => new FinOpsError('input', `Cost Explorer returned more than ${maxPages} pages for one query.`, { fix: 'Choose a shorter period, monthly granularity or fewer group-by keys.', code: 'unsupportedGrouping' }),
      });
    } finally {
      if (requests > 0) this.meter.record({ source: this.id, api: API, requests, unitPriceUsd: COST_EXPLORER_REQUEST_USD });
    }
    return { query, rows: rowsFromPages(query, plan, pages), source: this.label, fetchedAt };
  }
}
