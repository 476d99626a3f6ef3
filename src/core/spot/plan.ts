import { FinOpsError, isFinOpsError } from '../errors';
import type { PriceCatalogue } from '../pricing/catalogue';
import { providerLabels, type PriceSourceRef } from '../pricing/model';
import { evaluateTags } from '../policy/evaluate';
import { fixGcpLabelKey, fixGcpLabelValue } from '../policy/gcpLabels';
import type { TagPolicy } from '../policy/model';
import { cents, perHour, uniqueSources, usd } from '../savings/estimate';
import { spotDefaults } from '../savings/plan';
import { estimateSpot } from '../savings/spot';
import type { SpotJob } from './job';

/**
 * The plan of a spot job, made before anything is created: what will be created, and what it is expected to cost
 * on spot against on-demand, from the price catalogue and the savings model's restart overhead. The CLI, the
 * confirmation and the Spot jobs view all show these figures; none of them computes its own.
 */

export interface PricedType {
  instanceType: string;
  region: string;
  gpus: number | null;
  gpuModel?: string;
  onDemandHourly: number;
  /** Average spot price in the source's window; absent when the catalogue has none for the type. */
  spotHourly?: number;
  spotMax?: number;
  /** True when the job's max price is below this type's spot price: the fleet will rarely get it. */
  aboveMaxPrice: boolean;
  sources: PriceSourceRef[];
}

export interface SpotPlan {
  job: SpotJob;
  /** The region launches go to (the first of the job's regions). */
  region: string;
  /** What launching creates, one line each, in the cloud's own words. */
  creates: string[];
  types: PricedType[];
  /** The type the estimate is priced on: the dearest spot type under the max price (the fleet may land on any). */
  estimateType: string;
  /** The whole job's price per running hour (all instances). */
  hourly: { spot: number; onDemand: number };
  /** For maxRuntimeHours of training: on-demand, spot with the restart overhead, and the saving. */
  total: { spot: number; onDemand: number; saving: number; savingFraction: number };
  /** Training hours (per instance), and the running hours spot needs for them once work redone after interruptions is counted. */
  usefulHours: number;
  runningHours: number;
  /** Share of running time spent redoing work after interruptions (the savings model's restart overhead). */
  overheadFraction: number;
  assumptions: string[];
  warnings: string[];
  sources: PriceSourceRef[];
}

/** The resource names a launch uses (tags and names carry the job name, so status and stop find them again). */
export function resourceName(job: Pick<SpotJob, 'name'>): string {
  return `mlfinops-${job.name}`;
}

/** The tag that marks every resource of a job, with the job name as its value. */
export const JOB_TAG = 'mlfinops-job';

/** The job's tags plus the job marker. */
export function jobTags(job: Pick<SpotJob, 'name' | 'tags'>): Record<string, string> {
  return { ...job.tags, [JOB_TAG]: job.name };
}

/**
 * The job's tags as Google Cloud labels, as a launch writes them: keys lowercased (CostCenter → cost_center), values
 * lowercased with characters labels cannot hold turned into "_" (a@example.com → a_example_com), at most 64.
 */
export function gcpLabels(tags: Record<string, string>, jobName = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    const key = fixGcpLabelKey(k, {}, []);
    if (from[key] !== undefined) {
      throw new FinOpsError('input', `The tags "${from[key]}" and "${k}" of "${jobName}" are the same Google Cloud label "${key}" (labels are lowercase).`, { fix: 'Keep one of them under "tags:" in the job file.' });
    }
    from[key] = k;
    out[key] = fixGcpLabelValue(v);
  }
  if (Object.keys(out).length > 64) throw new FinOpsError('input', `The job "${jobName}" has ${Object.keys(out).length} tags; Google Cloud takes at most 64 labels.`, { fix: 'Remove tags from the job file.' });
  return out;
}

/**
 * Refuses a job whose tags break the team tag policy: missing required tags, or values outside a rule, with the
 * policy's own words (its rule descriptions) and where it came from.
 */
