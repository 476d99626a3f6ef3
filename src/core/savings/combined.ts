import { cents, fraction, uniqueSources, type SavingsEstimate } from './estimate';

/**
 * Savings on the same spend compound: a reservation discounts the instance that right-sizing already made
 * smaller, and a schedule stops hours of that smaller instance. Each step's fraction is taken of what the
 * steps before it left, so the combined saving is 1 − Π(1 − fᵢ), never the sum of the fᵢ (which can pass 100 %).
 */

export interface CombinedStep {
  /** The option applied at this step ("Right-size p3.8xlarge → p3.2xlarge"). */
  option: string;
  /** Saving as a share of the cost left after the previous steps (0..1). */
  fraction: number;
  /** The same option's saving as a share of the original cost, when estimated alone (for the naive sum). */
  standaloneFraction?: number;
  sources?: SavingsEstimate['sources'];
  assumptions?: string[];
}

export interface CombinedEstimate extends SavingsEstimate {
  kind: 'combined';
  naiveFraction: number;
  naiveMonthlySaving: number;
}

function pct(f: number): string {
  return `${(f * 100).toFixed(1)} %`;
}

export function combineSavings(baselineMonthlyCost: number, steps: readonly CombinedStep[], extraAssumptions: string[] = []): CombinedEstimate {
  let remaining = 1;
  const trail: string[] = [];
  for (const s of steps) {
    const f = Math.min(1, Math.max(0, s.fraction));
    remaining *= 1 - f;
    trail.push(f > 0
      ? `${s.option}: −${pct(f)} of what was left → ${pct(remaining)} of the original`
      : `${s.option}: saves nothing on what was left`);
  }
  const combined = 1 - remaining;
  const naive = steps.reduce((sum, s) => sum + (s.standaloneFraction ?? s.fraction), 0);
  const cost = baselineMonthlyCost * remaining;
  const explanation = steps.length < 2
    ? 'A single option: nothing to compound.'
    : `Combined saving 1 − ${steps.filter((s) => s.fraction > 0).map((s) => `(1 − ${(Math.min(1, Math.max(0, s.fraction)) * 100).toFixed(1)} %)`).join(' × ')} = ${pct(combined)}. Adding the options' own percentages would claim ${pct(naive)}${naive >= 1 ? ' — more than the whole bill' : ''}, ${pct(Math.max(0, naive - combined))} too much: each saving applies only to what the previous ones left.`;
  return {
    kind: 'combined',
    option: steps.some((s) => s.fraction > 0) ? steps.filter((s) => s.fraction > 0).map((s) => s.option).join(' + ') : 'No combinable option',
    status: steps.some((s) => s.fraction > 0) ? 'ok' : 'notApplicable',
    baselineMonthlyCost: cents(baselineMonthlyCost),
    monthlyCost: cents(cost),
    monthlySaving: cents(baselineMonthlyCost - cost),
    savingFraction: fraction(baselineMonthlyCost - cost, baselineMonthlyCost),
    assumptions: [...trail, explanation, ...extraAssumptions, ...steps.flatMap((s) => s.assumptions ?? [])],
    inputs: Object.fromEntries(steps.map((s, i) => [`step${i + 1}`, `${s.option} (${pct(s.fraction)})`])),
    sources: uniqueSources(steps.flatMap((s) => s.sources ?? [])),
    naiveFraction: naive,
    naiveMonthlySaving: cents(baselineMonthlyCost * naive),
  };
}
