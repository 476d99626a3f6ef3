import type { CloudProvider, PriceSourceRef } from '../pricing/model';
import { cents, usd, type SavingsEstimate } from './estimate';

/**
 * The clouds' own recommenders, shown beside our estimates: AWS Compute Optimizer (EC2 instance recommendations,
 * GPU-aware), Google Recommender (`google.compute.instance.MachineTypeRecommender`) and Azure Advisor (cost
 * category). Each keeps its own saving, source and date; where one disagrees with our estimate for the same
 * resource, both are shown with the reasons, computed from what each used (lookback, metrics, price basis, type).
 */

export type NativeSourceName = 'AWS Compute Optimizer' | 'Google Recommender' | 'Azure Advisor';

export interface NativeRecommendation {
  provider: CloudProvider;
  source: NativeSourceName;
  /** The resource as the cloud names it: an instance ARN, a GCP instance path, an Azure resource id. */
  resourceId: string;
  /** Short name for lists (`i-0abc…`, `llm-finetune`, `inference`). */
  resourceName: string;
  /** `rightsize` (another type), `shutdown` (idle: stop or delete it), or `other` (reservations, savings plans …). */
  action: 'rightsize' | 'shutdown' | 'other';
  currentType?: string;
  recommendedType?: string;
  /** What the recommender says it saves a month (its own figure, never recomputed). */
  monthlySaving: number;
  currency: string;
  /** Days of utilisation it looked at. */
  lookbackDays?: number;
  /** The metrics it weighed (`CPU`, `memory`, `GPU`, `GPU memory`, `network` …), as it reports them. */
  metrics: string[];
  /** What its saving is priced on (`on-demand list prices`, `after your discounts (RIs, Savings Plans)` …). */
  priceBasis: string;
  /** When the recommender last refreshed it (ISO date). */
  refreshedAt?: string;
  /** Its own words: finding, performance risk, inferred workloads, GPUs. */
  details: string[];
  region?: string;
}

/** The source line of a recommendation: `AWS Compute Optimizer, refreshed 2026-11-30`. */
export function nativeSourceLine(r: NativeRecommendation): string {
  return `${r.source}, ${r.refreshedAt ? `refreshed ${r.refreshedAt.slice(0, 10)}` : 'refresh date not given'}`;
}

/** A one-line title: `AWS Compute Optimizer: p3.8xlarge → p3.2xlarge saves $8,935.20/mo`. */
export function nativeTitle(r: NativeRecommendation): string {
  const what = r.action === 'rightsize' && r.recommendedType
    ? `${r.currentType ?? '?'} → ${r.recommendedType}`
    : r.action === 'shutdown' ? `stop idle ${r.currentType ?? r.resourceName}` : r.details[0] ?? 'recommendation';
  return `${r.source}: ${r.resourceName} ${what} saves ${moneyOf(r.monthlySaving, r.currency)}/mo`;
}

function moneyOf(n: number, currency: string): string {
  return currency === 'USD' ? usd(n) : `${n.toFixed(2)} ${currency}`;
}

/** What our own right-sizing of the resource used, for the comparison. */
export interface OurRightSizing {
  recommendedType?: string;
  monthlySaving: number;
  /** Hours of utilisation the estimate saw, and the days it asked for. */
  observedHours: number;
  lookbackDays: number;
  /** Metrics it weighed (`CPU`, `GPU`, `GPU memory`, `memory`). */
  metrics: string[];
  priceSource: PriceSourceRef;
  hoursPerMonth: number;
  /** `Right-size p3.8xlarge → p3.2xlarge`, or why not (`Keep … saturated`). */
  option: string;
}

export interface Comparison {
  agree: boolean;
  /** Why they differ, each computed from the two (empty when they agree). */
  reasons: string[];
}

const METRIC_ALIASES: Record<string, string> = {
  cpu: 'CPU', memory: 'memory', gpu: 'GPU', gpu_percentage: 'GPU', gpumemory: 'GPU memory', gpu_memory_percentage: 'GPU memory', 'gpu memory': 'GPU memory',
  ebs_read_ops_per_second: 'disk', ebs_write_ops_per_second: 'disk', ebs_read_bytes_per_second: 'disk', ebs_write_bytes_per_second: 'disk',
  disk_read_ops_per_second: 'disk', disk_write_ops_per_second: 'disk', disk_read_bytes_per_second: 'disk', disk_write_bytes_per_second: 'disk',
  network_in_bytes_per_second: 'network', network_out_bytes_per_second: 'network', network_packets_in_per_second: 'network', network_packets_out_per_second: 'network',
};

/** One spelling per metric (`GPU_MEMORY_PERCENTAGE` and `gpuMemory` are both `GPU memory`). */
export function metricLabel(name: string): string {
  const key = name.toLowerCase();
  return METRIC_ALIASES[key] ?? METRIC_ALIASES[key.replace(/[^a-z]/g, '')] ?? name;
}

