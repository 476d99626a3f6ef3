import type { CostMetric, CostQuery, CostResult, GroupKey, Period } from '../cost/model';
import { describeError, isCancelled, isFinOpsError } from '../errors';
import type { Logger } from '../ports';
import { allocate, type Allocation } from './allocate';
import { gpuByResource, gpuByResourceQuery, type ResourceGpu } from '../cost/gpu';
import { shippedCatalogue } from '../pricing/shippedCatalogue';
import type { CostSource, ResourceSource, Resource, SourceState } from '../sources';

/** A source as the Resources view sees it: what it can answer and the state its registry reports. */
export interface TreeSource {
  readonly id: string;
  readonly label: string;
  /** aws | azure | gcp | focus | demo | iac …: picks the icon and the settings the Fix… action opens. */
  readonly kind: string;
  readonly state: SourceState;
  readonly cost?: CostSource;
  readonly resources?: ResourceSource;
}

export interface AllocationParams {
  period: Period;
  metric: CostMetric;
  hierarchy: readonly string[];
}

/** Resources of one instance type / VM size in one region (what savings estimates are made for). */
export interface SizedResources { provider: string; size: string; region?: string; count: number }

/** Counts an inventory's resources by provider, size and region (resources without a size are left out). */
function sizedResources(resources: readonly Resource[]): SizedResources[] {
  const out = new Map<string, SizedResources>();
  for (const r of resources) {
    if (!r.size) continue;
    const key = `${r.provider}\u0000${r.size}\u0000${r.region ?? ''}`;
    const e = out.get(key);
    if (e) e.count += 1;
    else out.set(key, { provider: r.provider, size: r.size, ...(r.region ? { region: r.region } : {}), count: 1 });
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.size.localeCompare(b.size));
}

export type Snapshot =
  | { kind: 'loading'; since: number }
  | {
    kind: 'ready'; allocation: Allocation; params: AllocationParams; loadedAt: string; warnings: string[]; resourceCount: number; sizes: SizedResources[];
    /** Per resource id: the accelerators it ran on, GPU-hours and cost per GPU-hour (sources that know instance types). */
    gpus: ReadonlyMap<string, ResourceGpu>;
  }
  | { kind: 'error'; error: unknown; params: AllocationParams };

/** Cloud inventories are paged API calls: kept between loads until a refresh or a settings change. */
const CACHED_INVENTORY_KINDS = new Set(['aws', 'azure', 'gcp']);

function paramsKey(p: AllocationParams): string {
  return JSON.stringify([p.period.start, p.period.end, p.metric, p.hierarchy]);
}

/**
 * The cached model behind the Resources view: one allocation per source for the current period, metric and
 * hierarchy. Loading happens here (never inside getChildren); the view reads `snapshot()` synchronously.
 * Inventories are kept until a refresh: they do not depend on the period or the hierarchy.
 */
export class AllocationStore {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly inventories = new Map<string, { promise: Promise<Resource[]>; controller: AbortController }>();
  private readonly listeners = new Set<(sourceId: string | undefined) => void>();
  /** The load each source's snapshot should come from; answers of an older load are dropped. */
  private readonly tokens = new Map<string, number>();
  private nextToken = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {}