export function checkJobTags(job: SpotJob, policy: TagPolicy, jobFile: string): void {
  // on Google Cloud the policy judges the labels the launch writes
  const keys = new Map(Object.entries(job.cloud === 'gcp' ? gcpLabels(job.tags, job.name) : job.tags));
  const violations = evaluateTags(policy, job.cloud, { keys, complete: true });
  const where = policy.source.file ?? (policy.source.kind === 'default' ? 'the default tag policy' : 'the team tag policy');
  const messages: string[] = [];
  for (const v of violations) {
    if (v.code === 'missing-tag') {
      const near = Object.entries(v.nearMisses).map(([want, have]) => ` ("${have}" should be "${want}": tag keys are case-sensitive)`).join('');
      messages.push(`missing required tag${v.missing.length === 1 ? '' : 's'} ${v.missing.map((k) => `"${k}"`).join(', ')}${near}`);
    } else if (v.code === 'invalid-tag-value') {
      const description = policy.rules[v.key]?.description;
      messages.push(`tag "${v.key}" is "${v.value}"; expected ${v.expected}${description ? ` (${description})` : ''}`);
    } else if (v.code === 'invalid-label-key') {
      messages.push(`label key "${v.key}" is not valid on Google Cloud (lowercase letters, digits, "_" and "-")`);
    } else if (v.code === 'invalid-label-value') {
      messages.push(`label "${v.key}" has a value Google Cloud does not accept ("${v.value}")`);
    }
  }
  if (messages.length) {
    throw new FinOpsError('input', `The job "${job.name}" breaks the tag policy (${where}): ${messages.join('; ')}.`, {
      fix: `Set the tags under "tags:" in ${jobFile}; every resource the job creates carries them.`,
    });
  }
}

function describeCreates(job: SpotJob, region: string): string[] {
  const name = resourceName(job);
  const types = job.instanceTypes.join(', ');
  const spotCount = job.count - job.onDemand.base;
  const zones = job.zones.length ? ` in ${job.zones.join(', ')}` : '';
  switch (job.cloud) {
    case 'aws':
      return [
        `EC2 launch template ${name} in ${region}: IMDSv2 required, user data = the ML FinOps bootstrap (code, checkpoint ${job.checkpoint.uri}), tags on the instance and its volumes.`,
        `EC2 Fleet (type maintain) of ${job.count} instance${job.count === 1 ? '' : 's'}: ${spotCount} spot (price-capacity-optimized${job.maxPricePerHour !== undefined ? `, max ${perHour(job.maxPricePerHour)}` : ''})${job.onDemand.base ? ` + ${job.onDemand.base} on-demand base` : ''} across ${types}${job.aws?.subnets.length ? ` in subnets ${job.aws.subnets.join(', ')}` : zones}.`,
      ];
    case 'gcp':
      return [
        `Instance template ${name} in project ${job.gcp?.project ?? '?'}: Spot VMs (provisioningModel SPOT, instanceTerminationAction DELETE), startup script = the ML FinOps bootstrap, labels.`,
        `Regional managed instance group ${name} in ${region}${zones}, size ${job.count}, machine types ${types}.`,
      ];
    case 'azure':
      return [
        `Virtual machine scale set ${name} in ${job.azure?.resourceGroup ?? '?'} (${region}): ${job.count} × ${job.instanceTypes[0]}, priority Spot, eviction policy Delete, max price ${job.maxPricePerHour !== undefined ? perHour(job.maxPricePerHour) : 'on-demand (-1)'}, custom data = the ML FinOps bootstrap, tags.`,
      ];
  }
}

export interface PlanOptions {
  catalogue: PriceCatalogue;
  /** Expected interruptions per instance-hour and the restart time (default: the savings model's). */
  interruptionsPerHour?: number;
  restartHours?: number;
}

