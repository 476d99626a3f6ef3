import type { UtilisationSeries } from '../sources';
import { gpuModelById, type GpuModel } from '../pricing/gpuModels';
import { familyOf } from '../pricing/catalogue';
import type { InstancePrices } from '../pricing/model';
import { cents, fraction, perHour, uniqueSources, type SavingsEstimate } from './estimate';
import { seriesStats, type SeriesStats } from './stats';

/**
 * Right-sizing from hourly utilisation. ML instances are sized by their GPUs, so GPU utilisation and GPU memory
 * (published by the CloudWatch agent) weigh as much as CPU. A smaller type must keep `headroom` (20 %) above
 * the 99th percentile of CPU, GPU and host-memory use, and above the *peak* of GPU memory (read as the maximum of
 * every ≤ 5-minute period: a job that runs out of GPU memory fails, whatever the average). An instance whose use
 * already leaves less headroom than that is saturated and never down-sized.
 *
 * What is not measured is not reduced: without a GPU-memory metric the GPU count and each GPU's memory are kept;
 * without a host-memory metric the host memory is kept. GPU memory is the usable memory of each model (an A10G or
 * L4 holds 22.35 GiB, not 24).
 */

/** How to publish what right-sizing needs, for the report. */
const PUBLISH_GPU_MEMORY = 'publish nvidia_smi_memory_used and nvidia_smi_memory_total with the CloudWatch agent (its nvidia_gpu section, collected every 60 s) so each 5-minute peak is known';
const PUBLISH_HOST_MEMORY = 'publish mem_used_percent with the CloudWatch agent';
const PUBLISH_GPU_UTIL = 'publish nvidia_smi_utilization_gpu with the CloudWatch agent';

interface RightSizingInput {
  current: InstancePrices;
  /** Other types of the same cloud priced in the same region. */
  candidates: readonly InstancePrices[];
  metrics: UtilisationSeries;
  hoursPerMonth: number;
  /** Headroom kept above the p99 (0.2 = 20 %). */
  headroom?: number;
  /** Hours of data needed (default 30). */
  minHours?: number;
  /** Where the metrics came from, for the report ("CloudWatch, 14 days hourly"). */
  metricsSource?: string;
}

export interface RightSizingEstimate extends SavingsEstimate {
  kind: 'rightsizing';
  recommendedType?: string;
  observed: Partial<Record<'cpu' | 'gpu' | 'gpuMemory' | 'memory', SeriesStats>>;
}

const DIMENSION_LABELS = { cpu: 'CPU', gpu: 'GPU utilisation', gpuMemory: 'GPU memory', memory: 'host memory' } as const;
type Dimension = keyof typeof DIMENSION_LABELS;

function fmt(n: number): string {
  return `${n.toFixed(1)} %`;
}

