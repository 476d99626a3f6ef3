import { isBillWorkloadSource, type BillWorkloadSource } from '../core/migrate/fromBill';
import type { CostQuery, CostResult } from '../core/cost/model';
import type { AnswerCache } from '../core/cache/cache';
import type { RequestMeter } from '../core/cache/requestMeter';
import { asFinOpsError, describeError, type FinOpsError, isCancelled, isFinOpsError } from '../core/errors';
import { silentLogger, type Logger } from '../core/ports';
import type { Settings } from '../core/settings';
import type { TagAliases } from '../core/cost/tags';
import { CachedCostSource } from './cachedCostSource';
import type { CostQueryOptions, CostSource, Resource, ResourceSource, SourceState } from '../core/sources';

/**
 * The configured sources (clouds, FOCUS files, IaC …), each with its own state, built from the settings by a
 * list of factories. A factory per kind of source plugs in here; the registry never knows a cloud. One failing
 * source never hides the others: every call is made per source and its failure becomes that source's state.
 *
 * The registry answers the shape the views read (`current()`, `onDidChange()`, `refresh()`), so the Resources
 * view, the dashboard and the status bar share one instance and one cache.
 */

/** aws | azure | gcp | focus | demo | iac …: the icon, and the settings a "Fix…" action opens. */
type SourceKind = string;

export interface SourceEntry {
  readonly id: string;
  readonly kind: SourceKind;
  readonly label: string;
  readonly cost?: CostSource;
  readonly resources?: ResourceSource;
  /**
   * A connection test: signs in and makes the cheapest calls that prove each permission. Returns a line that
   * says what worked ("12 resources; Cost Explorer answered"); throws a FinOpsError that says what is missing.
   */
  check?(signal: AbortSignal | undefined, cost: CostSource | undefined): Promise<string>;
  /** Cost answers are cached on disk under this key (never secret); absent = not cached (local files). */
  readonly cacheKey?: Record<string, string>;
  /** What is worth knowing even when the source works ("costs need mlFinops.gcp.billingTable"). */
  readonly note?: string;
}

/** A source that is known but cannot run: what is missing, and the fix. */
export interface NotConfigured {
  readonly notConfigured: true;
  readonly id: string;
  readonly kind: SourceKind;
  readonly label: string;
  readonly fix: string;
  /** False when the user has not turned the source on (the views may leave it out). */
  readonly enabled: boolean;
  /** The sign-in command the fix names, if any. */
  readonly signIn?: string;
}

export interface SourceContext {
  log: Logger;
  meter: RequestMeter;
  /** The cost cache (global storage / the CLI's cache folder); absent = no caching. */
  cache?: AnswerCache;
  /** False in an untrusted workspace: no cloud call is made. */
  trusted: boolean;
  /** The policy's per-cloud tag names (the `Team` tag is the `team` label on GCP). */
  tagAliases?: TagAliases;
}

export interface SourceFactory {
  readonly kind: SourceKind;
  /** Builds the kind's sources for the settings (none, one or several); called again when settings change. */
  create(settings: Settings, ctx: SourceContext): (SourceEntry | NotConfigured)[];
}

/** A source as the views see it: the entry (when it can run) and its current state. */
export interface SourceStatus {
  readonly id: string;
  readonly kind: SourceKind;
  readonly label: string;
  readonly state: SourceState;
  readonly cost?: CostSource;
  readonly resources?: ResourceSource;
  readonly enabled: boolean;
  readonly note?: string;
}

/** The outcome of one call on one source: its answer, or the error that became its state. */
type SourceOutcome<T> =
  | { id: string; label: string; ok: true; value: T }
  | { id: string; label: string; ok: false; error: FinOpsError };

type Operation = 'cost' | 'resources' | 'check';

/** The state a failure puts a source in. */
function stateFromError(e: unknown): SourceState {
  if (isFinOpsError(e)) {
    const signIn = e.command ? { signIn: e.command } : {};
    switch (e.reason) {
      case 'usage': return { kind: 'notConfigured', fix: `${e.message} ${e.fix}`, ...signIn };
      case 'auth': return { kind: 'authExpired', message: e.message, fix: e.fix, ...signIn };
      case 'throttled': return { kind: 'throttled', message: `${e.message} ${e.fix}` };
      default: return { kind: 'error', message: e.message, fix: e.fix, ...signIn };
    }
  }
  return { kind: 'error', message: describeError(e) };
}

