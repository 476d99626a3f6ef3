import { consoleUrl } from '../../core/allocation/consoleLinks';
import { findGroup, type Allocation, type AllocationGroup, type AllocationLeaf } from '../../core/allocation/allocate';
import { formatHierarchy } from '../../core/allocation/hierarchy';
import { foldSmall, type Folded } from '../../core/allocation/fold';
import { resourceKind } from '../../core/allocation/resourceKind';
import { gpuShapeOf, type ResourceGpu } from '../../core/cost/gpu';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { instancesText } from '../../core/savings/declared';
import { perHour } from '../../core/savings/estimate';
import { comparisonLines, nativeBasisLine, nativeSourceLine, nativeTitle, type NativeRow } from '../../core/savings/native';
import { describeError, isFinOpsError } from '../../core/errors';
import { formatAge, formatMoney, formatMoneyFigure, formatPercent, UNTAGGED_LABEL } from '../../shared/format';
import type { AllocationStore, Snapshot, TreeSource } from '../../core/allocation/store';

/**
 * What the Resources view shows, as plain data (no vscode): nodes, their children and how each one is
 * drawn. The TreeDataProvider only turns these into TreeItems, so the structure and numbers are testable
 * and measurable in plain Node. Everything here reads the cached model; nothing here calls a source.
 */
export type TreeNode =
  | { kind: 'source'; id: string; sourceId: string }
  | { kind: 'group'; id: string; sourceId: string; groupId: string }
  | { kind: 'resource'; id: string; sourceId: string; groupId: string; resourceId: string | null }
  | { kind: 'loadMore'; id: string; sourceId: string; groupId: string; groupNodeId: string; total: number }
  /** "N more under $X": the children of a group too small to list in place (expandable). */
  | { kind: 'fold'; id: string; sourceId: string; groupId: string }
  /** One of the clouds' own recommendations for a resource (its child row). */
  | { kind: 'native'; id: string; sourceId: string; groupId: string; resourceId: string; index: number }
  | { kind: 'fix'; id: string; sourceId: string }
  | { kind: 'info'; id: string; sourceId: string; text: string; detail?: string; icon: string };

export interface ItemView {
  id: string;
  label: string;
  description?: string;
  /** Markdown; every value from a bill or an inventory is escaped. */
  tooltip?: string;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  icon?: string;
  iconColor?: string;
  command?: { command: string; title: string; arguments: unknown[] };
}

interface PresentationContext {
  sources: readonly TreeSource[];
  store: AllocationStore;
  /** "Last 30 days (29 Oct – 27 Nov 2026)". */
  periodLabel: string;
  locale?: string;
  /** Commands the items run (ids from src/shared/commands.ts). */
  commands: { loadMore: string; fix: string; revealDeclaration: string; /** Opens a resource's savings report (a native row's click). */ openNative?: string };
  /** The cost anomalies of a group (its tag key and value) in the period, as lines for its tooltip; none: undefined. */
  anomalies?(tagKey: string, value: string | null): string[] | undefined;
  /** The clouds' own recommendations for a resource (by its id), with ours beside them; none: undefined. */
  native?(resourceId: string): ResourceNative | undefined;
}

/**
 * The clouds' own recommendations for one resource as the tree shows them: each row as the savings report has it
 * (its own saving, source and date, and how it compares with ours), with our right-sizing in one line.
 */
export interface ResourceNative {
  rows: NativeRow[];
  /** `Ours: Right-size … saves $X/mo (source, date)` (ourEstimateLine); undefined while ours is being estimated. */
  ours?: string;
  /** Our estimate is being computed (metrics are read). */
  pending?: boolean;
}

/** Resources listed per group before a "Load more" item. */
export const PAGE_SIZE = 200;

const SOURCE_ICONS: Record<string, string> = { aws: 'cloud', azure: 'azure', gcp: 'cloud', focus: 'file', demo: 'beaker', iac: 'symbol-class' };

