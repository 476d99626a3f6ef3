/**
 * The one cost model every source answers in: FOCUS terms (FinOps Open Cost and Usage Specification 1.0–1.2).
 * A CostQuery names a period, a granularity, what to group by (FOCUS dimensions and tag keys), filters and a metric.
 */
export type CostMetric = 'BilledCost' | 'EffectiveCost' | 'ListCost';
export type Granularity = 'daily' | 'monthly' | 'total';

/** FOCUS dimensions a query can group or filter by. */
export const FOCUS_DIMENSIONS = [
  'ProviderName', 'ServiceName', 'ServiceCategory', 'RegionId', 'SubAccountId', 'SubAccountName',
  'BillingAccountId', 'ResourceId', 'ResourceName', 'ResourceType', 'ChargeCategory', 'PricingCategory', 'SkuId',
  'AvailabilityZone', 'RegionName', 'PublisherName', 'ChargeFrequency', 'CommitmentDiscountType', 'ServiceSubcategory',
  /** The instance type / VM size of a row: FOCUS 1.1+ `SkuPriceDetails.InstanceType` (what the GPU grouping reads). */
  'x_InstanceType',
] as const;
export type FocusDimension = (typeof FOCUS_DIMENSIONS)[number];

/** A group-by or filter key: a FOCUS dimension, or a tag key written `tag:Team` (the policy's key name). */
export type GroupKey = FocusDimension | `tag:${string}`;

/** Half-open period [start, end) as ISO dates (YYYY-MM-DD), in UTC. */
export interface Period { start: string; end: string }

export interface CostFilter { key: GroupKey; values: (string | null)[] }

export interface CostQuery {
  period: Period;
  granularity: Granularity;
  groupBy: GroupKey[];
  filters?: CostFilter[];
  metric: CostMetric;
  /** Also sum the usage hours of each group (FOCUS ConsumedQuantity of rows whose ConsumedUnit is hours), where the source can. */
  usageHours?: boolean;
}

/** One answer row: the group's values (null = missing tag / dimension), the period start, the cost and its currency. */
export interface CostRow {
  groups: Record<string, string | null>;
  /** ISO date of the row's period start (the query's start for granularity 'total'). */
  period: string;
  cost: number;
  currency: string;
  /** Usage hours of the group, when the query asked for them and the source knows them. */
  hours?: number;
}

export interface CostResult {
  query: CostQuery;
  rows: CostRow[];
  /** Where the numbers came from and when they were fetched (ISO timestamp). */
  source: string;
  fetchedAt: string;
  /** True when answered from the cache without a billable request. */
  fromCache?: boolean;
  /** What the user should know about these numbers (a dimension a file lacks, an export without amortization…). */
  warnings?: string[];
}
