import { HOURS_PER_MONTH, providerLabels, type InstancePrices, type PriceSourceRef } from '../pricing/model';
import { mdText } from '../markdown';
import { usd, perHour, uniqueSources, type SavingsEstimate, type SavingsKind } from './estimate';
import { monthlyOnDemand } from './declared';
import type { SavingsPlan } from './plan';

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
  warnings: string[];
  /** Options that could not be estimated, and why ("no reservation prices for … in the snapshot"). */
  missing: string[];
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

export function buildReport(plan: SavingsPlan, options: { hoursPerMonth: number; warnings?: string[]; subject?: string; now?: Date }): SavingsReport {
  const p = plan.prices;
  const where = p.onDemand.source.live ? 'the live price list' : 'the price snapshot';
  const missing: string[] = [];
  if (p.commitments.length === 0) missing.push(`Reservations and savings plans: ${where} has no commitment prices for ${p.instanceType} in ${p.region}${p.onDemand.source.live ? '' : ' (live prices may have them: mlFinops.savings.livePrices, or mlfinops savings --live)'}.`);
  if (!p.spot) missing.push(`Spot: ${where} has no spot price for ${p.instanceType} in ${p.region}.`);
  if (!plan.options.some((o) => o.kind === 'rightsizing')) missing.push('Right-sizing: needs hourly utilisation of a running instance (CloudWatch for AWS instances).');
  return {
    title: `Savings for ${p.instanceType} in ${p.region} (${providerLabels[p.provider]})`,
    ...(options.subject ? { subject: options.subject } : {}),
    prices: p,
    hoursPerMonth: options.hoursPerMonth,
    options: plan.options,
    warnings: options.warnings ?? [],
    missing,
    generatedAt: (options.now ?? new Date()).toISOString(),
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

/** The prices the report is based on, one line each. */
export function priceLines(p: InstancePrices, hours: number): string[] {
  const lines = [`On-demand ${perHour(p.onDemand.hourly)} ≈ ${usd(monthlyOnDemand(p, hours), true)}/mo at ${hours} h — ${sourceLine(p.onDemand.source)}`];
  if (p.spot) lines.push(`Spot ${perHour(p.spot.hourly)} ≈ ${usd(p.spot.hourly * hours, true)}/mo — ${sourceLine(p.spot.source)}`);
  const oneYear = headlineCommitment(p, 1);
  if (oneYear) lines.push(`1-yr ${perHour(oneYear.effectiveHourly)} effective ≈ ${usd(oneYear.effectiveHourly * HOURS_PER_MONTH, true)}/mo — ${sourceLine(oneYear.source)}`);
  return lines;
}

/** The commitment a code lens quotes for a term: the cheapest no-upfront RI / CUD / reservation (not a savings plan). */
export function headlineCommitment(p: InstancePrices, term: 1 | 3) {
  return p.commitments
    .filter((c) => c.term === term && c.kind !== 'savingsPlan' && c.offering !== 'convertible')
    .sort((a, b) => (a.payment === 'noUpfront' ? 0 : 1) - (b.payment === 'noUpfront' ? 0 : 1) || a.effectiveHourly - b.effectiveHourly)[0];
}

/** The code-lens line: `≈ $2,234/mo on-demand · spot ≈ $670 · 1-yr ≈ $1,519`. */
export function lensTitle(p: InstancePrices, hours = HOURS_PER_MONTH): string {
  const parts = [`≈ ${usd(monthlyOnDemand(p, hours), true)}/mo on-demand`];
  if (p.spot) parts.push(`spot ≈ ${usd(p.spot.hourly * hours, true)}`);
  const c1 = headlineCommitment(p, 1);
  if (c1) parts.push(`1-yr ≈ ${usd(c1.effectiveHourly * hours, true)}`);
  return parts.join(' · ');
}

export function reportToMarkdown(r: SavingsReport): string {
  const p = r.prices;
  const s = p.shape;
  const out: string[] = [];
  out.push(`# ${mdText(r.title)}`, '');
  if (r.subject) out.push(`Resource: ${mdText(r.subject)}`, '');
  out.push(`${s.vcpu} vCPU, ${s.memoryGiB} GiB memory${s.gpus ? `, ${s.gpus} × ${s.gpuModel ?? 'GPU'}` : s.gpus === null && s.gpuModel ? `, part of an ${s.gpuModel}` : ''}. Baseline: ${r.hoursPerMonth} instance-hours a month.`, '');
  for (const w of r.warnings) out.push(`> **Note:** ${mdText(w)}`, '');
  out.push('## Prices', '', ...priceLines(p, r.hoursPerMonth).map((l) => `- ${mdText(l)}`), ...p.notes.map((n) => `- ${mdText(n)}`), '');
  out.push('## Options', '', '| Kind | Option | Monthly cost | Saving / month | Saving |', '|---|---|---:|---:|---:|');
  for (const e of r.options) {
    out.push(`| ${kindLabels[e.kind]} | ${mdText(e.option)} | ${usd(e.monthlyCost)} | ${usd(e.monthlySaving)} | ${e.status === 'ok' ? percent(e.savingFraction) : '—'} |`);
  }
  out.push('', ...r.missing.map((m) => `- _Not estimated:_ ${mdText(m)}`), ...(r.missing.length ? [''] : []));
  for (const e of r.options) {
    out.push(`### ${kindLabels[e.kind]}: ${mdText(e.option)}`, '');
    out.push(`${usd(e.monthlyCost)}/month instead of ${usd(e.baselineMonthlyCost)}: ${e.monthlySaving >= 0 ? 'saves' : 'costs'} ${usd(Math.abs(e.monthlySaving))} (${percent(e.savingFraction)}).`, '');
    out.push(...e.assumptions.map((a) => `- ${mdText(a)}`), '');
    out.push(`Sources: ${e.sources.map((src) => mdText(sourceLine(src))).join('; ')}`, '');
  }
  const all = uniqueSources(r.options.flatMap((e) => e.sources).concat([p.onDemand.source]));
  out.push('## Sources', '', ...all.map((src) => `- ${mdText(sourceLine(src))}${src.url ? ` — <${src.url}>` : ''}`), '');
  out.push(`_Generated ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC by ML FinOps. Estimates, not quotes: prices change, and taxes and support are not included._`, '');
  return out.join('\n');
}
