import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import { formatMoney, formatPercent } from '../../../src/shared/format';
import type { MlFinOpsApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/features/resourcesTree/presentation';
import { waitFor } from '../support/waitFor';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { billPeriods, inPeriod, policyTag, readFocusBill, sumBy, type BillRow } from '../../support/focusBill';

const EXTENSION_ID = 'ml-finops.ml-finops';
const HIERARCHY = ['Team', 'Project'];

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}
function tooltip(item: vscode.TreeItem): string {
  return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
}
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

suite('Resources view: Infrastructure as code', () => {
  test('declared resources are grouped by tag; a resource reveals its declaration', async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    const api = await ext.activate();
    const provider = api.costViews.tree.provider;
    await vscode.commands.executeCommand(Commands.refresh);
    const snap = await waitFor(() => {
      const s = api.costViews.view.store.snapshot('iac');
      return s?.kind === 'ready' && s.allocation.root.resourceCount > 0 ? s : undefined;
    }, 'the IaC resources', 60_000);
    const node = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'iac')!;
    assert.equal(label(provider.getTreeItem(node)), 'Infrastructure as code');
    // walk down to the first resource that has a declaration
    const stack: TreeNode[] = provider.getChildren(node);
    let leaf: TreeNode | undefined;
    let resources = 0;
    while (stack.length) {
      const n = stack.shift()!;
      if (n.kind === 'resource') { resources += 1; leaf ??= n; } else if (n.kind === 'group' || n.kind === 'fold') stack.push(...provider.getChildren(n));
    }
    assert.equal(resources, snap.allocation.root.resourceCount, 'every declared resource is listed once');
    assert.ok(leaf, 'a resource leaf');
    const decl = provider.presentation.resolve(leaf).leaf!.resource!.declaredIn!;
    const item = provider.getTreeItem(leaf);
    assert.match(item.contextValue ?? '', /\bdeclared\b/);
    assert.equal(item.command?.command, Commands.revealDeclaration, 'a click reveals the declaration');
    await vscode.commands.executeCommand(Commands.revealDeclaration, leaf);
    const editor = await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith(path.basename(decl.file)) ? vscode.window.activeTextEditor : undefined, 'the declaration to open');
    assert.equal(editor.selection.start.line, decl.range.startLine - 1);
    const line = editor.document.lineAt(editor.selection.start.line).text;
    assert.ok(line.includes(provider.presentation.resolve(leaf).leaf!.resource!.name ?? '') || /resource\s+"/.test(line), line);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a resource with an instance type offers "Estimate Savings", which prices that type in its region', async () => {
    const api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    const provider = api.costViews.tree.provider;
    await waitFor(() => api.costViews.view.store.snapshot('iac')?.kind === 'ready', 'the IaC resources', 60_000);
    const node = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'iac')!;
    const stack: TreeNode[] = provider.getChildren(node);
    let sized: TreeNode | undefined;
    while (stack.length && !sized) {
      const n = stack.shift()!;
      if (n.kind === 'resource' && /\bsized\b/.test(provider.getTreeItem(n).contextValue ?? '')) sized = n;
      else if (n.kind === 'group' || n.kind === 'fold') stack.push(...provider.getChildren(n));
    }
    assert.ok(sized, 'a declared compute resource carries the "sized" context value');
    const resource = provider.presentation.resolve(sized).leaf!.resource!;
    const report = await vscode.commands.executeCommand<{ prices: { instanceType: string; region: string }; subject?: string }>(Commands.estimateResourceSavings, sized);
    assert.ok(report, 'a report was produced');
    assert.equal(report.prices.instanceType, resource.size);
    if (resource.region) assert.equal(report.prices.region, resource.region);
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && /savingsReport/.test(tab.input.viewType)) await vscode.window.tabGroups.close(tab);
    }
  });
});

