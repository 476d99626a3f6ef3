import * as vscode from 'vscode';
import { consoleUrl } from '../../core/allocation/consoleLinks';
import { formatHierarchy, parseHierarchyInput } from '../../core/allocation/hierarchy';
import { groupPath, type AllocationGroup, type AllocationLeaf } from '../../core/allocation/allocate';
import type { Resource } from '../../core/sources';
import { addDays, isIsoDate, presetLabel, type PeriodChoice, type PeriodPreset } from '../../core/period';
import { describeError, isCancelled, isFinOpsError } from '../../core/errors';
import { ourEstimateLine, type NativeRecommendation } from '../../core/savings/native';
import type { SavingsReport } from '../../core/savings/report';
import { recommendationsFor } from '../../providers/nativeRecommenders';
import { Commands } from '../../shared/commands';
import { runSignIn, signInOf } from '../../platform/signIn';
import type { Services } from '../../platform/services';
import type { CostFilter } from '../../core/cost/model';
import type { CostView } from '../../platform/costView';
import type { AnomalyWatch } from '../../platform/anomalyWatch';
import { anomalyAmounts, anomalyDay } from '../../shared/anomalyText';
import { TreePresentation, viewState, type ItemView, type ResourceNative, type TreeNode } from './presentation';

const VIEW_ID = 'mlFinops.resources';
/** Context key the welcome views read: noSource | signedOut | error | ok. */
const STATE_CONTEXT_KEY = 'mlFinops.resources.state';

/** Settings section each source kind is configured in (the Fix… action opens it). */
const SETTINGS_OF: Record<string, string> = { aws: 'mlFinops.aws', azure: 'mlFinops.azure', gcp: 'mlFinops.gcp', focus: 'mlFinops.focus', demo: 'mlFinops.demo', iac: 'mlFinops.tags' };


/**
 * The Resources view: sources, then resources grouped by a tag hierarchy with their cost over the selected
 * period. getChildren only reads the cached model (TreePresentation over the AllocationStore).
 */
class ResourcesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly presentation: TreePresentation;
  /** Node objects by id: VS Code refreshes an element by identity. */
  private readonly nodes = new Map<string, TreeNode>();

  /** The clouds' own recommendations by resource id (set by the annotation run after each load). */
  native = new Map<string, ResourceNative>();

  constructor(private readonly view: CostView, private readonly anomalyWatch?: AnomalyWatch) {
    this.presentation = new TreePresentation(this.context());
  }

  private context() {
    const report = this.anomalyWatch?.report;
    return {
      sources: this.view.sources,
      store: this.view.store,
      periodLabel: this.view.resolvedPeriod().label,
      locale: vscode.env.language,
      commands: { loadMore: Commands.loadMoreResources, fix: Commands.fixSource, revealDeclaration: Commands.revealDeclaration, openNative: Commands.estimateResourceSavings },
      native: (resourceId: string) => this.native.get(resourceId),
      // the anomaly report's days are the view's period: a group node lists its group's anomalous days
      anomalies: (tagKey: string, value: string | null) => {
        const found = report?.scan.anomalies.filter((a) => a.key === `tag:${tagKey}` && (a.group[a.key] ?? null) === value);
        return found?.length ? found.map((a) => `${anomalyDay(a.date)}: ${anomalyAmounts(a, vscode.env.language)}`) : undefined;
      },
    };
  }

  /** Redraws everything (or one source's subtree) from the cached model. */
  refresh(sourceId?: string): void {
    this.presentation.update(this.context());
    const node = sourceId === undefined ? undefined : this.nodes.get(`s:${sourceId}`);
    this.emitter.fire(node);
  }

  state() {
    return viewState(this.view.sources, (id) => this.view.store.snapshot(id));
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node && this.state() !== 'ok') return [];
    return this.presentation.children(node).map((n) => {
      const known = this.nodes.get(n.id);
      if (known && known.kind === n.kind) { Object.assign(known, n); return known; }
      this.nodes.set(n.id, n);
      return n;
    });
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return toTreeItem(this.presentation.item(node));
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function toTreeItem(v: ItemView): vscode.TreeItem {
  const state = v.collapsible === 'none' ? vscode.TreeItemCollapsibleState.None
    : v.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  const item = new vscode.TreeItem(v.label, state);
  item.id = v.id;
  if (v.description !== undefined) item.description = v.description;
  if (v.tooltip !== undefined) {
    const tip = new vscode.MarkdownString(v.tooltip);
    tip.isTrusted = false;
    tip.supportHtml = false;
    item.tooltip = tip;
  }
  item.contextValue = v.contextValue;
  if (v.icon) item.iconPath = new vscode.ThemeIcon(v.icon, v.iconColor ? new vscode.ThemeColor(v.iconColor) : undefined);
  if (v.command) item.command = v.command;
  return item;
}

