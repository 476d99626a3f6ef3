import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { DashboardData } from '../../../src/shared/protocol';
import { waitFor } from '../support/waitFor';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { billPeriods, inPeriod, parseCsv, policyTag, readFocusBill, sumBy, type BillRow } from '../../support/focusBill';

const EXTENSION_ID = 'ml-finops.ml-finops';
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

suite('Cost dashboard: one panel, typed messages, numbers, filters, export', () => {
  let api: MlFinOpsApi;
  /** The demo bill's rows in the period the dashboard opens on (the last 30 days up to the bill's last day). */
  let bill: BillRow[];
  let period: { start: string; end: string };
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const dashboard = () => api.costViews.dashboard;
  /** Waits for data sent after `since` that satisfies `check`. */
  const dataWhere = (what: string, check: (d: DashboardData) => boolean) =>
    waitFor(() => { const d = dashboard().lastData; return d && check(d) ? d : undefined; }, what, 60_000);

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    api = await ext.activate();
    const all = readFocusBill(path.join(ext.extensionPath, DEMO_BILL));
    period = billPeriods(all).last30Days;
    bill = inPeriod(all, period);
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    await config().update('resources.hierarchy', ['Team', 'Project'], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.costViews.view.sources.some((s) => s.kind === 'demo'), 'the demo source', 30_000);
  });

  suiteTeardown(async () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mlFinops.costDashboard')) await vscode.window.tabGroups.close(tab);
    }
    for (const key of ['demo.enabled', 'resources.hierarchy']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('opens one panel; the page says ready and gets the demo organisation\'s numbers, equal to an independent sum', async () => {
    await vscode.commands.executeCommand(Commands.openDashboard);
    await vscode.commands.executeCommand(Commands.openDashboard);
    const panels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlFinops.costDashboard'));
    await waitFor(() => panels().length > 0, 'the dashboard tab');
    assert.equal(panels().length, 1, 'a second open reveals the same panel');
    const data = await dataWhere('the page to be sent data', (d) => d.filters.length === 0 && d.hierarchy[0] === 'Team');
    assert.ok(dashboard().ready, 'the page said ready');
    assert.equal(data.currency, 'USD');
    assert.deepEqual({ start: data.period.start, end: data.period.end }, period, 'the demo bill\'s last 30 days end with its last day');
    const total = bill.reduce((s, r) => s + r.effective, 0);
    assert.ok(close(data.total, total), `${data.total} vs ${total}`);
    // daily, stacked by provider
    const byProvider = sumBy(bill, (r) => r.provider);
    assert.deepEqual(data.daily.series.map((s) => s.value).sort(), [...byProvider.keys()].sort());
    for (const s of data.daily.series) assert.ok(close(s.total, byProvider.get(s.value)!), String(s.value));
    assert.deepEqual(data.daily.series.map((s) => s.value).sort(), ['AWS', 'Google Cloud', 'Microsoft']);
    for (const provider of ['AWS', 'Google Cloud', 'Microsoft']) {
      const series = data.daily.series.find((s) => s.value === provider)!;
      for (const day of [period.start, '2026-11-01', data.daily.dates[data.daily.dates.length - 1]!]) {
        const i = data.daily.dates.indexOf(day);
        assert.ok(close(series.values[i]!, bill.filter((r) => r.provider === provider && r.day === day).reduce((s, r) => s + r.effective, 0)), `${provider} ${day}`);
      }
    }
    // by team (first level): the five teams and "(untagged)", each equal to the bill
    const level1 = data.breakdowns.find((b) => b.id === 'level1')!;
    assert.equal(level1.key, 'tag:Team');
    const bu = [...sumBy(bill, (r) => policyTag(r, 'Team'))].sort((a, b) => b[1] - a[1]);
    assert.deepEqual(bu.map(([k]) => k).filter((k) => k !== null).sort(), ['nlp', 'platform', 'recsys', 'speech', 'vision']);
    const named = level1.items.filter((i) => i.kind !== 'other');
    for (const item of named) assert.ok(close(item.cost, bu.find(([k]) => k === item.value)![1]), String(item.value));
    assert.ok(close(level1.items.reduce((s, i) => s + i.cost, 0), total), 'top N + other add up to the total');
    // by service, untagged share
    const service = data.breakdowns.find((b) => b.id === 'service')!;
    assert.ok(close(service.items.reduce((s, i) => s + i.cost, 0), total));
    const untagged = bu.find(([k]) => k === null)?.[1] ?? 0;
    assert.ok(untagged > 0, 'the demo has untagged spend');
    assert.ok(close(data.untagged[0]!.share!, untagged / total));
    assert.deepEqual(data.budgets, [], 'no budget panel without budgets in the policy');
  });

  test('the recommendations list shows savings for the instance types the workspace declares', async () => {
    await dashboard().receive({ type: 'refresh' });
    const data = await dataWhere('recommendations', (d) => d.recommendations.length > 0);
    const iac = api.costViews.view.store.snapshot('iac');
    assert.ok(iac?.kind === 'ready' && iac.sizes.length > 0, 'the IaC inventory has sized resources');
    const sizes = iac.kind === 'ready' ? iac.sizes.map((z) => z.size) : [];
    for (const r of data.recommendations) {
      assert.ok(r.monthlySaving > 0, r.title);
      assert.ok(sizes.some((size) => r.title.includes(` × ${size} `)), `${r.title} names a declared size (${sizes.join(', ')})`);
    }
    const savings = data.recommendations.map((r) => r.monthlySaving);
    assert.deepEqual(savings, [...savings].sort((a, b) => b - a), 'largest saving first');
  });

  test('a filter from the page re-queries: provider = Microsoft', async () => {
    await dashboard().receive({ type: 'setFilter', filter: { key: 'ProviderName', values: ['Microsoft'] } });
    const data = await dataWhere('the filtered data', (d) => d.filters.some((f) => f.key === 'ProviderName'));
    const want = bill.filter((r) => r.provider === 'Microsoft').reduce((s, r) => s + r.effective, 0);
    assert.ok(close(data.total, want), `${data.total} vs ${want}`);
    assert.deepEqual(data.daily.series.map((s) => s.value), ['Microsoft']);
    assert.ok(data.options.providers.includes('AWS'), 'the provider list stays complete');
    await dashboard().receive({ type: 'clearFilters' });
    await dataWhere('the unfiltered data', (d) => d.filters.length === 0);
  });

  test('an untagged slice filters to the rows lacking the tag', async () => {
    await dashboard().receive({ type: 'setFilter', filter: { key: 'tag:Team', values: [null] } });
    const data = await dataWhere('the untagged filter', (d) => d.filters.some((f) => f.key === 'tag:Team'));
    const want = bill.filter((r) => !policyTag(r, 'Team')).reduce((s, r) => s + r.effective, 0);
    assert.ok(close(data.total, want), `${data.total} vs ${want}`);
    await dashboard().receive({ type: 'removeFilter', key: 'tag:Team' });
    await dataWhere('the unfiltered data', (d) => d.filters.length === 0);
  });

  test('invalid messages from the page are rejected and change nothing', async () => {
    const before = dashboard().rejected;
    const filters = dashboard().currentFilters.length;
    await dashboard().receive({ type: 'setFilter', filter: { key: '', values: [] } });
    await dashboard().receive({ type: 'savePng', chart: 'daily', dataUrl: 'javascript:alert(1)' });
    await dashboard().receive({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await dashboard().receive('<img src=x onerror=alert(1)>');
    assert.equal(dashboard().rejected, before + 4);
    assert.equal(dashboard().currentFilters.length, filters);
  });

  test('Export CSV writes the chart\'s table to a path', async () => {
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-')), 'teams.csv');
    const uri = await vscode.commands.executeCommand<vscode.Uri>(Commands.exportDashboardCsv, 'level1', target);
    assert.equal(uri?.fsPath, target);
    const [header, ...rows] = parseCsv(fs.readFileSync(target, 'utf8').trim());
    assert.deepEqual(header, ['Team', 'Cost (USD)', 'Share']);
    const level1 = dashboard().lastData!.breakdowns.find((b) => b.id === 'level1')!;
    assert.equal(rows.length, level1.items.length);
    const total = bill.reduce((s, r) => s + r.effective, 0);
    assert.ok(close(rows.reduce((s, r) => s + Number(r[1]), 0), total), 'the exported costs add up to the bill');
  });

  test('a restored panel keeps its filters (WebviewPanelSerializer path)', async () => {
    const panel = vscode.window.createWebviewPanel('mlFinops.costDashboard', 'Cost Dashboard', vscode.ViewColumn.Active, dashboard().webviewOptions());
    dashboard().attach(panel, { version: 1, period: { preset: 'last30Days' }, filters: [{ key: 'ProviderName', values: ['Google Cloud'] }] });
    const data = await dataWhere('the restored panel\'s data', (d) => d.filters.some((f) => f.values[0] === 'Google Cloud'));
    const want = bill.filter((r) => r.provider === 'Google Cloud').reduce((s, r) => s + r.effective, 0);
    assert.ok(close(data.total, want));
    await dashboard().receive({ type: 'clearFilters' });
  });
});
