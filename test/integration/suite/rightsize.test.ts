import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Commands } from '../../../src/shared/commands';
import type { SavingsReport } from '../../../src/core/savings/report';
import { usd } from '../../../src/core/savings/estimate';
import { startMoto, type Moto } from '../../support/moto';
import { createStack, putIdleGpuUtilisation } from '../../support/rightsizing';
import { coRecommendation, startNativeFake, type NativeFake } from '../../support/fakes/nativeRecommenders';
import { waitFor } from '../support/waitFor';
import type { MlFinOpsApi } from '../../../src/extension';
import { md, type TreeNode } from '../../../src/features/resourcesTree/presentation';
import { comparisonLines, nativeSourceLine, nativeTitle, ourEstimateLine } from '../../../src/core/savings/native';

const treeLabel = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : item.label?.label ?? '');

const EXTENSION_ID = 'ml-finops.ml-finops';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

suite('Right-size in code: the code action on Terraform and CloudFormation, with the lens\'s and the report\'s saving; ignored by a comment', () => {
  let moto: Moto;
  let native: NativeFake;
  let tfInstance = '';
  let folder: string;
  const savedEnv: Record<string, string | undefined> = {};
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const keys = ['aws.enabled', 'aws.profile', 'aws.region', 'aws.endpoint', 'savings.lookbackDays', 'aws.computeOptimizerEndpoint'];

  suiteSetup(async function () {
    this.timeout(180_000);
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    folder = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'rightsize');
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined })) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    moto = await startMoto();
    // Terraform: an instance, and the local state that says aws_instance.trainer is it
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 'p3.8xlarge', MinCount: 1, MaxCount: 1 }));
    ec2.destroy();
    tfInstance = run.Instances![0]!.InstanceId!;
    fs.writeFileSync(path.join(folder, 'terraform.tfstate'), JSON.stringify({
      version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'test', outputs: {},
      resources: [{ mode: 'managed', type: 'aws_instance', name: 'trainer', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ schema_version: 1, attributes: { id: tfInstance, instance_type: 'p3.8xlarge' } }] }],
    }));
    // CloudFormation: the template deployed as a stack (its instance carries the aws:cloudformation:logical-id tag)
    await createStack(moto.endpoint, 'vision', fs.readFileSync(path.join(folder, 'stack.yaml'), 'utf8'));
    const cfnInstance = await waitFor(async () => {
      const r = await fetch(`${moto.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' },
        body: new URLSearchParams({ Action: 'DescribeInstances', Version: '2016-11-15', 'Filter.1.Name': 'tag:aws:cloudformation:logical-id', 'Filter.1.Value.1': 'Trainer' }),
      });
      return /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(await r.text())?.[1];
    }, 'the stack\'s instance');
    for (const id of [tfInstance, cfnInstance]) await putIdleGpuUtilisation(moto.endpoint, id);
    // two days of metrics (moto's GetMetricData scans every point for every period: 14 days take minutes)
    await config().update('savings.lookbackDays', 2, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.endpoint', moto.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.enabled', true, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const k of keys) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    fs.rmSync(path.join(folder, 'terraform.tfstate'), { force: true });
    await moto?.stop();
    await native?.stop();
  });

  /** Puts the fixture's text back and saves it, so the next test starts from the file as written. */
  const restore = async (doc: vscode.TextDocument, lines: string[]) => {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), lines.join('\n'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    // save() resolves false when the text is already what is on disk (nothing to save)
    if (doc.isDirty) await doc.save();
    assert.equal(doc.getText(), lines.join('\n'));
    await waitFor(() => !doc.isDirty, `${doc.fileName} saved`);
  };

  /** Compute Optimizer (the fake) recommends g5.2xlarge for the Terraform instance, saving $8,000 a month. */
  const withComputeOptimizer = async () => {
    if (!native) {
      native = await startNativeFake();
      native.computeOptimizer.push(coRecommendation({ arn: `arn:aws:ec2:us-east-1:123456789012:instance/${tfInstance}`, current: 'p3.8xlarge', recommended: 'g5.2xlarge', saving: 8000 }));
    }
    await config().update('aws.computeOptimizerEndpoint', native.endpoint, vscode.ConfigurationTarget.Global);
  };

  type Action = vscode.CodeAction;
  const actionsAt = async (uri: vscode.Uri, line: number) =>
    ((await vscode.commands.executeCommand<Array<Action | vscode.Command>>('vscode.executeCodeActionProvider', uri, new vscode.Range(line, 0, line, 0))) ?? [])
      .filter((a): a is Action => 'title' in a && 'edit' in a);
  const rightSizeAction = async (uri: vscode.Uri, line: number) => (await actionsAt(uri, line)).find((a) => a.title.startsWith('Right-size to '));

  for (const { file, header, valueLine, newText } of [
    { file: 'main.tf', header: 'resource "aws_instance" "trainer"', valueLine: '  instance_type = "p3.8xlarge"', newText: '  instance_type = "p3.2xlarge"' },
    { file: 'stack.yaml', header: '  Trainer:', valueLine: '      InstanceType: "p3.8xlarge"', newText: '      InstanceType: "p3.2xlarge"' },
  ]) {
    test(`${file}: "Right-size to p3.2xlarge" quotes the lens's and the report's saving to the cent, and rewrites only the value`, async function () {
      this.timeout(300_000);
      const uri = vscode.Uri.file(path.join(folder, file));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const lines = doc.getText().split('\n');
      const line = lines.indexOf(valueLine);
      const headerLine = lines.findIndex((l) => l.startsWith(header));
      assert.ok(line > 0 && headerLine >= 0, 'the fixture lines');

      const action = await waitFor(() => rightSizeAction(uri, line), `the right-size action in ${file}`, 240_000, 500);
      const m = /^Right-size to p3\.2xlarge — saves (\$[\d,]+\.\d\d)\/mo \((.+), (\d{4}-\d{2}-\d{2})\)$/.exec(action.title);
      assert.ok(m, action.title);
      assert.equal(action.kind?.value, vscode.CodeActionKind.RefactorRewrite.value);

      // the lens over the resource quotes the same figure, and opens the report with the same right-sizing option
      const lens = await waitFor(async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
        .find((l) => l.command?.command === Commands.estimateSavings && l.range.start.line === headerLine && /right-size/.test(l.command.title)), 'the lens with right-sizing', 60_000, 250);
      assert.ok(lens.command!.title.endsWith(`right-size → p3.2xlarge saves ${m[1]}/mo`), lens.command!.title);
      const report = await vscode.commands.executeCommand<SavingsReport>(lens.command!.command, ...(lens.command!.arguments ?? []));
      const option = report.options.find((o) => o.kind === 'rightsizing');
      assert.equal(option?.status, 'ok');
      assert.equal(usd(option!.monthlySaving), m[1]);
      assert.ok(option!.sources.some((s) => s.name === m[2] && s.capturedAt === m[3]), 'the source and date named in the title');

      // applied: the file has the new type, everything else as it was
      assert.ok(action.edit && await vscode.workspace.applyEdit(action.edit));
      const expected = [...lines];
      expected[line] = newText;
      assert.deepEqual(doc.getText().split('\n'), expected);
      await restore(doc, lines);
    });

    test(`${file}: "Ignore right-sizing" adds # finops:ignore rightsizing; then no right-size action, the lens and the report say it is ignored`, async function () {
      this.timeout(300_000);
      const uri = vscode.Uri.file(path.join(folder, file));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const line = doc.getText().split('\n').indexOf(valueLine);
      assert.ok(line > 0, `${valueLine} in ${file}`);
      await waitFor(() => rightSizeAction(uri, line), 'the right-size action', 240_000, 500);
      const ignore = (await actionsAt(uri, line)).find((a) => a.title.startsWith('Ignore right-sizing'));
      assert.ok(ignore?.edit, 'the ignore action');
      assert.equal(ignore.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.ok(await vscode.workspace.applyEdit(ignore.edit));
      const lines = doc.getText().split('\n');
      assert.equal(lines[line]?.trim(), '# finops:ignore rightsizing');
      assert.equal(lines[line + 1], valueLine);
      // the value moved one line down; nothing is offered there any more (the ignore edit is a plain insert)
      await waitFor(async () => {
        const lens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)).find((l) => l.command?.command === Commands.estimateSavings);
        return lens && /right-sizing ignored$/.test(lens.command!.title) && !/right-size →/.test(lens.command!.title) ? lens : undefined;
      }, 'the lens saying right-sizing is ignored', 60_000, 250);
      assert.equal(await rightSizeAction(uri, line + 1), undefined);
      assert.equal(await rightSizeAction(uri, line), undefined);
      const lens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)).find((l) => l.command?.command === Commands.estimateSavings)!;
      const report = await vscode.commands.executeCommand<SavingsReport>(lens.command!.command, ...(lens.command!.arguments ?? []));
      assert.equal(report.options.some((o) => o.kind === 'rightsizing'), false);
      assert.equal(report.summary.rightSizing, undefined);
      assert.deepEqual(report.ignored, [`Right-sizing: ignored for this resource by ${file}:${line + 1} (# finops:ignore rightsizing).`]);
      await restore(doc, lines.filter((_, i) => i !== line));
    });
  }

  test('the savings report shows AWS Compute Optimizer\'s recommendation beside ours, with its own saving and source, and why they differ', async function () {
    this.timeout(300_000);
    await withComputeOptimizer();
    const uri = vscode.Uri.file(path.join(folder, 'main.tf'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lens = await waitFor(async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
      .find((l) => l.command?.command === Commands.estimateSavings && /right-size →/.test(l.command.title)), 'the lens with right-sizing', 240_000, 500);
    const report = await vscode.commands.executeCommand<SavingsReport>(lens.command!.command, ...(lens.command!.arguments ?? []));
    const ours = report.options.find((o) => o.kind === 'rightsizing');
    assert.equal(ours?.status, 'ok');
    assert.equal(report.native?.length, 1, JSON.stringify(report.warnings));
    const row = report.native![0]!;
    assert.equal(row.recommendation.source, 'AWS Compute Optimizer');
    assert.equal(row.recommendation.recommendedType, 'g5.2xlarge');
    assert.equal(row.recommendation.monthlySaving, 8000);
    assert.equal(row.recommendation.refreshedAt?.slice(0, 10), '2026-11-30');
    assert.ok(native.requests.some((q) => q.target === 'ComputeOptimizerService.GetEC2InstanceRecommendations'));
    // they disagree: the reasons are computed from what each used
    assert.equal(row.comparison?.agree, false);
    const reasons = row.comparison!.reasons.join('\n');
    assert.match(reasons, /^Type: AWS Compute Optimizer recommends g5\.2xlarge; ours recommends p3\.2xlarge\.$/m);
    assert.match(reasons, /^Lookback: AWS Compute Optimizer looked at 14 days; ours asked for 2 days and found \d+ hours/m);
    assert.match(reasons, /^Metrics: AWS Compute Optimizer also weighs network/m);
    assert.match(reasons, new RegExp(`^Price: .*\\$8,000\\.00/mo is priced on public on-demand prices .* ours, ${usd(ours!.monthlySaving).replace(/[$.]/g, '\\$&')}/mo`, 'm'));
    // the Markdown report carries the row beside ours
    const md = await vscode.commands.executeCommand<string>(Commands.copySavingsReport);
    assert.match(md, /## The clouds' own recommenders/);
    assert.match(md, /\*\*AWS Compute Optimizer: trainer \(i-[0-9a-f]+\) p3\.8xlarge → g5\.2xlarge saves \$8,000\.00\/mo\*\* — AWS Compute Optimizer, refreshed 2026-11-30/);
  });

  test('the Resources view shows Compute Optimizer\'s recommendation under the instance, ours beside it with the report\'s reasons; the dashboard lists the report\'s row and reasons', async function () {
    this.timeout(300_000);
    await withComputeOptimizer();
    const api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    const provider = api.costViews.tree.provider;
    await vscode.commands.executeCommand(Commands.refresh);
    await api.costViews.tree.nativeAnnotated();
    const arn = `arn:aws:ec2:us-east-1:123456789012:instance/${tfInstance}`;
    // the AWS source (moto) lists the instance; walk down to it
    const findInstance = (): TreeNode | undefined => {
      const stack: TreeNode[] = provider.getChildren().filter((n) => n.kind === 'source' && n.sourceId === 'aws');
      while (stack.length) {
        const n = stack.shift()!;
        if (n.kind === 'resource' && n.resourceId === arn) return n;
        if (n.kind === 'source' || n.kind === 'group' || n.kind === 'fold') stack.push(...provider.getChildren(n));
      }
      return undefined;
    };
    const instance = await waitFor(findInstance, `${arn} in the Resources view`, 120_000, 250);
    // our estimate arrives after the metrics are read: the row then names the comparison
    const [child] = await waitFor(() => {
      const rows = provider.getChildren(instance);
      return rows.length && !/estimating/.test(String(provider.getTreeItem(rows[0]!).description)) ? rows : undefined;
    }, 'the native row with ours beside it', 240_000, 250);
    assert.equal(provider.getTreeItem(instance).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(provider.getChildren(instance).length, 1);
    const item = provider.getTreeItem(child!);
    // the report of the same resource ("Estimate Savings" on it, which the row also opens) holds the same row
    assert.equal(item.command?.command, Commands.estimateResourceSavings);
    const report = await vscode.commands.executeCommand<SavingsReport>(Commands.estimateResourceSavings, child);
    assert.equal(report.native?.length, 1, JSON.stringify(report.warnings));
    const row = report.native![0]!;
    assert.equal(row.comparison?.agree, false);
    assert.equal(treeLabel(item), nativeTitle(row.recommendation));
    assert.match(treeLabel(item), /^AWS Compute Optimizer: trainer \(i-[0-9a-f]+\) p3\.8xlarge → g5\.2xlarge saves \$8,000\.00\/mo$/);
    assert.equal(item.description, `${nativeSourceLine(row.recommendation)} · differs from ours (type, lookback, metrics, price)`);
    const tip = (item.tooltip as vscode.MarkdownString).value;
    const ours = ourEstimateLine(report.options.find((o) => o.kind === 'rightsizing'));
    assert.match(ours, /^Ours: Right-size p3\.8xlarge → p3\.2xlarge saves \$[\d,]+\.\d\d\/mo \(.+, \d{4}-\d{2}-\d{2}\)\.$/);
    assert.ok(tip.includes(md(ours)), tip);
    for (const line of comparisonLines(row.comparison)) assert.ok(tip.includes(`- ${md(line)}`), `${line}\n---\n${tip}`);

    // the dashboard's row for it is the report's: the same title, saving and source
    await vscode.commands.executeCommand(Commands.openDashboard);
    const data = await waitFor(() => api.costViews.dashboard.lastData?.recommendations.some((r) => r.title === nativeTitle(row.recommendation)) ? api.costViews.dashboard.lastData : undefined, 'the dashboard\'s native row', 240_000, 250);
    const dash = data.recommendations.filter((r) => r.title.startsWith('AWS Compute Optimizer:'));
    assert.equal(dash.length, 1, JSON.stringify(dash));
    assert.equal(dash[0]!.monthlySaving, row.recommendation.monthlySaving);
    assert.equal(dash[0]!.currency, row.recommendation.currency);
    assert.ok(dash[0]!.detail.startsWith(nativeSourceLine(row.recommendation)), dash[0]!.detail);
    // and ours beside it with why they differ, as the report of that instance says it
    assert.match(dash[0]!.detail, /Ours: Right-size p3\.8xlarge → p3\.2xlarge saves \$[\d,]+\.\d\d\/mo \(/);
    assert.ok(dash[0]!.detail.includes(comparisonLines(row.comparison).find((l) => l.includes('Type:'))!), dash[0]!.detail);
    assert.match(dash[0]!.detail, /Differs from ours — Lookback: .* Differs from ours — Metrics: .* Differs from ours — Price: /);
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputWebview && /costDashboard|savingsReport/.test(tab.input.viewType)) await vscode.window.tabGroups.close(tab);
    }
  });
});