/** Savings within a dollar or 5 % of each other agree (rounding, a price change since the recommender refreshed). */
function sameSaving(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1, 0.05 * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * Whether a native recommendation and ours agree on the same resource, and if not, why: the type each picks, the
 * lookback each read, the metrics one weighed that the other did not, and the prices each saving rests on (with
 * the hourly difference each saving implies over our baseline hours).
 */
export function compareWithOurs(native: NativeRecommendation, ours: OurRightSizing): Comparison {
  const reasons: string[] = [];
  const sameType = (native.recommendedType ?? '') === (ours.recommendedType ?? '');
  const agree = sameType && sameSaving(native.monthlySaving, ours.monthlySaving);
  if (agree) return { agree, reasons };
  if (!sameType) {
    reasons.push(`Type: ${native.source} ${native.recommendedType ? `recommends ${native.recommendedType}` : native.action === 'shutdown' ? 'recommends stopping it (idle)' : 'recommends no other type'}; ours ${ours.recommendedType ? `recommends ${ours.recommendedType}` : `says "${ours.option}"`}.`);
  }
  const ourDays = Math.min(ours.lookbackDays, Math.round((ours.observedHours / 24) * 10) / 10);
  if (native.lookbackDays !== undefined && native.lookbackDays !== ours.lookbackDays) {
    reasons.push(`Lookback: ${native.source} looked at ${native.lookbackDays} days; ours asked for ${ours.lookbackDays} days and found ${ours.observedHours} hours (${ourDays} days) of data.`);
  } else if (native.lookbackDays !== undefined && ours.observedHours < ours.lookbackDays * 24) {
    reasons.push(`Lookback: both ask for ${ours.lookbackDays} days, but ours found only ${ours.observedHours} hours of data.`);
  }
  const theirs = new Set(native.metrics.map(metricLabel));
  const mine = new Set(ours.metrics.map(metricLabel));
  const onlyTheirs = [...theirs].filter((m) => !mine.has(m));
  const onlyMine = [...mine].filter((m) => !theirs.has(m));
  if (onlyTheirs.length || onlyMine.length) {
    reasons.push(`Metrics: ${[
      ...(onlyTheirs.length ? [`${native.source} also weighs ${onlyTheirs.join(', ')}`] : []),
      ...(onlyMine.length ? [`ours also weighs ${onlyMine.join(', ')}${onlyMine.includes('GPU memory') ? ' (sized by its 5-minute peak)' : ''}`] : []),
    ].join('; ')}.`);
  }
  const ourBasis = `on-demand prices from ${ours.priceSource.name} (${ours.priceSource.capturedAt})`;
  const hourly = (m: number) => cents(m / ours.hoursPerMonth * 100) / 100;
  if (!sameSaving(native.monthlySaving, ours.monthlySaving)) {
    reasons.push(`Price: ${native.source}'s ${moneyOf(native.monthlySaving, native.currency)}/mo is priced on ${native.priceBasis}`
      + ` (${moneyOf(hourly(native.monthlySaving), native.currency)}/h over ${ours.hoursPerMonth} h); ours, ${usd(ours.monthlySaving)}/mo, on ${ourBasis} (${usd(hourly(ours.monthlySaving))}/h).`);
  }
  return { agree, reasons };
}

/** What our right-sizing option of a report used, for `compareWithOurs`. */
export function ourRightSizingOf(option: SavingsEstimate, lookbackDays: number, hoursPerMonth: number): OurRightSizing {
  const i = option.inputs;
  const metrics = (['cpu', 'gpu', 'gpuMemory', 'memory'] as const).filter((k) => typeof i[`${k}Hours`] === 'number');
  return {
    ...(option.status === 'ok' && typeof i.recommendedType === 'string' ? { recommendedType: i.recommendedType } : {}),
    monthlySaving: option.monthlySaving,
    observedHours: typeof i.cpuHours === 'number' ? i.cpuHours : 0,
    lookbackDays,
    metrics: [...metrics],
    priceSource: option.sources[option.sources.length - 1] ?? { name: 'unknown', capturedAt: 'unknown', live: false },
    hoursPerMonth,
    option: option.option,
  };
}

/** A native recommendation as a report shows it: its own figures, and how it compares with ours when we sized it too. */
export interface NativeRow {
  recommendation: NativeRecommendation;
  comparison?: Comparison;
}

/** What a recommendation rests on: `Priced on public on-demand prices; 14-day lookback; weighs CPU, GPU.` */
export function nativeBasisLine(r: NativeRecommendation): string {
  return `Priced on ${r.priceBasis}${r.lookbackDays !== undefined ? `; ${r.lookbackDays}-day lookback` : ''}; weighs ${r.metrics.join(', ') || 'unstated metrics'}.`;
}

/** How a recommendation compares with ours, one line per reason (the report, its Markdown and the tree say these). */
export function comparisonLines(comparison: Comparison | undefined): string[] {
  if (!comparison) return [];
  return comparison.agree ? ['Agrees with our estimate.'] : comparison.reasons.map((reason) => `Differs from ours — ${reason}`);
}

/**
 * Our own right-sizing of the resource, as one line beside a native recommendation: `Ours: Right-size p3.8xlarge →
 * p3.2xlarge saves $9,000.00/mo (AWS Price List, 2026-11-20)`, or what it says instead (`Keep …`), or why there is none.
 */
export function ourEstimateLine(option: SavingsEstimate | undefined): string {
  if (!option) return 'Ours: no right-sizing estimate (no utilisation metrics of this resource were read).';
  const src = option.sources[option.sources.length - 1];
  const where = src ? ` (${src.name}, ${src.capturedAt})` : '';
  return option.status === 'ok' ? `Ours: ${option.option} saves ${usd(option.monthlySaving)}/mo${where}.` : `Ours: ${option.option}.`;
}

/** The Markdown lines of the report's "The clouds' own recommenders" section. */
export function nativeMarkdown(rows: readonly NativeRow[], text: (s: string) => string): string[] {
  if (!rows.length) return [];
  const out = ['## The clouds\' own recommenders', ''];
  for (const { recommendation: r, comparison } of rows) {
    out.push(`- **${text(nativeTitle(r))}** — ${text(nativeSourceLine(r))}; priced on ${text(r.priceBasis)}${r.lookbackDays !== undefined ? `; ${r.lookbackDays}-day lookback` : ''}.`);
    for (const d of r.details) out.push(`  - ${text(d)}`);
    for (const line of comparisonLines(comparison)) out.push(`  - ${text(line)}`);
  }
  out.push('');
  return out;
}
