import * as vscode from 'vscode';
import type { CostMetric, Period } from '../core/cost/model';
import type { CostSource } from '../core/sources';
import { resolveHierarchy, type ResolvedHierarchy } from '../core/allocation/hierarchy';
import { addDays, ALL_TIME, describePeriod, resolvePeriod, todayUtc, type PeriodChoice } from '../core/period';
import { describeError } from '../core/errors';
import { loadPolicy } from '../core/policy/load';
import type { Budget, ShowbackSettings } from '../core/budgets/schema';
import type { Services } from './services';
import { AllocationStore, type AllocationParams, type TreeSource } from '../core/allocation/store';

/** Where the Resources view, the dashboard and the status bar get their sources from (the provider registry). */
interface SourceList {
  current(): readonly TreeSource[];
  onDidChange(listener: () => void): { dispose(): void };
  /** Forgets cached answers so the next query goes to the source (the Refresh action). */
  refresh?(): void | Promise<void>;
}

const PERIOD_KEY = 'mlFinops.costView.period';
const HIERARCHY_KEY = 'mlFinops.costView.hierarchy';

/** A source that can tell which dates its data covers (bill files): periods end at its last day, not today. */
interface HasCoverage { coverage(signal?: AbortSignal): Promise<Period | undefined> }
function hasCoverage(x: unknown): x is HasCoverage {
  return typeof x === 'object' && x !== null && typeof (x as { coverage?: unknown }).coverage === 'function';
}

/** Source kinds that read bill files: their data ends on a fixed day. */
const FILE_KINDS = new Set(['focus', 'demo']);

/** The day after the last day with cost in a source (two small queries: by month over all dates, then by day). */
async function lastDataEnd(cost: CostSource, metric: CostMetric, signal?: AbortSignal): Promise<string | undefined> {
  const months = await cost.query({ period: ALL_TIME, granularity: 'monthly', groupBy: [], metric }, signal);
  const month = months.rows.filter((r) => r.cost !== 0).map((r) => r.period.slice(0, 10)).sort().pop();
  if (!month) return undefined;
  const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 10);
  const days = await cost.query({ period: { start: `${month.slice(0, 7)}-01`, end: next }, granularity: 'daily', groupBy: [], metric }, signal);
  const day = days.rows.filter((r) => r.cost !== 0).map((r) => r.period.slice(0, 10)).sort().pop();
  return day ? addDays(day, 1) : next;
}

interface ResolvedPeriod {
  choice: PeriodChoice;
  period: Period;
  /** "Last 30 days (1 – 30 Sep 2024)". */
  label: string;
  /** The day the period is counted back from: today, or the last day of data in bill files. */
  anchor: string;
}

/**
 * What the Resources view, the cost dashboard and the status bar share: the sources, the chosen period,
 * the tag hierarchy (view choice → `.finops.yaml` → setting → Team/Project), the metric, and the cached
 * allocation model. Nothing is loaded until a view or command asks (`load`).
 */
export class CostView implements vscode.Disposable {
  readonly store: AllocationStore;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  /** Fires when only the sources' states changed (a call started or ended): redraw, do not reload. */
  private readonly redrawEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeState = this.redrawEmitter.event;
  /** Fires when a load has finished (every source answered or failed). */
  private readonly loadedEmitter = new vscode.EventEmitter<void>();
  readonly onDidLoad = this.loadedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private lastSignature: string;
  private policyHierarchy: string[] | undefined;
  private policyKeys: string[] = [];
  private policyBudgets: Budget[] = [];
  private policyShowback: ShowbackSettings | undefined;
  private policyProblem: string | undefined;
  private policyRead: Promise<void> | undefined;
  private anchor: string | undefined;
  private anchorPromise: Promise<string> | undefined;
  private lastLoaded: Date | undefined;
  /** Which load is the newest (see runLoad), its promise, and whether a superseded load asked for a refresh. */
  private loadSeq = 0;
  private latestLoad: Promise<void> = Promise.resolve();
  private refreshWanted = false;

  constructor(private readonly services: Services, readonly sourceList: SourceList) {
    this.store = new AllocationStore(services.log);
    this.lastSignature = this.signature();
    const { settings } = services;
    this.disposables.push(
      this.emitter,
      this.redrawEmitter,
      this.loadedEmitter,
      toDisposable(sourceList.onDidChange(() => {
        // a call starting or ending changes a source's state: redraw; a different set of sources: reload
        const signature = this.signature();
        if (signature === this.lastSignature) { this.redrawEmitter.fire(); return; }
        this.lastSignature = signature;
        this.resetAnchor();
        this.emitter.fire();
      })),
      settings.onDidChange((e) => {
        // the registry rebuilds its sources on the same event: forget what came from the old ones
        this.store.forgetInventories();
        if (e.affects('cost.period')) void this.services.context.workspaceState.update(PERIOD_KEY, undefined);
        if (e.affects('tags.policyFile')) this.policyRead = undefined;
        // reload once every listener of this event (the registry's rebuild among them) has run
        if (e.affects('cost.period') || e.affects('cost.metric') || e.affects('resources.hierarchy') || e.affects('tags.policyFile')) setImmediate(() => this.emitter.fire());
      }),
    );
    this.watchPolicy();
    this.disposables.push(settings.onDidChange((e) => { if (e.affects('tags.policyFile')) this.watchPolicy(); }), { dispose: () => this.policyWatcher?.dispose() });
  }