/**
 * What the tree needs of the savings estimator (given by the composition root): the clouds' own recommendations, and
 * the savings report of a resource — the one the report panel opens, whose native rows carry the comparison with ours.
 */
export interface TreeSavings {
  native(signal?: AbortSignal): Promise<{ recommendations: NativeRecommendation[] }>;
  estimate(request: { instanceType: string; region?: string; subject?: string; resourceId: string }, signal?: AbortSignal): Promise<SavingsReport>;
}

export interface ResourcesTreeHandle {
  /** Resolves when the clouds' own recommendations of the last load are on the tree, ours beside them. */
  nativeAnnotated(): Promise<void>;
  readonly provider: ResourcesTreeProvider;
  readonly view: CostView;
  readonly tree: vscode.TreeView<TreeNode>;
  /**
   * The resources behind a node (a command's argument, else the selection): a resource, or every resource under a
   * group at any depth, and every resource of the same source (their neighbours). Undefined when no node is given.
   */
  resourcesAt(arg: unknown): { resources: Resource[]; neighbours: Resource[] } | undefined;
}

/** Every resource under a group, at any depth. */
function leavesUnder(group: AllocationGroup): AllocationLeaf[] {
  return group.groups.length ? group.groups.flatMap(leavesUnder) : group.leaves;
}

/** A leaf as a resource: its inventory detail, or a bare id (of the source's kind) when the bill alone knows it. */
function leafResource(leaf: AllocationLeaf, kind: string | undefined): Resource | undefined {
  if (leaf.resource) return leaf.resource;
  return leaf.resourceId === null ? undefined : { provider: kind ?? '', id: leaf.resourceId, type: '', tags: {} };
}

/** The request "Estimate Savings" on a resource sends (the report a native row opens, and the one it compares with). */
function savingsRequest(r: Resource): { instanceType: string; region?: string; subject: string; resourceId: string } {
  return { instanceType: r.size ?? '', ...(r.region ? { region: r.region } : {}), subject: r.name ?? r.id, resourceId: r.id };
}

