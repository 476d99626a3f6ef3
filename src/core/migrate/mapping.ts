import { gpuModelById } from '../pricing/gpuModels';
import { providerLabels, type CloudProvider, type InstancePrices, type InstanceShape } from '../pricing/model';
import { fp16Tflops } from './gpuThroughput';

/**
 * The nearest equivalent of a machine on another cloud: the same GPU model and count first (then the nearest vCPU
 * and memory); the same model in a different count next (as many machines as it takes to hold the GPUs); where the
 * target does not sell the model, the nearest GPU by memory and published FP16/BF16 throughput; a machine without
 * GPUs by vCPU and memory alone.
 */
export type MatchKind = 'sameGpu' | 'sameGpuModel' | 'nearestGpu' | 'cpu';

export interface ShapeMatch {
  kind: MatchKind;
  prices: InstancePrices;
  /** Machines of the target type that replace one source machine (more than 1 when the target packs fewer GPUs). */
  machines: number;
  /** One sentence: why this type. */
  explanation: string;
}

export type ShapeMatchResult = ShapeMatch | { kind: 'none'; reason: string };

const logRatio = (a: number, b: number) => Math.abs(Math.log(Math.max(a, 0.5) / Math.max(b, 0.5)));

/** How far two machines' vCPU and memory are, on a log scale (0 = the same). */
function hostDistance(source: InstanceShape, target: InstanceShape, machines = 1): number {
  return logRatio(target.vcpu * machines, source.vcpu) + logRatio(target.memoryGiB * machines, source.memoryGiB);
}

