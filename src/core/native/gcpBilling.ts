import type { ColumnInfo, SourceColumns } from './columns';
import { checkedValue, lookup, tagsFromEntries } from './columns';
import { GCP_SERVICE_CATEGORIES } from './serviceCategories';
import type { FocusProjection, NativeConverter } from './types';

/**
 * Google Cloud Billing export to BigQuery (standard or detailed usage cost) → FOCUS. Reads rows exported
 * flat (`service.description`, `labels` and `credits` as text, as CSV exports of the table write them) or
 * nested (STRUCT / LIST columns, as Parquet exports keep them). docs/column-mappings.md documents each column.
 */

/** A key/value list (labels) as `{k, v}` entries, from a LIST(STRUCT(key, value)), a MAP, or its text form. */
function keyValueEntries(c: SourceColumns, col: ColumnInfo | undefined): string | undefined {
  if (!col) return undefined;
  const ref = c.ref(col);
  if (/^STRUCT\(.*\)\[\]$/i.test(col.type)) return `list_transform(${ref}, l -> {k: CAST(l.key AS VARCHAR), v: CAST(l.value AS VARCHAR)})`;
  if (/^MAP\(/i.test(col.type)) return `list_transform(map_entries(${ref}), e -> {k: CAST(e.key AS VARCHAR), v: CAST(e.value AS VARCHAR)})`;
  // Text: [{'key': 'team', 'value': 'ml'}] (Python repr) or [{"key":"team","value":"ml"}] (JSON).
  const p = c.param(`['"]key['"]\\s*:\\s*['"]([^'"]*)['"]\\s*,\\s*['"]value['"]\\s*:\\s*['"]([^'"]*)['"]`);
  return `list_transform(regexp_extract_all(${ref}, ${p}), m -> {k: regexp_extract(m, ${p}, 1), v: regexp_extract(m, ${p}, 2)})`;
}

/** Sum of credits.amount, from a LIST(STRUCT(… amount …)) or its text form. */
function creditsSum(c: SourceColumns): string {
  const col = c.find('credits');
  if (!col) return '0';
  const ref = c.ref(col);
  if (/^STRUCT\(.*\)\[\]$/i.test(col.type)) return `COALESCE(list_sum(list_transform(${ref}, x -> ${checkedValue(c, 'amount', col.name, 'CAST(x.amount AS DOUBLE)')})), 0)`;
  const p = c.param(`['"]amount['"]\\s*:\\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)`);
  return `COALESCE(list_sum(list_transform(regexp_extract_all(${ref}, ${p}, 1), x -> ${checkedValue(c, 'amount', col.name, 'TRY_CAST(x AS DOUBLE)', 'x')})), 0)`;
}

function project(c: SourceColumns): FocusProjection {
  const cost = `COALESCE(${c.amount('cost')}, 0)`;
  const net = `(${cost} + ${creditsSum(c)})`;
  const sku = c.str('sku.description');
  const service = c.str('service.description');
  const costType = c.str('cost_type');
  const resourceId = c.str('resource.global_name');
  const invoiceMonth = c.find('invoice.month');
  const billingStart = invoiceMonth ? `CAST(strptime(CAST(${c.ref(invoiceMonth)} AS VARCHAR) || '01', '%Y%m%d') AS TIMESTAMP)` : 'NULL';
  // Resource labels first: the first entry of a key wins, so a resource label overrides a project label.
  const lists = [keyValueEntries(c, c.find('labels')), keyValueEntries(c, c.find('project.labels'))].filter((m): m is string => m !== undefined);
  const coalesce = (...exprs: string[]) => {
    const present = exprs.filter((e) => e !== 'NULL');
    return present.length === 0 ? 'NULL' : present.length === 1 ? present[0]! : `COALESCE(${present.join(', ')})`;
  };

  return {
    BilledCost: net,
    EffectiveCost: net,
    ListCost: coalesce(c.amount('cost_at_list'), cost),
    ContractedCost: cost,
    BillingCurrency: c.str('currency'),
    ChargePeriodStart: c.requiredLenientTs('usage_start_time'),
    ChargePeriodEnd: c.lenientTs('usage_end_time'),
    BillingPeriodStart: billingStart,
    BillingPeriodEnd: invoiceMonth ? `(${billingStart} + INTERVAL 1 MONTH)` : 'NULL',
    ChargeCategory: `CASE WHEN ${costType} = 'tax' THEN 'Tax' WHEN ${costType} IN ('adjustment', 'rounding_error') THEN 'Adjustment'
      WHEN ${sku} ILIKE 'Commitment%' AND ${costType} IS DISTINCT FROM 'regular' THEN 'Purchase' ELSE 'Usage' END`,
    ChargeClass: `CASE WHEN ${costType} = 'adjustment' THEN 'Correction' END`,
    ChargeFrequency: `'Usage-Based'`,
    ChargeDescription: sku,
    PricingCategory: `CASE WHEN ${sku} ILIKE '%Spot%' OR ${sku} ILIKE '%Preemptible%' THEN 'Dynamic'
      WHEN ${sku} ILIKE 'Commitment%' THEN 'Committed' WHEN ${costType} = 'regular' OR ${costType} IS NULL THEN 'Standard' END`,
    ProviderName: `'Google Cloud'`,
    PublisherName: coalesce(c.str('seller_name'), `'Google Cloud'`),
    InvoiceIssuerName: `'Google'`,
    BillingAccountId: c.str('billing_account_id'),
    SubAccountId: c.str('project.id'),
    SubAccountName: c.str('project.name'),
    ServiceName: service,
    ServiceCategory: lookup(service, GCP_SERVICE_CATEGORIES, `'Other'`),
    RegionId: coalesce(c.str('location.region'), c.str('location.location')),
    RegionName: coalesce(c.str('location.region'), c.str('location.location')),
    AvailabilityZone: c.str('location.zone'),
    ResourceId: resourceId,
    ResourceName: c.str('resource.name'),
    // //compute.googleapis.com/projects/p/zones/z/instances/vm-1 → instances
    ResourceType: `NULLIF(regexp_extract(${resourceId}, '/([^/]+)/[^/]+$', 1), '')`,
    SkuId: c.str('sku.id'),
    ConsumedQuantity: c.num('usage.amount'),
    ConsumedUnit: c.str('usage.unit'),
    PricingQuantity: c.num('usage.amount_in_pricing_units'),
    PricingUnit: c.str('usage.pricing_unit'),
    Tags: lists.length === 0 ? 'NULL' : tagsFromEntries(lists.length === 1 ? lists[0]! : `list_concat(${lists.join(', ')})`),
  };
}

export const gcpBillingConverter: NativeConverter = {
  kind: 'gcpBillingExport',
  label: 'Google Cloud billing export (BigQuery)',
  signature: [['billing_account_id'], ['service.description'], ['usage_start_time'], ['cost']],
  project: (cols) => project(cols),
};
