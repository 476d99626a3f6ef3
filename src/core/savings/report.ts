import { providerLabels, type CommitmentPrice, type InstancePrices, type PriceSourceRef } from '../pricing/model';
import { mdText } from '../markdown';
import { usd, perHour, uniqueSources, type SavingsEstimate, type SavingsKind } from './estimate';
import type { SavingsPlan } from './plan';
import { forInstances, instancesText, monthlyOnDemand, type Instances } from './declared';
import { nativeMarkdown, type NativeRow } from './native';

/**
 * What a user sees for one instance type: its prices, every option with its assumptions and sources, the
 * combined figure, and any warnings (live prices unavailable, insufficient data). Rendered as Markdown for the
 * report's "Copy as Markdown", the CLI and the webview; as JSON for `mlfinops savings --format json`.
 */
export interface SavingsReport {
  title: string;
  /** Where the instance came from ("main.tf: aws_instance.trainer"), when known. */
  subject?: string;
  prices: InstancePrices;
  hoursPerMonth: number;
  options: SavingsEstimate[];
  /** The figures other views show for this resource, from the same options. */
  summary: SavingsSummary;
  warnings: string[];
  /** Options that could not be estimated, and why ("no reservation prices for … in the snapshot"). */
  missing: string[];
  /** Options silenced for this resource, and where (`main.tf:18 (# finops:ignore rightsizing)`). */
  ignored?: string[];
  /** The clouds' own recommendations for this resource, beside ours. */
  native?: NativeRow[];
  generatedAt: string;
}

export const kindLabels: Record<SavingsKind, string> = {
  rightsizing: 'Right-sizing',
  reservation: 'Reservation',
  savingsPlan: 'Savings plan',
  schedule: 'Auto-shutdown',
  spot: 'Spot',
  combined: 'Combined',
};

/**
 * Options the catalogue cannot estimate for these prices, each with the reason: no reserved-instance offers, no
 * savings-plan rates, no CUD, no Azure reservation, no spot price. "Not estimated" is said, never guessed.
 */
export function notEstimated(p: InstancePrices): string[] {
  const live = p.onDemand.source.live;
  const where = live ? 'the live price list' : 'the price snapshot';
  const liveHint = live ? '' : ' (live prices may have them: the mlFinops.savings.livePrices setting, or mlfinops savings --live)';
  const has = (kind: CommitmentPrice['kind']) => p.commitments.some((c) => c.kind === kind);
  const out: string[] = [];
  if (p.provider === 'aws') {
    if (!has('reservedInstance')) out.push(`Reserved instances: ${where} lists no reserved-instance offer for ${p.instanceType} in ${p.region}${liveHint}.`);
    if (!has('savingsPlan')) {
      out.push('Savings Plans (EC2 Instance and Compute): no public, dated and licensed copy of AWS Savings Plans rates exists to ship, and the AWS Price List EC2 offer carries none; they are not priced as reserved instances. AWS Cost Explorer\'s Savings Plans recommendations price them for your account.');
    }
  } else if (p.provider === 'gcp') {
    if (!has('committedUse')) out.push(`Committed-use discounts: ${where} lists no committed-use price for ${p.instanceType} in ${p.region}${liveHint}.`);
  } else if (!has('reservation')) {
    out.push(live
      ? `Reservations: the Azure Retail Prices API lists no reservation for ${p.instanceType} in ${p.region}.`
      : 'Reservations: no public, dated and licensed copy of Azure reservation prices exists to ship; turn on live prices (the Azure Retail Prices API lists them): the mlFinops.savings.livePrices setting, or mlfinops savings --live.');
  }
  if (!p.spot) out.push(`Spot: ${where} has no spot price for ${p.instanceType} in ${p.region}.`);
  return out;
}

