import { FinOpsError } from '../errors';
import type { PriceSourceRef, SpotPrice } from '../pricing/model';
import { cents, fraction, perHour, uniqueSources, usd, type SavingsEstimate } from './estimate';

/**
 * Spot (preemptible) capacity: the saving from the lower price, minus the work redone after interruptions.
 * Each interruption loses on average half a checkpoint interval of work plus the restart time, so every running
 * hour yields 1 − rate × (interval / 2 + restart) useful hours.
 */

interface SpotInput {
  instanceType: string;
  onDemandHourly: number;
  onDemandSource: PriceSourceRef;
  spot: SpotPrice;
  /** Useful (on-demand-equivalent) instance-hours per month. */
  usefulHoursPerMonth: number;
  /** Expected interruptions per running instance-hour. */
  interruptionsPerHour: number;
  /** Hours between checkpoints. */
  checkpointIntervalHours: number;
  /** Hours from an interruption to training again (new capacity, boot, restore the checkpoint), billed. */
  restartHours: number;
}

interface SpotEstimate extends SavingsEstimate {
  /** Running hours needed for the useful hours, interruptions included. */
  runningHoursPerMonth: number;
  overheadFraction: number;
  /** Saving at the highest spot price seen, when the source gives it. */
  monthlySavingAtMaxPrice?: number;
}

export function estimateSpot(input: SpotInput): SpotEstimate {
  const { interruptionsPerHour: rate, checkpointIntervalHours: interval, restartHours: restart } = input;
  for (const [name, v] of [['interruption rate', rate], ['checkpoint interval', interval], ['restart time', restart]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new FinOpsError('input', `The ${name} must be a number, zero or more (got ${v}).`, { fix: `Pass a valid ${name}.` });
  }
  const lostPerInterruption = interval / 2 + restart;
  const overhead = rate * lostPerInterruption;
  const useful = input.usefulHoursPerMonth;
  const baseline = useful * input.onDemandHourly;
  const perDay = +(rate * 24).toFixed(2);
  const perMonth = +(rate * 730).toFixed(2);
  const rateText = perDay >= 0.1 ? `${perDay} interruption${perDay === 1 ? '' : 's'} a day (assumed)` : `${perMonth} interruption${perMonth === 1 ? '' : 's'} a month (assumed)`;
  if (overhead >= 1) {
    return {
      kind: 'spot', option: `Spot at ${perHour(input.spot.hourly)}`, status: 'notApplicable',
      baselineMonthlyCost: cents(baseline), monthlyCost: cents(baseline), monthlySaving: 0, savingFraction: 0,
      assumptions: [`With ${rateText}, each losing ${lostPerInterruption.toFixed(2)} h, the job never makes progress: checkpoint more often.`],
      inputs: { instanceType: input.instanceType, interruptionsPerHour: rate, checkpointIntervalHours: interval, restartHours: restart },
      sources: [input.onDemandSource, input.spot.source], runningHoursPerMonth: Infinity, overheadFraction: overhead,
    };
  }
  const running = useful / (1 - overhead);
  const cost = running * input.spot.hourly;
  const saving = baseline - cost;
  const atMax = input.spot.max !== undefined ? baseline - running * input.spot.max : undefined;
  const naive = baseline - useful * input.spot.hourly;
  return {
    kind: 'spot',
    option: `Spot at ${perHour(input.spot.hourly)} (${(100 * (1 - input.spot.hourly / input.onDemandHourly)).toFixed(0)} % below on-demand)`,
    status: 'ok',
    baselineMonthlyCost: cents(baseline),
    monthlyCost: cents(cost),
    monthlySaving: cents(saving),
    savingFraction: fraction(saving, baseline),
    assumptions: [
      `Spot price ${perHour(input.spot.hourly)} (average${input.spot.min !== undefined && input.spot.max !== undefined ? `; range ${perHour(input.spot.min)}–${perHour(input.spot.max)}` : ''}) vs ${perHour(input.onDemandHourly)} on-demand.`,
      `${rateText}; each loses half a checkpoint interval (${(interval / 2).toFixed(2)} h) plus ${restart.toFixed(2)} h to restart, so ${(overhead * 100).toFixed(1)} % of running time is redone: ${useful} useful hours need ${running.toFixed(1)} running hours.`,
      `Without the restart overhead the saving would be ${usd(naive)}/month; the overhead costs ${usd(naive - saving)}.`,
      ...(atMax !== undefined ? [`At the highest spot price seen (${perHour(input.spot.max ?? 0)}) the saving would be ${usd(atMax)}/month.`] : []),
      'Suits interruptible work that checkpoints (training, batch inference), not latency-bound serving.',
    ],
    inputs: {
      instanceType: input.instanceType, onDemandHourly: input.onDemandHourly, spotHourly: input.spot.hourly, usefulHoursPerMonth: useful,
      interruptionsPerHour: rate, checkpointIntervalHours: interval, restartHours: restart,
    },
    sources: uniqueSources([input.onDemandSource, input.spot.source]),
    runningHoursPerMonth: running,
    overheadFraction: overhead,
    ...(atMax !== undefined ? { monthlySavingAtMaxPrice: cents(atMax) } : {}),
  };
}
