import type { SourceColumns } from './columns';
import { lookup, tagsFromEntries } from './columns';
import { AWS_SERVICE_CATEGORIES } from './serviceCategories';
import type { FocusProjection, NativeConverter } from './types';

/**
 * AWS Cost and Usage Report → FOCUS. Reads the legacy CUR header (`lineItem/UnblendedCost`,
 * `resourceTags/user:Team`) and the snake_case names of CUR 2.0 and of legacy CUR in Athena / Parquet
 * (`line_item_unblended_cost`, `resource_tags` as a map or JSON, `resource_tags_user_team`).
 * The mapping is documented column by column in docs/column-mappings.md.
 */

/** `lineItem/UnblendedCost` → [`lineItem/UnblendedCost`, `line_item_unblended_cost`]. */
export function curNames(legacy: string): string[] {
  const slash = legacy.indexOf('/');
  const snake = (s: string) => s.replace(/([A-Z])/g, '_$1').toLowerCase().replace(/^_/, '');
  return [legacy, `${snake(legacy.slice(0, slash))}_${snake(legacy.slice(slash + 1))}`];
}

const SAVINGS_PLAN_TYPES = ['SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'];
const RESERVATION_TYPES = ['DiscountedUsage', 'RIFee'];

const RESOURCE_ID_PREFIX_TYPES: Record<string, string> = {
  'i-': 'instance', 'vol-': 'volume', 'snap-': 'snapshot', 'eni-': 'network-interface', 'nat-': 'natgateway',
  'eipalloc-': 'elastic-ip', 'ami-': 'image', 'vpce-': 'vpc-endpoint', 'tgw-': 'transit-gateway', 'fs-': 'file-system',
};