export function registerResourcesTree(services: Services, view: CostView, anomalyWatch?: AnomalyWatch, savings?: TreeSavings): { disposables: vscode.Disposable[]; handle: ResourcesTreeHandle } {
  const { log } = services;
  const provider = new ResourcesTreeProvider(view, anomalyWatch);
  const tree = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  // the view's badge: the anomaly events of the period (a team, its service and its account jumping together are one)
  const onAnomalies = anomalyWatch?.onDidChange((report) => {
    const n = report.events.filter((e) => e.peak.direction === 'above').length;
    tree.badge = n ? { value: n, tooltip: `${n === 1 ? '1 cost anomaly' : `${n} cost anomalies`} in ${report.periodLabel}` } : undefined;
    provider.refresh();
  });
  let loaded = false;
  let loading: Promise<void> | undefined;
  let cancel: AbortController | undefined;
  let annotating: { controller: AbortController; done: Promise<void> } | undefined;

  /**
   * After a load: the resources the clouds' own recommenders have something for get it as child rows at once, then
   * (per resource, as the savings report computes it) ours beside it with the reasons they differ.
   */
  const annotate = (): Promise<void> => {
    annotating?.controller.abort();
    const controller = new AbortController();
    const signal = controller.signal;
    const run = async (): Promise<void> => {
      if (!savings) return;
      let all: NativeRecommendation[];
      try {
        all = (await savings.native(signal)).recommendations;
      } catch (e) {
        if (!isCancelled(e)) log.warn(`Resources view: the clouds' own recommenders: ${describeError(e)}`);
        return;
      }
      const found = new Map<string, ResourceNative>();
      const jobs: Array<{ entry: ResourceNative; resource: Resource }> = [];
      for (const s of view.sources) {
        const snap = view.store.snapshot(s.id);
        if (snap?.kind !== 'ready' || !all.length) continue;
        for (const leaf of leavesUnder(snap.allocation.root)) {
          if (leaf.resourceId === null || found.has(leaf.resourceId)) continue;
          const mine = recommendationsFor(all, leaf.resourceId);
          if (!mine.length) continue;
          const sized = leaf.resource?.size ? leaf.resource : undefined;
          const entry: ResourceNative = { rows: mine.map((recommendation) => ({ recommendation })), ...(sized ? { pending: true } : { ours: ourEstimateLine(undefined) }) };
          found.set(leaf.resourceId, entry);
          if (sized) jobs.push({ entry, resource: sized });
        }
      }
      if (signal.aborted) return;
      provider.native = found;
      provider.refresh();
      await Promise.all(jobs.map(async ({ entry, resource }) => {
        try {
          const report = await savings.estimate(savingsRequest(resource), signal);
          // the report's own rows: the same comparison, computed once, that its page shows
          if (report.native?.length) entry.rows = report.native;
          entry.ours = ourEstimateLine(report.options.find((o) => o.kind === 'rightsizing'));
        } catch (e) {
          if (isCancelled(e)) return;
          entry.ours = `Ours: could not be estimated: ${describeError(e)}`;
        } finally {
          delete entry.pending;
        }
        if (!signal.aborted) provider.refresh();
      }));
    };
    const done = run().finally(() => { if (annotating?.controller === controller) annotating = undefined; });
    annotating = { controller, done };
    return done;
  };

  const describe = (): void => {
    const p = view.resolvedPeriod();
    const h = view.hierarchy;
    tree.description = `${presetLabel(p.choice.preset)} · ${formatHierarchy(h.keys)}`;
    const state = provider.state();
    void vscode.commands.executeCommand('setContext', STATE_CONTEXT_KEY, state);
    const failing = view.sources.map((s) => {
      const snap = view.store.snapshot(s.id);
      const message = snap?.kind === 'error' ? describeError(snap.error) : 'message' in s.state ? s.state.message : undefined;
      return message ? `${s.label}: ${message}` : undefined;
    }).filter((m): m is string => !!m);
    if (state === 'error') tree.message = failing.join(' · ') || 'Every cost source failed. See the logs.';
    else tree.message = view.policyWarning;
  };

  /** Loads (or reloads) the model with progress shown on the view; cancels a load still running. */
  const load = (refresh = false): Promise<void> => {
    cancel?.abort();
    const controller = new AbortController();
    cancel = controller;
    loaded = true;
    const run = vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () =>
      view.load({ refresh, signal: controller.signal }).catch((e) => log.error(`Resources view: ${describeError(e)}`)));
    loading = Promise.resolve(run).finally(() => { if (cancel === controller) cancel = undefined; describe(); provider.refresh(); if (!controller.signal.aborted) void annotate(); });
    return loading;
  };

  const onModel = view.store.onDidChange((sourceId) => { describe(); provider.refresh(sourceId); });
  const onView = view.onDidChange(() => {
    provider.presentation.resetPaging();
    describe();
    provider.refresh();
    if (tree.visible || loaded) void load();
  });
  const onState = view.onDidChangeState(() => { describe(); provider.refresh(); });
  const onVisible = tree.onDidChangeVisibility((e) => { if (e.visible && !loaded) void load(); });
  describe();
  if (tree.visible) void load();

  const node = (arg: unknown): TreeNode | undefined => (arg && typeof arg === 'object' && 'kind' in arg ? arg as TreeNode : tree.selection[0]);

  const disposables: vscode.Disposable[] = [
    provider, tree, onVisible, new vscode.Disposable(() => { onModel.dispose(); onView.dispose(); onState.dispose(); onAnomalies?.dispose(); cancel?.abort(); annotating?.controller.abort(); }),
    vscode.commands.registerCommand(Commands.refresh, () => load(true)),
    vscode.commands.registerCommand(Commands.loadMoreResources, (groupNodeId: unknown) => {
      if (typeof groupNodeId !== 'string') return;
      provider.presentation.loadMore(groupNodeId);
      provider.refresh();
    }),
    vscode.commands.registerCommand(Commands.switchHierarchy, () => switchHierarchy(view)),
    vscode.commands.registerCommand(Commands.selectPeriod, () => selectPeriod(view)),
    vscode.commands.registerCommand(Commands.copyResourceId, async (arg: unknown) => {
      const n = node(arg);
      const leaf = n ? provider.presentation.resolve(n).leaf : undefined;
      if (!leaf?.resourceId) { void vscode.window.showInformationMessage('Select a resource in the Resources view to copy its id.'); return; }
      await vscode.env.clipboard.writeText(leaf.resourceId);
      vscode.window.setStatusBarMessage(`Copied ${leaf.resourceId}`, 3000);
    }),
    vscode.commands.registerCommand(Commands.openInConsole, async (arg: unknown) => {
      const n = node(arg);
      const r = n ? provider.presentation.resolve(n) : {};
      const id = r.leaf?.resourceId;
      const url = id ? consoleUrl(r.leaf?.resource?.provider ?? r.source?.kind ?? '', id, r.leaf?.resource?.region) : undefined;
      if (!url) { void vscode.window.showInformationMessage('This resource has no page in a cloud console.'); return false; }
      return vscode.env.openExternal(vscode.Uri.parse(url, true));
    }),
    vscode.commands.registerCommand(Commands.revealDeclaration, async (arg: unknown) => {
      const n = node(arg);
      const decl = n ? provider.presentation.resolve(n).leaf?.resource?.declaredIn : undefined;
      if (!decl) { void vscode.window.showInformationMessage('This resource is not declared in the workspace\'s Terraform or CloudFormation.'); return; }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = /^([a-zA-Z]:[\\/]|\/)/.test(decl.file) || !folder ? vscode.Uri.file(decl.file) : vscode.Uri.joinPath(folder, decl.file);
      // declaredIn.range is 1-based (as in SARIF and `mlfinops lint`)
      const range = new vscode.Range(decl.range.startLine - 1, decl.range.startColumn - 1, decl.range.endLine - 1, decl.range.endColumn - 1);
      await vscode.window.showTextDocument(uri, { selection: range, preview: true });
    }),
    vscode.commands.registerCommand(Commands.estimateResourceSavings, async (arg: unknown) => {
      const n = node(arg);
      const leaf = n ? provider.presentation.resolve(n).leaf : undefined;
      const r = leaf?.resource;
      if (!r?.size) { void vscode.window.showInformationMessage('ML FinOps: this resource has no instance type to estimate savings for.'); return undefined; }
      return vscode.commands.executeCommand(Commands.estimateSavings, savingsRequest(r));
    }),
    vscode.commands.registerCommand(Commands.scheduleShutdownFromTree, async (arg: unknown) => {
      const n = node(arg);
      const r = n ? provider.presentation.resolve(n).leaf?.resource : undefined;
      if (!r?.size) { void vscode.window.showInformationMessage('ML FinOps: select a running virtual machine in the Resources view to schedule its shutdown.'); return undefined; }
      return vscode.commands.executeCommand(Commands.scheduleShutdown, { resourceId: r.id });
    }),
    vscode.commands.registerCommand(Commands.filterDashboard, async (arg: unknown) => {
      const n = node(arg);
      const r = n ? provider.presentation.resolve(n) : {};
      let filters: CostFilter[] | undefined;
      if (r.leaf?.resourceId) filters = [{ key: 'ResourceId', values: [r.leaf.resourceId] }];
      else if (r.group && r.allocation) filters = groupPath(r.allocation.root, r.group.id).map((p) => ({ key: `tag:${p.key}` as const, values: [p.value] }));
      if (!filters?.length) { void vscode.window.showInformationMessage('Select a group or a resource in the Resources view to filter the dashboard to it.'); return; }
      await vscode.commands.executeCommand(Commands.openDashboard, { filters });
    }),
    vscode.commands.registerCommand(Commands.estimateMigrationFromTree, async (arg: unknown, target?: unknown) => {
      const n = node(arg);
      const r = n ? provider.presentation.resolve(n) : {};
      let filters: CostFilter[] | undefined;
      if (r.leaf?.resourceId) filters = [{ key: 'ResourceId', values: [r.leaf.resourceId] }];
      else if (r.group && r.allocation) filters = groupPath(r.allocation.root, r.group.id).map((p) => ({ key: `tag:${p.key}` as const, values: [p.value] }));
      const leaves = r.leaf ? [r.leaf] : r.group?.leaves ?? [];
      const resources = leaves.flatMap((l) => (l.resource ? [l.resource] : []));
      if (!n?.sourceId || (!filters && !resources.length)) { void vscode.window.showInformationMessage('Select a group or a resource in the Resources view to estimate moving it.'); return undefined; }
      const subject = r.leaf ? (r.leaf.resource?.name ?? r.leaf.resourceId ?? 'resource') : r.group ? `${r.group.key} ${r.group.value ?? '(untagged)'}` : 'selection';
      // a menu passes the selected nodes second; a caller may name the target cloud there instead
      return vscode.commands.executeCommand(Commands.estimateMigration, { sourceId: n.sourceId, filters: filters ?? [], resources, subject, ...(typeof target === 'string' ? { target } : {}) });
    }),
    vscode.commands.registerCommand(Commands.fixSource, (arg: unknown) => fixSource(services, view, provider, typeof arg === 'string' ? arg : n2source(node(arg)), () => load(true))),
  ];
  const resourcesAt = (arg: unknown) => {
    const n = node(arg);
    if (!n) return undefined;
    const r = provider.presentation.resolve(n);
    const kind = r.source?.kind;
    const leaves = r.leaf ? [r.leaf] : r.group ? leavesUnder(r.group) : [];
    const all = r.allocation ? leavesUnder(r.allocation.root) : [];
    const list = (ls: AllocationLeaf[]) => ls.map((l) => leafResource(l, kind)).filter((x): x is Resource => !!x);
    return { resources: list(leaves), neighbours: list(all) };
  };
  const nativeAnnotated = async (): Promise<void> => {
    await loading;
    await annotating?.done;
  };
  return { disposables, handle: { provider, view, tree, resourcesAt, nativeAnnotated } };
}

