import type { SourceColumns } from './columns';
import { lookup } from './columns';
import { AZURE_METER_CATEGORIES, AZURE_SERVICE_FAMILIES } from './serviceCategories';
import type { AzureDataset, ConvertOptions, FocusProjection, NativeConverter } from './types';

/**
 * Azure cost details exports (Enterprise Agreement and Microsoft Customer Agreement; actual or amortized
 * cost) → FOCUS. Column names are matched without regard to case: EA files write `Cost` / `BillingCurrency`,
 * MCA files `costInBillingCurrency` / `billingCurrencyCode`. docs/column-mappings.md documents each column.
 */

const COST = ['CostInBillingCurrency', 'Cost', 'PreTaxCost', 'CostInUsd'];
const COMMITMENT_MODELS = `('Reservation', 'SavingsPlan')`;

/** The dataset a file name says it holds (`…ActualCost…`, `amortized-…`), if it says. */
export function azureDatasetFromFileName(fileName: string): AzureDataset | undefined {
  const name = fileName.toLowerCase();
  if (name.includes('amortized') || name.includes('amortised')) return 'amortized';
  if (name.includes('actual')) return 'actual';
  return undefined;
}

/**
 * SQL select list that counts rows only one dataset has, for files whose name does not say: amortized data
 * spreads commitments onto usage (`Usage` rows priced by a Reservation / SavingsPlan with a cost, and
 * `UnusedReservation` / `UnusedSavingsPlan` rows); actual data carries the commitment `Purchase` rows instead.
 */
export function azureDatasetProbe(c: SourceColumns): string {
  const chargeType = c.str('ChargeType');
  const model = c.str('PricingModel');
  const cost = c.amount(...COST);
  return `count(*) FILTER (WHERE ${chargeType} IN ('UnusedReservation', 'UnusedSavingsPlan') OR (${chargeType} = 'Usage' AND ${model} IN ${COMMITMENT_MODELS} AND ${cost} <> 0)) AS amortized,
    count(*) FILTER (WHERE ${chargeType} = 'Purchase' AND ${model} IN ${COMMITMENT_MODELS}) AS actual`;
}

/**
 * SQL of the key that pairs an actual-cost export with its amortized twin, over FOCUS column expressions: the
 * billing account (the subscription for pay-as-you-go exports without one) and the billing month (else the month of
 * the charge). Both exports of one account and month hold the same charges, priced two ways.
 */
export function azurePairingKey(column: (c: 'BillingAccountId' | 'SubAccountId' | 'BillingPeriodStart' | 'ChargePeriodStart') => string): string {
  const month = `strftime(COALESCE(${column('BillingPeriodStart')}, date_trunc('month', ${column('ChargePeriodStart')})), '%Y-%m')`;
  return `COALESCE(${column('BillingAccountId')}, ${column('SubAccountId')}, '') || '|' || COALESCE(${month}, '')`;
}

/** The day after a date expression (exports write inclusive ends); NULL when the file has no such column. */
function dayAfter(expr: string): string {
  return expr === 'NULL' ? 'NULL' : `(${expr} + INTERVAL 1 DAY)`;
}

/** "billing account 8611537, 2023-09" for a pairing key. */
export function describeAzureKey(key: string): string {
  const [account, month] = key.split('|');
  return `${account ? `billing account ${account}` : 'no billing account'}, ${month || 'no date'}`;
}