/** Escapes text for a Markdown tooltip (no HTML, no links, no emphasis from data). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`)).replace(/\r?\n/g, ' ');
}

function lastSegment(id: string): string {
  const parts = id.split(/[/:]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? id;
}

function leafLabel(leaf: AllocationLeaf): string {
  if (leaf.resourceId === null) return 'Charges without a resource';
  return leaf.resource?.name || lastSegment(leaf.resourceId);
}

export class TreePresentation {
  /** How many resources each group node shows (grows with "Load more"). */
  private readonly shown = new Map<string, number>();

  constructor(private ctx: PresentationContext) {}

  update(ctx: PresentationContext): void {
    this.ctx = ctx;
  }

  /** Shows another page of resources under a group node; returns the group node's id. */
  loadMore(groupNodeId: string): void {
    this.shown.set(groupNodeId, (this.shown.get(groupNodeId) ?? PAGE_SIZE) + PAGE_SIZE);
  }

  resetPaging(): void {
    this.shown.clear();
  }

  private source(id: string): TreeSource | undefined {
    return this.ctx.sources.find((s) => s.id === id);
  }

  private allocation(sourceId: string): Allocation | undefined {
    const snap = this.ctx.store.snapshot(sourceId);
    return snap?.kind === 'ready' ? snap.allocation : undefined;
  }

  children(node?: TreeNode): TreeNode[] {
    if (!node) return listedSources(this.ctx.sources, (id) => this.ctx.store.snapshot(id)).map((s) => ({ kind: 'source', id: `s:${s.id}`, sourceId: s.id }));
    switch (node.kind) {
      case 'source': return this.sourceChildren(node.sourceId);
      case 'group':
      case 'fold': {
        const alloc = this.allocation(node.sourceId);
        const group = alloc ? findGroup(alloc.root, node.groupId) : undefined;
        return group ? this.groupChildren(node.sourceId, group, node.id, node.kind === 'fold') : [];
      }
      case 'resource': {
        const rows = node.resourceId === null ? [] : this.ctx.native?.(node.resourceId)?.rows ?? [];
        return rows.map((_, index) => ({ kind: 'native', id: `${node.id}/native/${index}`, sourceId: node.sourceId, groupId: node.groupId, resourceId: node.resourceId!, index }));
      }
      default: return [];
    }
  }

  private sourceChildren(sourceId: string): TreeNode[] {
    const source = this.source(sourceId);
    if (!source) return [];
    const base = `s:${sourceId}`;
    const state = source.state;
    const snap = this.ctx.store.snapshot(sourceId);
    if (state.kind === 'notConfigured') return [{ kind: 'fix', id: `${base}/fix`, sourceId }];
    if (!snap || snap.kind === 'loading') {
      // nothing loaded yet: a failure the registry recorded says why, else the load is running
      if (!snap && (state.kind === 'authExpired' || state.kind === 'error')) {
        return [{ kind: 'info', id: `${base}/message`, sourceId, text: state.message, icon: 'error' }, { kind: 'fix', id: `${base}/fix`, sourceId }];
      }
      return [{ kind: 'info', id: `${base}/loading`, sourceId, text: 'Loading costs and resources…', icon: 'loading~spin' }];
    }
    if (snap.kind === 'error') {
      return [
        { kind: 'info', id: `${base}/message`, sourceId, text: errorMessage(snap.error), detail: describeError(snap.error), icon: 'error' },
        { kind: 'fix', id: `${base}/fix`, sourceId },
      ];
    }
    const nodes: TreeNode[] = snap.warnings.map((w, i) => ({ kind: 'info' as const, id: `${base}/warning/${i}`, sourceId, text: w, icon: 'warning' }));
    if (snap.allocation.root.resourceCount === 0) {
      nodes.push({ kind: 'info', id: `${base}/empty`, sourceId, text: `No costs or resources in ${this.ctx.periodLabel}`, icon: 'info' });
      return nodes;
    }
    return [...nodes, ...this.groupChildren(sourceId, snap.allocation.root, base)];
  }

  /**
   * A group's children, most expensive first: child groups, or at the deepest level its resources. Those under
   * 1 % of the group's cost sit behind one "N more under $X" node (`folded` lists them); "(untagged)" never does.
   * Long lists come a page at a time.
   */
  private groupChildren(sourceId: string, group: AllocationGroup, nodeId: string, folded = false): TreeNode[] {
    const fold = folding(group);
    const toNode = group.groups.length > 0
      ? (g: AllocationGroup | AllocationLeaf): TreeNode => ({ kind: 'group', id: `s:${sourceId}/g:${(g as AllocationGroup).id}`, sourceId, groupId: (g as AllocationGroup).id })
      : (l: AllocationGroup | AllocationLeaf): TreeNode => ({ kind: 'resource', id: `s:${sourceId}/r:${group.id}#${(l as AllocationLeaf).resourceId ?? ''}`, sourceId, groupId: group.id, resourceId: (l as AllocationLeaf).resourceId });
    const list: readonly (AllocationGroup | AllocationLeaf)[] = folded ? fold.folded : fold.shown;
    const limit = this.shown.get(nodeId) ?? PAGE_SIZE;
    const nodes: TreeNode[] = list.slice(0, limit).map(toNode);
    if (list.length > limit) nodes.push({ kind: 'loadMore', id: `${nodeId}/more`, sourceId, groupId: group.id, groupNodeId: nodeId, total: list.length });
    if (!folded && fold.folded.length > 0) nodes.push({ kind: 'fold', id: `${nodeId}/fold`, sourceId, groupId: group.id });
    return nodes;
  }

  /** The allocation group or leaf behind a node (for commands such as "filter the dashboard to it"). */
  resolve(node: TreeNode): { source?: TreeSource; allocation?: Allocation; group?: AllocationGroup; leaf?: AllocationLeaf } {
    const source = this.source(node.sourceId);
    const allocation = this.allocation(node.sourceId);
    if (!allocation) return { ...(source ? { source } : {}) };
    if (node.kind === 'group' || node.kind === 'fold') return { ...(source ? { source } : {}), allocation, ...withGroup(findGroup(allocation.root, node.groupId)) };
    if (node.kind === 'resource' || node.kind === 'native') {
      const group = findGroup(allocation.root, node.groupId);
      const leaf = group ? leafOf(group, node.resourceId) : undefined;
      return { ...(source ? { source } : {}), allocation, ...withGroup(group), ...(leaf ? { leaf } : {}) };
    }
    return { ...(source ? { source } : {}), allocation };
  }

  item(node: TreeNode): ItemView {
    switch (node.kind) {
      case 'source': return this.sourceItem(node);
      case 'group': return this.groupItem(node);
      case 'resource': return this.resourceItem(node);
      case 'fold': return this.foldItem(node);
      case 'native': return this.nativeItem(node);
      case 'loadMore': {
        const remaining = node.total - (this.shown.get(node.groupNodeId) ?? PAGE_SIZE);
        return {
          id: node.id, label: 'Load more…', description: `${Math.max(0, remaining).toLocaleString(this.ctx.locale)} more`, contextValue: 'loadMore', collapsible: 'none', icon: 'ellipsis',
          command: { command: this.ctx.commands.loadMore, title: 'Load more', arguments: [node.groupNodeId] },
        };
      }
      case 'fix': {
        const source = this.source(node.sourceId);
        const fix = this.fixText(node.sourceId);
        return {
          id: node.id, label: 'Fix…', description: fix, tooltip: fix ? md(fix) : undefined, contextValue: 'fix', collapsible: 'none', icon: 'wrench',
          command: { command: this.ctx.commands.fix, title: 'Fix…', arguments: [source?.id] },
        };
      }
      case 'info':
        return { id: node.id, label: node.text, tooltip: md(node.detail ?? node.text), contextValue: 'info', collapsible: 'none', icon: node.icon, ...(node.icon === 'error' ? { iconColor: 'errorForeground' } : node.icon === 'warning' ? { iconColor: 'editorWarning.foreground' } : {}) };
    }
  }

  /** The sentence that says how to fix a failing source (undefined when it works). */
  fixText(sourceId: string): string | undefined {
    const source = this.source(sourceId);
    if (!source) return undefined;
    const st = source.state;
    if (st.kind === 'notConfigured') return st.fix;
    const snap = this.ctx.store.snapshot(sourceId);
    if (snap?.kind === 'error') {
      if (isFinOpsError(snap.error) && snap.error.fix) return snap.error.fix;
      if ((st.kind === 'authExpired' || st.kind === 'error') && st.fix) return st.fix;
      return 'Check the settings of this source, then refresh.';
    }
    if (!snap && (st.kind === 'authExpired' || (st.kind === 'error' && st.fix))) return st.fix;
    return undefined;
  }

  /** The sign-in command that fixes a failing source, when its failure names one (`aws sso login --profile ml`). */
  signInCommand(sourceId: string): string | undefined {
    const st = this.source(sourceId)?.state;
    const snap = this.ctx.store.snapshot(sourceId);
    if (snap?.kind === 'error' && isFinOpsError(snap.error) && snap.error.command) return snap.error.command;
    return st && 'signIn' in st ? st.signIn : undefined;
  }

  /**
   * True for a source whose costs are monthly estimates from the price catalogue (Infrastructure as code: resources
   * found only in IaC), not billed costs. Its figures read "≈ $2,234.00/mo", and resources say "estimated".
   */
  private estimated(sourceId: string): boolean {
    const source = this.source(sourceId);
    return !!source && !source.cost;
  }

  /** A cost as the source knows it: "$1,234.56" billed, or "≈ $1,234.56/mo" estimated. */
  private money(sourceId: string, amount: number, currency: string | undefined): string {
    const text = formatMoney(amount, currency, this.ctx.locale);
    return this.estimated(sourceId) ? `≈ ${text}/mo` : text;
  }

  private foldItem(node: Extract<TreeNode, { kind: 'fold' }>): ItemView {
    const alloc = this.allocation(node.sourceId);
    const group = alloc ? findGroup(alloc.root, node.groupId) : undefined;
    if (!alloc || !group) return { id: node.id, label: '…', contextValue: 'info', collapsible: 'none' };
    const f = folding(group);
    const loc = this.ctx.locale;
    const what = group.groups.length > 0 ? 'groups' : 'resources';
    const label = `${f.folded.length.toLocaleString(loc)} more under ${formatMoneyFigure(f.under ?? 0, alloc.currency, loc)}${this.estimated(node.sourceId) ? '/mo' : ''}`;
    const share = group.cost > 0 ? f.foldedCost / group.cost : undefined;
    const total = withShare(this.money(node.sourceId, f.foldedCost, alloc.currency), share, loc);
    return {
      id: node.id, label, description: total, contextValue: 'fold', collapsible: 'collapsed', icon: 'fold',
      tooltip: [`**${f.folded.length.toLocaleString(loc)} ${what}** each costing less than ${md(formatMoneyFigure(f.under ?? 0, alloc.currency, loc))} (1 % of the group), ${md(total)} together`, '', 'Expand to list them, most expensive first.'].join('\n'),
    };
  }

  /**
   * The accelerators of a resource: from the bill (model × count, GPU-hours and cost per GPU-hour, as `mlfinops costs
   * --group-by gpu` computes them), else from the inventory's instance type (model × count only).
   */
  private gpuOf(sourceId: string, leaf: AllocationLeaf): ResourceGpu | undefined {
    const snap = this.ctx.store.snapshot(sourceId);
    const fromBill = leaf.resourceId !== null && snap?.kind === 'ready' ? snap.gpus.get(leaf.resourceId) : undefined;
    if (fromBill) return fromBill;
    const shape = leaf.resource?.size ? gpuShapeOf(shippedCatalogue(), leaf.resource.size) : undefined;
    if (!shape) return undefined;
    // an estimate's cost per GPU-hour is the catalogue's hourly price over its GPUs
    const estimate = leaf.resource?.cost?.estimate;
    return { label: shape.label, cost: leaf.cost ?? 0, ...(estimate ? { costPerGpuHour: estimate.hourly / shape.count } : {}) };
  }

  private sourceItem(node: Extract<TreeNode, { kind: 'source' }>): ItemView {
    const source = this.source(node.sourceId)!;
    const snap = this.ctx.store.snapshot(node.sourceId);
    const st = source.state;
    const lines = [`**${md(source.label)}**`, ''];
    let description: string;
    let contextValue = 'source';
    let icon = SOURCE_ICONS[source.kind] ?? 'database';
    let iconColor: string | undefined;
    const failed = st.kind === 'notConfigured' || (!snap && (st.kind === 'authExpired' || st.kind === 'error'));
    if (failed) {
      description = st.kind === 'notConfigured' ? 'not configured' : st.kind === 'authExpired' ? 'signed out' : 'error';
      if ('message' in st) lines.push(md(st.message), '');
      if ('fix' in st && st.fix) lines.push(`*Fix:* ${md(st.fix)}`);
      contextValue = 'source failing';
      icon = 'error';
      iconColor = 'errorForeground';
    } else if (!snap || snap.kind === 'loading') {
      description = st.kind === 'throttled' ? 'throttled, retrying…' : 'loading…';
      icon = 'loading~spin';
    } else if (snap.kind === 'error') {
      description = 'error';
      lines.push(md(describeError(snap.error)));
      const fix = this.fixText(node.sourceId);
      if (fix) lines.push('', `*Fix:* ${md(fix)}`);
      description = isFinOpsError(snap.error, 'auth') ? 'signed out' : 'error';
      contextValue = 'source failing';
      icon = 'error';
      iconColor = 'errorForeground';
    } else {
      const a = snap.allocation;
      const untagged = a.untagged[0];
      const estimated = this.estimated(node.sourceId);
      description = a.root.costKnown
        ? `${this.money(node.sourceId, a.total, a.currency)}${estimated ? ' estimated' : ''}${untagged?.share !== undefined ? ` · ${formatPercent(untagged.share, this.ctx.locale)} untagged` : ''}`
        : countResources(a.root.resourceCount, this.ctx.locale);
      if (a.root.costKnown && estimated) {
        lines.push(`**${md(this.money(node.sourceId, a.total, a.currency))}** estimated: the declared machines on demand, priced from the shipped catalogue for a month of the code lenses' baseline hours (as their code lenses show); other resources are not priced`, '');
      } else if (a.root.costKnown) lines.push(`**${formatMoney(a.total, a.currency, this.ctx.locale)}** in ${md(this.ctx.periodLabel)}`, '');
      lines.push(`Grouped by ${md(formatHierarchy(a.hierarchy))}; ${countResources(a.root.resourceCount, this.ctx.locale)}`, '');
      if (a.root.costKnown && a.total > 0) {
        lines.push('| Untagged (allocation KPI) | Share | Cost |', '|---|---:|---:|');
        for (const u of a.untagged) lines.push(`| ${md(u.key)} | ${formatPercent(u.share, this.ctx.locale)} | ${formatMoney(u.cost, a.currency, this.ctx.locale)} |`);
        if (a.hierarchy.length > 1) lines.push(`| any of ${md(formatHierarchy(a.hierarchy))} | ${formatPercent(a.unallocated.share, this.ctx.locale)} | ${formatMoney(a.unallocated.cost, a.currency, this.ctx.locale)} |`);
        lines.push('');
      }
      lines.push(`Updated ${formatAge(snap.loadedAt)}`);
      contextValue = 'source ok';
    }
    return { id: node.id, label: source.label, description, tooltip: lines.join('\n'), contextValue, collapsible: this.ctx.sources.length === 1 ? 'expanded' : 'collapsed', icon, ...(iconColor ? { iconColor } : {}) };
  }

  private groupItem(node: Extract<TreeNode, { kind: 'group' }>): ItemView {
    const alloc = this.allocation(node.sourceId);
    const group = alloc ? findGroup(alloc.root, node.groupId) : undefined;
    if (!alloc || !group) return { id: node.id, label: '…', contextValue: 'info', collapsible: 'none' };
    const value = group.value ?? UNTAGGED_LABEL;
    const loc = this.ctx.locale;
    const count = countResources(group.resourceCount, loc);
    const lines = [
      `**${md(group.key)}** = ${group.value === null ? `*${md(UNTAGGED_LABEL)}* (the tag is missing)` : md(group.value)}`,
      '',
      group.costKnown ? `**${md(this.money(node.sourceId, group.cost, alloc.currency))}** ${this.estimated(node.sourceId) ? 'estimated' : `in ${md(this.ctx.periodLabel)}`}` : 'Cost not known for these resources',
      '',
      `${formatPercent(group.share, loc)} of ${group.depth === 1 ? 'the source' : 'the parent group'} · ${count}`,
    ];
    const anomalies = this.ctx.anomalies?.(group.key, group.value);
    const base = group.costKnown ? withShare(this.money(node.sourceId, group.cost, alloc.currency), group.share, loc) : count;
    if (anomalies?.length) lines.push('', `**${anomalies.length === 1 ? '1 cost anomaly' : `${anomalies.length} cost anomalies`}** in ${md(this.ctx.periodLabel)}:`, ...anomalies.map((l) => `- ${md(l)}`));
    return {
      id: node.id,
      label: value,
      description: anomalies?.length ? `${base} · ${anomalies.length === 1 ? '1 anomaly' : `${anomalies.length} anomalies`}` : base,
      tooltip: lines.join('\n'),
      contextValue: group.value === null ? 'group untagged' : 'group',
      collapsible: 'collapsed',
      icon: anomalies?.length ? 'pulse' : group.value === null ? 'question' : 'tag',
      ...(group.value === null || anomalies?.length ? { iconColor: 'editorWarning.foreground' } : {}),
    };
  }

  private resourceItem(node: Extract<TreeNode, { kind: 'resource' }>): ItemView {
    const alloc = this.allocation(node.sourceId);
    const group = alloc ? findGroup(alloc.root, node.groupId) : undefined;
    const leaf = group ? leafOf(group, node.resourceId) : undefined;
    if (!alloc || !leaf) return { id: node.id, label: '…', contextValue: 'info', collapsible: 'none' };
    const loc = this.ctx.locale;
    const r = leaf.resource;
    const label = leafLabel(leaf);
    const type = r?.type;
    const kind = leaf.resourceId === null ? undefined : resourceKind(type, leaf.resourceId);
    const region = r?.region;
    const estimate = r?.cost?.estimate;
    const cost = leaf.cost === undefined ? undefined : `${this.money(node.sourceId, leaf.cost, alloc.currency)}${estimate ? ` estimated${instancesText(estimate.instances).covers}` : ''}`;
    const gpu = this.gpuOf(node.sourceId, leaf);
    const perGpuHour = gpu?.costPerGpuHour === undefined ? undefined : `${formatMoney(gpu.costPerGpuHour, alloc.currency, loc)}/GPU-h`;
    const description = [cost ? withShare(cost, leaf.share, loc) : undefined, kind, gpu?.label, perGpuHour, region].filter((x): x is string => !!x).join(' · ');
    const lines = [`**${md(label)}**`, ''];
    if (leaf.resourceId !== null) lines.push(md(leaf.resourceId), '');
    else lines.push('Charges the bill does not tie to a resource (support, tax, fees, commitments).', '');
    lines.push('| | |', '|---|---|');
    if (r?.provider) lines.push(`| Provider | ${md(r.provider)} |`);
    if (kind) lines.push(`| Kind | ${md(kind)} |`);
    if (type && type !== kind) lines.push(`| Type | ${md(type)} |`);
    if (r?.size) lines.push(`| Size | ${md(r.size)} |`);
    if (gpu) lines.push(`| GPUs | ${md(gpu.label)} |`);
    if (gpu?.gpuHours !== undefined) lines.push(`| GPU-hours | ${Math.round(gpu.gpuHours).toLocaleString(loc)} |`);
    if (perGpuHour) lines.push(`| Cost per GPU-hour | ${md(perGpuHour)} |`);
    if (region) lines.push(`| Region | ${md(region)} |`);
    if (cost && estimate) {
      const times = instancesText(estimate.instances);
      lines.push(`| Estimated cost | ${md(cost)}: ${times.times}${md(estimate.instanceType)} on demand in ${md(estimate.region)}, ${md(perHour(estimate.hourly))} × ${estimate.hoursPerMonth} h a month${estimate.instances === 'unknown' ? ' per instance (its `count` / `for_each` is not known before `terraform plan`)' : ''} (${md(estimate.source)}, captured ${md(estimate.capturedAt)}) |`);
    } else if (cost) lines.push(`| Cost | ${md(cost)} (${md(this.ctx.periodLabel)}) |`);
    if (leaf.share !== undefined) lines.push(`| Share of group | ${formatPercent(leaf.share, loc)} |`);
    if (r?.declaredIn) lines.push(`| Declared in | ${md(r.declaredIn.file)}:${r.declaredIn.range.startLine} |`);
    const tags = Object.entries(r?.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (tags.length) {
      lines.push('', '| Tag | Value |', '|---|---|');
      for (const [k, v] of tags) lines.push(`| ${md(k)} | ${md(v)} |`);
    } else if (r) lines.push('', '*No tags*');
    const native = leaf.resourceId === null ? undefined : this.ctx.native?.(leaf.resourceId);
    if (native?.rows.length) {
      lines.push('', `**The clouds' own recommenders** (expand to see each beside ours): ${native.rows.map((n) => md(nativeTitle(n.recommendation))).join('; ')}`);
    }
    const flags = ['resource'];
    if (leaf.resourceId !== null) flags.push('copyable');
    if (leaf.resourceId !== null && consoleUrl(r?.provider ?? this.source(node.sourceId)?.kind ?? '', leaf.resourceId, region)) flags.push('console');
    if (r?.declaredIn) flags.push('declared');
    if (r?.size) flags.push('sized');
    // a running VM of a cloud: a shutdown schedule can be made for it
    if (r?.size && kind === 'Virtual machine' && r.attributes?.state === 'running') flags.push('schedulable');
    return {
      id: node.id,
      label,
      ...(description ? { description } : {}),
      tooltip: lines.join('\n'),
      contextValue: flags.join(' '),
      collapsible: native?.rows.length ? 'collapsed' : 'none',
      icon: leaf.resourceId === null ? 'receipt' : iconForKind(kind),
      ...(r?.declaredIn ? { command: { command: this.ctx.commands.revealDeclaration, title: 'Reveal Declaration', arguments: [node] } } : {}),
    };
  }

  /**
   * A native recommendation under its resource: the recommender's title with its own saving, its source and date, and
   * ours beside it; the tooltip says what each rests on and why they differ (the savings report's very lines).
   */
  private nativeItem(node: Extract<TreeNode, { kind: 'native' }>): ItemView {
    const native = this.ctx.native?.(node.resourceId);
    const row = native?.rows[node.index];
    if (!row) return { id: node.id, label: '…', contextValue: 'info', collapsible: 'none' };
    const r = row.recommendation;
    const c = row.comparison;
    const verdict = native.pending ? 'ours: estimating…' : !c ? 'ours: not comparable' : c.agree ? 'agrees with ours' : `differs from ours (${c.reasons.map((x) => x.slice(0, x.indexOf(':')).toLowerCase()).join(', ')})`;
    const lines = [
      `**${md(nativeTitle(r))}**`, '',
      `${md(nativeSourceLine(r))}. ${md(nativeBasisLine(r))}`, '',
      ...r.details.map((d) => `- ${md(d)}`),
      ...(r.details.length ? [''] : []),
      native.pending ? '*Ours is being estimated (utilisation metrics are read)…*' : md(native.ours ?? 'Ours: no estimate.'),
      ...comparisonLines(c).map((l) => `- ${md(l)}`),
    ];
    return {
      id: node.id,
      label: nativeTitle(r),
      description: `${nativeSourceLine(r)} · ${verdict}`,
      tooltip: lines.join('\n'),
      contextValue: 'native',
      collapsible: 'none',
      icon: 'lightbulb',
      ...(c && !c.agree ? { iconColor: 'editorWarning.foreground' } : {}),
      ...(this.ctx.commands.openNative ? { command: { command: this.ctx.commands.openNative, title: 'Estimate Savings', arguments: [node] } } : {}),
    };
  }
}

