import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFinOpsError } from '../../../src/core/errors';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { planSavings } from '../../../src/core/savings/plan';
import { buildReport } from '../../../src/core/savings/report';
import { parseSchedule } from '../../../src/core/savings/schedule';
import { buildShutdownPlan, describeChange, instanceSchedulerName, planLines, scheduleSaving, withExisting, changeKey, type VmFacts } from '../../../src/core/act/shutdownPlan';
import { parseVmRef } from '../../../src/core/act/target';
import { eventBridgeCron, runningHoursPerWeek, runningMinutes, transitions, unixCron } from '../../../src/core/act/weekly';
import { windowsTimeZone } from '../../../src/core/act/windowsZones';
import { entryId, parseJournal, pickEntry } from '../../../src/core/act/journal';
import { seeded, pick } from '../../fuzz/mutate';
import { formatSchedule } from '../../../src/core/savings/schedule';

const month = { year: 2026, month: 12 };

function awsFacts(over: Partial<VmFacts> = {}): VmFacts {
  return { ref: parseVmRef('i-0123456789abcdef0'), name: 'trainer', region: 'us-east-1', size: 'p3.2xlarge', state: 'running', running: true, tags: { Team: 'nlp' }, account: '123456789012', ...over };
}

function saving(text: string, size = 'p3.2xlarge', region = 'us-east-1') {
  const prices = shippedCatalogue().prices(size, region);
  return scheduleSaving({ prices, hoursPerMonth: 730, month, schedule: parseSchedule(text) });
}

const throwsInput = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => isFinOpsError(e) && pattern.test(e.message) && !!e.fix);

describe('shutdown schedules: the week, its transitions and cron expressions', () => {
  it('Mon-Fri 08:00-19:00 Europe/Berlin runs 55 h a week, starts at 08:00 and stops at 19:00 on weekdays', () => {
    const s = parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin');
    assert.equal(runningHoursPerWeek(s), 55);
    const [start, stop] = transitions(s);
    assert.deepEqual(start, { action: 'start', minute: 480, days: [1, 2, 3, 4, 5] });
    assert.deepEqual(stop, { action: 'stop', minute: 1140, days: [1, 2, 3, 4, 5] });
    assert.equal(eventBridgeCron(start!), 'cron(0 8 ? * MON-FRI *)');
    assert.equal(eventBridgeCron(stop!), 'cron(0 19 ? * MON-FRI *)');
    assert.equal(unixCron(stop!), '0 19 * * 1-5');
  });

  it('a window past midnight stops the next morning; touching windows merge; weekends list as days', () => {
    const night = transitions(parseSchedule('Mon-Fri 22:30-06:00 UTC'));
    assert.deepEqual(night.map(eventBridgeCron), ['cron(30 22 ? * MON-FRI *)', 'cron(0 6 ? * TUE-SAT *)']);
    const merged = transitions(parseSchedule('Mon 08:00-12:00; Mon 12:00-18:00 UTC'));
    assert.equal(merged.length, 2);
    assert.equal(eventBridgeCron(transitions(parseSchedule('Sat-Sun 10:00-14:00 UTC'))[0]!), 'cron(0 10 ? * SUN,SAT *)');
    assert.equal(unixCron(transitions(parseSchedule('Daily 09:15-17:45 UTC'))[1]!), '45 17 * * *');
  });

  it('a schedule that never stops is refused with the fix', () => {
    throwsInput(() => transitions(parseSchedule('Daily 00:00-24:00 UTC')), /around the clock/);
  });

  it('property: any schedule runs as many minutes as its hours a week say, and starts as often as it stops', () => {
    const random = seeded(7);
    const days = ['Mon', 'Tue-Thu', 'Fri-Mon', 'Sat', 'Daily', 'Mon,Wed,Fri', 'Sun'];
    for (let i = 0; i < 200; i++) {
      const n = 1 + Math.floor(random() * 3);
      const text = Array.from({ length: n }, () => {
        const a = Math.floor(random() * 96) * 15;
        let b = Math.floor(random() * 96) * 15;
        if (b === a) b = (a + 60) % 1440;
        const c = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        return `${pick(random, days)} ${c(a)}-${c(b)}`;
      }).join('; ');
      const s = parseSchedule(`${text} Europe/Berlin`);
      const minutes = runningMinutes(s).reduce((x, y) => x + y, 0);
      assert.equal(runningHoursPerWeek(s), minutes / 60, text);
      assert.deepEqual(runningMinutes(parseSchedule(formatSchedule(s))), runningMinutes(s), text);
      if (minutes === 7 * 1440) continue;
      const list = transitions(s);
      const count = (a: string) => list.filter((t) => t.action === a).reduce((x, t) => x + t.days.length, 0);
      assert.equal(count('start'), count('stop'), text);
    }
  });
});

