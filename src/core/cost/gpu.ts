import type { PriceCatalogue } from '../pricing/catalogue';
import type { CostQuery, CostResult, CostRow, GroupKey } from './model';

/**
 * The GPU view of spend: the accelerator model and count of each row's instance type (`NVIDIA H100 80 GB × 8`),
 * read from the shipped price catalogue's shapes. Sources group by `x_InstanceType`; the rows are then grouped again
 * here under the pseudo key `gpu`, so every source that knows instance types answers the GPU grouping too.
 */
export const GPU_KEY = 'gpu';

/** What one instance type carries: the accelerator model (display name) and how many. */
export interface GpuShape {
  model: string;
  count: number;
  /** "NVIDIA H100 80 GB × 8". */
  label: string;
}

/** The accelerators of an instance type, or undefined for a type without GPUs (or one the catalogue does not know). */
export function gpuShapeOf(catalogue: PriceCatalogue, instanceType: string | null | undefined): GpuShape | undefined {
  if (!instanceType) return undefined;
  const shape = catalogue.find(instanceType.replace(/^ml\./, ''))?.shape;
  if (!shape?.gpuModel || !shape.gpus) return undefined;
  return { model: shape.gpuModel, count: shape.gpus, label: `${shape.gpuModel} × ${shape.gpus}` };
}

/** A query's group-by with `gpu` asked of the source as `x_InstanceType` (usage hours too, for GPU-hours). */
export function gpuSourceQuery(query: CostQuery): CostQuery {
  if (!(query.groupBy as string[]).includes(GPU_KEY)) return query;
  return { ...query, groupBy: query.groupBy.map((k) => ((k as string) === GPU_KEY ? 'x_InstanceType' : k)) as GroupKey[], usageHours: true };
}


/**
 * Rows grouped by `x_InstanceType` → rows grouped by `gpu` (the model × count label; null for rows without GPUs),
 * summed again. GPU-hours are instance-hours × the GPU count. The answer's query names `gpu` again.
 */
export function regroupByGpu(result: CostResult, catalogue: PriceCatalogue, asked: CostQuery): CostResult & { rows: (CostRow & { gpuHours?: number })[] } {
  const out = new Map<string, CostRow & { gpuHours?: number }>();
  for (const row of result.rows) {
    const shape = gpuShapeOf(catalogue, row.groups.x_InstanceType);
    const groups: Record<string, string | null> = {};
    for (const key of asked.groupBy) groups[key] = (key as string) === GPU_KEY ? shape?.label ?? null : row.groups[key] ?? null;
    const id = JSON.stringify([row.period, row.currency, ...asked.groupBy.map((k) => groups[k])]);
    let acc = out.get(id);
    if (!acc) { acc = { groups, period: row.period, currency: row.currency, cost: 0 }; out.set(id, acc); }
    acc.cost += row.cost;
    if (shape && row.hours !== undefined) {
      acc.hours = (acc.hours ?? 0) + row.hours;
      acc.gpuHours = (acc.gpuHours ?? 0) + row.hours * shape.count;
    }
  }
  const rows = [...out.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : b.cost - a.cost));
  return { ...result, query: asked, rows };
}

/** Cost per GPU-hour of a group: its cost over its GPU-hours (undefined without GPU-hours). */
export function costPerGpuHour(cost: number, gpuHours: number | undefined): number | undefined {
  return gpuHours && gpuHours > 0 ? cost / gpuHours : undefined;
}

/** What one resource ran on: its accelerators, their hours and what they cost (the GPU rows of the resource). */
export interface ResourceGpu {
  label: string;
  /** Cost of the resource's rows on that instance type. */
  cost: number;
  gpuHours?: number;
  costPerGpuHour?: number;
}

/**
 * The GPU view per resource: the same grouping as `mlfinops costs --group-by ResourceId,gpu` (regroupByGpu over a
 * query by ResourceId and instance type), one entry per resource that ran on GPUs. A resource that changed type in
 * the period keeps the accelerators it spent most on.
 */
export function gpuByResource(result: CostResult, catalogue: PriceCatalogue): Map<string, ResourceGpu> {
  const asked: CostQuery = { ...result.query, groupBy: ['ResourceId', GPU_KEY as GroupKey] };
  const out = new Map<string, ResourceGpu>();
  for (const row of regroupByGpu(result, catalogue, asked).rows) {
    const id = row.groups.ResourceId;
    const label = row.groups[GPU_KEY];
    if (!id || !label) continue;
    const seen = out.get(id);
    if (seen && seen.cost >= row.cost) continue;
    const per = costPerGpuHour(row.cost, row.gpuHours);
    out.set(id, { label, cost: row.cost, ...(row.gpuHours !== undefined ? { gpuHours: row.gpuHours } : {}), ...(per !== undefined ? { costPerGpuHour: per } : {}) });
  }
  return out;
}

/** The query gpuByResource reads: cost by resource and instance type, with usage hours, over a period. */
export function gpuByResourceQuery(base: Pick<CostQuery, 'period' | 'metric' | 'filters'>): CostQuery {
  return gpuSourceQuery({ ...base, granularity: 'total', groupBy: ['ResourceId', GPU_KEY as GroupKey] });
}