function countResources(n: number, locale: string | undefined): string {
  return `${n.toLocaleString(locale)} ${n === 1 ? 'resource' : 'resources'}`;
}

/** Leaves of a group by resource id (built on first use; groups are rebuilt, never changed, on reload). */
const leafIndex = new WeakMap<AllocationGroup, Map<string | null, AllocationLeaf>>();
function leafOf(group: AllocationGroup, resourceId: string | null): AllocationLeaf | undefined {
  let index = leafIndex.get(group);
  if (!index) {
    index = new Map(group.leaves.map((l) => [l.resourceId, l]));
    leafIndex.set(group, index);
  }
  return index.get(resourceId);
}

/** The error's own sentence (its fix goes on the Fix… item). */
function errorMessage(e: unknown): string {
  return isFinOpsError(e) ? e.message : describeError(e);
}

function withGroup(group: AllocationGroup | undefined): { group?: AllocationGroup } {
  return group ? { group } : {};
}

const KIND_ICONS: Record<string, string> = {
  'Virtual machine': 'server', 'VM group': 'server', 'Object storage': 'database', Disk: 'database', Database: 'database',
  'Kubernetes cluster': 'server-environment', 'Kubernetes node pool': 'server-environment', Notebook: 'beaker', 'ML endpoint': 'beaker',
  'Training job': 'beaker', Commitment: 'law', 'Load balancer': 'globe', 'NAT gateway': 'globe', Network: 'globe',
};

