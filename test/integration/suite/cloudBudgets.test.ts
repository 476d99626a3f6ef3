import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BudgetsClient, CreateBudgetCommand, DescribeBudgetCommand, DescribeBudgetsCommand, DescribeNotificationsForBudgetCommand } from '@aws-sdk/client-budgets';
import { parse } from 'yaml';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { CloudBudget } from '../../../src/core/cloudBudgets';
import { addBudgetsToPolicyText } from '../../../src/core/budgets/policyText';
import { startMoto, type Moto } from '../../support/moto';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';
import { waitFor } from '../support/waitFor';

const EXTENSION_ID = 'ml-finops.ml-finops';
/** moto's account. */
const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:budget-alerts`;
const POLICY = 'cloudBudgets/.finops.yaml';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** The AWS budget the import test creates, as a .finops.yaml entry (AWS does not return e-mail subscribers). */
const VISION_ENTRY = { name: 'vision-annual', scope: { tag: { Team: 'vision' }, provider: 'aws' }, amount: 300000, currency: 'USD', period: 'annual', alerts: [{ at: 100, on: 'forecast' }] };

suite('Cloud budgets: "Create Cloud Budget…" after a modal showing the request, "Import Cloud Budgets" into .finops.yaml, against moto\'s AWS Budgets', () => {
  let api: MlFinOpsApi;
  let moto: Moto;
  let proxy: RecordingProxy;
  let policy: vscode.Uri;
  const savedEnv: Record<string, string | undefined> = {};
  const asked: ConfirmRequest[] = [];
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const sdk = () => new BudgetsClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  const budgetNames = async () => {
    const client = sdk();
    try {
      return ((await client.send(new DescribeBudgetsCommand({ AccountId: ACCOUNT }))).Budgets ?? []).map((b) => b.BudgetName).sort();
    } finally {
      client.destroy();
    }
  };
  const create = (arg: object) => vscode.commands.executeCommand<CloudBudget | undefined>(Commands.createCloudBudget, arg);
  const importBudgets = (names: string[]) => vscode.commands.executeCommand<number>(Commands.importCloudBudgets, { names });
  const policyText = () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === policy.toString())?.getText() ?? fs.readFileSync(policy.fsPath, 'utf8');
  /** The request JSON the modal shows under "AWS Budgets CreateBudget on AWS account …:". */
  const requestIn = (detail: string): unknown => {
    const m = /^AWS Budgets CreateBudget on AWS account \d{12}:\n([\s\S]*)$/m.exec(detail);
    assert.ok(m, `the modal shows the request: ${detail}`);
    return JSON.parse(m[1]!);
  };

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    policy = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, POLICY);
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined })) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.endpoint);
    await config().update('tags.policyFile', POLICY, vscode.ConfigurationTarget.Workspace);
    await config().update('aws.endpoint', proxy.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.enabled', true, vscode.ConfigurationTarget.Global);
    assert.ok(fs.existsSync(policy.fsPath), `${policy.fsPath} exists`);
    await waitFor(async () => { await api.costViews.view.readPolicy(); return api.costViews.view.budgets.some((b) => b.name === 'platform-quarterly') || undefined; }, `the test policy's budgets (${vscode.workspace.getConfiguration('mlFinops').get('tags.policyFile')}: ${api.costViews.view.budgets.map((b) => b.name).join(', ')})`, 30_000, 200);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    api?.confirmations.answerWith(undefined);
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === policy?.toString()) {
        await vscode.window.showTextDocument(tab.input.uri);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    }
    for (const key of ['aws.enabled', 'aws.endpoint']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await config().update('tags.policyFile', undefined, vscode.ConfigurationTarget.Workspace);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await proxy?.stop();
    await moto?.stop();
  });

  test('declining the modal creates nothing; the modal shows the request that confirming then sends, and moto holds it', async function () {
    this.timeout(120_000);
    proxy.clear();
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    assert.equal(await create({ budget: 'research-gpu', cloud: 'aws' }), undefined, 'declined');
    assert.equal(asked.length, 1, 'one modal confirmation');
    const question = asked[0]!;
    assert.equal(question.action, 'Create Budget');
    assert.equal(question.message, `Create budget "research-gpu" in AWS account ${ACCOUNT}?`);
    // the budget in words: name, amount, currency, period, filter, thresholds and who is told
    assert.match(question.detail, /Budget "research-gpu": USD 12,000\.00 monthly/);
    assert.match(question.detail, /Counts: Team = research\./);
    assert.match(question.detail, new RegExp(`Alerts at 80 % of actual spend, 100 % of forecast spend, to ml-leads@example\\.com, SNS ${TOPIC}\\.`));
    // and the request itself, exactly
    const shown = requestIn(question.detail);
    assert.deepEqual(shown, {
      AccountId: ACCOUNT,
      Budget: {
        BudgetName: 'research-gpu', BudgetType: 'COST', TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '12000', Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:Team$research'] },
      },
      NotificationsWithSubscribers: [['ACTUAL', 80], ['FORECASTED', 100]].map(([type, at]) => ({
        Notification: { NotificationType: type, ComparisonOperator: 'GREATER_THAN', Threshold: at, ThresholdType: 'PERCENTAGE' },
        Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'ml-leads@example.com' }, { SubscriptionType: 'SNS', Address: TOPIC }],
      })),
    });
    assert.equal(proxy.of('CreateBudget').length, 0, 'nothing was sent');
    assert.deepEqual(await budgetNames(), [], 'moto holds no budget');

    // confirmed: exactly the shown request goes on the wire, and AWS holds the budget
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    const created = await create({ budget: 'research-gpu', cloud: 'aws' });
    assert.ok(created, 'created');
    assert.equal(created.name, 'research-gpu');
    assert.equal(asked.length, 1);
    const sent = proxy.of('CreateBudget');
    assert.equal(sent.length, 1, 'one CreateBudget');
    assert.deepEqual(JSON.parse(sent[0]!.body), requestIn(asked[0]!.detail), 'what was sent is what the modal showed');
    const client = sdk();
    try {
      const stored = (await client.send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'research-gpu' }))).Budget;
      assert.deepEqual(stored?.BudgetLimit, { Amount: '12000', Unit: 'USD' });
      assert.equal(stored?.TimeUnit, 'MONTHLY');
      assert.equal(stored?.BudgetType, 'COST');
      assert.deepEqual(stored?.CostFilters, { TagKeyValue: ['user:Team$research'] });
      const notes = await client.send(new DescribeNotificationsForBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'research-gpu' }));
      assert.deepEqual(notes.Notifications?.map((n) => [n.NotificationType, n.Threshold]), [['ACTUAL', 80], ['FORECASTED', 100]]);
    } finally {
      client.destroy();
    }
  });

  test('a budget without recipients e-mails the address given; a quarterly one is a QUARTERLY budget', async function () {
    this.timeout(120_000);
    proxy.clear();
    asked.length = 0;
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    const created = await create({ budget: 'platform-quarterly', cloud: 'aws', email: 'platform@example.com' });
    assert.ok(created);
    const detail = asked[0]!.detail;
    assert.match(detail, /Budget "platform-quarterly": USD 45,000\.00 quarterly/);
    assert.match(detail, /Alerts at 90 % of actual spend, to platform@example\.com\./);
    const shown = requestIn(detail) as { Budget: { TimeUnit: string; BudgetLimit: unknown; CostFilters?: unknown }; NotificationsWithSubscribers: { Subscribers: unknown }[] };
    assert.equal(shown.Budget.TimeUnit, 'QUARTERLY');
    assert.deepEqual(shown.Budget.BudgetLimit, { Amount: '45000', Unit: 'USD' });
    assert.equal(shown.Budget.CostFilters, undefined, 'all spend');
    assert.deepEqual(shown.NotificationsWithSubscribers.map((n) => n.Subscribers), [[{ SubscriptionType: 'EMAIL', Address: 'platform@example.com' }]]);
    assert.deepEqual(JSON.parse(proxy.of('CreateBudget')[0]!.body), shown);
    assert.deepEqual(await budgetNames(), ['platform-quarterly', 'research-gpu']);
  });

  test('Import writes the cloud budgets that are not in .finops.yaml after its last budget, every other byte kept; a second import adds nothing', async function () {
    this.timeout(120_000);
    const client = sdk();
    try {
      await client.send(new CreateBudgetCommand({
        AccountId: ACCOUNT,
        Budget: { BudgetName: 'vision-annual', BudgetType: 'COST', TimeUnit: 'ANNUALLY', BudgetLimit: { Amount: '300000', Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:Team$vision'] } },
        NotificationsWithSubscribers: [{ Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'vision@example.com' }] }],
      }));
    } finally {
      client.destroy();
    }
    const before = policyText();
    // research-gpu and platform-quarterly are in AWS (created above) and already in the policy: only vision-annual is new
    assert.equal(await importBudgets(['research-gpu', 'platform-quarterly', 'vision-annual']), 1);
    const after = await waitFor(() => { const t = policyText(); return t !== before ? t : undefined; }, 'the policy to be edited');
    // the user's text is untouched: the new entry is inserted after the last budget, before the blank line
    const last = '        alerts: [{at: 90}]\n';
    assert.ok(before.includes(last));
    const insertAt = before.indexOf(last) + last.length;
    assert.equal(after.slice(0, insertAt), before.slice(0, insertAt), 'everything before the insertion is kept byte for byte');
    assert.ok(after.endsWith(before.slice(insertAt)), 'everything after it too');
    const inserted = after.slice(insertAt, after.length - (before.length - insertAt));
    assert.ok(inserted.startsWith('    -   name: vision-annual\n        scope:\n'), `in the file's own four-space indentation:\n${inserted}`);
    assert.equal(after, addBudgetsToPolicyText(before, [VISION_ENTRY]), 'the text the policy editor writes (unit-tested for its formatting)');
    const parsed = parse(after) as { budgets: { name: string }[]; showback: unknown; tags: unknown };
    assert.deepEqual(parsed.budgets.map((b) => b.name), ['research-gpu', 'platform-quarterly', 'vision-annual']);
    assert.deepEqual(parsed.budgets[2], VISION_ENTRY, 'the cloud budget as read from AWS');
    assert.deepEqual(parsed.showback, { allocation: 'even' });
    // the edit is in the editor, unsaved, for the user to review
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === policy.toString());
    assert.ok(doc?.isDirty, 'the policy is open with the change unsaved');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), policy.toString(), 'and shown');

    // again: vision-annual is now in the (unsaved) text, research-gpu in the saved policy: nothing is added
    assert.equal(await importBudgets(['research-gpu', 'platform-quarterly', 'vision-annual']), 0);
    assert.equal(policyText(), after, 'the policy is unchanged');
    assert.equal(path.basename(policy.fsPath), '.finops.yaml');
  });
});