function n2source(n: TreeNode | undefined): string | undefined {
  return n?.sourceId;
}

async function fixSource(services: Services, view: CostView, provider: ResourcesTreeProvider, sourceId: string | undefined, retry: () => Promise<void>): Promise<void> {
  let id = sourceId;
  if (!id) {
    const failing = view.sources.filter((s) => provider.presentation.fixText(s.id));
    if (failing.length === 0) { void vscode.window.showInformationMessage('Every configured source is working.'); return; }
    const pick = await vscode.window.showQuickPick(failing.map((s) => ({ label: s.label, description: provider.presentation.fixText(s.id), id: s.id })), { title: 'Fix a cost source' });
    if (!pick) return;
    id = pick.id;
  }
  const source = view.sources.find((s) => s.id === id);
  if (!source) return;
  const snap = view.store.snapshot(source.id);
  const message = 'message' in source.state ? source.state.message : snap?.kind === 'error' ? (isFinOpsError(snap.error) ? snap.error.message : describeError(snap.error)) : `${source.label} is not working.`;
  const fix = provider.presentation.fixText(source.id);
  const command = signInOf(source.state, provider.presentation.signInCommand(source.id));
  const actions = [...(command ? [`Run "${command}"`] : []), 'Open Settings', 'Show Logs', 'Retry'];
  const choice = await vscode.window.showErrorMessage(`${source.label}: ${message}${fix ? ` ${fix}` : ''}`, ...actions);
  if (!choice) return;
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_OF[source.kind] ?? 'mlFinops');
  else if (choice === 'Show Logs') services.output.show(true);
  else if (choice === 'Retry') await retry();
  else if (command) runSignIn(command);
}

