/**
 * FOCUS column ids per release (FinOps Open Cost and Usage Specification, specification/columns at the
 * v1.0, v1.1 and v1.2 tags) and what the cost engine needs of a file.
 */
export type FocusVersion = '1.0' | '1.1' | '1.2';

const V1_0 = [
  'AvailabilityZone', 'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd',
  'BillingPeriodStart', 'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd',
  'ChargePeriodStart', 'CommitmentDiscountCategory', 'CommitmentDiscountId', 'CommitmentDiscountName',
  'CommitmentDiscountStatus', 'CommitmentDiscountType', 'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost',
  'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory',
  'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId',
  'ResourceName', 'ResourceType', 'ServiceCategory', 'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId',
  'SubAccountName', 'Tags',
] as const;
const ADDED_1_1 = [
  'CapacityReservationId', 'CapacityReservationStatus', 'CommitmentDiscountQuantity', 'CommitmentDiscountUnit',
  'ServiceSubcategory', 'SkuMeter', 'SkuPriceDetails',
] as const;
const ADDED_1_2 = [
  'BillingAccountType', 'InvoiceId', 'PricingCurrency', 'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost', 'PricingCurrencyListUnitPrice', 'SubAccountType',
] as const;

export type FocusColumn = (typeof V1_0)[number] | (typeof ADDED_1_1)[number] | (typeof ADDED_1_2)[number];

export const FOCUS_COLUMNS: Readonly<Record<FocusVersion, readonly FocusColumn[]>> = {
  '1.0': V1_0,
  '1.1': [...V1_0, ...ADDED_1_1].sort(),
  '1.2': [...V1_0, ...ADDED_1_1, ...ADDED_1_2].sort(),
};

const ALL = new Set<string>(FOCUS_COLUMNS['1.2']);
/** Decimal columns (costs, prices, quantities). */
export const NUMERIC_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>([
  'BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'ContractedUnitPrice', 'ListUnitPrice',
  'ConsumedQuantity', 'PricingQuantity', 'CommitmentDiscountQuantity', 'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost', 'PricingCurrencyListUnitPrice',
]);
/** Money amounts among them: checked against MAX_AMOUNT as well (src/core/native/columns.ts). */
export const AMOUNT_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>([
  'BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'PricingCurrencyEffectiveCost',
]);
/** Date-time columns (ISO 8601, UTC). */
export const TIMESTAMP_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>([
  'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd',
]);
/** Key-value columns (a JSON object in CSV; a JSON string or a MAP in Parquet). */
export const KEY_VALUE_COLUMNS: ReadonlySet<FocusColumn> = new Set<FocusColumn>(['Tags', 'SkuPriceDetails']);

/** Columns every query reads; a file without them cannot be costed. */
export const ENGINE_REQUIRED_COLUMNS: readonly FocusColumn[] = ['ChargePeriodStart', 'BillingCurrency', 'BilledCost', 'EffectiveCost'];

/** Names used by later or earlier FOCUS releases for a column of this model. */
export const FOCUS_COLUMN_ALIASES: Readonly<Partial<Record<FocusColumn, readonly string[]>>> = {
  ProviderName: ['ServiceProviderName'],
};

/** True when a header reads like a FOCUS export (its core cost and time columns, or most of its columns). */
export function looksLikeFocus(columns: readonly string[]): boolean {
  const set = new Set(columns);
  const core = ['BilledCost', 'EffectiveCost', 'ChargePeriodStart', 'BillingCurrency'].filter((c) => set.has(c)).length;
  const known = columns.filter((c) => ALL.has(c)).length;
  return core >= 2 || known >= 12;
}

/** The newest FOCUS release whose added columns appear in the header (1.0 when none do). */
export function detectFocusVersion(columns: readonly string[]): FocusVersion {
  const set = new Set(columns);
  if (ADDED_1_2.some((c) => set.has(c))) return '1.2';
  if (ADDED_1_1.some((c) => set.has(c))) return '1.1';
  return '1.0';
}