suite('Resources view: IaC-only resources priced as estimates', () => {
  test('a declared machine shows the monthly estimate its code lens shows, marked estimated', async function () {
    this.timeout(120_000);
    const api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    const provider = api.costViews.tree.provider;
    const folder = vscode.workspace.workspaceFolders![0]!;
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'savings', 'main.tf'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lenses = await waitFor(async () => {
      const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)).filter((x) => x.command?.command === Commands.estimateSavings && /^≈ \$/.test(x.command.title));
      return l.length >= 4 ? l : undefined;
    }, 'the savings lenses of savings/main.tf', 60_000);
    await waitFor(() => api.costViews.view.store.snapshot('iac')?.kind === 'ready', 'the IaC resources', 60_000);
    const node = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'iac')!;
    assert.match(String(provider.getTreeItem(node).description), /^≈ \$[\d,]+\.\d\d\/mo estimated/, 'the source says its total is an estimate');
    const stack: TreeNode[] = provider.getChildren(node);
    const leaves: TreeNode[] = [];
    while (stack.length) {
      const n = stack.shift()!;
      if (n.kind === 'resource') leaves.push(n); else if (n.kind === 'group' || n.kind === 'fold') stack.push(...provider.getChildren(n));
    }
    let compared = 0;
    for (const lens of lenses) {
      const leaf = leaves.find((n) => {
        const d = provider.presentation.resolve(n).leaf?.resource?.declaredIn;
        return d && path.resolve(d.file) === uri.fsPath && d.range.startLine - 1 === lens.range.start.line;
      });
      assert.ok(leaf, `a tree resource for the lens on line ${lens.range.start.line + 1}`);
      const cost = provider.presentation.resolve(leaf).leaf!.cost!;
      // the lens rounds to whole dollars: "≈ $2,234/mo on-demand"
      const lensFigure = Number(/^≈ \$([\d,]+)\/mo on-demand/.exec(lens.command!.title)![1]!.replace(/,/g, ''));
      assert.equal(Math.round(cost), lensFigure, `${lens.command!.title} vs ${cost}`);
      const item = provider.getTreeItem(leaf);
      assert.ok(String(item.description).startsWith(`≈ ${formatMoney(cost, 'USD', vscode.env.language)}/mo estimated`), String(item.description));
      assert.match(tooltip(item), /Estimated cost/);
      compared += 1;
    }
    assert.ok(compared >= 4, `${compared} lenses compared with the tree`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

suite('Resources view: sources, tag hierarchy, costs', () => {
  let api: MlFinOpsApi;
  /** The demo bill's rows in the view's period (the last 30 days up to its last day), and the whole bill. */
  let bill: BillRow[];
  let all: BillRow[];
  let period: { start: string; end: string };
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const provider = () => api.costViews.tree.provider;
  const sourceNode = (kind: string): TreeNode | undefined => {
    const s = api.costViews.view.sources.find((x) => x.kind === kind);
    return s ? provider().getChildren().find((n) => n.kind === 'source' && n.sourceId === s.id) : undefined;
  };
  const ready = (kind: string) => {
    const s = api.costViews.view.sources.find((x) => x.kind === kind);
    const snap = s ? api.costViews.view.store.snapshot(s.id) : undefined;
    // the demo bill ends on 15 November 2026: "last 30 days" counts back from its last day
    return snap?.kind === 'ready' && snap.params.period.start === period.start && snap.params.period.end === period.end
      && JSON.stringify(snap.params.hierarchy) === JSON.stringify(api.costViews.view.hierarchy.keys) ? snap : undefined;
  };

  /** The group nodes under a node, those behind its "N more under $X" node included. */
  const groupsUnder = (node: TreeNode): TreeNode[] => provider().getChildren(node).flatMap((n) => (n.kind === 'fold' ? provider().getChildren(n) : [n])).filter((n) => n.kind === 'group');

  suiteSetup(async function () {
    // the first query loads DuckDB and converts the demo bill: allow for a cold, busy machine
    this.timeout(240_000);
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    api = await ext.activate();
    all = readFocusBill(path.join(ext.extensionPath, DEMO_BILL));
    period = billPeriods(all).last30Days;
    bill = inPeriod(all, period);
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    await config().update('focus.files', ['resourcesTree/nan-bill.csv'], vscode.ConfigurationTarget.Workspace);
    await config().update('resources.hierarchy', HIERARCHY, vscode.ConfigurationTarget.Workspace);
    await api.costViews.view.setHierarchy(undefined);
    await waitFor(() => {
      const kinds = api.costViews.view.sources.map((s) => `${s.kind}:${s.state.kind}`);
      if (kinds.some((k) => k.startsWith('demo:')) && kinds.some((k) => k.startsWith('focus:'))) return true;
      throw new Error(`sources: ${kinds.join(', ') || 'none'}; focus.files = ${JSON.stringify(config().get('focus.files'))}`);
    }, 'the demo and FOCUS file sources', 60_000);
    await vscode.commands.executeCommand(Commands.refresh);
    await waitFor(() => {
      if (ready('demo')) return true;
      // say what the view holds instead, so a timeout names the cause
      const snap = api.costViews.view.store.snapshot('demo');
      const held = snap?.kind === 'loading' ? `loading for ${Date.now() - snap.since} ms` : snap ? `${snap.kind} for ${JSON.stringify(snap.params.period)} by ${snap.params.hierarchy.join(' → ')}` : 'nothing';
      throw new Error(`the view holds ${held}; expected ${JSON.stringify(period)} by ${api.costViews.view.hierarchy.keys.join(' → ')}`);
    }, 'the demo organisation\'s bill to load', 170_000);
  });

  suiteTeardown(async () => {
    await api.costViews.view.setHierarchy(undefined);
    for (const key of ['demo.enabled', 'focus.files', 'resources.hierarchy']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('loads started one after another leave the newest answer: a cancelled or older load never empties the view', async function () {
    this.timeout(120_000);
    const before = ready('demo');
    assert.ok(before);
    // a refresh cancelled before it began (the tree cancels a load when a newer one starts) changes nothing
    const cancelled = new AbortController();
    cancelled.abort();
    await api.costViews.view.load({ refresh: true, signal: cancelled.signal });
    assert.equal(api.costViews.view.store.snapshot('demo'), before, 'a cancelled load replaced or dropped the answer');
    // an older refresh, cancelled while it reads the sources, then a newer load: the view ends with data
    const older = new AbortController();
    const first = api.costViews.view.load({ refresh: true, signal: older.signal });
    const second = api.costViews.view.load();
    older.abort();
    await Promise.all([first, second]);
    await api.costViews.view.store.whenIdle();
    const after = await waitFor(() => ready('demo'), 'the demo bill after the newer load', 60_000);
    assert.ok(after !== before, 'the refresh asked by the older load was dropped');
    assert.equal(after.allocation.root.cost, before.allocation.root.cost);
  });

  test('the top level lists each configured source with its state', async () => {
    const roots = provider().getChildren();
    const items = roots.map((n) => provider().getTreeItem(n));
    const demo = items.find((i) => label(i) === 'Demo organisation (synthetic)');
    assert.ok(demo, `no demo source among ${items.map(label).join(', ')}`);
    assert.match(demo.contextValue ?? '', /^source ok/);
    const total = bill.reduce((s, r) => s + r.effective, 0);
    const untagged = sumBy(bill, (r) => policyTag(r, 'Team')).get(null) ?? 0;
    assert.equal(demo.description, `${formatMoney(total, 'USD', vscode.env.language)} · ${formatPercent(untagged / total, vscode.env.language)} untagged`);
    assert.match(tooltip(demo), /Untagged \(allocation KPI\)/);
  });

  test('a failing FOCUS file is shown as an error with a Fix… action, next to the working demo source', async () => {
    const node = await waitFor(() => {
      const n = sourceNode('focus');
      return n && provider().getTreeItem(n).contextValue === 'source failing' ? n : undefined;
    }, 'the bill with a NaN cost to fail', 60_000);
    const item = provider().getTreeItem(node);
    assert.equal(item.description, 'error');
    const children = provider().getChildren(node);
    const kids = children.map((n) => provider().getTreeItem(n));
    // the view shows the source's own error: file, row, line and column, never a null or infinite total
    const focus = api.costViews.view.sources.find((s) => s.kind === 'focus')!;
    const snap = api.costViews.view.store.snapshot(focus.id);
    assert.ok(snap?.kind === 'error' && snap.error instanceof Error, 'the source is in error');
    const message = (snap.error as Error).message;
    assert.match(message, /^nan-bill\.csv, row 2 \(line 3\), column EffectiveCost: "NaN" is not a number\.$/);
    assert.ok(kids.some((k) => label(k) === message), `the view shows the source's message: ${kids.map(label).join(' | ')}`);
    assert.ok(!provider().getChildren(node).some((n) => n.kind === 'group' || n.kind === 'resource'), 'no figures from the broken bill');
    const fix = kids.find((k) => label(k) === 'Fix…');
    assert.ok(fix, 'a Fix… item');
    assert.equal(fix.command?.command, Commands.fixSource);
    // the working source is untouched
    assert.ok(ready('demo'));
    assert.equal(provider().state(), 'ok');
  });

  test('groups by Team → Project; every group equals an independent sum of the bill, sorted by cost', async () => {
    const demo = sourceNode('demo')!;
    const groups = groupsUnder(demo);
    const expected = sumBy(bill, (r) => policyTag(r, 'Team'));
    assert.deepEqual([...expected.keys()].filter((k) => k !== null).sort(), ['nlp', 'platform', 'recsys', 'speech', 'vision']);
    assert.equal(groups.length, expected.size);
    const total = bill.reduce((s, r) => s + r.effective, 0);
    let previous = Infinity;
    for (const g of groups) {
      const item = provider().getTreeItem(g);
      const resolved = provider().presentation.resolve(g).group!;
      const want = expected.get(resolved.value);
      assert.ok(want !== undefined, `unexpected group ${label(item)}`);
      assert.ok(close(resolved.cost, want), `${label(item)}: ${resolved.cost} vs ${want}`);
      // the anomaly watcher scans in the background: a group it flags gains " · N anomalies" (and its tooltip lists them)
      const base = `${formatMoney(want, 'USD', vscode.env.language)} · ${formatPercent(want / total, vscode.env.language)}`;
      const flagged = /^ · (\d+) anomal(y|ies)$/.exec(String(item.description).slice(base.length));
      assert.ok(String(item.description) === base || (String(item.description).startsWith(base) && flagged), `${label(item)}: "${String(item.description)}" is "${base}", with any anomalies after it`);
      if (flagged) assert.match(tooltip(item), /cost anomal/, `the anomalies of ${label(item)} are listed in its tooltip`);
      assert.ok(tooltip(item).includes(formatPercent(want / total, vscode.env.language)), `share in the tooltip of ${label(item)}`);
      assert.ok(resolved.cost <= previous, 'sorted by cost');
      previous = resolved.cost;
      // second level: projects within this team
      const apps = groupsUnder(g);
      const rowsHere = bill.filter((r) => policyTag(r, 'Team') === resolved.value);
      const wantApps = sumBy(rowsHere, (r) => policyTag(r, 'Project'));
      assert.equal(apps.length, wantApps.size, `projects under ${label(item)}`);
      for (const a of apps) {
        const ra = provider().presentation.resolve(a).group!;
        assert.ok(close(ra.cost, wantApps.get(ra.value)!), `${label(item)} → ${String(ra.value)}`);
      }
    }
  });

  test('resources lacking a level\'s tag sit under "(untagged)"', async () => {
    const demo = sourceNode('demo')!;
    const untagged = provider().getChildren(demo).find((n) => n.kind === 'group' && label(provider().getTreeItem(n)) === '(untagged)');
    assert.ok(untagged, 'an (untagged) group');
    const want = bill.filter((r) => !policyTag(r, 'Team')).reduce((s, r) => s + r.effective, 0);
    assert.ok(close(provider().presentation.resolve(untagged).group!.cost, want));
    assert.match(provider().getTreeItem(untagged).contextValue ?? '', /untagged/);
  });

  test('every level reads at a glance: sorted by cost, cost and share of the parent, the small tail folded into "N more under $X"', async () => {
    const demo = sourceNode('demo')!;
    const lang = vscode.env.language;
    let folds = 0;
    let levels = 0;
    const check = (parent: TreeNode, parentCost: number): void => {
      const children = provider().getChildren(parent).filter((n) => n.kind === 'group' || n.kind === 'resource' || n.kind === 'fold');
      if (children.length === 0) return;
      levels += 1;
      const costOf = (n: TreeNode): number => (n.kind === 'group' ? provider().presentation.resolve(n).group!.cost
        : provider().presentation.resolve(n).leaf!.cost ?? 0);
      const shown = children.filter((n) => n.kind !== 'fold');
      const costs = shown.map(costOf);
      assert.deepEqual(costs, [...costs].sort((a, b) => b - a), `${label(provider().getTreeItem(parent))}: children sorted by cost, descending`);
      for (const n of shown) {
        const item = provider().getTreeItem(n);
        const c = costOf(n);
        const text = `${formatMoney(c, 'USD', lang)} · ${formatPercent(c / parentCost, lang)}`;
        assert.ok(String(item.description).startsWith(text), `${label(item)}: "${String(item.description)}" starts with "${text}"`);
      }
      const fold = children.find((n) => n.kind === 'fold');
      if (fold) {
        folds += 1;
        assert.equal(children[children.length - 1], fold, 'the fold node comes last');
        const item = provider().getTreeItem(fold);
        assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'the fold node expands');
        const m = /^(\d+) more under (.+)$/.exec(label(item));
        assert.ok(m, `fold label: ${label(item)}`);
        const inside = provider().getChildren(fold);
        assert.equal(inside.length, Number(m[1]));
        const under = Number(m[2]!.replace(/[^\d.]/g, ''));
        for (const n of inside) {
          assert.ok(Math.abs(costOf(n)) < under, `${label(provider().getTreeItem(n))} is under ${m[2]}`);
          if (n.kind === 'group') assert.notEqual(provider().presentation.resolve(n).group!.value, null, '"(untagged)" is never folded');
        }
        for (const n of shown) {
          const g = n.kind === 'group' ? provider().presentation.resolve(n).group! : undefined;
          if (g?.value !== null) assert.ok(Math.abs(costOf(n)) >= under, `${label(provider().getTreeItem(n))} is shown: at least ${m[2]}`);
        }
        const foldedCost = inside.reduce((s, n) => s + costOf(n), 0);
        assert.equal(item.description, `${formatMoney(foldedCost, 'USD', lang)} · ${formatPercent(foldedCost / parentCost, lang)}`);
      }
      for (const n of [...shown, ...(fold ? provider().getChildren(fold) : [])]) if (n.kind === 'group') check(n, costOf(n));
    };
    const total = bill.reduce((s, r) => s + r.effective, 0);
    check(demo, total);
    assert.ok(levels > 5, `levels checked: ${levels}`);
    assert.ok(folds > 0, 'the demo organisation has a small tail folded somewhere');
  });

  test('leaves show the resource: cost, type, region, and its tags as a table', async () => {
    const demo = sourceNode('demo')!;
    const bu = provider().getChildren(demo).find((n) => n.kind === 'group' && provider().presentation.resolve(n).group!.value !== null)!;
    const app = provider().getChildren(bu).find((n) => n.kind === 'group')!;
    const leaves = provider().getChildren(app).filter((n) => n.kind === 'resource');
    assert.ok(leaves.length > 0, 'resources under the group');
    const leaf = leaves.find((n) => n.kind === 'resource' && n.resourceId !== null)!;
    const item = provider().getTreeItem(leaf);
    const resolved = provider().presentation.resolve(leaf).leaf!;
    const want = bill.filter((r) => r.resourceId === resolved.resourceId && policyTag(r, 'Team') === provider().presentation.resolve(bu).group!.value && policyTag(r, 'Project') === provider().presentation.resolve(app).group!.value)
      .reduce((s, r) => s + r.effective, 0);
    assert.ok(close(resolved.cost ?? NaN, want), `${resolved.resourceId}: ${resolved.cost} vs ${want}`);
    assert.ok(String(item.description).startsWith(formatMoney(want, 'USD', vscode.env.language)));
    assert.match(tooltip(item), /\| Tag \| Value \|/);
    assert.ok(/\| (Team|team) \|/.test(tooltip(item)), 'the tags table lists the tag keys');
    assert.ok(tooltip(item).includes('cost\\_center') || tooltip(item).includes('CostCenter'), 'tag keys are escaped as Markdown');
    assert.match(item.contextValue ?? '', /\bcopyable\b/);
  });

  test('context actions: copy the id, filter the dashboard to a group', async () => {
    const demo = sourceNode('demo')!;
    const bu = provider().getChildren(demo).find((n) => n.kind === 'group' && provider().presentation.resolve(n).group!.value !== null)!;
    const app = provider().getChildren(bu).find((n) => n.kind === 'group')!;
    const leaf = provider().getChildren(app).find((n) => n.kind === 'resource' && n.resourceId !== null)!;
    await vscode.commands.executeCommand(Commands.copyResourceId, leaf);
    assert.equal(await vscode.env.clipboard.readText(), provider().presentation.resolve(leaf).leaf!.resourceId);
    await vscode.commands.executeCommand(Commands.filterDashboard, app);
    const path = [provider().presentation.resolve(bu).group!, provider().presentation.resolve(app).group!];
    assert.deepEqual(api.costViews.dashboard.currentFilters, path.map((g) => ({ key: `tag:${g.key}`, values: [g.value] })));
    const data = await waitFor(() => {
      const d = api.costViews.dashboard.lastData;
      return d && d.filters.length === 2 ? d : undefined;
    }, 'the dashboard filtered to the group', 60_000);
    const want = bill.filter((r) => policyTag(r, 'Team') === path[0]!.value && policyTag(r, 'Project') === path[1]!.value).reduce((a, r) => a + r.effective, 0);
    assert.ok(close(data.total, want), `${data.total} vs ${want}`);
    await api.costViews.dashboard.receive({ type: 'clearFilters' });
  });

  test('switching the hierarchy regroups the same costs', async () => {
    await api.costViews.view.setHierarchy(['Environment']);
    try {
      await waitFor(() => ready('demo'), 'the demo bill regrouped by Environment', 60_000);
      const demo = sourceNode('demo')!;
      const groups = provider().getChildren(demo).filter((n) => n.kind === 'group');
      const expected = sumBy(bill, (r) => policyTag(r, 'Environment'));
      assert.ok(expected.has('prod'), 'the tagging mistake "prod" shows as its own group');
      assert.deepEqual(groups.map((g) => provider().presentation.resolve(g).group!.value).sort(), [...expected.keys()].sort());
      for (const g of groups) {
        const r = provider().presentation.resolve(g).group!;
        assert.ok(close(r.cost, expected.get(r.value)!), String(r.value));
        assert.equal(r.groups.length, 0, 'one level only');
      }
      assert.equal(api.costViews.view.hierarchy.origin, 'view');
    } finally {
      await api.costViews.view.setHierarchy(undefined);
      await waitFor(() => ready('demo'), 'the demo bill grouped back', 60_000);
    }
  });

  test('the status bar shows month-to-date spend, names the sources in its tooltip, and opens the dashboard', async () => {
    const total = inPeriod(all, billPeriods(all).monthToDate).reduce((s, r) => s + r.effective, 0);
    assert.ok(total > 0, 'the month to date is not empty');
    const want = `$(graph) ${formatMoney(total, 'USD', vscode.env.language)} MTD`;
    const item = api.costViews.statusBar.item;
    await waitFor(() => item.text === want, `the status bar to read "${want}" (it reads "${item.text}")`, 60_000);
    assert.equal(item.command, Commands.openDashboard);
    const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
    assert.match(tip, /Demo organisation \\?\(synthetic\\?\)/, 'the tooltip names the demo source (Markdown-escaped)');
    assert.match(tip, /updated (just now|\d+ (min|h|d) ago)/);
  });
});