function list(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

function project(c: SourceColumns): FocusProjection {
  const n = (legacy: string) => curNames(legacy);
  const type = c.str(...n('lineItem/LineItemType'));
  const unblended = `COALESCE(${c.amount(...n('lineItem/UnblendedCost'))}, 0)`;
  const zero = (legacy: string) => `COALESCE(${c.amount(...n(legacy))}, 0)`;
  const reservationArn = c.str(...n('reservation/ReservationARN'));
  const savingsPlanArn = c.str(...n('savingsPlan/SavingsPlanARN'), 'savings_plan_savings_plan_arn');
  const productCode = c.str(...n('lineItem/ProductCode'));
  const resourceId = c.str(...n('lineItem/ResourceId'));
  const usageType = c.str(...n('lineItem/UsageType'));
  const productMap = c.find('product');
  const productKey = (key: string) => {
    if (!productMap) return 'NULL';
    const ref = c.ref(productMap);
    return /^MAP\(/i.test(productMap.type) ? `NULLIF(${ref}[${c.param(key)}], '')` : `NULLIF(json_extract_string(${ref}, ${c.param(`/${key}`)}), '')`;
  };
  const coalesce = (...exprs: string[]) => {
    const present = exprs.filter((e) => e !== 'NULL');
    return present.length === 0 ? 'NULL' : present.length === 1 ? present[0]! : `COALESCE(${present.join(', ')})`;
  };

  // Amortized cost, as AWS computes it for Cost Explorer "amortized costs" and the FOCUS export.
  const effective = `CASE ${type}
      WHEN 'SavingsPlanCoveredUsage' THEN ${zero('savingsPlan/SavingsPlanEffectiveCost')}
      WHEN 'SavingsPlanRecurringFee' THEN ${zero('savingsPlan/TotalCommitmentToDate')} - ${zero('savingsPlan/UsedCommitment')}
      WHEN 'SavingsPlanNegation' THEN 0
      WHEN 'SavingsPlanUpfrontFee' THEN 0
      WHEN 'DiscountedUsage' THEN ${zero('reservation/EffectiveCost')}
      WHEN 'RIFee' THEN ${zero('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod')} + ${zero('reservation/UnusedRecurringFee')}
      ELSE CASE WHEN ${type} = 'Fee' AND ${reservationArn} IS NOT NULL THEN 0 ELSE ${unblended} END
    END`;

  const arnType = `NULLIF(regexp_extract(${resourceId}, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:([^/:]+)[/:]', 1), '')`;
  const prefixType = `CASE ${Object.entries(RESOURCE_ID_PREFIX_TYPES).map(([p, t]) => `WHEN starts_with(${resourceId}, '${p}') THEN '${t}'`).join(' ')} END`;

  // Tags: one column per key (legacy CSV / Athena) or one map / JSON column (CUR 2.0).
  const tagEntries: string[] = [];
  for (const col of c.columns) {
    let key: string | undefined;
    const legacy = /^resourceTags\/(user:|aws:)?(.+)$/i.exec(col.name);
    const snake = /^resource_tags_(user_|aws_)(.+)$/.exec(col.name);
    if (legacy) key = legacy[1]?.toLowerCase() === 'aws:' ? `aws:${legacy[2]}` : legacy[2];
    else if (snake) key = snake[1] === 'aws_' ? `aws:${snake[2]}` : snake[2];
    if (key) tagEntries.push(`{k: ${c.param(key)}, v: NULLIF(CAST(${c.ref(col)} AS VARCHAR), '')}`);
  }
  let tags = 'NULL';
  const tagMap = c.find('resource_tags');
  if (tagMap) {
    const ref = c.ref(tagMap);
    const asMap = /^MAP\(/i.test(tagMap.type) ? ref : `TRY_CAST(TRY_CAST(${ref} AS JSON) AS MAP(VARCHAR, VARCHAR))`;
    // CUR 2.0 keys read `user_team` / `aws_created_by`: drop the user prefix, keep `aws:` as the console shows it.
    tags = tagsFromEntries(`list_transform(map_entries(${asMap}), e -> {k: CASE WHEN starts_with(e.key, 'user_') OR starts_with(e.key, 'user:') THEN e.key[6:] WHEN starts_with(e.key, 'aws_') THEN 'aws:' || e.key[5:] ELSE e.key END, v: e.value})`);
  } else if (tagEntries.length) {
    tags = tagsFromEntries(`[${tagEntries.join(', ')}]`);
  }

  return {
    BilledCost: unblended,
    EffectiveCost: effective,
    ListCost: coalesce(c.amount(...n('pricing/publicOnDemandCost')), unblended),
    ContractedCost: unblended,
    BillingCurrency: coalesce(c.str(...n('lineItem/CurrencyCode')), c.str(...n('pricing/currency'))),
    ChargePeriodStart: c.requiredLenientTs(...n('lineItem/UsageStartDate')),
    ChargePeriodEnd: c.lenientTs(...n('lineItem/UsageEndDate')),
    BillingPeriodStart: c.lenientTs(...n('bill/BillingPeriodStartDate')),
    BillingPeriodEnd: c.lenientTs(...n('bill/BillingPeriodEndDate')),
    ChargeCategory: `CASE WHEN ${type} = 'Tax' THEN 'Tax'
      WHEN ${type} IN ('Credit', 'Refund') OR ${type} LIKE '%Discount' THEN 'Credit'
      WHEN ${type} IN ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') THEN 'Purchase'
      ELSE 'Usage' END`,
    ChargeClass: `CASE WHEN ${type} = 'Refund' THEN 'Correction' END`,
    ChargeFrequency: `CASE WHEN ${type} IN ('Fee', 'SavingsPlanUpfrontFee') THEN 'One-Time'
      WHEN ${type} IN ('RIFee', 'SavingsPlanRecurringFee') THEN 'Recurring' ELSE 'Usage-Based' END`,
    ChargeDescription: c.str(...n('lineItem/LineItemDescription')),
    PricingCategory: `CASE WHEN ${type} IN ('DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'Committed'
      WHEN ${c.str(...n('pricing/term'))} = 'Spot' OR ${usageType} LIKE '%SpotUsage%' THEN 'Dynamic'
      WHEN ${type} = 'Usage' THEN 'Standard' END`,
    CommitmentDiscountId: `CASE WHEN ${type} IN (${list(RESERVATION_TYPES)}) THEN ${reservationArn} WHEN ${type} IN (${list(SAVINGS_PLAN_TYPES)}) THEN ${savingsPlanArn} END`,
    CommitmentDiscountType: `CASE WHEN ${type} IN (${list(RESERVATION_TYPES)}) THEN 'Reserved Instance' WHEN ${type} IN (${list(SAVINGS_PLAN_TYPES)}) THEN 'Savings Plan' END`,
    CommitmentDiscountStatus: `CASE WHEN ${type} IN ('DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'Used' END`,
    ProviderName: `'AWS'`,
    PublisherName: coalesce(c.str(...n('lineItem/LegalEntity')), `'Amazon Web Services, Inc.'`),
    InvoiceIssuerName: coalesce(c.str(...n('bill/InvoicingEntity')), `'Amazon Web Services, Inc.'`),
    BillingAccountId: c.str(...n('bill/PayerAccountId')),
    BillingAccountName: c.str(...n('bill/PayerAccountName')),
    SubAccountId: c.str(...n('lineItem/UsageAccountId')),
    SubAccountName: c.str(...n('lineItem/UsageAccountName')),
    ServiceName: coalesce(c.str(...n('product/ProductName')), productKey('product_name'), productCode),
    ServiceCategory: lookup(productCode, AWS_SERVICE_CATEGORIES, `'Other'`),
    RegionId: coalesce(c.str(...n('product/regionCode')), productKey('region_code'), c.str(...n('product/region')), productKey('region')),
    RegionName: coalesce(c.str(...n('product/location')), productKey('location')),
    AvailabilityZone: c.str(...n('lineItem/AvailabilityZone')),
    ResourceId: resourceId,
    ResourceName: 'NULL',
    ResourceType: resourceId === 'NULL' ? 'NULL'
      : `CASE WHEN ${resourceId} IS NULL THEN NULL ELSE COALESCE(${arnType}, ${prefixType}, CASE WHEN ${productCode} = 'AmazonS3' THEN 'bucket' END) END`,
    SkuId: coalesce(c.str(...n('product/sku')), productKey('sku')),
    SkuPriceId: c.str(...n('pricing/RateCode')),
    ConsumedQuantity: `CASE WHEN ${type} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN ${c.num(...n('lineItem/UsageAmount'))} END`,
    ConsumedUnit: `CASE WHEN ${type} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN ${c.str(...n('pricing/unit'))} END`,
    PricingQuantity: c.num(...n('lineItem/UsageAmount')),
    PricingUnit: c.str(...n('pricing/unit')),
    ListUnitPrice: c.num(...n('pricing/publicOnDemandRate')),
    ContractedUnitPrice: c.num(...n('lineItem/UnblendedRate')),
    Tags: tags,
  };
}

export const awsCurConverter: NativeConverter = {
  kind: 'awsCur',
  label: 'AWS Cost and Usage Report',
  signature: [curNames('lineItem/UnblendedCost'), curNames('lineItem/UsageStartDate'), curNames('lineItem/LineItemType')],
  project: (cols) => project(cols),
};
