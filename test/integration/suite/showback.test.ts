import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';

/** `mlfinops report` as a user runs it (the built CLI, in the workspace folder, on the demo bill and policy). */
function runCli(extensionPath: string, args: string[]): Promise<string> {
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? extensionPath;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), 'report', ...args], { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`mlfinops report failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

suite('Showback report: what each team owes for a month, as `mlfinops report` says it, copied as Markdown and exported as CSV', () => {
  let api: MlFinOpsApi;
  let extensionPath: string;
  const config = () => vscode.workspace.getConfiguration('mlFinops');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    api = await ext.activate();
    extensionPath = ext.extensionPath;
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    // the demo's own policy: its budgets and `showback: allocation: proportional`
    await config().update('tags.policyFile', 'showback/.finops.yaml', vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.costViews.view.sources.some((s) => s.kind === 'demo'), 'the demo source', 30_000);
  });

  suiteTeardown(async () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mlFinops.showbackReport')) await vscode.window.tabGroups.close(tab);
    }
    for (const key of ['demo.enabled', 'tags.policyFile']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('October 2026: the panel, the Markdown and the CSV are those of the CLI, to the cent; the CSV keeps formulas inert', async () => {
    const report = await vscode.commands.executeCommand<{ month: string; totalCents: number; teams: { team: string; totalCents: number }[] }>(Commands.showbackReport, '2026-10');
    assert.ok(report, 'the report');
    assert.equal(report.month, '2026-10');
    assert.equal(report.totalCents, 17808473, 'October 2026: $178,084.73');
    assert.equal(report.teams.reduce((s, t) => s + t.totalCents, 0), report.totalCents, 'the teams add up to the month');
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlFinops.showbackReport') && t.label === 'Showback 2026-10'), 'the Showback 2026-10 panel');
    const policy = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'showback', '.finops.yaml');
    const args = ['--month', '2026-10', '--focus', path.join(extensionPath, DEMO_BILL), '--policy', policy];
    const markdown = await vscode.commands.executeCommand<string>(Commands.copyShowbackMarkdown);
    assert.equal(markdown, await runCli(extensionPath, args), 'Copy as Markdown is the CLI\'s Markdown');
    assert.equal(await vscode.env.clipboard.readText(), markdown);
    assert.match(markdown, /allocated in proportion to each team's own cost \(showback allocation: proportional\)/);
    assert.match(markdown, /\| recsys \| /);
    assert.match(markdown, /2026-10-14: \$11,304\.88, \$10,900\.65 above the expected/, 'the team\'s anomalies');
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'showback-')), 'october.csv');
    await vscode.commands.executeCommand(Commands.exportShowbackCsv, vscode.Uri.file(target));
    const csv = fs.readFileSync(target, 'utf8');
    assert.equal(csv, await runCli(extensionPath, [...args, '--format', 'csv']), 'Export CSV is the CLI\'s CSV');
    assert.match(csv.split('\r\n')[0]!, /^team,kind,name,cost,currency$/);
  });

  test('grouping and metric: the choices of mlfinops report --by and --metric give the CLI\'s report; bad ones are refused and change nothing', async function () {
    this.timeout(120_000);
    const policy = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'showback', '.finops.yaml');
    const cli = (extra: string[]) => runCli(extensionPath, ['--month', '2026-10', '--focus', path.join(extensionPath, DEMO_BILL), '--policy', policy, ...extra]);
    const report = await vscode.commands.executeCommand<{ month: string; by: string; totalCents: number; teams: { team: string }[] }>(Commands.showbackReport, { month: '2026-10', by: 'tag:Project', metric: 'BilledCost' });
    assert.ok(report, 'the report');
    assert.equal(report.by, 'tag:Project');
    assert.equal(api.showback.metric, 'BilledCost');
    assert.ok(report.teams.some((t) => t.team === 'llm-finetune'), `projects are charged: ${report.teams.map((t) => t.team).join(', ')}`);
    const markdown = await vscode.commands.executeCommand<string>(Commands.copyShowbackMarkdown);
    assert.equal(markdown, await cli(['--by', 'tag:Project', '--metric', 'BilledCost']), 'the CLI\'s Markdown for the same flags');
    assert.match(markdown, /^# Showback 2026-10: cost by Project/);
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'showback-')), 'by-account.csv');
    // a FOCUS dimension and the list price
    const accounts = await vscode.commands.executeCommand<{ by: string; totalCents: number }>(Commands.showbackReport, { month: '2026-10', by: 'SubAccountName', metric: 'ListCost' });
    assert.equal(accounts?.by, 'SubAccountName');
    await vscode.commands.executeCommand(Commands.exportShowbackCsv, vscode.Uri.file(target));
    assert.equal(fs.readFileSync(target, 'utf8'), await cli(['--by', 'SubAccountName', '--metric', 'ListCost', '--format', 'csv']), 'the CLI\'s CSV for the same flags');
    // the metric changes the figures: BilledCost differs from ListCost on the demo's discounted month
    assert.notEqual(accounts!.totalCents, report.totalCents);
    // bad choices: a message, no report, the one on screen kept
    for (const bad of [{ month: '2026-10', by: 'Nope', metric: 'BilledCost' }, { month: '2026-10', by: 'tag:Team', metric: 'AmortizedCost' }, { month: '2026-13', by: 'tag:Team', metric: 'BilledCost' }]) {
      assert.equal(await vscode.commands.executeCommand(Commands.showbackReport, bad), undefined, JSON.stringify(bad));
      assert.equal(api.showback.report?.by, 'SubAccountName');
      assert.equal(api.showback.metric, 'ListCost');
    }
  });

  test('asked in quick picks: the last grouping and metric are offered first, and accepting them gives that report again', async function () {
    this.timeout(120_000);
    // the test before left SubAccountName and ListCost as the last choices (per workspace)
    await vscode.commands.executeCommand(Commands.showbackReport, { month: '2026-10', by: 'SubAccountName', metric: 'ListCost' });
    let done: { by: string } | undefined | null = null;
    const pending = vscode.commands.executeCommand<{ by: string } | undefined>(Commands.showbackReport, { month: '2026-09' }).then((r) => { done = r; return r; });
    // two quick picks (who is charged, which cost): accept the first item of each as it opens
    await waitFor(async () => {
      if (done !== null) return true;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return done !== null || undefined;
    }, 'the two quick picks to be answered', 60_000, 250);
    const report = await pending;
    assert.equal(report?.by, 'SubAccountName', 'the last grouping was offered first');
    assert.equal(api.showback.metric, 'ListCost', 'and the last metric');
    assert.equal(api.showback.report?.month, '2026-09');
  });
});