async function switchHierarchy(view: CostView): Promise<void> {
  await view.readPolicy();
  const current = view.hierarchy;
  type Item = vscode.QuickPickItem & { keys?: string[]; reset?: boolean; custom?: boolean };
  const items: Item[] = [];
  const seen = new Set<string>();
  const add = (keys: string[], detail: string): void => {
    const id = keys.join('\u0000');
    if (seen.has(id)) return;
    seen.add(id);
    items.push({ label: formatHierarchy(keys), description: detail, keys, picked: id === current.keys.join('\u0000') });
  };
  for (const h of view.configuredHierarchies) add(h.keys, h.origin === 'policy' ? 'team policy (.finops.yaml)' : 'setting mlFinops.resources.hierarchy');
  if (current.keys.length > 1) add([...current.keys].reverse(), 'reversed');
  for (const k of new Set([...current.keys, ...view.policyTagKeys])) add([k], 'one level');
  items.push({ label: 'Custom…', description: 'type tag keys, outermost first', custom: true });
  if (current.origin === 'view') items.push({ label: 'Reset', description: 'use the team\'s / the setting\'s hierarchy', reset: true });
  const pick = await vscode.window.showQuickPick(items, { title: `Group resources by (now: ${formatHierarchy(current.keys)})`, placeHolder: 'A tag hierarchy, outermost first' });
  if (!pick) return;
  if (pick.reset) { await view.setHierarchy(undefined); return; }
  let keys = pick.keys;
  if (pick.custom) {
    const text = await vscode.window.showInputBox({
      title: 'Group resources by',
      prompt: 'Tag keys, outermost first, separated by commas or ">" (for example: Team, Project, Model)',
      value: current.keys.join(', '),
      validateInput: (t) => parseHierarchyInput(t).problem,
    });
    if (text === undefined) return;
    keys = parseHierarchyInput(text).keys;
  }
  if (keys) await view.setHierarchy(keys);
}