export function buildReport(plan: SavingsPlan, options: { warnings?: string[]; subject?: string; now?: Date; ignored?: Partial<Record<SavingsKind, string>>; native?: NativeRow[] } = {}): SavingsReport {
  const p = plan.prices;
  const missing = notEstimated(p);
  const ignored = Object.entries(options.ignored ?? {}).map(([kind, where]) => `${kindLabels[kind as SavingsKind]}: ignored for this resource by ${where}.`);
  if (!plan.options.some((o) => o.kind === 'rightsizing') && !options.ignored?.rightsizing) missing.push('Right-sizing: needs hourly utilisation of a running instance (CloudWatch for AWS instances).');
  return {
    title: `Savings for ${p.instanceType} in ${p.region} (${providerLabels[p.provider]})`,
    ...(options.subject ? { subject: options.subject } : {}),
    prices: p,
    hoursPerMonth: plan.hoursPerMonth,
    options: plan.options,
    summary: summarize(plan),
    warnings: options.warnings ?? [],
    missing,
    ...(ignored.length ? { ignored } : {}),
    ...(options.native?.length ? { native: options.native } : {}),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The figures shown for one resource outside its report (code lens, tree, dashboard, CLI table headline), taken
 * from the same plan as the report's options so each is the same number wherever it appears.
 */
export interface SavingsSummary {
  hoursPerMonth: number;
  /** On-demand over the baseline: the baseline of every option. */
  onDemandMonthly: number;
  /** The spot option's monthly cost (checkpoint and interruption overhead included). */
  spotMonthly?: number;
  /** The 1-year commitment the lens quotes (cheapest no-upfront RI / CUD / reservation), its monthly cost. */
  oneYear?: { option: string; monthlyCost: number };
  /** The single option that saves most a month: the recommendation the lens, tree and dashboard quote. */
  best?: SavingsEstimate;
  /** The options that stack, compounded (the report's combined row). */
  combined?: { option: string; monthlySaving: number; savingFraction: number };
  /** The right-sizing recommendation, when one was estimated and saves: what the right-size code action offers. */
  rightSizing?: { recommendedType: string; monthlySaving: number; sources: PriceSourceRef[] };
}

export function summarize(plan: SavingsPlan): SavingsSummary {
  const p = plan.prices;
  const spot = plan.options.find((o) => o.kind === 'spot' && o.status === 'ok');
  const c1 = headlineCommitment(p, 1);
  const oneYear = c1 ? plan.options.find((o) => o.kind !== 'combined' && o.inputs.term === 1 && o.inputs.effectiveHourly === c1.effectiveHourly && o.inputs.payment === c1.payment) : undefined;
  const best = plan.options.filter((o) => o.status === 'ok' && o.kind !== 'combined' && o.monthlySaving > 0).sort((a, b) => b.monthlySaving - a.monthlySaving)[0];
  const combined = plan.combined?.status === 'ok' ? plan.combined : undefined;
  const rs = plan.options.find((o) => o.kind === 'rightsizing' && o.status === 'ok' && o.monthlySaving > 0 && typeof o.inputs.recommendedType === 'string');
  return {
    hoursPerMonth: plan.hoursPerMonth,
    onDemandMonthly: monthlyOnDemand(p, plan.hoursPerMonth),
    ...(spot ? { spotMonthly: spot.monthlyCost } : {}),
    ...(oneYear ? { oneYear: { option: oneYear.option, monthlyCost: oneYear.monthlyCost } } : {}),
    ...(best ? { best } : {}),
    ...(combined ? { combined: { option: combined.option, monthlySaving: combined.monthlySaving, savingFraction: combined.savingFraction } } : {}),
    ...(rs ? { rightSizing: { recommendedType: String(rs.inputs.recommendedType), monthlySaving: rs.monthlySaving, sources: rs.sources } } : {}),
  };
}

/** One option exactly as `mlfinops savings --format json` prints it. */
interface SavingsJson {
  kind: SavingsKind;
  option: string;
  monthlyCost: number;
  monthlySaving: number;
  savingFraction: number;
  assumptions: string[];
  sources: Array<{ name: string; capturedAt: string }>;
}

export function estimateToJson(e: SavingsEstimate): SavingsJson {
  return {
    kind: e.kind,
    option: e.option,
    monthlyCost: e.monthlyCost,
    monthlySaving: e.monthlySaving,
    savingFraction: Math.round(e.savingFraction * 10_000) / 10_000,
    assumptions: e.assumptions,
    sources: e.sources.map((s) => ({ name: s.name, capturedAt: s.capturedAt })),
  };
}

/** "12.3 %" */
export function percent(f: number): string {
  return `${(f * 100).toFixed(1)} %`;
}


export function sourceLine(s: PriceSourceRef): string {
  return `${s.name}, ${s.capturedAt === 'unknown' ? 'capture date unknown' : `captured ${s.capturedAt}`}${s.live ? ' (live)' : ''}`;
}

/** The prices the report is based on, one line each (hourly; monthly figures are the options'). */
export function priceLines(p: InstancePrices, hours: number): string[] {
  const lines = [`On-demand ${perHour(p.onDemand.hourly)} × ${hours} h = ${usd(p.onDemand.hourly * hours)} a month, the baseline of every option — ${sourceLine(p.onDemand.source)}`];
  if (p.spot) lines.push(`Spot ${perHour(p.spot.hourly)} average${p.spot.min !== undefined && p.spot.max !== undefined ? ` (${perHour(p.spot.min)}–${perHour(p.spot.max)})` : ''} — ${sourceLine(p.spot.source)}`);
  const oneYear = headlineCommitment(p, 1);
  if (oneYear) lines.push(`1-yr ${perHour(oneYear.effectiveHourly)} effective — ${sourceLine(oneYear.source)}`);
  return lines;
}

/** The commitment a code lens quotes for a term: the cheapest no-upfront RI / CUD / reservation (not a savings plan). */
export function headlineCommitment(p: InstancePrices, term: 1 | 3): CommitmentPrice | undefined {
  return p.commitments
    .filter((c) => c.term === term && c.kind !== 'savingsPlan' && c.offering !== 'convertible')
    .sort((a, b) => (a.payment === 'noUpfront' ? 0 : 1) - (b.payment === 'noUpfront' ? 0 : 1) || a.effectiveHourly - b.effectiveHourly)[0];
}

/** The code-lens line: `≈ $2,234/mo on-demand · spot ≈ $700 · 1-yr ≈ $1,519 · best saves $1,534/mo`. */
/**
 * The code lens over a declared machine. `instances` (`count = 6`, `for_each` over three keys) scales every figure
 * to all the machines, as the Resources view's estimate does (`forInstances`); an unknown count says "per instance".
 */
export function lensTitle(s: SavingsSummary, instances?: Instances): string {
  const all = (perMachine: number): string => usd(forInstances(perMachine, instances).amount, true);
  const parts = [`≈ ${all(s.onDemandMonthly)}/mo on-demand${instancesText(instances).covers}`];
  if (s.spotMonthly !== undefined) parts.push(`spot ≈ ${all(s.spotMonthly)}`);
  if (s.oneYear) parts.push(`1-yr ≈ ${all(s.oneYear.monthlyCost)}`);
  if (s.best) parts.push(`best saves ${all(s.best.monthlySaving)}/mo`);
  // to the cent: the right-size code action quotes the same figure (for one machine; × the count here)
  if (s.rightSizing) parts.push(`right-size → ${s.rightSizing.recommendedType} saves ${usd(forInstances(s.rightSizing.monthlySaving, instances).amount)}/mo`);
  return parts.join(' · ');
}

export function reportToMarkdown(r: SavingsReport): string {
  const p = r.prices;
  const s = p.shape;
  const out: string[] = [];
  out.push(`# ${mdText(r.title)}`, '');
  if (r.subject) out.push(`Resource: ${mdText(r.subject)}`, '');
  out.push(`${s.vcpu} vCPU, ${s.memoryGiB} GiB memory${s.gpus ? `, ${s.gpus} × ${s.gpuModel ?? 'GPU'}` : s.gpus === null && s.gpuModel ? `, part of an ${s.gpuModel}` : ''}. Every figure is over one baseline month of ${r.hoursPerMonth} instance-hours.`, '');
  for (const w of r.warnings) out.push(`> **Note:** ${mdText(w)}`, '');
  out.push('## Prices', '', ...priceLines(p, r.hoursPerMonth).map((l) => `- ${mdText(l)}`), ...p.notes.map((n) => `- ${mdText(n)}`), '');
  out.push('## Options', '', '| Kind | Option | Monthly cost | Saving / month | Saving |', '|---|---|---:|---:|---:|');
  for (const e of r.options) {
    out.push(`| ${kindLabels[e.kind]} | ${mdText(e.option)} | ${usd(e.monthlyCost)} | ${usd(e.monthlySaving)} | ${e.status === 'ok' ? percent(e.savingFraction) : '—'} |`);
  }
  out.push('', ...r.missing.map((m) => `- _Not estimated:_ ${mdText(m)}`), ...(r.missing.length ? [''] : []));
  out.push(...(r.ignored ?? []).map((m) => `- _Ignored:_ ${mdText(m)}`), ...(r.ignored?.length ? [''] : []));
  for (const e of r.options) {
    out.push(`### ${kindLabels[e.kind]}: ${mdText(e.option)}`, '');
    out.push(`${usd(e.monthlyCost)}/month instead of ${usd(e.baselineMonthlyCost)}: ${e.monthlySaving >= 0 ? 'saves' : 'costs'} ${usd(Math.abs(e.monthlySaving))} (${percent(e.savingFraction)}).`, '');
    out.push(...e.assumptions.map((a) => `- ${mdText(a)}`), '');
    out.push(`Sources: ${e.sources.map((src) => mdText(sourceLine(src))).join('; ')}`, '');
  }
  out.push(...nativeMarkdown(r.native ?? [], mdText));
  const all = uniqueSources(r.options.flatMap((e) => e.sources).concat([p.onDemand.source]));
  out.push('## Sources', '', ...all.map((src) => `- ${mdText(sourceLine(src))}${src.url ? ` — <${src.url}>` : ''}`), '');
  out.push(`_Generated ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC by ML FinOps. Estimates, not quotes: prices change, and taxes and support are not included._`, '');
  return out.join('\n');
}
