import { FinOpsError } from '../errors';
import { HOURS_PER_MONTH, paymentLabels, termHours, type CommitmentPrice } from '../pricing/model';
import { cents, fraction, perHour, uniqueSources, usd, type SavingsEstimate } from './estimate';

/**
 * Reservations, savings plans and committed-use discounts. A commitment bills every hour of its term whether
 * the instance runs or not, plus any upfront fee; on-demand bills only the hours used. So the saving depends
 * on how steadily the capacity is used, and the break-even month on the upfront fee.
 */

interface CommitmentInput {
  instanceType: string;
  onDemandHourly: number;
  onDemandSource: CommitmentPrice['source'];
  /** Instance-hours of this type used per month (730 = one instance around the clock). */
  usageHoursPerMonth: number;
  commitment: CommitmentPrice;
  /** Instances committed. Default: the steady number of instances, floor(usage / 730), at least 1. */
  quantity?: number;
  /** Share of usage that might go away during the term (0..1), for the risk figure. Default 0.3. */
  usageDropShare?: number;
}

export interface CommitmentEstimate extends SavingsEstimate {
  kind: 'reservation' | 'savingsPlan';
  termMonths: number;
  quantity: number;
  upfront: number;
  totalCommitmentCost: number;
  totalOnDemandCost: number;
  totalSaving: number;
  /** First month at whose end the cumulative cost with the commitment is no more than on-demand; null if never within the term. */
  breakEvenMonth: number | null;
  /** Monthly saving if usage drops by `usageDropShare` (negative: the commitment then costs more than on-demand). */
  monthlySavingIfUsageDrops: number;
  usageDropShare: number;
  /** Usage (share of the committed hours) below which the commitment costs more than on-demand. */
  breakEvenUtilisation: number;
}

function commitmentLabel(c: CommitmentPrice): string {
  const term = `${c.term}-yr`;
  const pay = paymentLabels[c.payment];
  switch (c.kind) {
    case 'reservedInstance': return `${term} ${c.offering ?? 'standard'} reserved instance, ${pay}`;
    case 'savingsPlan': return `${term} ${c.plan === 'ec2Instance' ? 'EC2 Instance' : 'Compute'} Savings Plan, ${pay}`;
    case 'committedUse': return `${term} committed-use discount`;
    case 'reservation': return `${term} reservation, ${pay}`;
  }
}

interface MonthlyCost { cost: number; baseline: number }

function monthly(usage: number, quantity: number, c: CommitmentPrice, onDemand: number, months: number): MonthlyCost {
  const covered = Math.min(usage, quantity * HOURS_PER_MONTH);
  const uncovered = usage - covered;
  return {
    cost: quantity * (c.hourly * HOURS_PER_MONTH + c.upfront / months) + uncovered * onDemand,
    baseline: usage * onDemand,
  };
}

export function estimateCommitment(input: CommitmentInput): CommitmentEstimate {
  const { commitment: c, onDemandHourly: od } = input;
  if (!(od > 0)) throw new FinOpsError('input', `No on-demand price for ${input.instanceType}.`, { fix: 'Pick a type and region the catalogue prices.' });
  if (!(input.usageHoursPerMonth >= 0)) throw new FinOpsError('input', 'Usage hours per month must be zero or more.', { fix: 'Pass the instance-hours used per month, such as 730 for one instance around the clock.' });
  const usage = input.usageHoursPerMonth;
  const quantity = input.quantity ?? Math.max(1, Math.floor(usage / HOURS_PER_MONTH));
  const months = c.term * 12;
  const drop = Math.min(1, Math.max(0, input.usageDropShare ?? 0.3));

  const now = monthly(usage, quantity, c, od, months);
  const saving = now.baseline - now.cost;
  const covered = Math.min(usage, quantity * HOURS_PER_MONTH);
  // Cumulative by month m: upfront + m × (recurring + uncovered on-demand) against m × baseline.
  const monthlyDelta = covered * od - quantity * c.hourly * HOURS_PER_MONTH;
  const upfrontTotal = quantity * c.upfront;
  let breakEvenMonth: number | null = null;
  if (monthlyDelta > 0) {
    const m = Math.max(1, Math.ceil(upfrontTotal / monthlyDelta - 1e-9));
    breakEvenMonth = m <= months ? m : null;
  }
  const dropped = monthly(usage * (1 - drop), quantity, c, od, months);
  const totalCommitment = quantity * (c.upfront + c.hourly * termHours(c.term)) + (usage - covered) * od * months;
  const totalOnDemand = now.baseline * months;
  const breakEvenUtilisation = (c.effectiveHourly / od);
  const kind = c.kind === 'savingsPlan' ? 'savingsPlan' : 'reservation';
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

  const assumptions = [
    `${quantity} × ${input.instanceType} committed for ${c.term} year${c.term > 1 ? 's' : ''} (${months} months): ${usd(c.upfront)} upfront${c.hourly > 0 ? ` and ${perHour(c.hourly)} for every hour of the term` : ''} (effective ${perHour(c.effectiveHourly)}), against ${perHour(od)} on-demand.`,
    `Usage ${usage} instance-hours a month; the commitment covers ${covered} of them${usage > covered ? `, the other ${usage - covered} stay on-demand` : ''}.`,
    `${c.upfront > 0 ? 'Monthly cost spreads the upfront fee over the term. ' : ''}Over the term: ${usd(totalCommitment)} with the commitment vs ${usd(totalOnDemand)} on-demand.`,
    breakEvenMonth === null
      ? (monthlyDelta > 0 ? 'The upfront fee is not recovered within the term.' : 'The commitment costs more each month than on-demand at this usage: it never breaks even.')
      : c.upfront > 0
        ? `Break-even in month ${breakEvenMonth}: the upfront fee is recovered by then (${(upfrontTotal / monthlyDelta).toFixed(1)} months).`
        : 'No upfront fee: it saves from the first month.',
    `Risk: if usage drops ${pct(drop)}, the monthly saving becomes ${usd(dropped.baseline - dropped.cost)}${dropped.cost > dropped.baseline ? ' (a loss)' : ''}. It stops paying off below ${pct(breakEvenUtilisation)} utilisation of the committed hours.`,
    ...(c.derivation ? [c.derivation] : []),
  ];
  return {
    kind,
    option: commitmentLabel(c),
    status: 'ok',
    baselineMonthlyCost: cents(now.baseline),
    monthlyCost: cents(now.cost),
    monthlySaving: cents(saving),
    savingFraction: fraction(saving, now.baseline),
    assumptions,
    inputs: {
      instanceType: input.instanceType, onDemandHourly: od, usageHoursPerMonth: usage, quantity, term: c.term, payment: c.payment,
      upfront: c.upfront, hourly: c.hourly, effectiveHourly: c.effectiveHourly, usageDropShare: drop,
    },
    sources: uniqueSources([input.onDemandSource, c.source]),
    termMonths: months,
    quantity,
    upfront: cents(upfrontTotal),
    totalCommitmentCost: cents(totalCommitment),
    totalOnDemandCost: cents(totalOnDemand),
    totalSaving: cents(totalOnDemand - totalCommitment),
    breakEvenMonth,
    monthlySavingIfUsageDrops: cents(dropped.baseline - dropped.cost),
    usageDropShare: drop,
    breakEvenUtilisation,
  };
}