async function selectPeriod(view: CostView, preset?: PeriodPreset): Promise<void> {
  const current = view.periodChoice;
  let choice: PeriodPreset | undefined = preset;
  if (!choice) {
    const presets: PeriodPreset[] = ['last30Days', 'monthToDate', 'lastMonth', 'custom'];
    const pick = await vscode.window.showQuickPick(presets.map((p) => ({ label: p === 'custom' ? 'Custom period…' : presetLabel(p), picked: p === current.preset, preset: p })), { title: 'Show costs for' });
    choice = pick?.preset;
  }
  if (!choice) return;
  if (choice !== 'custom') { await view.setPeriod({ preset: choice }); return; }
  const now = view.resolvedPeriod();
  const start = await vscode.window.showInputBox({ title: 'Custom period: first day', value: now.period.start, validateInput: (t) => (isIsoDate(t.trim()) ? undefined : 'A date written YYYY-MM-DD') });
  if (start === undefined) return;
  const last = await vscode.window.showInputBox({
    title: 'Custom period: last day (included)', value: addDays(now.period.end, -1),
    validateInput: (t) => (!isIsoDate(t.trim()) ? 'A date written YYYY-MM-DD' : t.trim() < start.trim() ? 'The last day cannot be before the first day' : undefined),
  });
  if (last === undefined) return;
  const custom: PeriodChoice = { preset: 'custom', custom: { start: start.trim(), end: addDays(last.trim(), 1) } };
  try {
    await view.setPeriod(custom);
  } catch (e) {
    void vscode.window.showErrorMessage(describeError(e));
  }
}
