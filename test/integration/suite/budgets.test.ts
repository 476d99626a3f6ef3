import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { BudgetPanel } from '../../../src/shared/protocol';
import { waitFor } from '../support/waitFor';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { policyTag, readFocusBill, type BillRow } from '../../support/focusBill';

const EXTENSION_ID = 'ml-finops.ml-finops';
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

suite('Budgets: burn-down in the dashboard, the status bar at risk, a threshold notification once', () => {
  let api: MlFinOpsApi;
  let bill: BillRow[];
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const panels = async (): Promise<BudgetPanel[]> => {
    const d = await waitFor(() => { const x = api.costViews.dashboard.lastData; return x && x.budgets.length === 3 ? x : undefined; }, 'the dashboard with three budgets', 120_000);
    return d.budgets;
  };

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!;
    api = await ext.activate();
    bill = readFocusBill(path.join(ext.extensionPath, DEMO_BILL));
    await config().update('demo.enabled', true, vscode.ConfigurationTarget.Workspace);
    await config().update('tags.policyFile', 'budgets/.finops.yaml', vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.costViews.view.sources.some((s) => s.kind === 'demo'), 'the demo source', 30_000);
    await api.budgets.forgetNotified();
  });

  suiteTeardown(async () => {
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('mlFinops.costDashboard')) await vscode.window.tabGroups.close(tab);
    }
    for (const key of ['demo.enabled', 'tags.policyFile']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await api.budgets.forgetNotified();
  });

  test('the burn-down: spend to date equal to the bill day by day, then the forecast inside its 80 % and 95 % bands', async () => {
    await vscode.commands.executeCommand(Commands.openDashboard);
    const budgets = await panels();
    assert.deepEqual(budgets.map((b) => b.name).sort(), ['nlp-monthly', 'organisation', 'vision-monthly']);
    const nlp = budgets.find((b) => b.name === 'nlp-monthly')!;
    assert.equal(budgets[0], nlp, 'the budget at risk comes first');
    assert.deepEqual(nlp.period, { start: '2026-11-01', end: '2026-12-01' });
    assert.equal(nlp.asOf, '2026-11-15', 'the bill\'s last day is the last actual day');
    assert.equal(nlp.burnDown.dates.length, 30);
    // actual to date, day by day, against an independent reading of the bill
    let running = 0;
    for (let i = 0; i < 15; i++) {
      const day = nlp.burnDown.dates[i]!;
      running += bill.filter((r) => r.day === day && policyTag(r, 'Team') === 'nlp').reduce((s, r) => s + r.effective, 0);
      assert.ok(close(nlp.burnDown.actual[i]!, running), `${day}: ${nlp.burnDown.actual[i]} vs ${running}`);
    }
    assert.ok(close(nlp.actual, running));
    assert.ok(close(nlp.percent, (100 * running) / 80_000));
    for (let i = 15; i < 30; i++) {
      const d = nlp.burnDown;
      assert.equal(d.actual[i], null, 'no actual after the bill\'s last day');
      const [lo95, lo80, mean, hi80, hi95] = [d.lo95[i]!, d.lo80[i]!, d.forecast[i]!, d.hi80[i]!, d.hi95[i]!];
      assert.ok(lo95 <= lo80 && lo80 <= mean && mean <= hi80 && hi80 <= hi95, `${d.dates[i]}: ${lo95} ${lo80} ${mean} ${hi80} ${hi95}`);
      assert.ok(mean >= d.forecast[i - 1]!, 'the cumulative forecast does not fall');
    }
    assert.ok(close(nlp.forecast, nlp.burnDown.forecast[29]!), 'the period-end forecast is the burn-down\'s last point');
    assert.ok(nlp.forecast > 80_000, `nlp is forecast over its budget: ${nlp.forecast}`);
    assert.equal(nlp.status, 'at-risk');
    // the crossing day: the first forecast day at or above the amount
    const first = nlp.burnDown.dates.find((_, i) => (nlp.burnDown.forecast[i] ?? 0) >= 80_000 && i >= 15);
    assert.equal(nlp.crossesOn, first);
    const vision = budgets.find((b) => b.name === 'vision-monthly')!;
    assert.equal(vision.status, 'ok');
  });

  test('the status bar names the budget at risk', async () => {
    const item = api.costViews.statusBar.item;
    await waitFor(() => /nlp-monthly/.test(item.text), `the status bar to name nlp-monthly (it reads "${item.text}")`, 60_000);
    assert.match(item.text, /\$\(warning\)/);
    assert.match(item.text, /of budget/);
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
    assert.match(tooltip, /nlp\\?-monthly/, 'the tooltip names it (Markdown-escaped)');
    assert.match(tooltip, /forecast/i);
  });

  test('each crossed threshold is notified once, and not again after a restart', async () => {
    await waitFor(() => api.budgets.alerts.shown.some((s) => s.budget === 'nlp-monthly'), 'the nlp-monthly notification', 60_000);
    const nlp = api.budgets.alerts.shown.filter((s) => s.budget === 'nlp-monthly');
    assert.equal(nlp.length, 1, 'one notification for the budget');
    assert.deepEqual(nlp[0]!.keys.sort(), ['nlp-monthly|2026-11-01|actual|50', 'nlp-monthly|2026-11-01|forecast|100']);
    assert.match(nlp[0]!.message, /passed 50 %/);
    assert.match(nlp[0]!.message, /forecast reaches 100 %/);
    assert.ok(!api.budgets.alerts.shown.some((s) => s.budget === 'vision-monthly'), 'no threshold of vision-monthly is crossed');
    // the same report again (a refresh): nothing new
    const count = api.budgets.alerts.shown.length;
    await api.budgets.watch.evaluate({ force: true });
    // the evaluation's listeners have run: wait for the notifier's own check of that report
    await api.budgets.alerts.whenIdle();
    assert.equal(api.budgets.alerts.shown.length, count, 'a second evaluation shows nothing again');
    // a restart: a fresh notifier on the same global state shows nothing
    assert.deepEqual(await api.budgets.checkAsAfterRestart(), [], 'nothing is shown again after a restart');
    // and forgetting what was shown brings it back (the state is what holds it)
    await api.budgets.forgetNotified();
    assert.equal((await api.budgets.checkAsAfterRestart()).filter((s) => s.budget === 'nlp-monthly').length, 1);
  });
});
