import type { MetricPoint } from '../sources';
import { HOURS_PER_MONTH, type CommitmentPrice, type InstancePrices } from '../pricing/model';
import { combineSavings, type CombinedEstimate, type CombinedStep } from './combined';
import { estimateCommitment, type CommitmentEstimate } from './commitments';
import type { SavingsEstimate, SavingsKind } from './estimate';
import { estimateRightSizing, type RightSizingEstimate } from './rightsizing';
import type { UtilisationSeries } from '../sources';
import { estimateSchedule, formatSchedule, suggestSchedule, type Schedule } from './schedule';
import { estimateSpot } from './spot';

/** What a spot estimate assumes about the job: how often it is interrupted, and how it checkpoints and restarts. */
export interface SpotAssumptions {
  interruptionsPerHour: number;
  checkpointIntervalHours: number;
  /** Time to write one checkpoint, training paused. */
  checkpointWriteHours: number;
  restartHours: number;
}

/**
 * Defaults for spot estimates, shared by the extension's settings and the CLI's options: one interruption a day (a
 * conservative rate for GPU capacity), hourly checkpoints that take a minute to write, a 10-minute restart.
 */
export const spotDefaults: Readonly<SpotAssumptions> = {
  interruptionsPerHour: 1 / 24,
  checkpointIntervalHours: 1,
  checkpointWriteHours: 1 / 60,
  restartHours: 10 / 60,
};

interface PlanInput {
  prices: InstancePrices;
  /** Other types priced in the same region (right-sizing candidates, and their commitments for the combined figure). */
  candidates?: readonly InstancePrices[];
  /** Instance-hours per month of this type (730: one instance around the clock). */
  hoursPerMonth?: number;
  metrics?: UtilisationSeries;
  metricsSource?: string;
  schedule?: Schedule;
  /** Hourly utilisation to suggest a schedule from (when no schedule is given). */
  idleSeries?: { points: readonly MetricPoint[]; timeZone: string };
  month: { year: number; month: number };
  spot?: Partial<SpotAssumptions>;
  usageDropShare?: number;
  /** Options silenced for this resource (`# finops:ignore rightsizing`): not estimated, and not combined. */
  ignore?: readonly SavingsKind[];
}

export interface SavingsPlan {
  prices: InstancePrices;
  /** The one baseline every option of this plan is taken over (instance-hours a month). */
  hoursPerMonth: number;
  options: SavingsEstimate[];
  combined?: CombinedEstimate;
}

const PAYMENT_ORDER = { noUpfront: 0, partialUpfront: 1, allUpfront: 2 } as const;

const OFFERING_ORDER = { standard: 0, convertible: 1 } as const;

function commitmentsOf(p: InstancePrices): CommitmentPrice[] {
  // RIs (standard, then convertible), then savings plans; CUDs and Azure reservations. Each kind is priced from its own rates.
  return [...p.commitments]
    .sort((a, b) => Number(a.kind === 'savingsPlan') - Number(b.kind === 'savingsPlan')
      || OFFERING_ORDER[a.offering ?? 'standard'] - OFFERING_ORDER[b.offering ?? 'standard']
      || a.term - b.term || PAYMENT_ORDER[a.payment] - PAYMENT_ORDER[b.payment]);
}

function bestCommitment(p: InstancePrices, usage: number, usageDropShare: number | undefined): CommitmentEstimate | undefined {
  const estimates = commitmentsOf(p).map((c) => estimateCommitment({
    instanceType: p.instanceType, onDemandHourly: p.onDemand.hourly, onDemandSource: p.onDemand.source, usageHoursPerMonth: usage, commitment: c,
    ...(usageDropShare !== undefined ? { usageDropShare } : {}),
  }));
  return estimates.filter((e) => e.monthlySaving > 0).sort((a, b) => b.monthlySaving - a.monthlySaving)[0];
}

