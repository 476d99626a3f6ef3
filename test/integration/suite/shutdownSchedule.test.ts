import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ListScheduleGroupsCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { Commands } from '../../../src/shared/commands';
import type { MlFinOpsApi } from '../../../src/extension';
import type { ConfirmRequest } from '../../../src/platform/confirmations';
import type { ScheduleOutcome } from '../../../src/features/shutdownSchedule/register';
import type { JournalEntry } from '../../../src/core/act/journal';
import { usd } from '../../../src/core/savings/estimate';
import { startMoto, type Moto } from '../../support/moto';

const EXTENSION_ID = 'ml-finops.ml-finops';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const ROLE = 'arn:aws:iam::123456789012:role/mlfinops-scheduler';

suite('Schedule Shutdown: nothing changes without the modal; confirming creates the EventBridge schedules in moto; Undo restores', () => {
  let api: MlFinOpsApi;
  let moto: Moto;
  let instanceId = '';
  const savedEnv: Record<string, string | undefined> = {};
  const asked: ConfirmRequest[] = [];
  const config = () => vscode.workspace.getConfiguration('mlFinops');
  const ec2 = () => new EC2Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  const scheduler = () => new SchedulerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  const state = async () => {
    const d = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const tags = Object.fromEntries((d.Reservations?.[0]?.Instances?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    const groups = ((await scheduler().send(new ListScheduleGroupsCommand({}))).ScheduleGroups ?? []).map((g) => g.Name).sort();
    const schedules = ((await scheduler().send(new ListSchedulesCommand({}))).Schedules ?? []).map((s) => `${s.GroupName}/${s.Name}`).sort();
    return { tags, groups, schedules };
  };
  const run = (schedule = 'Mon-Fri 08:00-19:00 Europe/Berlin') => vscode.commands.executeCommand<ScheduleOutcome>(Commands.scheduleShutdown, {
    resourceId: `arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`, schedule, mode: 'eventbridge',
  });

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await vscode.extensions.getExtension<MlFinOpsApi>(EXTENSION_ID)!.activate();
    for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined })) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    moto = await startMoto();
    const r = await ec2().send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'p3.2xlarge', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Team', Value: 'nlp' }] }] }));
    instanceId = r.Instances![0]!.InstanceId!;
    await config().update('aws.endpoint', moto.endpoint, vscode.ConfigurationTarget.Global);
    await config().update('aws.region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('aws.profile', undefined, vscode.ConfigurationTarget.Global);
    await config().update('aws.schedulerRoleArn', ROLE, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    api?.confirmations.answerWith(undefined);
    for (const k of ['aws.endpoint', 'aws.region', 'aws.schedulerRoleArn']) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await moto?.stop();
    for (const [k, v] of Object.entries(savedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  });

  test('declining the modal changes nothing; it listed every change and the saving', async function () {
    this.timeout(120_000);
    const before = await state();
    api.confirmations.answerWith((r) => { asked.push(r); return false; });
    const outcome = await run();
    assert.equal(outcome.status, 'declined');
    const question = asked.at(-1)!;
    assert.equal(question.action, 'Schedule Shutdown');
    assert.match(question.message, new RegExp(`Schedule the shutdown of ${instanceId}\\? It saves about \\$[\\d,]+\\.\\d\\d a month`));
    assert.match(question.detail, /Create EventBridge Scheduler schedule group ml-finops in us-east-1, tagged ManagedBy=ml-finops/);
    assert.match(question.detail, new RegExp(`Create EventBridge schedule ml-finops/mlfinops-${instanceId}-stop-1900: cron\\(0 19 \\? \\* MON-FRI \\*\\) Europe/Berlin`));
    assert.match(question.detail, new RegExp(`Create EventBridge schedule ml-finops/mlfinops-${instanceId}-start-0800`));
    assert.match(question.detail, /Tag EC2 instance .*ml-finops:schedule=Mon-Fri 08:00-19:00 Europe\/Berlin \(new tag\)/);
    assert.match(question.detail, /Saving: \$[\d,]+\.\d\d a month .*captured 2026-07-20/);
    assert.deepEqual(await state(), before);
  });

  test('confirming creates the stop / start schedules in moto, keeps the instance\'s tags; Undo restores the prior state exactly', async function () {
    this.timeout(120_000);
    const before = await state();
    api.confirmations.answerWith((r) => { asked.push(r); return true; });
    const outcome = await run();
    assert.equal(outcome.status, 'applied', outcome.status === 'applied' ? '' : outcome.message);
    const applied = outcome as Extract<ScheduleOutcome, { status: 'applied' }>;
    assert.ok(asked.at(-1)!.message.includes(usd(applied.plan.saving.monthlySaving)));
    const after = await state();
    assert.deepEqual(after.schedules, [`ml-finops/mlfinops-${instanceId}-start-0800`, `ml-finops/mlfinops-${instanceId}-stop-1900`]);
    assert.deepEqual(after.tags, { Team: 'nlp', 'ml-finops:schedule': 'Mon-Fri 08:00-19:00 Europe/Berlin' });
    const undone = await vscode.commands.executeCommand<JournalEntry | undefined>(Commands.undoScheduleShutdown, applied.entry.id);
    assert.equal(undone?.id, applied.entry.id);
    assert.deepEqual(await state(), before);
  });
});