const severity: Record<SourceState['kind'], number> = { ok: 0, loading: 1, throttled: 2, notConfigured: 3, error: 4, authExpired: 5 };


interface Slot {
  entry?: SourceEntry;
  cost?: CostSource;
  missing?: NotConfigured;
  outcomes: Map<Operation, SourceState>;
  inFlight: number;
  okDetail?: string;
}

export class SourceRegistry {
  private slots = new Map<string, Slot>();
  private readonly listeners = new Set<() => void>();
  private readonly log: Logger;

  constructor(private readonly factories: readonly SourceFactory[], private ctx: SourceContext) {
    this.log = ctx.log ?? silentLogger;
  }

  /** (Re)builds every source from the settings; states start afresh. */
  configure(settings: Settings, ctx?: Partial<SourceContext>): void {
    if (ctx) this.ctx = { ...this.ctx, ...ctx };
    this.resetCached();
    const slots = new Map<string, Slot>();
    for (const factory of this.factories) {
      let made: (SourceEntry | NotConfigured)[];
      try {
        made = factory.create(settings, this.ctx);
      } catch (e) {
        // A factory that cannot even read its settings is one broken source, not a broken registry.
        this.log.warn(`Source ${factory.kind} could not be built: ${describeError(e)}`);
        const error = asFinOpsError(e);
        slots.set(factory.kind, { missing: { notConfigured: true, id: factory.kind, kind: factory.kind, label: factory.kind, fix: describeError(error), enabled: true }, outcomes: new Map(), inFlight: 0 });
        continue;
      }
      for (const item of made) {
        if ('notConfigured' in item) {
          slots.set(item.id, { missing: item, outcomes: new Map(), inFlight: 0 });
          continue;
        }
        const cost = item.cost && item.cacheKey && this.ctx.cache?.enabled
          ? new CachedCostSource(item.cost, this.ctx.cache, item.cacheKey, this.log)
          : item.cost;
        slots.set(item.id, { entry: item, ...(cost ? { cost: this.tracked(item.id, cost) } : {}), outcomes: new Map(), inFlight: 0 });
      }
    }
    this.slots = slots;
    this.fire();
  }