function iconForKind(kind: string | undefined): string {
  return (kind && KIND_ICONS[kind]) || 'symbol-misc';
}

/** "$1,234.00 · 12.3 %": a cost and its share of the parent. */
function withShare(cost: string, share: number | undefined, locale: string | undefined): string {
  return share === undefined ? cost : `${cost} · ${formatPercent(share, locale)}`;
}

/** Per group: its children (groups, or resources at the deepest level) split into shown and folded. */
const folds = new WeakMap<AllocationGroup, Folded<AllocationGroup | AllocationLeaf>>();
function folding(group: AllocationGroup): Folded<AllocationGroup | AllocationLeaf> {
  let f = folds.get(group);
  if (!f) {
    const parentCost = group.costKnown ? group.cost : undefined;
    f = group.groups.length > 0
      ? foldSmall<AllocationGroup | AllocationLeaf>(group.groups, { parentCost, cost: (g) => ((g as AllocationGroup).costKnown ? g.cost : undefined), keep: (g) => (g as AllocationGroup).value === null })
      : foldSmall<AllocationGroup | AllocationLeaf>(group.leaves, { parentCost, cost: (l) => l.cost });
    folds.set(group, f);
  }
  return f;
}

/** The view's context key: which welcome view to show when there is nothing to list. */
type ViewState = 'noSource' | 'signedOut' | 'error' | 'ok';

