import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { PeriodChoice } from '../../../src/core/period';
import type { TreeNode } from '../../../src/features/resourcesTree/presentation';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';
const cents = (v: number): number => Math.round(v * 100);

interface CliAnomaly { group: Record<string, string | null>; date: string; actual: number; expected: number; aboveExpected: number; contributors: { resourceId: string | null; skuId: string | null; increase: number }[] }

/** `mlfinops anomalies` over the same bill and days, run as a user runs it (the built CLI, in the workspace folder). */
function runCli(extensionPath: string, args: string[]): Promise<CliAnomaly[]> {
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? extensionPath;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), 'anomalies', ...args], { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`mlfinops anomalies failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as CliAnomaly[]);
    });
  });
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}

suite('Anomalies: dashboard markers and list as the CLI finds them, tree badges, one notification per anomaly, mute', () => {
  let api: MlFinOpsApi;
  let extensionPath: string;
  let before: PeriodChoice;
  const config = () => vscode.workspace.getConfiguration('mlFinops');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    api = await ext.activate();
    extensionPath = ext.extensionPath;
    before = api.costViews.view.periodChoice;
    await api.anomalies.forgetNotified();
    await api.anomalies.alerts.unmute(api.anomalies.alerts.muted().map((g) => g.id));
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.costViews.view.sources.some((s) => s.kind === 'demo'), 'the demo source', 30_000);
    // the demo's last full month: October 2026, with the recsys sweep of 14 and 15 October
    await api.costViews.view.setPeriod({ preset: 'lastMonth' });
  });

  suiteTeardown(async () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mlFinops.costDashboard')) await vscode.window.tabGroups.close(tab);
    }
    await api.costViews.view.setPeriod(before);
    await config().update('demo.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    await api.anomalies.alerts.unmute(api.anomalies.alerts.muted().map((g) => g.id));
    await api.anomalies.forgetNotified();
  });

  test('the dashboard lists the anomalies of October with the figures of `mlfinops anomalies`, the sweep first on its day', async () => {
    await vscode.commands.executeCommand(Commands.openDashboard);
    const data = await waitFor(() => {
      const d = api.costViews.dashboard.lastData;
      return d && d.period.start === '2026-10-01' && d.anomalies.some((a) => a.date === '2026-10-14') ? d : undefined;
    }, 'the dashboard of October 2026 with the anomaly of 14 October', 180_000);
    const cli = await runCli(extensionPath, ['--focus', path.join(extensionPath, DEMO_BILL), '--since', '2026-10-01', '--until', '2026-10-31', '--format', 'json']);
    assert.ok(cli.length > 0 && cli.length <= 30, `a handful of anomalies, not one a day: ${cli.length}`);
    assert.equal(data.anomalies.length, cli.length, 'the same anomalies as the CLI');
    for (const c of cli) {
      const value = Object.values(c.group)[0] ?? null;
      const shown = data.anomalies.find((a) => a.date === c.date && a.filter?.key === Object.keys(c.group)[0] && a.filter?.values[0] === value);
      assert.ok(shown, `${c.date} ${JSON.stringify(c.group)} is listed`);
      assert.equal(cents(shown.actual), cents(c.actual));
      assert.equal(cents(shown.expected), cents(c.expected));
      assert.equal(cents(shown.above), cents(c.aboveExpected));
      assert.deepEqual(shown.contributors.map((x) => cents(x.cost)), c.contributors.map((x) => cents(x.increase)));
    }
    const sweep = data.anomalies.find((a) => a.date === '2026-10-14' && a.group === 'Team = recsys')!;
    assert.ok(sweep.above > 10_000, `the sweep: ${sweep.above} above expected`);
    assert.equal(sweep.contributors[0]!.name, 'vmss-ranker-sweep');
    assert.deepEqual(sweep.filter, { key: 'tag:Team', values: ['recsys'] });
    assert.ok(data.daily.dates.includes('2026-10-14'), 'the day is on the daily chart (its marker)');
    assert.deepEqual(data.anomalies.map((a) => a.date), [...data.anomalies.map((a) => a.date)].sort().reverse(), 'newest first');
  });

  test('the Resources view: a badge with the number of anomalies, and the recsys node says it has three', async () => {
    await vscode.commands.executeCommand(Commands.refresh);
    const provider = api.costViews.tree.provider;
    const node = await waitFor(() => {
      const demo = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'demo');
      return demo ? provider.getChildren(demo).find((n: TreeNode) => n.kind === 'group' && label(provider.getTreeItem(n)) === 'recsys' && /anomal/.test(String(provider.getTreeItem(n).description))) : undefined;
    }, 'the recsys group with its anomalies', 120_000);
    const item = provider.getTreeItem(node);
    assert.match(String(item.description), /· 3 anomalies$/, 'recsys: 14 and 15 October (the sweep) and 29 October');
    const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : '';
    assert.match(tip, /14 Oct: \$10,900\\?\.\d\d above the expected/);
    const badge = api.costViews.tree.tree.badge;
    const events = api.anomalies.watch.report!.events.length;
    assert.equal(badge?.value, events);
    assert.match(badge?.tooltip ?? '', /cost anomalies in Last month/);
    const speech = provider.getChildren(provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'demo')).find((n) => label(provider.getTreeItem(n)) === 'speech');
    assert.ok(speech && !/anomal/.test(String(provider.getTreeItem(speech).description)), 'a team without anomalies has no badge');
  });

  test('one notification per anomaly (the sweep once, naming its service and account too), not again; muted, then unmuted', async () => {
    const alerts = api.anomalies.alerts;
    const key = 'tag:Team=recsys|2026-10-14';
    await waitFor(() => alerts.shown.some((s) => s.key === key), 'the notification of the sweep', 120_000);
    const sweep = alerts.shown.filter((s) => s.key === key);
    assert.equal(sweep.length, 1, 'one notification for the sweep');
    assert.match(sweep[0]!.message, /from 14 Oct to 15 Oct: Team = recsys — \$10,900\.\d\d above the expected/);
    assert.match(sweep[0]!.message, /vmss-ranker-sweep/);
    assert.match(sweep[0]!.message, /Also seen in Service = Virtual Machines; Account = /, 'its service and account are the same event');
    assert.deepEqual(sweep[0]!.actions, ['Open Dashboard', 'Mute This Group']);
    assert.ok(!alerts.shown.some((s) => /Service = Virtual Machines —/.test(s.message) && /14 Oct/.test(s.message)), 'not notified again under its service');
    // the same report again: nothing new
    const count = alerts.shown.length;
    await api.anomalies.watch.evaluate({ force: true });
    await alerts.whenIdle();
    assert.equal(alerts.shown.length, count, 'a second scan shows nothing again');
    assert.deepEqual(await api.anomalies.checkAsAfterRestart(), [], 'nothing again after a restart');
    // muted: not notified even when forgotten; unmuted with the command: notified again
    await alerts.mute(sweep[0]!.group);
    await api.anomalies.forgetNotified();
    const muted = await api.anomalies.checkAsAfterRestart();
    assert.ok(muted.length > 0 && !muted.some((s) => s.key.startsWith('tag:Team=recsys|')), JSON.stringify(muted.map((s) => s.key)));
    await vscode.commands.executeCommand(Commands.unmuteAnomalyGroups, ['tag:Team=recsys']);
    assert.deepEqual(alerts.muted(), []);
    await api.anomalies.forgetNotified();
    assert.ok((await api.anomalies.checkAsAfterRestart()).some((s) => s.key === key), 'unmuted: notified again');
  });
});
