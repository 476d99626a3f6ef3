import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/shared/commands';
import { lensTitle } from '../../../src/core/savings/report';
import { usd } from '../../../src/core/savings/estimate';
import type { SavingsReport } from '../../../src/core/savings/report';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';

suite('Savings: code lenses on Terraform compute resources, and the report', () => {
  let uri: vscode.Uri;
  const config = () => vscode.workspace.getConfiguration('mlFinops');

  suiteSetup(async function () {
    this.timeout(60_000);
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'savings', 'main.tf'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  suiteTeardown(async () => {
    await config().update('savings.codeLens', undefined, vscode.ConfigurationTarget.Global);
    await config().update('savings.hoursPerMonth', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const lenses = () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  const ours = async () => (await lenses()).filter((l) => l.command?.command === Commands.estimateSavings);
  const lensAt = (list: vscode.CodeLens[], line: number) => list.find((l) => l.range.start.line === line);

  test('each compute resource gets a lens with its monthly on-demand, spot and 1-yr prices and best saving, the same figures as its report; others get none', async function () {
    this.timeout(90_000);
    const list = await waitFor(async () => { const l = await ours(); return l.length >= 5 ? l : undefined; }, 'five savings lenses');
    const doc = await vscode.workspace.openTextDocument(uri);
    const lineOf = (text: string) => doc.getText().split('\n').findIndex((l) => l.startsWith(text));
    assert.equal(list.length, 5, list.map((l) => l.command?.title).join('\n'));

    // one resource, one set of figures: each lens is the summary of the very report it opens
    const sameAsReport = async (lens: vscode.CodeLens | undefined, type: string, region: string) => {
      assert.ok(lens?.command, `a lens for ${type}`);
      const request = lens.command.arguments?.[0] as { instanceType: string; region: string };
      assert.deepEqual({ type: request.instanceType, region: request.region }, { type, region });
      const report = await vscode.commands.executeCommand<SavingsReport | undefined>(lens.command.command, ...(lens.command.arguments ?? []));
      assert.ok(report, `the report for ${type}`);
      assert.equal(lens.command.title, lensTitle(report.summary));
      const spot = report.options.find((o) => o.kind === 'spot');
      if (spot) assert.match(lens.command.title, new RegExp(`spot ≈ ${usd(spot.monthlyCost, true).replace('$', '\\$')}( |$)`));
      for (const o of report.options) assert.equal(Math.round(o.baselineMonthlyCost), Math.round(report.summary.onDemandMonthly), `${o.option}: the one baseline`);
      return report;
    };

    // p3.2xlarge, region from the aws provider block: $3.06 × 730 h = $2,233.80 ≈ $2,234
    const trainer = lensAt(list, lineOf('resource "aws_instance" "trainer"'));
    assert.match(trainer?.command?.title ?? '', /^≈ \$2,234\/mo on-demand · spot ≈ \$\d[\d,]* · best saves \$[\d,]+\/mo$/);
    assert.match(String(trainer?.command?.tooltip), /captured \d{4}-\d{2}-\d{2}/);
    await sameAsReport(trainer, 'p3.2xlarge', 'us-west-2');

    // g5.xlarge through var.notebook_type's default, with a 1-yr figure from the RI prices
    const notebook = lensAt(list, lineOf('resource "aws_instance" "notebook"'));
    assert.match(notebook?.command?.title ?? '', /1-yr ≈ \$/);
    await sameAsReport(notebook, 'g5.xlarge', 'us-west-2');
    await sameAsReport(lensAt(list, lineOf('resource "google_compute_instance" "finetune"')), 'a2-highgpu-1g', 'us-central1');
    await sameAsReport(lensAt(list, lineOf('resource "azurerm_linux_virtual_machine" "inference"')), 'Standard_NC24ads_A100_v4', 'eastus');

    const typo = lensAt(list, lineOf('resource "aws_instance" "typo"'));
    assert.match(typo?.command?.title ?? '', /Unknown instance type "p3\.2xlarg"\. Did you mean "p3\.2xlarge"/);
    assert.equal(lensAt(list, lineOf('resource "aws_s3_bucket"')), undefined);
  });

  test('the lenses follow the settings: hours per month, and off', async function () {
    this.timeout(30_000);
    await config().update('savings.hoursPerMonth', 365, vscode.ConfigurationTarget.Global);
    // $3.06 × 365 h = $1,116.90
    await waitFor(async () => (await ours()).some((l) => /^≈ \$1,117\/mo on-demand/.test(l.command?.title ?? '')), 'lenses at 365 h a month');
    await config().update('savings.hoursPerMonth', undefined, vscode.ConfigurationTarget.Global);
    await config().update('savings.codeLens', false, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await ours()).length === 0, 'no lenses when turned off');
    await config().update('savings.codeLens', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await ours()).length === 5, 'lenses back');
  });

  test('a lens opens the report; it lists every option with assumptions and sources, and copies as Markdown', async function () {
    this.timeout(60_000);
    const list = await waitFor(async () => { const l = await ours(); return l.length >= 5 ? l : undefined; }, 'lenses');
    const notebook = list.find((l) => /1-yr/.test(l.command?.title ?? '') && (l.command?.arguments?.[0] as { instanceType: string }).instanceType === 'g5.xlarge');
    assert.ok(notebook?.command);
    const report = await vscode.commands.executeCommand<SavingsReport | undefined>(notebook.command.command, ...(notebook.command.arguments ?? []));
    assert.ok(report, 'the command returns the report it shows');
    assert.equal(report.prices.instanceType, 'g5.xlarge');
    assert.equal(report.prices.region, 'us-west-2');
    assert.equal(report.subject, 'main.tf: aws_instance.notebook');
    const kinds = new Set(report.options.map((o) => o.kind));
    for (const k of ['reservation', 'spot', 'schedule', 'combined']) assert.ok(kinds.has(k as never), `option ${k}`);
    // savings plans are their own kind: with no shipped savings-plan rate they are "not estimated", with the reason
    assert.ok(!kinds.has('savingsPlan' as never), 'no savings plan priced from reserved-instance rates');
    assert.ok(report.missing.some((m) => /^Savings Plans .*not priced as reserved instances/.test(m)), report.missing.join('\n'));
    for (const o of report.options) {
      assert.ok(o.assumptions.length > 0, o.option);
      assert.ok(o.sources.every((s) => s.name && /^(\d{4}-\d{2}-\d{2}|unknown)$/.test(s.capturedAt)), o.option);
    }
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlFinops.savingsReport')), 'the report panel');

    await vscode.env.clipboard.writeText('');
    const md = await vscode.commands.executeCommand<string>(Commands.copySavingsReport);
    const clip = await waitFor(async () => { const t = await vscode.env.clipboard.readText(); return t.length > 0 ? t : undefined; }, 'the clipboard');
    assert.equal(clip, md);
    assert.match(clip, /^# Savings for g5\.xlarge in us-west-2 \(AWS\)/);
    assert.match(clip, /\| Reservation \| 1-yr standard reserved instance, no upfront \|/);
    assert.match(clip, /## Sources/);
    assert.match(clip, /captured \d{4}-\d{2}-\d{2}/);
  });

  test('an unknown type typed in is refused with close matches, and nothing is shown', async function () {
    this.timeout(30_000);
    const report = await vscode.commands.executeCommand<SavingsReport | undefined>(Commands.estimateSavings, { instanceType: 'p3.2xlarg', region: 'us-east-1' });
    assert.equal(report, undefined);
    const ok = await vscode.commands.executeCommand<SavingsReport | undefined>(Commands.estimateSavings, { instanceType: 'p3.2xlarge', region: 'us-east-1' });
    assert.ok(ok);
    // the lesson's p3.2xlarge: $3.06/h on-demand
    assert.equal(ok.prices.onDemand.hourly, 3.06);
    assert.equal(ok.options.find((o) => o.kind === 'schedule')?.kind, 'schedule');
  });
});