/**
 * The sources the view lists. A source with resources but no costs (Infrastructure as code) is listed once it has
 * found something: a workspace without Terraform or CloudFormation does not get an empty "Infrastructure as code"
 * node (and keeps its welcome view).
 */
function listedSources(sources: readonly TreeSource[], snapshot: (id: string) => Snapshot | undefined): TreeSource[] {
  return sources.filter((s) => {
    if (s.cost || s.state.kind === 'notConfigured' || s.state.kind === 'authExpired') return true;
    const snap = snapshot(s.id);
    return snap?.kind === 'error' || (snap?.kind === 'ready' && snap.allocation.root.resourceCount > 0);
  });
}

export function viewState(all: readonly TreeSource[], snapshot: (id: string) => Snapshot | undefined): ViewState {
  const sources = listedSources(all, snapshot);
  if (sources.length === 0) return 'noSource';
  const failure = (s: TreeSource): 'auth' | 'error' | undefined => {
    const snap = snapshot(s.id);
    if (snap?.kind === 'ready' || snap?.kind === 'loading') return undefined;
    if (snap?.kind === 'error') return isFinOpsError(snap.error, 'auth') ? 'auth' : 'error';
    if (s.state.kind === 'authExpired') return 'auth';
    if (s.state.kind === 'error') return 'error';
    return undefined;
  };
  const failures = sources.map(failure);
  if (failures.some((f) => f === undefined)) return 'ok';
  return failures.every((f) => f === 'auth') ? 'signedOut' : 'error';
}