  /** Replaces the cache map when sources are rebuilt (called from configure before building). */
  private resetCached(): void {
    this.cached.clear();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const l of [...this.listeners]) {
      try { l(); } catch (e) { this.log.error(`A source listener failed: ${describeError(e)}`); }
    }
  }

  private stateOf(slot: Slot): SourceState {
    if (slot.missing) return { kind: 'notConfigured', fix: slot.missing.fix, ...(slot.missing.signIn ? { signIn: slot.missing.signIn } : {}) };
    if (slot.inFlight > 0) return { kind: 'loading' };
    let worst: SourceState = { kind: 'ok', ...(slot.okDetail ?? slot.entry?.note ? { detail: slot.okDetail ?? slot.entry?.note } : {}) };
    for (const s of slot.outcomes.values()) if (severity[s.kind] > severity[worst.kind]) worst = s;
    return worst;
  }

  /** Every source, configured or not, with its state (the views' list). */
  all(): SourceStatus[] {
    return [...this.slots.entries()].map(([id, slot]) => {
      const base = slot.entry ?? slot.missing!;
      return {
        id, kind: base.kind, label: base.label, state: this.stateOf(slot),
        enabled: slot.missing ? slot.missing.enabled : true,
        ...(slot.cost ? { cost: slot.cost } : {}),
        ...(slot.entry?.resources ? { resources: this.trackedResources(id, slot.entry.resources) } : {}),
        ...(slot.entry?.note ? { note: slot.entry.note } : {}),
      };
    });
  }

  /** The sources the user turned on (configured or with what is missing): what the Resources view lists. */
  current(): SourceStatus[] {
    return this.all().filter((s) => s.enabled);
  }

  state(id: string): SourceState | undefined {
    const slot = this.slots.get(id);
    return slot ? this.stateOf(slot) : undefined;
  }

  /** Makes cached cost answers stale so the next query of each kind asks the source (the Refresh action). */
  refresh(): void {
    for (const slot of this.slots.values()) slot.outcomes.clear();
    for (const c of this.cached.values()) c.invalidate();
    this.fire();
  }

  private readonly cached = new Map<string, CachedCostSource>();

  private async track<T>(id: string, op: Operation, work: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(id);
    if (!slot) return work();
    slot.inFlight++;
    if (slot.inFlight === 1) this.fire();
    try {
      const value = await work();
      if (this.slots.get(id) === slot) {
        slot.outcomes.set(op, { kind: 'ok' });
        // A call that works supersedes an older failed connection test.
        if (op !== 'check') slot.outcomes.delete('check');
      }
      return value;
    } catch (e) {
      if (this.slots.get(id) === slot && !isCancelled(e)) {
        slot.outcomes.set(op, stateFromError(e));
        this.log.warn(`${slot.entry?.label ?? id}: ${describeError(e)}`);
      }
      throw e;
    } finally {
      slot.inFlight--;
      if (this.slots.get(id) === slot) this.fire();
    }
  }

  /** The source's cost answers, with its state kept up to date (and the cache in front when it has one). */
  private tracked(id: string, source: CostSource): CostSource {
    if (source instanceof CachedCostSource) this.cached.set(id, source);
    const tracked: CostSource & Partial<BillWorkloadSource> = {
      id: source.id,
      label: source.label,
      query: (query, signal, options) => this.track(id, 'cost', () => source.query(query, signal, options)),
    };
    // bill files also answer the workload queries of migration estimates
    if (isBillWorkloadSource(source)) {
      tracked.workload = (filters, period, signal) => this.track(id, 'cost', () => source.workload(filters, period, signal));
      tracked.coverage = (signal) => source.coverage(signal);
    }
    return tracked;
  }

  private trackedResources(id: string, source: ResourceSource): ResourceSource {
    return { id: source.id, label: source.label, listResources: (signal?: AbortSignal) => this.track(id, 'resources', () => source.listResources(signal)) };
  }

  /** Runs the query on every source that answers costs, side by side; each failure stays with its source. */
  async queryCosts(query: CostQuery, signal?: AbortSignal, options?: CostQueryOptions): Promise<SourceOutcome<CostResult>[]> {
    const runnable = [...this.slots.entries()].filter(([, s]) => s.cost);
    return Promise.all(runnable.map(async ([id, slot]): Promise<SourceOutcome<CostResult>> => {
      const label = slot.entry!.label;
      try {
        return { id, label, ok: true, value: await slot.cost!.query(query, signal, options) };
      } catch (e) {
        if (isCancelled(e)) throw e;
        return { id, label, ok: false, error: asFinOpsError(e) };
      }
    }));
  }

  /** Lists every inventory side by side; each failure stays with its source. */
  async listResources(signal?: AbortSignal): Promise<SourceOutcome<Resource[]>[]> {
    const runnable = [...this.slots.entries()].filter(([, s]) => s.entry?.resources);
    return Promise.all(runnable.map(async ([id, slot]): Promise<SourceOutcome<Resource[]>> => {
      const label = slot.entry!.label;
      try {
        return { id, label, ok: true, value: await this.track(id, 'resources', () => slot.entry!.resources!.listResources(signal)) };
      } catch (e) {
        if (isCancelled(e)) throw e;
        return { id, label, ok: false, error: asFinOpsError(e) };
      }
    }));
  }

  /** Tests one source's connection and records the state it finds. */
  async check(id: string, signal?: AbortSignal): Promise<SourceState> {
    const slot = this.slots.get(id);
    if (!slot) return { kind: 'notConfigured', fix: `No source "${id}".` };
    if (slot.missing) return this.stateOf(slot);
    const entry = slot.entry!;
    try {
      const detail = await this.track(id, 'check', async () => (entry.check ? entry.check(signal, slot.cost) : 'Configured.'));
      if (this.slots.get(id) === slot) {
        slot.outcomes.clear();
        slot.okDetail = detail;
        this.fire();
      }
      return { kind: 'ok', detail };
    } catch (e) {
      if (isCancelled(e)) throw e;
      return stateFromError(e);
    }
  }
}