/** Every savings option for one instance type, each estimated alone, and the options that combine, compounded. */
export function planSavings(input: PlanInput): SavingsPlan {
  const p = input.prices;
  const hours = input.hoursPerMonth ?? HOURS_PER_MONTH;
  const options: SavingsEstimate[] = [];

  let rightsizing: RightSizingEstimate | undefined;
  if (input.metrics && !input.ignore?.includes('rightsizing')) {
    rightsizing = estimateRightSizing({
      current: p, candidates: input.candidates ?? [], metrics: input.metrics, hoursPerMonth: hours,
      ...(input.metricsSource ? { metricsSource: input.metricsSource } : {}),
    });
    options.push(rightsizing);
  }

  const commitments = commitmentsOf(p).map((c) => estimateCommitment({
    instanceType: p.instanceType, onDemandHourly: p.onDemand.hourly, onDemandSource: p.onDemand.source, usageHoursPerMonth: hours, commitment: c,
    ...(input.usageDropShare !== undefined ? { usageDropShare: input.usageDropShare } : {}),
  }));
  options.push(...commitments);

  let schedule = input.schedule;
  let suggestedFrom: string | undefined;
  if (!schedule && input.idleSeries) {
    const s = suggestSchedule(input.idleSeries.points, { timeZone: input.idleSeries.timeZone });
    if (s) {
      schedule = s.schedule;
      suggestedFrom = `Suggested from ${s.observedHours} hours of utilisation: hours idle (≤ 5 %) in at least 90 % of the observed weeks are switched off.`;
    }
  }
  let scheduleEstimate: SavingsEstimate | undefined;
  if (schedule) {
    scheduleEstimate = estimateSchedule({
      schedule, year: input.month.year, month: input.month.month, hourlyRate: p.onDemand.hourly, instanceType: p.instanceType,
      baselineHours: hours, source: p.onDemand.source, ...(suggestedFrom ? { suggestedFrom } : {}),
    });
    options.push(scheduleEstimate);
  }

  if (p.spot) {
    const spot = { ...spotDefaults, ...input.spot };
    options.push(estimateSpot({
      instanceType: p.instanceType, provider: p.provider, onDemandHourly: p.onDemand.hourly, onDemandSource: p.onDemand.source, spot: p.spot,
      usefulHoursPerMonth: hours, ...spot,
    }));
  }

  // Combined: right-size, then the schedule on the smaller type, then the best commitment for what still runs.
  const steps: CombinedStep[] = [];
  const notes: string[] = [];
  let target = p;
  if (rightsizing?.status === 'ok' && rightsizing.recommendedType) {
    const next = input.candidates?.find((c) => c.instanceType === rightsizing.recommendedType);
    if (next) {
      target = next;
      steps.push({ option: rightsizing.option, fraction: rightsizing.savingFraction, sources: rightsizing.sources });
    }
  }
  let usage = hours;
  if (scheduleEstimate && schedule) {
    steps.push({ option: `${suggestedFrom ? 'Suggested schedule' : 'Schedule'} ${formatSchedule(schedule)}`, fraction: scheduleEstimate.savingFraction, sources: scheduleEstimate.sources });
    usage = hours * (1 - scheduleEstimate.savingFraction);
  }
  const standaloneBest = commitments.filter((e) => e.monthlySaving > 0).sort((a, b) => b.monthlySaving - a.monthlySaving)[0];
  const commitment = bestCommitment(target, usage, input.usageDropShare);
  if (commitment) {
    const same = commitments.find((e) => e.option === commitment.option);
    steps.push({
      option: `${commitment.option}${target !== p ? ` on ${target.instanceType}` : ''}`,
      fraction: commitment.savingFraction,
      ...(same ? { standaloneFraction: same.savingFraction } : {}),
      sources: commitment.sources,
    });
  } else if (standaloneBest) {
    notes.push(`${standaloneBest.option} is left out: at ${usage.toFixed(0)} running hours a month it would cost more than on-demand, because a commitment bills every hour of the term.`);
    if (steps.length >= 1) steps.push({ option: standaloneBest.option, fraction: 0, standaloneFraction: standaloneBest.savingFraction, sources: [] });
  }
  if (p.spot) notes.push('Spot is an alternative to a commitment for interruptible work, not an addition to it, so it is not part of the combined figure.');
  let combined: CombinedEstimate | undefined;
  if (steps.length >= 2) {
    combined = combineSavings(p.onDemand.hourly * hours, steps, notes);
    options.push(combined);
  }
  return { prices: p, hoursPerMonth: hours, options, ...(combined ? { combined } : {}) };
}
