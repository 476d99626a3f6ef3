import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { applyOfflineEnv, motoBehind, offlineEnv } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { runCli } from '../../support/cli';
import { scheduleSaving } from '../../../src/core/act/shutdownPlan';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { parseSchedule } from '../../../src/core/savings/schedule';
import { usd } from '../../../src/core/savings/estimate';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const REGION = 'us-east-1';
const aws = motoBehind('act-cli', startRecordingProxy);
beforeEach(async () => { await aws.moto.reset(); aws.fake.clear(); });

const ec2 = () => new EC2Client({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });
const scheduler = () => new SchedulerClient({ region: REGION, endpoint: aws.moto.endpoint, credentials, maxAttempts: 1 });

async function launch(): Promise<string> {
  const r = await ec2().send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'p3.2xlarge', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Team', Value: 'nlp' }] }] }));
  return r.Instances![0]!.InstanceId!;
}

async function state(id: string) {
  const d = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return { tags: d.Reservations![0]!.Instances![0]!.Tags, schedules: (await scheduler().send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name).sort() };
}

const env = { ...offlineEnv };
const act = (args: string[], cwd: string) => runCli(['act', ...args, '--endpoint', aws.fake.endpoint, '--region', REGION], { cwd, env });

describe('mlfinops act schedule / act undo (against moto)', () => {
  test('without --yes: prints the plan with the saving and its source, and changes nothing', async () => {
    const id = await launch();
    const before = await state(id);
    const r = await act(['schedule', '--resource', id, '--schedule', 'Mon-Fri 08:00-19:00 Europe/Berlin', '--role-arn', 'arn:aws:iam::123456789012:role/sched'], aws.dir);
    assert.equal(r.code, 0, r.err);
    const now = new Date();
    const expected = scheduleSaving({ prices: shippedCatalogue().prices('p3.2xlarge', REGION), hoursPerMonth: 730, month: { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 }, schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin') });
    assert.ok(r.out.includes(`Saving: ${usd(expected.monthlySaving)} a month`), r.out);
    assert.match(r.out, /captured 2026-07-20/);
    assert.match(r.out, /Create EventBridge schedule ml-finops\/mlfinops-i-[0-9a-f]+-stop-1900: cron\(0 19 \? \* MON-FRI \*\) Europe\/Berlin/);
    assert.match(r.out, /Nothing changed\. Run again with --yes/);
    assert.deepEqual(await state(id), before);
    const writes = aws.fake.requests.filter((q) => (q.method !== 'GET' && q.path.startsWith('/schedule')) || /^(CreateTags|DeleteTags)$/.test(q.operation ?? ''));
    assert.deepEqual(writes, []);
    assert.equal(existsSync(join(aws.dir, '.finops', 'actions.json')), false);
  });

  test('with --yes: applies and journals; act undo restores exactly and empties the journal', async () => {
    const id = await launch();
    const before = await state(id);
    const r = await act(['schedule', '--resource', id, '--schedule', 'Mon-Fri 08:00-19:00 Europe/Berlin', '--mode', 'instance-scheduler', '--yes'], aws.dir);
    assert.equal(r.code, 0, r.err);
    const journal = JSON.parse(readFileSync(join(aws.dir, '.finops', 'actions.json'), 'utf8')) as { entries: { id: string }[] };
    assert.equal(journal.entries.length, 1);
    assert.ok(existsSync(join(aws.dir, '.finops', 'instance-scheduler', 'mlfinops-mon-fri-0800-1900-europe-berlin.template.yaml')));
    assert.notDeepEqual(await state(id), before);
    const listed = await act(['undo', '--list'], aws.dir);
    assert.match(listed.out, new RegExp(journal.entries[0]!.id));
    const u = await act(['undo'], aws.dir);
    assert.equal(u.code, 0, u.err);
    assert.deepEqual(await state(id), before);
    const again = await act(['undo'], aws.dir);
    assert.equal(again.code, 2);
    assert.match(again.err, /Nothing to undo/);
  });

  test('bad input names the fix and changes nothing', async () => {
    const id = await launch();
    const bad = await act(['schedule', '--resource', id, '--schedule', 'Mon-Fri 08:00-19:00 Berlin'], aws.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Unknown time zone "Berlin"/);
    const noRole = await act(['schedule', '--resource', id, '--schedule', 'Mon-Fri 08:00-19:00 UTC', '--yes'], aws.dir);
    assert.equal(noRole.code, 2);
    assert.match(noRole.err, /--role-arn/);
    assert.deepEqual((await state(id)).schedules, []);
  });
});
