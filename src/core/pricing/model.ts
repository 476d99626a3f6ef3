/**
 * Prices as the product sees them: one instance type in one region, with its shape, its on-demand, spot and
 * commitment prices, and for every figure the source it came from and the date that source captured it.
 */

export type CloudProvider = 'aws' | 'gcp' | 'azure';

export const providerLabels: Record<CloudProvider, string> = {
  aws: 'AWS',
  gcp: 'Google Cloud',
  azure: 'Azure',
};

/** Where a price came from. `capturedAt` is YYYY-MM-DD, or "unknown" when the source does not say. */
export interface PriceSourceRef {
  name: string;
  capturedAt: string;
  /** True for prices read from a cloud's price API in this session (or its cache), false for the shipped snapshot. */
  live: boolean;
  url?: string;
}

export interface InstanceShape {
  vcpu: number;
  memoryGiB: number;
  /** Accelerators (GPUs, or Inferentia / Trainium chips). `null` when the source does not say (fractional GPUs). */
  gpus: number | null;
  /** Display name of the accelerator ("NVIDIA V100 16 GB"). */
  gpuModel?: string;
  /** Canonical accelerator id from gpuModels.ts ("v100"), when recognised. */
  gpuModelId?: string;
  /** Memory of one accelerator, GiB, when known. */
  gpuMemoryGiB?: number;
}

type CommitmentTerm = 1 | 3;
export type PaymentOption = 'noUpfront' | 'partialUpfront' | 'allUpfront';

export const paymentLabels: Record<PaymentOption, string> = {
  noUpfront: 'no upfront',
  partialUpfront: 'partial upfront',
  allUpfront: 'all upfront',
};

/**
 * A 1- or 3-year commitment for one instance: `upfront` paid once, `hourly` billed for every hour of the term
 * whether the instance runs or not. `effectiveHourly` = upfront / term hours + hourly.
 */
export interface CommitmentPrice {
  /**
   * reservedInstance (AWS RI), savingsPlan (an AWS Savings Plan rate for this instance type), committedUse (GCP
   * resource-based CUD), reservation (Azure). A savings plan is its own kind, priced only from savings-plan rates.
   */
  kind: 'reservedInstance' | 'savingsPlan' | 'committedUse' | 'reservation';
  /** AWS RI offering class. */
  offering?: 'standard' | 'convertible';
  /** Which AWS Savings Plan: EC2 Instance (one family in one region) or Compute (any family, region, Fargate, Lambda). */
  plan?: 'ec2Instance' | 'compute';
  term: CommitmentTerm;
  payment: PaymentOption;
  upfront: number;
  hourly: number;
  effectiveHourly: number;
  source: PriceSourceRef;
  /** How the figure was derived when the source gives only an effective rate. */
  derivation?: string;
}

export interface SpotPrice {
  /** The figure estimates use: the average over the source's window. */
  hourly: number;
  min?: number;
  max?: number;
  source: PriceSourceRef;
}

export interface InstancePrices {
  provider: CloudProvider;
  region: string;
  instanceType: string;
  shape: InstanceShape;
  currency: 'USD';
  onDemand: { hourly: number; source: PriceSourceRef };
  spot?: SpotPrice;
  commitments: CommitmentPrice[];
  /** Caveats that apply to these prices (what they include or leave out). */
  notes: string[];
}

/** A live price source for one cloud (AWS Price List, GCP Cloud Billing Catalog, Azure Retail Prices). */
export interface PriceSource {
  readonly id: string;
  readonly provider: CloudProvider;
  readonly label: string;
  /**
   * Live prices for one instance type in one region, merged over `base` (the snapshot's entry, when there is one).
   * Returns undefined when the cloud does not sell the type there.
   */
  getPrices(instanceType: string, region: string, base: InstancePrices | undefined, signal?: AbortSignal): Promise<InstancePrices | undefined>;
}

const HOURS_PER_YEAR = 8760;
/**
 * The one baseline month of every estimate: 8,760 h / 12 months, the clouds' own convention for monthly prices.
 * Every figure of one estimate (on-demand, commitments, spot, right-sizing, schedules, the combined saving, the
 * code lens) is taken over the same hours; a schedule's share of hours off is measured on the real calendar and
 * applied to this baseline.
 */
export const HOURS_PER_MONTH = 730;

export function termHours(term: CommitmentTerm): number {
  return term * HOURS_PER_YEAR;
}

/** Today's date as YYYY-MM-DD (UTC). */
export function isoDate(d: Date = new Date()): string {
  return d.toISOString().slice(0, 10);
}
