import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateScheduleCommand, CreateScheduleGroupCommand, GetScheduleCommand, ListScheduleGroupsCommand, ListSchedulesCommand, ListTagsForResourceCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { AwsVmScheduler } from '../../../src/providers/aws/shutdownSchedule';
import { applySchedule, prepareSchedule, undoAction } from '../../../src/core/act/scheduleAction';
import { scheduleSaving } from '../../../src/core/act/shutdownPlan';
import { emptyJournal, type Journal, type JournalStore } from '../../../src/core/act/journal';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'eu-central-1';
const ROLE = 'arn:aws:iam::123456789012:role/mlfinops-scheduler';
const aws = motoBehind('act-schedule', startRecordingProxy);
beforeEach(async () => {
  await aws.moto.reset();
  aws.fake.clear();
});

const ec2 = () => new EC2Client({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
const scheduler = () => new SchedulerClient({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });

async function launch(tags: Record<string, string>): Promise<string> {
  const r = await ec2().send(new RunInstancesCommand({
    ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'p3.2xlarge',
    TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
  }));
  return r.Instances![0]!.InstanceId!;
}

/** What the account holds that a schedule touches: the instance's tags, the schedule groups and every schedule. */
async function state(instanceId: string) {
  const d = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const tags = Object.fromEntries((d.Reservations![0]!.Instances![0]!.Tags ?? []).map((t) => [t.Key!, t.Value!]));
  const groups = ((await scheduler().send(new ListScheduleGroupsCommand({}))).ScheduleGroups ?? []).map((g) => g.Name).sort();
  const schedules = [];
  for (const s of ((await scheduler().send(new ListSchedulesCommand({}))).Schedules ?? [])) {
    const full = await scheduler().send(new GetScheduleCommand({ GroupName: s.GroupName, Name: s.Name }));
    schedules.push({ name: `${full.GroupName}/${full.Name}`, expression: full.ScheduleExpression, zone: full.ScheduleExpressionTimezone, target: full.Target?.Arn, input: full.Target?.Input, description: full.Description });
  }
  return { tags, groups, schedules: schedules.sort((a, b) => a.name.localeCompare(b.name)) };
}

function memoryStore(): JournalStore & { journal: Journal } {
  const store = {
    journal: emptyJournal(), where: 'memory',
    read: async () => structuredClone(store.journal),
    write: async (j: Journal) => { store.journal = structuredClone(j); },
  };
  return store;
}

function prepare(resource: string, schedule: string, mode: 'eventbridge' | 'instance-scheduler' = 'eventbridge') {
  const provider = new AwsVmScheduler({ profile: '', region: REGION, endpoint: aws.fake.endpoint, credentials });
  return prepareSchedule({
    resource, schedule, defaultTimeZone: 'UTC', awsMode: mode, roleArn: ROLE,
    scheduler: () => provider,
    saving: (facts, s) => scheduleSaving({ prices: shippedCatalogue().prices(facts.size, 'us-east-1'), hoursPerMonth: 730, month: { year: 2026, month: 12 }, schedule: s }),
  });
}

describe('shutdown schedules on AWS, against moto (EC2 and EventBridge Scheduler)', () => {
  test('EventBridge: a stop / start pair in the tagged ml-finops group, time zone aware; the instance keeps its tags; undo restores exactly', async () => {
    const id = await launch({ Team: 'nlp', Name: 'trainer' });
    const before = await state(id);
    const store = memoryStore();
    const { plan, scheduler: exec } = await prepare(`arn:aws:ec2:${REGION}:123456789012:instance/${id}`, 'Mon-Fri 08:00-19:00 Europe/Berlin');
    assert.equal(plan.facts.size, 'p3.2xlarge');
    const writes = aws.fake.requests.filter((r) => (r.method !== 'GET' && r.path.startsWith('/schedule')) || /^(CreateTags|DeleteTags)$/.test(r.operation ?? ''));
    assert.deepEqual(writes, [], 'planning changes nothing');
    assert.deepEqual(await state(id), before);

    const entry = await applySchedule(plan, exec, store);
    const after = await state(id);
    assert.deepEqual(after.tags, { Team: 'nlp', Name: 'trainer', 'ml-finops:schedule': 'Mon-Fri 08:00-19:00 Europe/Berlin' });
    assert.deepEqual(after.groups, ['default', 'ml-finops']);
    assert.deepEqual(after.schedules.map((s) => [s.name, s.expression, s.zone, s.target, s.input]), [
      [`ml-finops/mlfinops-${id}-start-0800`, 'cron(0 8 ? * MON-FRI *)', 'Europe/Berlin', 'arn:aws:scheduler:::aws-sdk:ec2:startInstances', JSON.stringify({ InstanceIds: [id] })],
      [`ml-finops/mlfinops-${id}-stop-1900`, 'cron(0 19 ? * MON-FRI *)', 'Europe/Berlin', 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances', JSON.stringify({ InstanceIds: [id] })],
    ]);
    const groupArn = `arn:aws:scheduler:${REGION}:123456789012:schedule-group/ml-finops`;
    const groupTags = await scheduler().send(new ListTagsForResourceCommand({ ResourceArn: groupArn }));
    assert.deepEqual(groupTags.Tags, [{ Key: 'ManagedBy', Value: 'ml-finops' }]);
    assert.equal(store.journal.entries.length, 1);

    await undoAction(store, entry.id, () => exec);
    assert.deepEqual(await state(id), before);
    assert.equal(store.journal.entries.length, 0);
  });

  test('EventBridge over an existing group and schedule of the same name: the plan says Replace; undo puts the old definition back and keeps the group', async () => {
    const id = await launch({ Team: 'cv' });
    await scheduler().send(new CreateScheduleGroupCommand({ Name: 'ml-finops' }));
    await scheduler().send(new CreateScheduleCommand({
      GroupName: 'ml-finops', Name: `mlfinops-${id}-stop-1900`, ScheduleExpression: 'cron(0 21 ? * * *)', ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances', RoleArn: ROLE, Input: '{"InstanceIds":["x"]}' }, Description: 'hand-made',
    }));
    const before = await state(id);
    const store = memoryStore();
    const { plan, scheduler: exec } = await prepare(id, 'Mon-Fri 08:00-19:00 Europe/Berlin');
    const lines = plan.changes.map((c) => c.kind === 'ebSchedule' || c.kind === 'ebGroup' ? `${c.name}:${c.exists}` : c.kind);
    assert.deepEqual(lines, ['ml-finops:true', `mlfinops-${id}-start-0800:false`, `mlfinops-${id}-stop-1900:true`, 'awsTag']);
    const entry = await applySchedule(plan, exec, store);
    assert.equal((await state(id)).schedules.find((s) => s.name.endsWith('stop-1900'))?.expression, 'cron(0 19 ? * MON-FRI *)');
    await undoAction(store, entry.id, () => exec);
    assert.deepEqual(await state(id), before);
  });

  test('Instance Scheduler: Schedule=<name> replaces the old value, and undo puts the old value back and removes the added tag', async () => {
    const id = await launch({ Team: 'nlp', Schedule: 'office-hours' });
    const before = await state(id);
    const store = memoryStore();
    const { plan, scheduler: exec } = await prepare(id, 'Mon-Fri 08:00-19:00 Europe/Berlin', 'instance-scheduler');
    assert.match(plan.documents[0]!.content, /Custom::ServiceInstanceSchedule/);
    const entry = await applySchedule(plan, exec, store);
    const after = await state(id);
    assert.deepEqual(after.tags, { Team: 'nlp', Schedule: 'mlfinops-mon-fri-0800-1900-europe-berlin', 'ml-finops:schedule': 'Mon-Fri 08:00-19:00 Europe/Berlin' });
    assert.deepEqual(after.schedules, [], 'no EventBridge schedule in this mode');
    await undoAction(store, entry.id, () => exec);
    assert.deepEqual(await state(id), before);
  });

  test('a stopped instance is refused before anything changes; an unknown instance names the fix', async () => {
    const id = await launch({ Team: 'nlp' });
    await ec2().send(new StopInstancesCommand({ InstanceIds: [id] }));
    await ec2().send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'x', Value: 'y' }] }));
    const before = await state(id);
    await assert.rejects(prepare(id, 'Mon-Fri 08:00-19:00 UTC'), (e: unknown) => isFinOpsError(e, 'input') && /not running/.test(e.message));
    await assert.rejects(prepare('i-0000000000000dead', 'Mon-Fri 08:00-19:00 UTC'), (e: unknown) => isFinOpsError(e, 'input') && /No EC2 instance/.test(e.message));
    assert.deepEqual(await state(id), before);
  });
});
