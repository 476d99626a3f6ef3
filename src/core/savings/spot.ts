import { FinOpsError } from '../errors';
import { HOURS_PER_MONTH, type CloudProvider, type PriceSourceRef, type SpotPrice } from '../pricing/model';
import { cents, fraction, perHour, uniqueSources, usd, type SavingsEstimate } from './estimate';

/**
 * Spot (preemptible) capacity: the saving from the lower price, minus the time spent on checkpoints and the work
 * redone after interruptions.
 *
 * - Writing a checkpoint pauses training for `checkpointWriteHours` every `checkpointIntervalHours` of work, so
 *   each useful hour needs 1 + write / interval hours.
 * - When the cloud warns before it reclaims the instance (AWS 2 minutes, Google Cloud and Azure 30 seconds) and a
 *   checkpoint can be written within the notice, the job checkpoints on notice: an interruption loses only that
 *   write and the restart. Otherwise it loses on average half a checkpoint interval of work plus the restart.
 * - With `rate` interruptions per running hour and `lost` hours lost to each, useful hours per running hour are
 *   (1 − rate × lost) / (1 + write / interval).
 */

/** How long before reclaiming a Spot instance each cloud warns it (documented minimums). */
export const interruptionNotice: Record<CloudProvider, { seconds: number; how: string }> = {
  aws: { seconds: 120, how: 'the EC2 Spot interruption notice (instance metadata spot/instance-action), 2 minutes ahead' },
  gcp: { seconds: 30, how: 'the Spot VM preemption notice (ACPI soft-off, metadata preempted), 30 seconds ahead' },
  azure: { seconds: 30, how: 'the Scheduled Events Preempt event, at least 30 seconds ahead' },
};

interface SpotInput {
  instanceType: string;
  /** Which cloud, for its interruption notice. Without it no notice is assumed. */
  provider?: CloudProvider;
  onDemandHourly: number;
  onDemandSource: PriceSourceRef;
  spot: SpotPrice;
  /** Useful (on-demand-equivalent) instance-hours per month. */
  usefulHoursPerMonth: number;
  /** Expected interruptions per running instance-hour. */
  interruptionsPerHour: number;
  /** Hours between checkpoints. */
  checkpointIntervalHours: number;
  /** Hours one checkpoint takes to write, training paused (default 0). */
  checkpointWriteHours?: number;
  /** Hours from an interruption to training again (new capacity, boot, restore the checkpoint), billed. */
  restartHours: number;
}

interface SpotEstimate extends SavingsEstimate {
  /** Running hours needed for the useful hours, interruptions included. */
  runningHoursPerMonth: number;
  overheadFraction: number;
  /** Hours lost to each interruption. */
  lostPerInterruptionHours: number;
  /** True when a checkpoint fits in the cloud's notice, so an interruption loses no training. */
  checkpointOnNotice: boolean;
  /** Saving at the highest spot price seen, when the source gives it. */
  monthlySavingAtMaxPrice?: number;
}

function minutes(h: number): string {
  const m = h * 60;
  return m < 1 ? `${Math.round(m * 60)} s` : `${+m.toFixed(1)} min`;
}

export function estimateSpot(input: SpotInput): SpotEstimate {
  const { interruptionsPerHour: rate, checkpointIntervalHours: interval, restartHours: restart } = input;
  const write = input.checkpointWriteHours ?? 0;
  for (const [name, v] of [['interruption rate', rate], ['checkpoint interval', interval], ['checkpoint write time', write], ['restart time', restart]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new FinOpsError('input', `The ${name} must be a number, zero or more (got ${v}).`, { fix: `Pass a valid ${name}.` });
  }
  if (!(interval > 0)) throw new FinOpsError('input', `The checkpoint interval must be more than zero (got ${interval}).`, { fix: 'Pass the minutes between checkpoints, such as 60.' });
  const notice = input.provider ? interruptionNotice[input.provider] : undefined;
  const onNotice = notice !== undefined && write * 3600 <= notice.seconds;
  const lostPerInterruption = onNotice ? write + restart : interval / 2 + restart;
  const writeShare = write / interval;
  const interruptionShare = rate * lostPerInterruption;
  const useful = input.usefulHoursPerMonth;
  const baseline = useful * input.onDemandHourly;
  const perDay = +(rate * 24).toFixed(2);
  const perMonth = +(rate * HOURS_PER_MONTH).toFixed(2);
  const rateText = perDay >= 0.1 ? `${perDay} interruption${perDay === 1 ? '' : 's'} a day (assumed)` : `${perMonth} interruption${perMonth === 1 ? '' : 's'} a month (assumed)`;
  const inputs = {
    instanceType: input.instanceType, onDemandHourly: input.onDemandHourly, spotHourly: input.spot.hourly, usefulHoursPerMonth: useful,
    interruptionsPerHour: rate, checkpointIntervalHours: interval, checkpointWriteHours: write, restartHours: restart,
    noticeSeconds: notice?.seconds ?? 0, checkpointOnNotice: onNotice,
  };
  const noticeText = notice === undefined
    ? 'No interruption notice is assumed, so an interruption loses the work since the last checkpoint.'
    : onNotice
      ? `On notice: ${notice.how}; a checkpoint takes ${minutes(write)} to write, so the job checkpoints when the notice arrives and an interruption loses only that write and the ${minutes(restart)} restart (the job must save on the notice, as the product's spot training does).`
      : `On notice: ${notice.how}; a checkpoint takes ${minutes(write)} to write, longer than the notice, so an interruption loses on average half a checkpoint interval (${minutes(interval / 2)}) of work plus the ${minutes(restart)} restart.`;
  const writeText = `Checkpoints every ${minutes(interval)}, each taking ${minutes(write)} to write with training paused: ${(writeShare * 100).toFixed(1)} % more running time.`;
  if (interruptionShare >= 1) {
    return {
      kind: 'spot', option: `Spot at ${perHour(input.spot.hourly)}`, status: 'notApplicable',
      baselineMonthlyCost: cents(baseline), monthlyCost: cents(baseline), monthlySaving: 0, savingFraction: 0,
      assumptions: [`With ${rateText}, each losing ${lostPerInterruption.toFixed(2)} h, the job never makes progress: checkpoint more often.`, noticeText],
      inputs, sources: [input.onDemandSource, input.spot.source], runningHoursPerMonth: Infinity, overheadFraction: 1,
      lostPerInterruptionHours: lostPerInterruption, checkpointOnNotice: onNotice,
    };
  }
  const running = (useful * (1 + writeShare)) / (1 - interruptionShare);
  const overhead = 1 - useful / running;
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
      writeText,
      noticeText,
      `${rateText}, each losing ${minutes(lostPerInterruption)}: ${(overhead * 100).toFixed(1)} % of running time goes to checkpoints and redone work; ${useful} useful hours need ${running.toFixed(1)} running hours.`,
      `Without that overhead the saving would be ${usd(naive)}/month; the overhead costs ${usd(naive - saving)}.`,
      ...(atMax !== undefined ? [`At the highest spot price seen (${perHour(input.spot.max ?? 0)}) the saving would be ${usd(atMax)}/month.`] : []),
      'Suits interruptible work that checkpoints (training, batch inference), not latency-bound serving.',
    ],
    inputs,
    sources: uniqueSources([input.onDemandSource, input.spot.source]),
    runningHoursPerMonth: running,
    overheadFraction: overhead,
    lostPerInterruptionHours: lostPerInterruption,
    checkpointOnNotice: onNotice,
    ...(atMax !== undefined ? { monthlySavingAtMaxPrice: cents(atMax) } : {}),
  };
}