/** The plan of a job: throws FinOpsError('input') when no listed type can be priced or all are above the max price. */
export function planJob(job: SpotJob, options: PlanOptions): SpotPlan {
  const region = job.regions[0]!;
  const warnings: string[] = [];
  if (job.regions.length > 1) warnings.push(`The job lists ${job.regions.length} regions; a launch uses ${region} (each cloud's fleet is regional). The SkyPilot export uses them all.`);
  const types: PricedType[] = [];
  for (const t of job.instanceTypes) {
    const entry = options.catalogue.find(t);
    if (!entry) {
      const close = options.catalogue.closeMatches(t);
      warnings.push(`${t} is not in the price catalogue${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}, so it is left out of the estimate; the launch still offers it.`);
      continue;
    }
    if (entry.provider !== job.cloud) {
      throw new FinOpsError('input', `${t} is sold by ${providerLabels[entry.provider]}, but the job runs on ${providerLabels[job.cloud]}.`, { fix: `List ${providerLabels[job.cloud]} types under instanceTypes.` });
    }
    let p;
    try {
      p = options.catalogue.prices(t, region);
    } catch (e) {
      if (!isFinOpsError(e, 'input')) throw e;
      warnings.push(`${t} has no price for ${region} in the catalogue, so it is left out of the estimate; the launch still offers it.`);
      continue;
    }
    types.push({
      instanceType: p.instanceType, region: p.region, gpus: p.shape.gpus, ...(p.shape.gpuModel ? { gpuModel: p.shape.gpuModel } : {}),
      onDemandHourly: p.onDemand.hourly,
      ...(p.spot ? { spotHourly: p.spot.hourly, ...(p.spot.max !== undefined ? { spotMax: p.spot.max } : {}) } : {}),
      aboveMaxPrice: job.maxPricePerHour !== undefined && p.spot !== undefined && p.spot.hourly > job.maxPricePerHour,
      sources: uniqueSources([p.onDemand.source, ...(p.spot ? [p.spot.source] : [])]),
    });
  }
  const withSpot = types.filter((t) => t.spotHourly !== undefined);
  if (types.length === 0) {
    throw new FinOpsError('input', `None of the job's instance types (${job.instanceTypes.join(', ')}) has a price for ${region} in the catalogue.`, {
      fix: 'List types the catalogue prices in that region (`mlfinops savings <type>` shows its regions), or pick another region.',
    });
  }
  if (withSpot.length === 0) {
    throw new FinOpsError('input', `The catalogue has no spot price for ${job.instanceTypes.join(', ')} in ${region}.`, { fix: 'Add instance types sold as spot in that region.' });
  }
  const eligible = withSpot.filter((t) => !t.aboveMaxPrice);
  if (eligible.length === 0) {
    const cheapest = withSpot.reduce((a, b) => (a.spotHourly! <= b.spotHourly! ? a : b));
    throw new FinOpsError('input', `The max price ${perHour(job.maxPricePerHour!)} is below the spot price of every listed type (cheapest: ${cheapest.instanceType} at ${perHour(cheapest.spotHourly!)} in ${region}), so no spot capacity would be granted.`, {
      fix: `Raise maxPricePerHour to at least ${perHour(cheapest.spotHourly!)}, or add cheaper instance types.`,
    });
  }
  for (const t of withSpot.filter((x) => x.aboveMaxPrice)) warnings.push(`${t.instanceType}'s spot price ${perHour(t.spotHourly!)} is above the max price ${perHour(job.maxPricePerHour!)}: the fleet will rarely get it.`);
  for (const t of types.filter((x) => x.spotHourly === undefined)) warnings.push(`The catalogue has no spot price for ${t.instanceType}; it is left out of the estimate.`);

  // the fleet may land on any eligible type: price the estimate on the dearest, so the figure is an upper bound
  const basis = eligible.reduce((a, b) => (a.spotHourly! >= b.spotHourly! ? a : b));
  const spotInstances = job.count - job.onDemand.base;
  const usefulHours = job.maxRuntimeHours;
  const rate = options.interruptionsPerHour ?? spotDefaults.interruptionsPerHour;
  const restart = options.restartHours ?? spotDefaults.restartHours;
  const interval = job.checkpoint.intervalMinutes / 60;
  const sourceOf = (t: PricedType) => t.sources;
  const estimate = estimateSpot({
    instanceType: basis.instanceType,
    onDemandHourly: basis.onDemandHourly,
    onDemandSource: sourceOf(basis)[0]!,
    spot: { hourly: basis.spotHourly!, ...(basis.spotMax !== undefined ? { max: basis.spotMax } : {}), source: sourceOf(basis)[1] ?? sourceOf(basis)[0]! },
    usefulHoursPerMonth: usefulHours * Math.max(spotInstances, 1),
    interruptionsPerHour: rate,
    checkpointIntervalHours: interval,
    // the savings model's write time and the cloud's notice: the bootstrap checkpoints on notice
    checkpointWriteHours: spotDefaults.checkpointWriteHours,
    provider: job.cloud,
    restartHours: restart,
  });
  if (estimate.status !== 'ok') {
    throw new FinOpsError('input', `With checkpoints every ${job.checkpoint.intervalMinutes} minutes the job would never make progress on spot: ${estimate.assumptions[0] ?? ''}`, {
      fix: 'Checkpoint more often (lower checkpoint.everySteps and checkpoint.intervalMinutes).',
    });
  }
  const onDemandPart = job.onDemand.base * basis.onDemandHourly;
  const spotRunningHoursPerInstance = estimate.runningHoursPerMonth / Math.max(spotInstances, 1);
  const spotPart = spotInstances > 0 ? estimate.monthlyCost : 0;
  const onDemandTotal = cents(job.count * basis.onDemandHourly * usefulHours);
  const spotTotal = cents(onDemandPart * usefulHours + spotPart);
  const saving = cents(onDemandTotal - spotTotal);
  const overhead = estimate.overheadFraction;
  const assumptions = [
    `Priced on ${basis.instanceType} in ${basis.region}, the dearest eligible spot type (the fleet may land on any of ${eligible.map((t) => t.instanceType).join(', ')}): spot ${perHour(basis.spotHourly!)} vs ${perHour(basis.onDemandHourly)} on-demand.`,
    `${usefulHours} h of training on ${job.count} instance${job.count === 1 ? '' : 's'}${job.onDemand.base ? ` (${job.onDemand.base} on-demand)` : ''}; maxRuntimeHours caps it.`,
    // the savings model's own words for the restart overhead (interruption rate, work lost, running hours)
    ...estimate.assumptions.slice(1, 2),
  ];
  return {
    job,
    region,
    creates: describeCreates(job, region),
    types,
    estimateType: basis.instanceType,
    hourly: { spot: round4(onDemandPart + spotInstances * basis.spotHourly!), onDemand: round4(job.count * basis.onDemandHourly) },
    total: { spot: spotTotal, onDemand: onDemandTotal, saving, savingFraction: onDemandTotal > 0 ? saving / onDemandTotal : 0 },
    usefulHours,
    runningHours: spotInstances > 0 ? spotRunningHoursPerInstance : usefulHours,
    overheadFraction: overhead,
    assumptions,
    warnings,
    sources: uniqueSources(types.flatMap((t) => t.sources)),
  };
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** One line with the figures a confirmation shows: "Spot ≈ $123.45 for 24 h ($4.20/h) vs $410.00 on-demand: saves 70 %". */
export function planSummary(plan: SpotPlan): string {
  return `Spot ≈ ${usd(plan.total.spot)} for ${plan.usefulHours} h of training (${perHour(plan.hourly.spot)} while running) vs ${usd(plan.total.onDemand)} on-demand (${perHour(plan.hourly.onDemand)}): saves ${usd(plan.total.saving)} (${(plan.total.savingFraction * 100).toFixed(1)} %), restart overhead ${(plan.overheadFraction * 100).toFixed(1)} % included.`;
}

/** Where the types' spot prices come from (a type's last source: the first is its on-demand price's when they differ). */
export function spotPriceSources(types: readonly PricedType[]): PriceSourceRef[] {
  return uniqueSources(types.filter((t) => t.spotHourly !== undefined).map((t) => t.sources[t.sources.length - 1]!));
}

/** Prices' sources with their dates, for a footnote. */
export function describeSources(sources: readonly PriceSourceRef[]): string {
  return sources.map((s) => `${s.name} (${s.live ? 'live' : 'snapshot'}, ${s.capturedAt})`).join('; ');
}

/** The plan as text (CLI output, the log, the confirmation's detail). */
export function renderPlan(plan: SpotPlan): string {
  const lines: string[] = [];
  lines.push(`Spot job "${plan.job.name}" on ${providerLabels[plan.job.cloud]} in ${plan.region}`);
  lines.push('');
  lines.push('Will create:');
  for (const c of plan.creates) lines.push(`  • ${c}`);
  lines.push('');
  lines.push('Instance types (per instance-hour):');
  const width = Math.max(...plan.types.map((t) => t.instanceType.length));
  for (const t of plan.types) {
    const gpu = t.gpus ? `${t.gpus} × ${t.gpuModel ?? 'GPU'}` : '';
    const spot = t.spotHourly !== undefined ? `spot ${perHour(t.spotHourly)}` : 'no spot price';
    lines.push(`  ${t.instanceType.padEnd(width)}  ${spot.padEnd(17)}  on-demand ${perHour(t.onDemandHourly).padEnd(10)}  ${gpu}${t.aboveMaxPrice ? '  (above max price)' : ''}${t.instanceType === plan.estimateType ? '  ← estimate' : ''}`);
  }
  lines.push('');
  lines.push(`Estimated cost: ${planSummary(plan)}`);
  for (const a of plan.assumptions) lines.push(`  - ${a}`);
  for (const w of plan.warnings) lines.push(`  ! ${w}`);
  lines.push(`Prices: ${describeSources(plan.sources)}.`);
  return lines.join('\n');
}