describe('shutdown schedules: the saving is the savings report\'s auto-shutdown figure', () => {
  it('equals the report\'s auto-shutdown row for the same prices, baseline and month', () => {
    const prices = shippedCatalogue().prices('p3.2xlarge', 'us-east-1');
    const schedule = parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin');
    const ours = scheduleSaving({ prices, hoursPerMonth: 730, month, schedule });
    const report = buildReport(planSavings({ prices, candidates: shippedCatalogue().pricedIn('aws', 'us-east-1'), hoursPerMonth: 730, month, schedule }));
    const row = report.options.find((o) => o.kind === 'schedule');
    assert.ok(row);
    assert.equal(ours.monthlySaving, row.monthlySaving);
    assert.equal(ours.monthlyCost, row.monthlyCost);
    assert.equal(ours.baselineMonthlyCost, 3.06 * 730);
    assert.ok(ours.monthlySaving > 1400 && ours.monthlySaving < 1600, String(ours.monthlySaving));
    const plan = buildShutdownPlan({ facts: awsFacts(), schedule, saving: ours, roleArn: 'arn:aws:iam::123456789012:role/scheduler' });
    assert.equal(plan.saving.monthlySaving, row.monthlySaving);
    assert.match(planLines(plan).join('\n'), /captured 2026-07-20/);
  });
});

