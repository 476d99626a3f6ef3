import type { PriceSourceRef } from '../pricing/model';

export type SavingsKind = 'rightsizing' | 'reservation' | 'savingsPlan' | 'schedule' | 'spot' | 'combined';

/**
 * What every estimator returns: the option, what it would cost and save per month, what it assumed, the inputs
 * it used and the prices' sources. `savingFraction` is the saving over `baselineMonthlyCost` (negative when the
 * option costs more than the baseline).
 */
export interface SavingsEstimate {
  kind: SavingsKind;
  option: string;
  /** 'ok', or why there is no saving to show. */
  status: 'ok' | 'insufficientData' | 'saturated' | 'rightSized' | 'notApplicable';
  baselineMonthlyCost: number;
  monthlyCost: number;
  monthlySaving: number;
  savingFraction: number;
  assumptions: string[];
  inputs: Record<string, string | number | boolean | null>;
  sources: PriceSourceRef[];
}

/** Distinct sources, in first-seen order. */
export function uniqueSources(sources: readonly PriceSourceRef[]): PriceSourceRef[] {
  const seen = new Set<string>();
  return sources.filter((s) => {
    const key = `${s.name}|${s.capturedAt}|${s.live}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function fraction(saving: number, baseline: number): number {
  return baseline > 0 ? saving / baseline : 0;
}

/** Rounds to cents, keeping estimates stable in JSON and tests. */
export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** "$1,518.40"; with `whole`, "$1,518". Negative amounts read "-$41.47". */
export function usd(n: number, whole = false): string {
  return (whole ? usd0 : usd2).format(n);
}

/** An hourly price as printed by the clouds: up to four decimals ("$3.06/h", "$0.3160/h"). */
export function perHour(n: number): string {
  return `$${n >= 1 ? String(+n.toFixed(4)) : n.toFixed(4)}/h`;
}