export function estimateRightSizing(input: RightSizingInput): RightSizingEstimate {
  const headroom = input.headroom ?? 0.2;
  const minHours = input.minHours ?? 30;
  const cur = input.current;
  const shape = cur.shape;
  const od = cur.onDemand.hourly;
  const baseline = od * input.hoursPerMonth;
  const base = {
    kind: 'rightsizing' as const,
    baselineMonthlyCost: cents(baseline),
    sources: [cur.onDemand.source],
  };
  const observed: RightSizingEstimate['observed'] = {};
  const notes: string[] = [];
  for (const dim of ['cpu', 'gpu', 'gpuMemory', 'memory'] as const) {
    const series = input.metrics[dim];
    if (!series) continue;
    const stats = seriesStats(series, dim === 'gpuMemory');
    if (dim === 'cpu' || (stats && stats.hours >= minHours)) {
      if (stats) observed[dim] = stats;
    } else {
      notes.push(`${DIMENSION_LABELS[dim]}: only ${stats?.hours ?? 0} hours of data (needs ${minHours}); not used.`);
    }
  }
  const inputs = {
    instanceType: cur.instanceType, region: cur.region, onDemandHourly: od, hoursPerMonth: input.hoursPerMonth, headroom,
    ...Object.fromEntries(Object.entries(observed).flatMap(([k, s]) => [[`${k}P99`, +s.p99.toFixed(2)], [`${k}Max`, +s.max.toFixed(2)], [`${k}Average`, +s.average.toFixed(2)], [`${k}Hours`, s.hours]])),
  };
  const source = input.metricsSource ? [`Utilisation from ${input.metricsSource}.`] : [];
  const keep = (status: RightSizingEstimate['status'], option: string, assumptions: string[]): RightSizingEstimate => ({
    ...base, status, option, monthlyCost: cents(baseline), monthlySaving: 0, savingFraction: 0,
    assumptions: [...assumptions, ...notes, ...source], inputs, observed,
  });

  const cpuHours = observed.cpu?.hours ?? 0;
  if (cpuHours < minHours) {
    return keep('insufficientData', `Insufficient data to right-size ${cur.instanceType}`, [
      `Right-sizing needs at least ${minHours} hours of hourly CPU utilisation; ${cpuHours === 0 ? 'none was found' : `only ${cpuHours} hours were found`}.`,
    ]);
  }

  const dims = Object.entries(observed) as Array<[Dimension, SeriesStats]>;
  // GPU memory is sized by its peak; the other dimensions by their p99
  const level = (d: Dimension, st: SeriesStats) => (d === 'gpuMemory' ? st.max : st.p99);
  const saturated = dims.filter(([d, st]) => (level(d, st) / 100) * (1 + headroom) > 1);
  if (saturated.length) {
    return keep('saturated', `Keep ${cur.instanceType}: it is saturated`, [
      ...saturated.map(([d, st]) => `${DIMENSION_LABELS[d]} ${d === 'gpuMemory' ? 'peak' : 'p99'} is ${fmt(level(d, st))}: less than ${headroom * 100} % headroom, so no smaller type is safe${level(d, st) >= 95 ? ' (consider a larger one)' : ''}.`),
    ]);
  }

  const grow = 1 + headroom;
  const cpuNeed = shape.vcpu * ((observed.cpu?.p99 ?? 100) / 100) * grow;
  // without a host-memory metric the host memory is kept
  const memNeed = observed.memory ? shape.memoryGiB * (observed.memory.p99 / 100) * grow : shape.memoryGiB;
  const curGpus = shape.gpus ?? 0;
  const curModel = shape.gpuModelId ? gpuModelById(shape.gpuModelId) : undefined;
  const usable = (m: GpuModel | undefined, fallback: number | undefined) => m?.usableGiB ?? fallback ?? 0;
  const perGpuMem = usable(curModel, shape.gpuMemoryGiB);
  const gpuNeed = curGpus > 0 ? (observed.gpu ? curGpus * (observed.gpu.p99 / 100) * grow : curGpus) : 0;
  // GPU memory: the fullest GPU's peak, on every GPU (data-parallel jobs hold the same on each)
  const gpuMemPeakPerGpu = observed.gpuMemory ? perGpuMem * (observed.gpuMemory.max / 100) : undefined;
  const gpuMemPeakTotal = gpuMemPeakPerGpu !== undefined ? curGpus * gpuMemPeakPerGpu : undefined;

  const fits = (c: InstancePrices): boolean => {
    const sh = c.shape;
    if (c.instanceType === cur.instanceType || c.onDemand.hourly >= od) return false;
    if (sh.vcpu < cpuNeed || sh.memoryGiB < memNeed - 1e-9) return false;
    if (curGpus === 0) return (sh.gpus ?? 0) === 0 && familyOf(c.provider, c.instanceType) === familyOf(cur.provider, cur.instanceType);
    if (sh.gpus === null) return false;
    const model = sh.gpuModelId ? gpuModelById(sh.gpuModelId) : undefined;
    if (!model || !curModel) return false;
    if (gpuMemPeakTotal === undefined || gpuMemPeakPerGpu === undefined) {
      // no GPU-memory metric: keep the GPU count and each GPU's memory
      return sh.gpus >= Math.max(curGpus, Math.ceil(gpuNeed - 1e-9)) && model.id === curModel.id;
    }
    if (sh.gpus < Math.ceil(gpuNeed - 1e-9)) return false;
    // a smaller GPU only of the same architecture (the same code runs unchanged)
    if (model.id !== curModel.id && model.architecture !== curModel.architecture) return false;
    const total = sh.gpus * model.usableGiB;
    return total >= gpuMemPeakTotal * grow - 1e-9 && model.usableGiB >= gpuMemPeakPerGpu * grow - 1e-9;
  };

  const fitting = input.candidates.filter(fits).sort((a, b) => a.onDemand.hourly - b.onDemand.hourly || a.instanceType.localeCompare(b.instanceType));
  const best = fitting[0];
  const needs = [
    `needs ≥ ${cpuNeed.toFixed(1)} vCPU (CPU p99 ${fmt(observed.cpu?.p99 ?? 0)} of ${shape.vcpu} vCPU + ${headroom * 100} % headroom)`,
    ...(curGpus > 0
      ? [observed.gpu
        ? `≥ ${gpuNeed.toFixed(2)} ${curModel?.label ?? 'GPU'} (GPU p99 ${fmt(observed.gpu.p99)} of ${curGpus} + headroom)`
        : `${curGpus} × ${curModel?.label ?? 'GPU'} kept (no GPU utilisation metric: ${PUBLISH_GPU_UTIL} to size GPUs)`]
      : []),
    ...(curGpus > 0
      ? [gpuMemPeakTotal !== undefined
        ? `≥ ${(gpuMemPeakTotal * grow).toFixed(1)} GiB GPU memory in all (peak ${fmt(observed.gpuMemory?.max ?? 0)} of ${perGpuMem} GiB usable on the fullest GPU, × ${curGpus}, + headroom)`
        : `the GPU count and GPU memory kept (GPU memory was not measured, and a GPU that runs out of memory stops the job: ${PUBLISH_GPU_MEMORY})`]
      : []),
    observed.memory ? `≥ ${memNeed.toFixed(1)} GiB host memory` : `${shape.memoryGiB} GiB host memory kept (not measured: ${PUBLISH_HOST_MEMORY})`,
  ];
  const why = `Over ${cpuHours} hours the workload ${needs.join(', ')}.`;
  const lesson = observed.cpu && observed.cpu.average < 30 && observed.cpu.p99 < 60
    ? 'A CPU-only rule (average < 30 %, peak < 60 %) would call it oversized and promise a flat 40 %; this estimate names the type and prices it.'
    : undefined;

  if (!best) {
    return keep('rightSized', `Keep ${cur.instanceType}: no cheaper type fits`, [
      why,
      `No cheaper ${cur.provider.toUpperCase()} type in ${cur.region} meets that with ${headroom * 100} % headroom.`,
    ]);
  }
  const cost = best.onDemand.hourly * input.hoursPerMonth;
  const saving = baseline - cost;
  const s = best.shape;
  const fewerGpus = (s.gpus ?? 0) < curGpus;
  return {
    ...base,
    status: 'ok',
    option: `Right-size ${cur.instanceType} → ${best.instanceType}`,
    monthlyCost: cents(cost),
    monthlySaving: cents(saving),
    savingFraction: fraction(saving, baseline),
    assumptions: [
      why,
      `${best.instanceType} has ${s.vcpu} vCPU, ${s.memoryGiB} GiB${s.gpus ? `, ${s.gpus} × ${s.gpuModel ?? 'GPU'}` : ''}, at ${perHour(best.onDemand.hourly)} vs ${perHour(od)} on-demand, ${input.hoursPerMonth} h a month.`,
      ...(fewerGpus ? ['Fewer GPUs: a data-parallel job scales down; a model sharded across every GPU may need re-sharding.'] : []),
      ...(s.gpuModelId !== shape.gpuModelId ? [`A smaller GPU of the same architecture (${s.gpuModel}, ${gpuModelById(s.gpuModelId ?? '')?.usableGiB ?? '?'} GiB usable): the measured GPU memory peak fits with headroom.`] : []),
      ...(lesson ? [lesson] : []),
      ...notes,
      ...source,
    ],
    inputs: { ...inputs, recommendedType: best.instanceType, recommendedHourly: best.onDemand.hourly },
    sources: uniqueSources([cur.onDemand.source, best.onDemand.source]),
    recommendedType: best.instanceType,
    observed,
  };
}
