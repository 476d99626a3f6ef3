import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DescribeTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { ApplyTagsOutcome } from '../../../src/features/applyTags/register';
import type { TreeNode } from '../../../src/features/resourcesTree/presentation';
import { startMoto, type Moto } from '../../support/moto';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';
import { waitFor } from '../support/waitFor';
import { loadDefaultPolicy } from '../../../src/core/policy/load';
import { tagValueProblem } from '../../../src/core/policy/evaluate';
import { keysToSet, suggestValues, tagTarget, type TagTarget } from '../../../src/core/tagging/plan';

const EXTENSION_ID = 'ml-finops.ml-finops';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'us-east-1';

suite('Apply Tags…: running resources tagged after a modal listing every change (moto); IaC-declared ones sent to the quick fix', () => {
  let api: MlFinOpsApi;
  let moto: Moto;
  let proxy: RecordingProxy;
  let instanceId = '';
  const asked: ConfirmRequest[] = [];
  const savedEnv: Record<string, string | undefined> = {};
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const ec2 = () => new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials });
  const arn = () => `arn:aws:ec2:${REGION}:123456789012:instance/${instanceId}`;
  const tagsOf = async (id: string) => Object.fromEntries(((await ec2().send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }))).Tags ?? []).map((t) => [t.Key!, t.Value!]));
  const apply = (arg: unknown) => vscode.commands.executeCommand<ApplyTagsOutcome>(Commands.applyTags, arg);
  const request = () => ({
    resources: [{ provider: 'AWS', id: arn(), type: 'ec2:instance', name: 'it-box', region: REGION, tags: { Name: 'it-box' } }],
    values: { Team: 'ml-research', Environment: 'dev' },
  });

  suiteSetup(async function () {
    this.timeout(120_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined })) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.endpoint);
    const run = await ec2().send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'g5.xlarge', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'it-box' }] }] }));
    instanceId = run.Instances![0]!.InstanceId!;
    await config().update('aws.endpoint', proxy.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', REGION, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    api?.confirmations.answerWith(undefined);
    await config().update('aws.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await proxy?.stop();
    await moto?.stop();
  });

  test('declining the modal changes nothing; confirming tags the instance in moto', async function () {
    this.timeout(120_000);
    proxy.clear();
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    const declined = await apply(request());
    assert.equal(declined.outcome, 'cancelled', JSON.stringify(declined));
    assert.equal(asked.length, 1, 'one modal');
    assert.equal(asked[0]!.action, 'Apply Tags');
    assert.match(asked[0]!.message, /Apply tags to 1 running resource\?/);
    assert.ok(asked[0]!.detail.includes(arn()), asked[0]!.detail);
    assert.match(asked[0]!.detail, /Team: \(none\) → "ml-research"\n {4}Environment: \(none\) → "dev"/);
    assert.deepEqual(await tagsOf(instanceId), { Name: 'it-box' }, 'nothing changed');
    assert.equal(proxy.of('CreateTags').length + proxy.of('TagResources').length, 0, 'no write call');

    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    const applied = await apply(request());
    assert.equal(applied.outcome, 'applied', JSON.stringify(applied));
    assert.deepEqual(applied.outcomes, [{ id: arn(), ok: true }]);
    assert.deepEqual(await tagsOf(instanceId), { Name: 'it-box', Team: 'ml-research', Environment: 'dev' });
    assert.equal(proxy.of('CreateTags').length, 1);
  });

  test('a value the policy refuses is refused before any modal, in the policy\'s words', async function () {
    this.timeout(60_000);
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    const refused = await apply({ ...request(), values: { Environment: 'prod' } });
    assert.equal(refused.outcome, 'refused');
    assert.match(refused.message, /Environment = "prod": expected one of "dev", "staging", "production"/);
    assert.equal(asked.length, 0);
  });

  test('a resource declared in the workspace\'s Terraform is not tagged in the cloud: its declaration opens with the missing-tag quick fix', async function () {
    this.timeout(120_000);
    const provider = api.costViews.tree.provider;
    await vscode.commands.executeCommand(Commands.refresh);
    await waitFor(() => api.costViews.view.store.snapshot('iac')?.kind === 'ready', 'the IaC resources', 60_000);
    const source = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'iac')!;
    const stack: TreeNode[] = provider.getChildren(source);
    let notebook: TreeNode | undefined;
    while (stack.length && !notebook) {
      const n = stack.shift()!;
      const r = n.kind === 'resource' ? provider.presentation.resolve(n).leaf?.resource : undefined;
      if (r && /^aws_instance\.notebook\b/.test(r.id) && /tagging[\\/]main\.tf$/.test(r.declaredIn?.file ?? '')) notebook = n;
      else if (n.kind === 'group' || n.kind === 'fold') stack.push(...provider.getChildren(n));
    }
    assert.ok(notebook, 'aws_instance.notebook of tagging/main.tf in the tree');
    proxy.clear();
    asked.length = 0;
    const routed = await apply({ node: notebook, values: { Team: 'platform' } });
    assert.equal(routed.outcome, 'routed', JSON.stringify(routed));
    assert.match(routed.routed![0]!.address, /^aws_instance\.notebook/);
    assert.equal(asked.length, 0, 'no modal: nothing is written to the cloud');
    assert.equal(proxy.requests.length, 0, 'no cloud call');
    const editor = await waitFor(() => /tagging[\\/]main\.tf$/.test(vscode.window.activeTextEditor?.document.uri.fsPath ?? '') ? vscode.window.activeTextEditor : undefined, 'the declaration to open');
    const declaredAt = routed.routed![0]!.range.startLine - 1;
    assert.match(editor.document.lineAt(declaredAt).text, /resource\s+"aws_instance"\s+"notebook"/);
    // the cursor lands on the missing-tag problem, where the quick fix is offered
    const actions = await waitFor(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, editor.selection, vscode.CodeActionKind.QuickFix.value);
      return found?.find((a) => /Add missing tags .*aws_instance\.notebook/.test(a.title));
    }, 'the missing-tag quick fix at the cursor', 30_000);
    assert.ok(actions.isPreferred);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('on the "(untagged)" group: one quick pick per missing key, suggestions first; every declared resource is sent to its declaration', async function () {
    this.timeout(120_000);
    const provider = api.costViews.tree.provider;
    await waitFor(() => api.costViews.view.store.snapshot('iac')?.kind === 'ready', 'the IaC resources', 60_000);
    const source = provider.getChildren().find((n) => n.kind === 'source' && n.sourceId === 'iac')!;
    const untagged = provider.getChildren(source).find((n) => n.kind === 'group' && provider.presentation.resolve(n).group?.value === null);
    assert.ok(untagged, 'an "(untagged)" group under Infrastructure as code');
    const at = api.costViews.tree.resourcesAt(untagged)!;
    assert.ok(at.resources.length >= 1);
    // what the quick picks offer first, per key: the suggestions of the first resource lacking it (the core's function)
    const policy = loadDefaultPolicy().policy;
    const targets = at.resources.map(tagTarget).filter((t): t is TagTarget => !!t);
    const neighbours = at.neighbours.map(tagTarget).filter((t): t is TagTarget => !!t);
    const keys = [...new Set(targets.flatMap((t) => keysToSet(policy, t).map((k) => k.key)))];
    const expected: Record<string, string> = {};
    for (const key of keys) {
      const lacking = targets.filter((t) => keysToSet(policy, t).some((k) => k.key === key));
      const first = lacking.flatMap((t) => suggestValues(policy, t, key, neighbours)).find((s) => lacking.every((o) => !tagValueProblem(policy, o.cloud, key, s.value)));
      if (first) expected[key] = first.value;
    }
    assert.ok(Object.keys(expected).length > 0, 'some key has a suggestion from the neighbours or the policy');
    proxy.clear();
    asked.length = 0;
    let done: ApplyTagsOutcome | null = null;
    const pending = apply(untagged).then((r) => { done = r; return r; });
    // accept the first item of each quick pick as it opens
    await waitFor(async () => {
      if (done !== null) return true;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return done !== null || undefined;
    }, 'the quick picks to be answered', 60_000, 250);
    const result = await pending;
    assert.equal(result.outcome, 'routed', JSON.stringify(result.message));
    assert.equal(result.routed!.length, at.resources.length, 'every resource of the group is declared in IaC');
    const chosen = Object.fromEntries(result.plan!.resources.flatMap((r) => r.changes.map((c) => [c.key, c.value])));
    for (const [key, value] of Object.entries(expected)) if (chosen[key] !== undefined) assert.equal(chosen[key], value, key);
    assert.ok(Object.keys(chosen).length > 0, 'values were chosen in the quick picks');
    assert.equal(asked.length, 0);
    assert.equal(proxy.requests.length, 0, 'no cloud call');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Resources view offers Apply Tags… on resources and groups in a trusted workspace only', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const menu = pkg.contributes.menus['view/item/context']!.find((m) => m.command === Commands.applyTags)!;
    assert.match(menu.when ?? '', /isWorkspaceTrusted/);
    assert.equal(vscode.workspace.isTrusted, true, 'the test workspace is trusted');
  });
});