  private policyWatcher: vscode.Disposable | undefined;

  /** Watches the team policy file only (its `hierarchy:` applies as soon as it is saved). */
  private watchPolicy(): void {
    this.policyWatcher?.dispose();
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, this.services.settings.get('tags.policyFile')));
    const onPolicy = (): void => {
      this.policyRead = undefined;
      void this.readPolicy().then(() => this.emitter.fire());
    };
    const subs = [watcher, watcher.onDidChange(onPolicy), watcher.onDidCreate(onPolicy), watcher.onDidDelete(onPolicy)];
    this.policyWatcher = { dispose: () => { for (const d of subs) d.dispose(); } };
  }

  /** What identifies the configured sources (not their momentary state). */
  private signature(): string {
    return JSON.stringify(this.sourceList.current().map((s) => [s.id, s.kind, s.label, s.cost ? identity(s.cost) : 0, !!s.resources, s.state.kind === 'notConfigured']));
  }

  get sources(): readonly TreeSource[] {
    return this.sourceList.current();
  }

  get metric(): CostMetric {
    return this.services.settings.get('cost.metric');
  }

  get periodChoice(): PeriodChoice {
    const saved = this.services.context.workspaceState.get<PeriodChoice>(PERIOD_KEY);
    if (saved && (saved.preset !== 'custom' || saved.custom)) return saved;
    return { preset: this.services.settings.get('cost.period') };
  }

  async setPeriod(choice: PeriodChoice): Promise<void> {
    resolvePeriod(choice, todayUtc()); // validates; throws FinOpsError('input')
    await this.services.context.workspaceState.update(PERIOD_KEY, choice);
    this.emitter.fire();
  }

  get hierarchy(): ResolvedHierarchy {
    const view = this.services.context.workspaceState.get<string[]>(HIERARCHY_KEY);
    return resolveHierarchy({
      ...(view ? { view } : {}),
      ...(this.policyHierarchy ? { policy: this.policyHierarchy } : {}),
      settings: this.services.settings.get('resources.hierarchy'),
    });
  }

  /** The hierarchies the team configured (policy, setting) — offered first by the switch. */
  get configuredHierarchies(): { keys: string[]; origin: 'policy' | 'settings' }[] {
    const out: { keys: string[]; origin: 'policy' | 'settings' }[] = [];
    if (this.policyHierarchy) out.push({ keys: this.policyHierarchy, origin: 'policy' });
    out.push({ keys: this.services.settings.get('resources.hierarchy'), origin: 'settings' });
    return out;
  }

  /** Tag keys the policy names (required and optional), for the switch and the dashboard's tag filter. */
  /** The valid budgets of the team policy's `budgets:` (read by readPolicy). */
  get budgets(): readonly Budget[] {
    return this.policyBudgets;
  }

  /** The `showback:` section of the team policy (undefined: none, the defaults apply). */
  get showback(): ShowbackSettings | undefined {
    return this.policyShowback;
  }

  get policyTagKeys(): readonly string[] {
    return this.policyKeys;
  }

  get policyWarning(): string | undefined {
    return this.policyProblem;
  }

  /** Sets the view's hierarchy for this workspace (undefined: back to the team's / the setting's). */
  async setHierarchy(keys: readonly string[] | undefined): Promise<void> {
    await this.services.context.workspaceState.update(HIERARCHY_KEY, keys ? [...keys] : undefined);
    this.emitter.fire();
  }

  /** The period in dates, counted back from today or from the last day of data in bill files. */
  resolvedPeriod(): ResolvedPeriod {
    const choice = this.periodChoice;
    const anchor = this.anchor ?? todayUtc();
    let period: Period;
    try {
      period = resolvePeriod(choice, anchor);
    } catch {
      period = resolvePeriod({ preset: 'last30Days' }, anchor);
    }
    return { choice, period, label: describePeriod(choice, period), anchor };
  }

  params(): AllocationParams {
    return { period: this.resolvedPeriod().period, metric: this.metric, hierarchy: this.hierarchy.keys };
  }

  get loadedAt(): Date | undefined {
    return this.lastLoaded;
  }

  /** Reads the team policy (hierarchy, tag keys) and the data's coverage, then loads every source. */
  load(options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const seq = ++this.loadSeq;
    if (options.refresh) this.refreshWanted = true;
    const run = this.runLoad(seq, options);
    this.latestLoad = run;
    return run;
  }

  /**
   * Loads started one after the other (the tree, the dashboard, a settings change) each read the policy and the
   * dates first; only the newest goes on to load, with the settings of that moment. An older one that finished
   * reading later must not load after it: its period, hierarchy or sources may be stale, and a cancelled one
   * would leave the view empty. It waits for the newest instead; a refresh asked by an older load is kept.
   */
  private async runLoad(seq: number, options: { refresh?: boolean; signal?: AbortSignal }): Promise<void> {
    if (options.refresh) {
      this.resetAnchor();
      this.policyRead = undefined;
      await this.sourceList.refresh?.();
    }
    await this.readPolicy();
    const anchor = await this.currentAnchor();
    if (seq !== this.loadSeq) return this.latestLoad;
    if (options.signal?.aborted) return;
    const choice = this.periodChoice;
    let period: Period;
    try {
      period = resolvePeriod(choice, anchor);
    } catch {
      period = resolvePeriod({ preset: 'last30Days' }, anchor);
    }
    const refresh = this.refreshWanted;
    this.refreshWanted = false;
    await this.store.load(this.sources, { period, metric: this.metric, hierarchy: this.hierarchy.keys }, { ...options, refresh });
    this.lastLoaded = new Date();
    this.loadedEmitter.fire();
  }

  /** The anchor for the current sources: asked again when the sources changed while it was being read. */
  private async currentAnchor(): Promise<string> {
    for (;;) {
      const pending = this.ensureAnchor();
      const anchor = await pending;
      if (this.anchorPromise === pending) return anchor;
    }
  }

  /**
   * Bill files end some day in the past: when every cost source is such a file, periods count back from the
   * last day they hold (so "last 30 days" of a September bill is September, not an empty window).
   */
  ensureAnchor(_signal?: AbortSignal): Promise<string> {
    // shared by every caller until the sources change; small queries, so not tied to one caller's cancellation
    if (!this.anchorPromise) {
      const pending: Promise<string> = this.computeAnchor().then((a) => {
        // the sources changed while it was read: that answer is for sources that are gone
        if (this.anchorPromise === pending) this.anchor = a;
        return a;
      });
      this.anchorPromise = pending;
    }
    return this.anchorPromise;
  }

  private resetAnchor(): void {
    this.anchor = undefined;
    this.anchorPromise = undefined;
  }

  private async computeAnchor(): Promise<string> {
    const today = todayUtc();
    const costSources = this.sources.filter((s) => s.state.kind !== 'notConfigured' && s.cost);
    if (costSources.length === 0 || !costSources.every((s) => hasCoverage(s.cost) || FILE_KINDS.has(s.kind))) return today;
    const ends = await Promise.all(costSources.map(async (s) => {
      try {
        return hasCoverage(s.cost) ? (await s.cost.coverage())?.end : await lastDataEnd(s.cost!, this.metric);
      } catch (e) {
        this.services.log.warn(`${s.label}: could not read which dates it covers: ${describeError(e)}`);
        return undefined;
      }
    }));
    const last = ends.filter((e): e is string => !!e).sort().pop();
    return last && addDays(last, -1) < today ? addDays(last, -1) : today;
  }

  private policyUri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    return vscode.Uri.joinPath(folder.uri, this.services.settings.get('tags.policyFile'));
  }

  /** `hierarchy:` and the tag keys from the team's `.finops.yaml` (absent or unreadable: none). */
  readPolicy(): Promise<void> {
    this.policyRead ??= (async () => {
      const uri = this.policyUri();
      this.policyHierarchy = undefined;
      this.policyKeys = [];
      this.policyBudgets = [];
      this.policyShowback = undefined;
      this.policyProblem = undefined;
      if (!uri) return;
      let text: string;
      try {
        text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      } catch {
        return; // no policy file: the setting applies
      }
      const { policy, problems, budgets, showback } = loadPolicy(text, vscode.workspace.asRelativePath(uri));
      this.policyBudgets = budgets ?? [];
      this.policyShowback = showback;
      this.policyHierarchy = policy.hierarchy;
      this.policyKeys = [...policy.required, ...policy.optional];
      const bad = problems.find((p) => p.section === 'hierarchy');
      if (bad) this.policyProblem = `${vscode.workspace.asRelativePath(uri)}:${bad.line}: ${bad.message}`;
    })();
    return this.policyRead;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A number per object, so a rebuilt source (new cost object, same id) reads as a different source. */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function identity(o: object): number {
  let id = identities.get(o);
  if (id === undefined) { id = nextIdentity++; identities.set(o, id); }
  return id;
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}