export function describeShape(s: InstanceShape): string {
  const gpus = s.gpus ? `${s.gpus} × ${s.gpuModel ?? 'GPU'}, ` : s.gpus === null && s.gpuModel ? `part of a ${s.gpuModel}, ` : '';
  return `${gpus}${fmt(s.vcpu)} vCPU, ${fmt(s.memoryGiB)} GiB`;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** Retired promotional Azure sizes: priced in the snapshot, no longer sold to new deployments. */
const retired = (p: InstancePrices) => /_Promo$/i.test(p.instanceType);

/** Lowest first by the keys, then by on-demand price, then by name (stable). */
function best<T extends { p: InstancePrices; keys: number[] }>(rows: T[]): T | undefined {
  return [...rows].sort((a, b) => {
    for (let i = 0; i < Math.max(a.keys.length, b.keys.length); i++) {
      const d = (a.keys[i] ?? 0) - (b.keys[i] ?? 0);
      if (Math.abs(d) > 1e-9) return d;
    }
    return a.p.onDemand.hourly - b.p.onDemand.hourly || a.p.instanceType.localeCompare(b.p.instanceType);
  })[0];
}

export function nearestShape(source: InstanceShape, candidates: readonly InstancePrices[], target: CloudProvider): ShapeMatchResult {
  const usable = candidates.filter((c) => !retired(c));
  const sourceGpus = source.gpus ?? 0;
  if (sourceGpus > 0) {
    const gpuTypes = usable.filter((c) => c.shape.gpus !== null && c.shape.gpus > 0);
    const sameModel = source.gpuModelId ? gpuTypes.filter((c) => c.shape.gpuModelId === source.gpuModelId) : [];
    const sameCount = best(sameModel.filter((c) => c.shape.gpus === sourceGpus).map((p) => ({ p, keys: [hostDistance(source, p.shape)] })));
    if (sameCount) {
      return {
        kind: 'sameGpu', prices: sameCount.p, machines: 1,
        explanation: `Same GPUs (${sourceGpus} × ${source.gpuModel ?? 'GPU'}); nearest vCPU and memory: ${describeShape(sameCount.p.shape)} for ${describeShape(source)}.`,
      };
    }
    const otherCount = best(sameModel.map((p) => {
      const machines = Math.max(1, Math.ceil(sourceGpus / (p.shape.gpus ?? 1)));
      return { p, machines, keys: [machines * (p.shape.gpus ?? 1) - sourceGpus, machines, hostDistance(source, p.shape, machines)] };
    }));
    if (otherCount) {
      const n = otherCount.p.shape.gpus ?? 1;
      return {
        kind: 'sameGpuModel', prices: otherCount.p, machines: otherCount.machines,
        explanation: `${providerLabels[target]} sells ${source.gpuModel ?? 'this GPU'} in no machine of ${sourceGpus}: ${otherCount.machines > 1 ? `${otherCount.machines} machines of ${n}` : `one machine of ${n}`} instead (${describeShape(otherCount.p.shape)} each).`,
      };
    }
    const sourceMemory = source.gpuMemoryGiB;
    const sourceTf = fp16Tflops(source.gpuModelId)?.tflops;
    const scored = gpuTypes.flatMap((p) => {
      const mem = p.shape.gpuMemoryGiB;
      const count = p.shape.gpus ?? 0;
      if (mem === undefined || sourceMemory === undefined || count <= 0) return [];
      const tf = fp16Tflops(p.shape.gpuModelId)?.tflops;
      const gpuDistance = logRatio(mem * count, sourceMemory * sourceGpus)
        + (tf !== undefined && sourceTf !== undefined ? logRatio(tf * count, sourceTf * sourceGpus) : 0);
      return [{ p, keys: [Math.round(gpuDistance * 1000) / 1000, hostDistance(source, p.shape)] }];
    });
    const nearest = best(scored);
    if (!nearest) {
      return { kind: 'none', reason: `${providerLabels[target]} has no GPU machine in the price catalogue${sourceMemory === undefined ? ` to compare with ${source.gpuModel ?? 'this GPU'} (its memory is unknown)` : ' here'}` };
    }
    const t = nearest.p.shape;
    const tf = fp16Tflops(t.gpuModelId)?.tflops;
    const side = (model: string | undefined, mem: number | undefined, tflops: number | undefined) =>
      `${model ?? 'GPU'} ${mem ?? '?'} GiB${tflops !== undefined ? `, ${tflops} TFLOPS` : ''}`;
    return {
      kind: 'nearestGpu', prices: nearest.p, machines: 1,
      explanation: `${source.gpuModel ?? 'This GPU'} is not sold on ${providerLabels[target]}: nearest by GPU memory and FP16/BF16 throughput is ${t.gpus} × ${side(t.gpuModel, t.gpuMemoryGiB, tf)} for ${sourceGpus} × ${side(source.gpuModel, sourceMemory, sourceTf)}.`,
    };
  }
  const cpu = best(usable.filter((c) => c.shape.gpus === 0).map((p) => ({ p, keys: [hostDistance(source, p.shape)] })));
  if (!cpu) return { kind: 'none', reason: `the price catalogue has no ${providerLabels[target]} machine without GPUs here (it covers GPU and ML families)` };
  return { kind: 'cpu', prices: cpu.p, machines: 1, explanation: `No GPUs: nearest vCPU and memory is ${describeShape(cpu.p.shape)} for ${describeShape(source)}.` };
}

/** A shape from what a bill says of a machine (FOCUS SkuPriceDetails: CoreCount, MemorySize, GpuCount, x_GpuModel). */
export function shapeFromBill(details: { vcpu?: number; memoryGiB?: number; gpus?: number; gpuModel?: string }, gpuModelFromName: (n: string) => { id: string; label: string; memoryGiB: number } | undefined): InstanceShape | undefined {
  if (details.vcpu === undefined || details.memoryGiB === undefined) return undefined;
  const model = details.gpuModel ? gpuModelFromName(details.gpuModel) : undefined;
  return {
    vcpu: details.vcpu,
    memoryGiB: details.memoryGiB,
    gpus: details.gpus ?? 0,
    ...(model ? { gpuModel: model.label, gpuModelId: model.id, gpuMemoryGiB: gpuModelById(model.id)?.memoryGiB ?? model.memoryGiB } : details.gpuModel ? { gpuModel: details.gpuModel } : {}),
  };
}