describe('shutdown schedules: the change plan on each cloud', () => {
  it('AWS EventBridge: a tagged group, a stop / start pair with the time zone, the instance tag, and the role policy', () => {
    const plan = buildShutdownPlan({ facts: awsFacts(), schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin'), saving: saving('Mon-Fri 08:00-19:00 Europe/Berlin'), roleArn: 'arn:aws:iam::123456789012:role/scheduler' });
    assert.deepEqual(plan.changes.map((c) => c.kind), ['ebGroup', 'ebSchedule', 'ebSchedule', 'awsTag']);
    const [, start, stop] = plan.changes;
    assert.ok(start?.kind === 'ebSchedule' && stop?.kind === 'ebSchedule');
    assert.equal(start.expression, 'cron(0 8 ? * MON-FRI *)');
    assert.equal(stop.timeZone, 'Europe/Berlin');
    assert.equal(stop.name, 'mlfinops-i-0123456789abcdef0-stop-1900');
    const policy = JSON.parse(plan.documents[0]!.content) as { Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: string }[] } }[] };
    assert.deepEqual(policy.Policies[0]!.PolicyDocument.Statement[0]!.Action, ['ec2:StopInstances', 'ec2:StartInstances']);
    assert.equal(policy.Policies[0]!.PolicyDocument.Statement[0]!.Resource, 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0');
    assert.match(describeChange(plan.changes[3]!), /ml-finops:schedule=Mon-Fri 08:00-19:00 Europe\/Berlin \(new tag\)/);
    const replaced = withExisting(plan, new Set([changeKey(stop)]));
    assert.match(describeChange(replaced.changes[2]!), /^Replace/);
  });

  it('AWS EventBridge without a role names the fix', () => {
    assert.throws(() => buildShutdownPlan({ facts: awsFacts(), schedule: parseSchedule('Mon-Fri 08:00-19:00 UTC'), saving: saving('Mon-Fri 08:00-19:00 UTC') }), (e: unknown) => isFinOpsError(e, 'usage') && /--role-arn/.test(e.fix));
  });

  it('AWS Instance Scheduler: Schedule=<name> (its prior value kept for undo) and the documented custom resource', () => {
    const schedule = parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin');
    const plan = buildShutdownPlan({ facts: awsFacts({ tags: { Schedule: 'old-hours' } }), schedule, saving: saving('Mon-Fri 08:00-19:00 Europe/Berlin'), awsMode: 'instance-scheduler' });
    const name = instanceSchedulerName(schedule);
    assert.equal(name, 'mlfinops-mon-fri-0800-1900-europe-berlin');
    assert.deepEqual(plan.changes[0], { kind: 'awsTag', instanceId: 'i-0123456789abcdef0', region: 'us-east-1', key: 'Schedule', value: name, before: 'old-hours' });
    const doc = plan.documents[0]!.content;
    for (const needle of ["Type: 'Custom::ServiceInstanceSchedule'", 'ServiceToken: !Ref ServiceInstanceScheduleServiceTokenARN', `Name: ${name}`, 'Timezone: Europe/Berlin', "BeginTime: '08:00'", "EndTime: '19:00'", 'WeekDays: mon-fri', `--timezone Europe/Berlin`]) {
      assert.ok(doc.includes(needle), needle);
    }
  });

  it('GCP: one instance schedule policy (start / stop cron, IANA zone) created in the region and attached', () => {
    const facts: VmFacts = { ref: parseVmRef('projects/ml-prod-123/zones/us-central1-a/instances/trainer-1'), name: 'trainer-1', region: 'us-central1', size: 'a2-highgpu-1g', state: 'RUNNING', running: true, tags: {} };
    const plan = buildShutdownPlan({ facts, schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin'), saving: saving('Mon-Fri 08:00-19:00 Europe/Berlin', 'a2-highgpu-1g', 'us-central1') });
    const [policy, attach] = plan.changes;
    assert.ok(policy?.kind === 'gcpPolicy' && attach?.kind === 'gcpAttach');
    assert.deepEqual(policy.body.instanceSchedulePolicy, { vmStartSchedule: { schedule: '0 8 * * 1-5' }, vmStopSchedule: { schedule: '0 19 * * 1-5' }, timeZone: 'Europe/Berlin' });
    assert.equal(policy.region, 'us-central1');
    assert.equal(attach.policyName, policy.name);
    throwsInput(() => buildShutdownPlan({ facts, schedule: parseSchedule('Mon-Fri 08:00-19:00; Sat 10:00-14:00 UTC'), saving: saving('Mon-Fri 08:00-19:00; Sat 10:00-14:00 UTC', 'a2-highgpu-1g', 'us-central1') }), /one start time and one stop time/);
  });

  it('Azure: shutdown-computevm-<vm>, daily at the stop time in the Windows zone, and a start note', () => {
    const id = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ml/providers/Microsoft.Compute/virtualMachines/gpu-box';
    const facts: VmFacts = { ref: parseVmRef(id), name: 'gpu-box', region: 'westeurope', size: 'Standard_NC24ads_A100_v4', state: 'VM running', running: true, tags: {} };
    const plan = buildShutdownPlan({ facts, schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin'), saving: saving('Mon-Fri 08:00-19:00 Europe/Berlin', 'Standard_NC24ads_A100_v4', 'eastus') });
    const change = plan.changes[0];
    assert.ok(change?.kind === 'azureShutdown');
    assert.equal(change.id, '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ml/providers/Microsoft.DevTestLab/schedules/shutdown-computevm-gpu-box');
    assert.deepEqual(change.body.properties, { status: 'Enabled', taskType: 'ComputeVmShutdownTask', dailyRecurrence: { time: '1900' }, timeZoneId: 'W. Europe Standard Time', notificationSettings: { status: 'Disabled', timeInMinutes: 30 }, targetResourceId: id });
    assert.match(plan.documents[0]!.content, /start at 08:00 Mon-Fri/);
    throwsInput(() => buildShutdownPlan({ facts, schedule: parseSchedule('Mon-Fri 08:00-19:00; Sat 10:00-14:00 Europe/Berlin'), saving: saving('Mon-Fri 08:00-19:00; Sat 10:00-14:00 Europe/Berlin', 'Standard_NC24ads_A100_v4', 'eastus') }), /one time every day/);
    assert.equal(windowsTimeZone('America/Los_Angeles'), 'Pacific Standard Time');
    throwsInput(() => windowsTimeZone('Pacific/Chatham'), /Windows time zone/);
  });

  it('a stopped VM is refused: a schedule saves nothing on it', () => {
    throwsInput(() => buildShutdownPlan({ facts: awsFacts({ state: 'stopped', running: false }), schedule: parseSchedule('Mon-Fri 08:00-19:00 UTC'), saving: saving('Mon-Fri 08:00-19:00 UTC'), roleArn: 'arn:aws:iam::123456789012:role/x' }), /not running/);
  });
});

describe('shutdown schedules: resource ids and the journal', () => {
  it('reads EC2 ids and ARNs, Compute Engine names and Azure VM ids; refuses others with the fix', () => {
    assert.deepEqual(parseVmRef('arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc12345'), { provider: 'aws', instanceId: 'i-0abc12345', region: 'eu-west-1', account: '123456789012' });
    assert.deepEqual(parseVmRef('//compute.googleapis.com/projects/ml-prod-123/zones/europe-west4-b/instances/vm1'), { provider: 'gcp', project: 'ml-prod-123', zone: 'europe-west4-b', region: 'europe-west4', instance: 'vm1' });
    throwsInput(() => parseVmRef('i-xyz'), /not an EC2 instance id/);
    throwsInput(() => parseVmRef('bucket/foo'), /names no virtual machine/);
  });

  it('journal: an unreadable file names the fix; undo picks the named entry or the newest', () => {
    throwsInput(() => parseJournal({ version: 1, entries: [{ id: 1 }] }, '.finops/actions.json'), /not one ML FinOps wrote/);
    const entry = (id: string) => ({ id, action: 'schedule' as const, createdAt: '', provider: 'aws' as const, resource: 'i-1', summary: '', steps: [] });
    const j = { version: 1 as const, entries: [entry('a'), entry('b')] };
    assert.equal(pickEntry(j, undefined, 'x').id, 'b');
    assert.equal(pickEntry(j, 'a', 'x').id, 'a');
    throwsInput(() => pickEntry(j, 'c', 'x'), /No action "c"/);
    throwsInput(() => pickEntry({ version: 1, entries: [] }, undefined, 'x'), /Nothing to undo/);
    assert.equal(entryId(new Date('2026-12-02T19:30:05Z'), 'i-0abc'), 'sched-20261202-193005-i-0abc');
  });
});