  onDidChange(listener: (sourceId: string | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(sourceId: string | undefined): void {
    for (const l of this.listeners) l(sourceId);
  }

  snapshot(sourceId: string): Snapshot | undefined {
    return this.snapshots.get(sourceId);
  }

  /** Resolves when the load started last has finished (for tests and commands that need fresh data). */
  whenIdle(): Promise<void> {
    return this.pending;
  }

  private dropInventories(): void {
    for (const e of this.inventories.values()) e.controller.abort();
    this.inventories.clear();
  }

  /** Forgets cloud inventories (the sources were rebuilt from new settings). */
  forgetInventories(): void {
    this.dropInventories();
  }

  /** Drops every cached answer and inventory. */
  clear(): void {
    this.snapshots.clear();
    this.dropInventories();
    this.fire(undefined);
  }

  /**
   * Loads every usable source for the parameters, in parallel; each one's snapshot is replaced when it
   * finishes, so a slow or failing source never holds back the others. Sources already loaded for the same
   * parameters are kept unless `refresh` is set.
   */
  load(sources: readonly TreeSource[], params: AllocationParams, options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    // a load cancelled before it started changes nothing (it would otherwise drop the answers of a newer one)
    if (options.signal?.aborted) return this.pending;
    if (options.refresh) this.dropInventories();
    const key = paramsKey(params);
    const live = new Set(sources.map((s) => s.id));
    for (const id of [...this.snapshots.keys()]) if (!live.has(id)) this.snapshots.delete(id);
    const jobs = sources.map(async (source) => {
      // the registry's state says how the source's last call went; a load always tries again
      if (source.state.kind === 'notConfigured' || (!source.cost && !source.resources)) { this.snapshots.delete(source.id); return; }
      const current = this.snapshots.get(source.id);
      if (!options.refresh && current && current.kind !== 'loading' && paramsKey(current.params) === key) return;
      const token = ++this.nextToken;
      this.tokens.set(source.id, token);
      this.snapshots.set(source.id, { kind: 'loading', since: Date.now() });
      this.fire(source.id);
      let next: Snapshot;
      try {
        next = await this.loadOne(source, params, options.signal);
      } catch (error) {
        if (isCancelled(error)) {
          if (this.tokens.get(source.id) === token) { this.snapshots.delete(source.id); this.fire(source.id); }
          return;
        }
        this.log.warn(`Resources: ${source.label} failed: ${describeError(error)}`);
        next = { kind: 'error', error, params };
      }
      if (this.tokens.get(source.id) !== token) return;
      this.snapshots.set(source.id, next);
      this.fire(source.id);
    });
    this.pending = Promise.all(jobs).then(() => undefined);
    return this.pending;
  }

  /**
   * A cloud source's inventory, fetched once and shared by every load until a refresh. The shared fetch is not
   * tied to one load's cancellation (a newer load would otherwise inherit a cancelled answer); a refresh
   * aborts it.
   */
  private inventory(source: TreeSource, signal?: AbortSignal): Promise<Resource[]> | undefined {
    if (!source.resources) return undefined;
    // local inventories (bill files, IaC) are cheap and change with the files: read them on every load
    if (!CACHED_INVENTORY_KINDS.has(source.kind)) return source.resources.listResources(signal);
    let entry = this.inventories.get(source.id);
    if (!entry) {
      const controller = new AbortController();
      const promise = source.resources.listResources(controller.signal);
      entry = { promise, controller };
      this.inventories.set(source.id, entry);
      const mine = entry;
      promise.catch(() => { if (this.inventories.get(source.id) === mine) this.inventories.delete(source.id); });
    }
    return entry.promise;
  }

  private async loadOne(source: TreeSource, params: AllocationParams, signal?: AbortSignal): Promise<Snapshot> {
    const started = Date.now();
    const warnings: string[] = [];
    const inventoryPromise = this.inventory(source, signal);
    const costPromise = source.cost ? queryAllocation(source.cost, params, signal) : undefined;
    const gpuPromise = source.cost ? queryGpus(source.cost, params, signal, (e) => this.log.info(`Resources: ${source.label} gives no GPU-hours per resource: ${describeError(e)}`)) : undefined;
    // an early exit (the inventory cancelled) must not leave the other two to fail unobserved
    for (const p of [inventoryPromise, costPromise, gpuPromise]) p?.catch(() => undefined);
    let resources: Resource[] | undefined;
    if (inventoryPromise) {
      try {
        resources = await inventoryPromise;
      } catch (error) {
        if (isCancelled(error) || !costPromise) throw error;
        // costs without the inventory still group by tag; say what is missing
        warnings.push(`The resource inventory could not be read: ${describeError(error)}`);
      }
    }
    let result: CostResult | undefined;
    if (costPromise) {
      result = await costPromise;
      warnings.push(...(result.warnings ?? []));
    }
    const gpus = (await gpuPromise) ?? new Map<string, ResourceGpu>();
    const allocation = allocate({ hierarchy: params.hierarchy, ...(result ? { rows: result.rows } : {}), ...(resources ? { resources } : {}) });
    if (allocation.excluded.length) {
      for (const e of allocation.excluded) warnings.push(`${e.rows} rows in ${e.currency} are not included (the view sums ${allocation.currency ?? 'one currency'}).`);
    }
    this.log.info(`Resources: ${source.label} loaded in ${Date.now() - started} ms (${allocation.root.resourceCount} resources)`);
    return {
      kind: 'ready', allocation, params, loadedAt: result?.fetchedAt ?? new Date().toISOString(), warnings,
      resourceCount: resources?.length ?? allocation.root.resourceCount, sizes: resources ? sizedResources(resources) : [], gpus,
    };
  }
}

/**
 * The bill grouped by resource and by each hierarchy tag. A source that cannot group by resource
 * (Cost Explorer outside its hourly window) answers by tag only, and the inventory supplies the resources.
 */
export async function queryAllocation(cost: CostSource, params: AllocationParams, signal?: AbortSignal): Promise<CostResult> {
  const tags = params.hierarchy.map((k) => `tag:${k}` as GroupKey);
  const query = (groupBy: GroupKey[]): CostQuery => ({ period: params.period, granularity: 'total', groupBy, metric: params.metric });
  try {
    return await cost.query(query(['ResourceId', ...tags]), signal);
  } catch (error) {
    if (isFinOpsError(error, 'input') && error.code === 'unsupportedGrouping') return cost.query(query(tags), signal);
    throw error;
  }
}

/**
 * GPU model × count, GPU-hours and cost per GPU-hour per resource (the computation of `mlfinops costs --group-by
 * gpu`). Sources that cannot group by resource and instance type answer nothing here: the view then shows no
 * GPU-hours, and the allocation is unaffected.
 */
async function queryGpus(cost: CostSource, params: AllocationParams, signal: AbortSignal | undefined, skipped: (error: unknown) => void): Promise<Map<string, ResourceGpu>> {
  try {
    return gpuByResource(await cost.query(gpuByResourceQuery({ period: params.period, metric: params.metric }), signal), shippedCatalogue());
  } catch (error) {
    if (isCancelled(error)) throw error;
    skipped(error);
    return new Map();
  }
}