function project(c: SourceColumns, options: ConvertOptions): FocusProjection {
  const dataset = options.azureDataset ?? 'actual';
  const cost = `COALESCE(${c.amount(...COST)}, 0)`;
  const chargeType = c.str('ChargeType');
  const model = c.str('PricingModel');
  const quantity = c.num('Quantity');
  const payg = c.num('PayGPrice', 'PaygCostInBillingCurrency');
  const unitPrice = c.num('UnitPrice');
  const resourceId = c.str('ResourceId', 'InstanceId', 'InstanceName');
  const meterCategory = c.str('MeterCategory');
  const tagsRaw = c.str('Tags');
  const coalesce = (...exprs: string[]) => {
    const present = exprs.filter((e) => e !== 'NULL');
    return present.length === 0 ? 'NULL' : present.length === 1 ? present[0]! : `COALESCE(${present.join(', ')})`;
  };

  const commitmentCovered = `(${model} IN ${COMMITMENT_MODELS} AND ${chargeType} IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan'))`;
  const commitmentPurchase = `(${chargeType} = 'Purchase' AND ${model} IN ${COMMITMENT_MODELS})`;
  // Actual data: what was invoiced, commitments when bought. Amortized data: commitments spread over usage.
  const billed = dataset === 'actual' ? cost : `CASE WHEN ${commitmentCovered} THEN 0 ELSE ${cost} END`;
  const effective = dataset === 'amortized' ? `CASE WHEN ${commitmentPurchase} THEN 0 ELSE ${cost} END` : cost;
  const list = `COALESCE(CASE WHEN ${payg} > 0 THEN ${payg} * ${quantity} END, ${unitPrice} * ${quantity}, ${cost})`;

  return {
    BilledCost: billed,
    EffectiveCost: effective,
    ListCost: list,
    ContractedCost: `COALESCE(${unitPrice} * ${quantity}, ${cost})`,
    BillingCurrency: c.str('BillingCurrency', 'BillingCurrencyCode', 'Currency'),
    ChargePeriodStart: c.requiredLenientTs('Date', 'UsageDateTime', 'UsageDate'),
    ChargePeriodEnd: dayAfter(c.lenientTs('Date', 'UsageDateTime', 'UsageDate')),
    BillingPeriodStart: c.lenientTs('BillingPeriodStartDate'),
    BillingPeriodEnd: dayAfter(c.lenientTs('BillingPeriodEndDate')),
    ChargeCategory: `CASE WHEN ${chargeType} IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') THEN 'Usage'
      WHEN ${chargeType} = 'Purchase' THEN 'Purchase' WHEN ${chargeType} = 'Tax' THEN 'Tax'
      WHEN ${chargeType} IN ('Refund', 'Credit') THEN 'Credit' WHEN ${chargeType} IS NULL THEN 'Usage' ELSE 'Adjustment' END`,
    ChargeClass: `CASE WHEN ${chargeType} = 'Refund' THEN 'Correction' END`,
    ChargeFrequency: lookup(c.str('Frequency'), { UsageBased: 'Usage-Based', Recurring: 'Recurring', OneTime: 'One-Time' }, `'Usage-Based'`),
    ChargeDescription: c.str('ProductName', 'Product', 'MeterName'),
    PricingCategory: lookup(model, { OnDemand: 'Standard', Spot: 'Dynamic', Reservation: 'Committed', SavingsPlan: 'Committed' }, 'NULL'),
    CommitmentDiscountId: `CASE WHEN ${model} IN ${COMMITMENT_MODELS} THEN ${coalesce(c.str('benefitId'), c.str('ReservationId'))} END`,
    CommitmentDiscountName: `CASE WHEN ${model} IN ${COMMITMENT_MODELS} THEN ${coalesce(c.str('benefitName'), c.str('ReservationName'))} END`,
    CommitmentDiscountType: lookup(model, { Reservation: 'Reservation', SavingsPlan: 'Savings Plan' }, 'NULL'),
    CommitmentDiscountStatus: `CASE WHEN ${chargeType} IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Unused' WHEN ${commitmentCovered} THEN 'Used' END`,
    ProviderName: `'Microsoft'`,
    PublisherName: coalesce(c.str('PublisherName'), `'Microsoft'`),
    InvoiceIssuerName: coalesce(c.str('PartnerName'), `'Microsoft'`),
    BillingAccountId: c.str('BillingAccountId'),
    BillingAccountName: c.str('BillingAccountName'),
    SubAccountId: c.str('SubscriptionId', 'SubscriptionGuid'),
    SubAccountName: c.str('SubscriptionName'),
    ServiceName: coalesce(meterCategory, c.str('ConsumedService')),
    ServiceCategory: lookup(meterCategory, AZURE_METER_CATEGORIES, lookup(c.str('ServiceFamily'), AZURE_SERVICE_FAMILIES, `'Other'`)),
    RegionId: `NULLIF(lower(replace(${c.str('ResourceLocation')}, ' ', '')), '')`,
    RegionName: c.str('ResourceLocation'),
    AvailabilityZone: c.str('AvailabilityZone'),
    ResourceId: resourceId,
    ResourceName: coalesce(c.str('ResourceName'), `NULLIF(regexp_extract(${resourceId}, '[^/]+$'), '')`),
    ResourceType: `NULLIF(regexp_extract(${resourceId}, '(?i)/providers/([^/]+/[^/]+)', 1), '')`,
    SkuId: c.str('ProductId', 'PartNumber'),
    SkuPriceId: c.str('MeterId'),
    ConsumedQuantity: quantity,
    ConsumedUnit: c.str('UnitOfMeasure'),
    PricingQuantity: quantity,
    PricingUnit: c.str('UnitOfMeasure'),
    ListUnitPrice: payg,
    ContractedUnitPrice: unitPrice,
    // EA / MCA CSV writes tags as JSON members without the braces: "env": "prod","org": "trey".
    Tags: tagsRaw === 'NULL' ? 'NULL'
      : `CASE WHEN ${tagsRaw} IS NULL THEN NULL WHEN starts_with(${tagsRaw}, '{') THEN ${tagsRaw} ELSE '{' || ${tagsRaw} || '}' END`,
  };
}

export const azureCostConverter: NativeConverter = {
  kind: 'azureCostDetails',
  label: 'Azure cost details export',
  signature: [['MeterCategory'], ['SubscriptionId', 'SubscriptionGuid'], COST, ['Date', 'UsageDateTime', 'UsageDate']],
  project,
};
