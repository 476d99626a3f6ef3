import { createHash } from 'node:crypto';
import { FinOpsError } from '../errors';
import type { PriceSourceRef } from '../pricing/model';
import type { SavingsEstimate } from '../savings/estimate';
import { usd } from '../savings/estimate';
import { planSavings } from '../savings/plan';
import { sourceLine } from '../savings/report';
import { formatSchedule, type Schedule } from '../savings/schedule';
import type { VmRef } from './target';
import { vmLabel } from './target';
import { clockText, daysLabel, eventBridgeCron, runningHoursPerWeek, runningMinutes, transitionLabel, transitions, unixCron, type Transition } from './weekly';
import { windowsTimeZone } from './windowsZones';

/**
 * A shutdown schedule as a change plan: every resource it touches and what is created or changed on it, the
 * documents it needs (an Instance Scheduler schedule, an IAM role policy), and the monthly saving — the savings
 * report's own auto-shutdown figure, from the same function with the same inputs, with its price source and date.
 * Pure: the providers read the VM first (VmFacts) and carry the plan out change by change.
 */

/** How the schedule is carried out on AWS: AWS Instance Scheduler's tag convention, or an EventBridge Scheduler pair. */
export type AwsScheduleMode = 'instance-scheduler' | 'eventbridge';

/** Tag (AWS) or tag-like marker the change leaves on what it touched, so it can be found. */
export const SCHEDULE_TAG = 'ml-finops:schedule';
export const MANAGED_BY = { key: 'ManagedBy', value: 'ml-finops' } as const;
/** EventBridge Scheduler schedule group the stop / start schedules go in (schedules themselves take no tags). */
export const SCHEDULE_GROUP = 'ml-finops';
/** The tag key AWS Instance Scheduler reads (its default "Instance Scheduler tag name"). */
export const INSTANCE_SCHEDULER_TAG = 'Schedule';

/** What the provider read about the VM before anything is planned. */
export interface VmFacts {
  ref: VmRef;
  name: string;
  region: string;
  /** Instance type / machine type / VM size, for the price. */
  size: string;
  /** The cloud's own state word ("running", "RUNNING", "VM running"). */
  state: string;
  running: boolean;
  tags: Readonly<Record<string, string>>;
  /** AWS account, from DescribeInstances (for the role policy's resource ARN). */
  account?: string;
}

export type Change =
  | { kind: 'awsTag'; instanceId: string; region: string; key: string; value: string; before: string | null }
  | { kind: 'ebGroup'; region: string; name: string; tags: Record<string, string>; exists: boolean }
  | { kind: 'ebSchedule'; region: string; group: string; name: string; action: 'start' | 'stop'; instanceId: string; expression: string; timeZone: string; roleArn: string; description: string; exists: boolean }
  | { kind: 'gcpPolicy'; project: string; region: string; name: string; body: GcpSchedulePolicy }
  | { kind: 'gcpAttach'; project: string; zone: string; instance: string; policyName: string; region: string }
  | { kind: 'azureShutdown'; id: string; body: AzureShutdownSchedule; exists: boolean };

export interface GcpSchedulePolicy {
  name: string;
  description: string;
  instanceSchedulePolicy: { vmStartSchedule: { schedule: string }; vmStopSchedule: { schedule: string }; timeZone: string };
}

export interface AzureShutdownSchedule {
  location: string;
  tags: Record<string, string>;
  properties: {
    status: 'Enabled';
    taskType: 'ComputeVmShutdownTask';
    dailyRecurrence: { time: string };
    timeZoneId: string;
    notificationSettings: { status: 'Disabled'; timeInMinutes: number };
    targetResourceId: string;
  };
}

export interface PlanDocument {
  title: string;
  /** Where the CLI writes it (relative to .finops/), and the editor's language for it. */
  file: string;
  language: 'yaml' | 'json' | 'markdown';
  content: string;
}

export interface ShutdownPlan {
  facts: VmFacts;
  schedule: Schedule;
  /** The schedule as written back ("Mon-Fri 08:00-19:00 Europe/Berlin"). */
  scheduleText: string;
  /** aws: instance-scheduler | eventbridge; gcp: instance-schedule-policy; azure: devtest-auto-shutdown */
  mode: AwsScheduleMode | 'instance-schedule-policy' | 'devtest-auto-shutdown';
  runningHoursPerWeek: number;
  transitions: Transition[];
  changes: Change[];
  documents: PlanDocument[];
  notes: string[];
  saving: SavingsEstimate;
  priceSource: PriceSourceRef;
}

/**
 * The monthly saving of running only on `schedule`: the savings report's auto-shutdown option, from planSavings
 * with the inputs the report uses (prices, baseline hours a month, calendar month), so the figure is the same number.
 */
export function scheduleSaving(input: Omit<Parameters<typeof planSavings>[0], 'schedule' | 'idleSeries' | 'metrics'> & { schedule: Schedule }): SavingsEstimate {
  const option = planSavings({ ...input, candidates: [] }).options.find((o) => o.kind === 'schedule');
  if (!option) throw new FinOpsError('internal', 'The savings model gave no auto-shutdown option for the schedule.', { fix: 'Report this with the schedule and instance type.' });
  return option;
}

function slug(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The Instance Scheduler schedule name (its tag value): readable, from the schedule itself ("mlfinops-mon-fri-0800-1900-europe-berlin"). */
export function instanceSchedulerName(schedule: Schedule): string {
  const text = formatSchedule(schedule).replace(/:/g, '');
  const name = `mlfinops-${slug(text, 200)}`;
  return name.length <= 60 ? name : `${name.slice(0, 50).replace(/-+$/, '')}-${shortHash(text)}`;
}

function isDays(days: readonly number[]): string {
  return daysLabel(days) === 'every day' ? 'mon-sun' : daysLabel(days).toLowerCase();
}

/**
 * The periods Instance Scheduler needs (its documented period fields: begintime, endtime, weekdays). A window past
 * midnight becomes a begin-only period and an end-only period on the next days, as the solution's samples do.
 */
function instanceSchedulerPeriods(schedule: Schedule): Array<{ name: string; begintime?: string; endtime?: string; weekdays: string }> {
  const periods: Array<{ name: string; begintime?: string; endtime?: string; weekdays: string }> = [];
  const base = instanceSchedulerName(schedule);
  schedule.windows.forEach((w, i) => {
    const end = w.end === 1440 ? '23:59' : clockText(w.end);
    if (w.end > w.start) {
      periods.push({ name: `${base}-p${i + 1}`, begintime: clockText(w.start), endtime: end, weekdays: isDays(w.days) });
    } else {
      periods.push({ name: `${base}-p${i + 1}a`, begintime: clockText(w.start), endtime: '23:59', weekdays: isDays(w.days) });
      if (w.end > 0) periods.push({ name: `${base}-p${i + 1}b`, endtime: end, weekdays: isDays(w.days.map((d) => (d + 1) % 7)) });
    }
  });
  return periods;
}

/** A CloudFormation template with the solution's `Custom::ServiceInstanceSchedule`, and the scheduler-cli equivalent. */
function instanceSchedulerDocument(schedule: Schedule, name: string): PlanDocument {
  const periods = instanceSchedulerPeriods(schedule);
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const lines = [
    '# AWS Instance Scheduler schedule written by ML FinOps.',
    '# Deploy it as its own stack in the account that runs the Instance Scheduler hub stack:',
    `#   aws cloudformation deploy --template-file ${name}.template.yaml --stack-name ${name} \\`,
    '#     --parameter-overrides ServiceInstanceScheduleServiceTokenARN=<ServiceInstanceScheduleServiceToken output of the hub stack>',
    '# Or with the scheduler CLI:',
    ...periods.map((p) => `#   scheduler-cli create-period --stack <stackname> --name ${p.name}${p.begintime ? ` --begintime ${p.begintime}` : ''}${p.endtime ? ` --endtime ${p.endtime}` : ''} --weekdays ${p.weekdays}`),
    `#   scheduler-cli create-schedule --stack <stackname> --name ${name} --periods ${periods.map((p) => p.name).join(',')} --timezone ${schedule.timeZone}`,
    `# Instances tagged ${INSTANCE_SCHEDULER_TAG}=${name} then run ${formatSchedule(schedule)} and are stopped outside it.`,
    'AWSTemplateFormatVersion: 2010-09-09',
    `Description: ${q(`ML FinOps shutdown schedule ${formatSchedule(schedule)}`)}`,
    'Parameters:',
    '  ServiceInstanceScheduleServiceTokenARN:',
    '    Type: String',
    '    Description: (Required) service token ARN taken from the Instance Scheduler hub stack outputs',
    'Resources:',
    '  MlFinOpsSchedule:',
    "    Type: 'Custom::ServiceInstanceSchedule'",
    '    Properties:',
    '      ServiceToken: !Ref ServiceInstanceScheduleServiceTokenARN',
    "      NoStackPrefix: 'True'",
    `      Name: ${name}`,
    `      Description: ${q(`Runs ${formatSchedule(schedule)}; written by ML FinOps`)}`,
    `      Timezone: ${schedule.timeZone}`,
    '      Periods:',
    ...periods.flatMap((p) => [
      `        - Description: ${q(p.name)}`,
      ...(p.begintime ? [`          BeginTime: '${p.begintime}'`] : []),
      ...(p.endtime ? [`          EndTime: '${p.endtime}'`] : []),
      `          WeekDays: ${p.weekdays}`,
    ]),
    '',
  ];
  return { title: `Instance Scheduler schedule ${name}`, file: `instance-scheduler/${name}.template.yaml`, language: 'yaml', content: lines.join('\n') };
}

/** The least-privilege role EventBridge Scheduler assumes to stop and start this one instance. */
export function eventBridgeRoleDocument(instanceId: string, region: string, account: string | undefined): PlanDocument {
  const acct = account ?? '<account-id>';
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': acct } } }],
  };
  const permissions = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'StopStartThisInstance', Effect: 'Allow', Action: ['ec2:StopInstances', 'ec2:StartInstances'], Resource: `arn:aws:ec2:${region}:${acct}:instance/${instanceId}` }],
  };
  return {
    title: 'IAM role for EventBridge Scheduler',
    file: `eventbridge/${instanceId}-scheduler-role.json`,
    language: 'json',
    content: `${JSON.stringify({ RoleName: `mlfinops-scheduler-${instanceId}`, AssumeRolePolicyDocument: trust, Policies: [{ PolicyName: 'stop-start-instance', PolicyDocument: permissions }] }, null, 2)}\n`,
  };
}

/** What the caller needs to carry out an EventBridge plan and its undo. */
export const EVENTBRIDGE_CALLER_ACTIONS = [
  'scheduler:GetScheduleGroup', 'scheduler:CreateScheduleGroup', 'scheduler:DeleteScheduleGroup', 'scheduler:TagResource', 'scheduler:ListSchedules',
  'scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole (on the role)',
  'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:CreateTags', 'ec2:DeleteTags',
];

export interface ShutdownPlanInput {
  facts: VmFacts;
  schedule: Schedule;
  saving: SavingsEstimate;
  awsMode?: AwsScheduleMode;
  /** EventBridge mode: the role the schedules assume (its policy is in the plan's documents). */
  roleArn?: string;
}

function requireRunning(f: VmFacts): void {
  if (!f.running) {
    throw new FinOpsError('input', `${vmLabel(f.ref)} is ${f.state}, not running: a shutdown schedule saves nothing on it.`, { fix: 'Schedule a running VM (the Resources view marks them), or start it first.' });
  }
}

/** Builds the change plan; throws FinOpsError('input') naming the fix when the cloud cannot express the schedule. */
export function buildShutdownPlan(input: ShutdownPlanInput): ShutdownPlan {
  const { facts, schedule, saving } = input;
  requireRunning(facts);
  const list = transitions(schedule);
  const scheduleText = formatSchedule(schedule);
  const source = saving.sources[0];
  if (!source) throw new FinOpsError('internal', 'The saving names no price source.', { fix: 'Report this with the instance type.' });
  const base = { facts, schedule, scheduleText, runningHoursPerWeek: runningHoursPerWeek(schedule), transitions: list, saving, priceSource: source };
  const ref = facts.ref;
  if (ref.provider === 'aws') {
    const mode = input.awsMode ?? 'eventbridge';
    const tag = (key: string, value: string): Change => ({ kind: 'awsTag', instanceId: ref.instanceId, region: facts.region, key, value, before: facts.tags[key] ?? null });
    if (mode === 'instance-scheduler') {
      const name = instanceSchedulerName(schedule);
      return {
        ...base, mode,
        changes: [tag(INSTANCE_SCHEDULER_TAG, name), tag(SCHEDULE_TAG, scheduleText)],
        documents: [instanceSchedulerDocument(schedule, name)],
        notes: [
          `AWS Instance Scheduler acts on the ${INSTANCE_SCHEDULER_TAG} tag only once the schedule "${name}" is defined in its configuration: deploy the document (a Custom::ServiceInstanceSchedule stack, or the scheduler-cli commands in it).`,
          `Instance Scheduler's tag name must be "${INSTANCE_SCHEDULER_TAG}" (its default) and ${facts.region} one of its regions.`,
          'Carrying this out needs ec2:DescribeInstances, ec2:DescribeTags, ec2:CreateTags and ec2:DeleteTags on the instance.',
        ],
      };
    }
    if (!input.roleArn) {
      throw new FinOpsError('usage', 'EventBridge Scheduler needs a role to stop and start the instance, and none is given.', {
        fix: `Create the role in the plan's "IAM role for EventBridge Scheduler" document (ec2:StopInstances and ec2:StartInstances on this instance only), then give its ARN (--role-arn, or the "mlFinops.aws.schedulerRoleArn" setting).`,
      });
    }
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(input.roleArn)) {
      throw new FinOpsError('input', `"${input.roleArn}" is not an IAM role ARN.`, { fix: 'Give arn:aws:iam::<account>:role/<name>.' });
    }
    const roleArn = input.roleArn;
    const schedules: Change[] = list.map((t) => ({
      kind: 'ebSchedule', region: facts.region, group: SCHEDULE_GROUP, name: `mlfinops-${ref.instanceId}-${t.action}-${clockText(t.minute).replace(':', '')}`,
      action: t.action, instanceId: ref.instanceId, expression: eventBridgeCron(t), timeZone: schedule.timeZone, roleArn,
      description: `ML FinOps: ${transitionLabel(t)} (${schedule.timeZone}) for ${ref.instanceId}, schedule ${scheduleText}`, exists: false,
    }));
    return {
      ...base, mode,
      changes: [
        { kind: 'ebGroup', region: facts.region, name: SCHEDULE_GROUP, tags: { [MANAGED_BY.key]: MANAGED_BY.value }, exists: false },
        ...schedules,
        tag(SCHEDULE_TAG, scheduleText),
      ],
      documents: [eventBridgeRoleDocument(ref.instanceId, facts.region, facts.account)],
      notes: [
        `The schedules assume ${roleArn}; it needs only ec2:StopInstances and ec2:StartInstances on this instance (the role document).`,
        `Carrying this out needs ${EVENTBRIDGE_CALLER_ACTIONS.join(', ')}.`,
        'If the instance\'s EBS volumes are encrypted with a customer managed KMS key, the role also needs kms:CreateGrant on that key to start it.',
      ],
    };
  }
  if (ref.provider === 'gcp') {
    const starts = list.filter((t) => t.action === 'start');
    const stops = list.filter((t) => t.action === 'stop');
    if (starts.length !== 1 || stops.length !== 1) {
      throw new FinOpsError('input', `A Compute Engine instance schedule has one start time and one stop time; "${scheduleText}" needs ${list.map(transitionLabel).join(', ')}.`, {
        fix: 'Use one running window for every day it runs, such as "Mon-Fri 08:00-19:00 Europe/Berlin".',
      });
    }
    const name = `mlfinops-${slug(ref.instance, 30)}-${shortHash(`${ref.instance}|${scheduleText}`)}`;
    const body: GcpSchedulePolicy = {
      name,
      description: `ML FinOps shutdown schedule for ${ref.instance}: runs ${scheduleText}`,
      instanceSchedulePolicy: { vmStartSchedule: { schedule: unixCron(starts[0]!) }, vmStopSchedule: { schedule: unixCron(stops[0]!) }, timeZone: schedule.timeZone },
    };
    return {
      ...base, mode: 'instance-schedule-policy',
      changes: [
        { kind: 'gcpPolicy', project: ref.project, region: ref.region, name, body },
        { kind: 'gcpAttach', project: ref.project, zone: ref.zone, instance: ref.instance, policyName: name, region: ref.region },
      ],
      documents: [],
      notes: [
        'Compute Engine starts and stops the VM as its service agent (service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com), which needs compute.instances.start and compute.instances.stop (for example Compute Instance Admin (v1)).',
        'Carrying this out needs compute.resourcePolicies.create / delete / get and compute.instances.addResourcePolicies / removeResourcePolicies.',
      ],
    };
  }
  const stops = list.filter((t) => t.action === 'stop');
  const stopMinutes = new Set(stops.map((t) => t.minute));
  if (stopMinutes.size !== 1) {
    throw new FinOpsError('input', `Azure auto-shutdown stops a VM at one time every day; "${scheduleText}" needs ${stops.map(transitionLabel).join(', ')}.`, {
      fix: 'Use one stop time for every running window, such as "Mon-Fri 08:00-19:00 Europe/Berlin".',
    });
  }
  const stopAt = stops[0]!.minute;
  // the daily shutdown fires every day: on a day the schedule runs at that time it would stop the VM early
  const week = runningMinutes(schedule);
  if ([0, 1, 2, 3, 4, 5, 6].some((d) => week[d * 1440 + stopAt] === 1)) {
    throw new FinOpsError('input', `Azure auto-shutdown would stop the VM at ${clockText(stopAt)} every day, inside the running hours of "${scheduleText}".`, {
      fix: 'Use running hours that end at the same time every day they run.',
    });
  }
  const timeZoneId = windowsTimeZone(schedule.timeZone);
  const starts = list.filter((t) => t.action === 'start');
  const body: AzureShutdownSchedule = {
    location: facts.region,
    tags: { [MANAGED_BY.key]: MANAGED_BY.value, [SCHEDULE_TAG.replace(':', '-')]: scheduleText },
    properties: {
      status: 'Enabled', taskType: 'ComputeVmShutdownTask', dailyRecurrence: { time: clockText(stopAt).replace(':', '') }, timeZoneId,
      notificationSettings: { status: 'Disabled', timeInMinutes: 30 }, targetResourceId: ref.id,
    },
  };
  return {
    ...base, mode: 'devtest-auto-shutdown',
    changes: [{ kind: 'azureShutdown', id: `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.DevTestLab/schedules/shutdown-computevm-${ref.vm}`, body, exists: false }],
    documents: [{
      title: 'Start automation (Azure)', file: `azure/${ref.vm}-start.md`, language: 'markdown',
      content: [
        `# Starting ${ref.vm} on schedule`,
        '',
        `Azure auto-shutdown stops ${ref.vm} at ${clockText(stopAt)} (${timeZoneId}) every day; it never starts a VM. To run ${scheduleText}, start it with an automation:`,
        '',
        ...starts.map((t) => `- ${transitionLabel(t)} (${schedule.timeZone})`),
        '',
        '- **Start/Stop VMs v2** (Azure Functions and Logic Apps): a scheduled "start" for this VM with the recurrence above; or',
        `- an **Azure Automation** runbook calling \`Start-AzVM -ResourceGroupName ${ref.resourceGroup} -Name ${ref.vm}\` on an Automation schedule with the recurrence above; or`,
        `- a **Logic App** with a Recurrence trigger (the days and time above, time zone ${timeZoneId}) and the "Start virtual machine" action.`,
        '',
        'The identity that starts it needs Microsoft.Compute/virtualMachines/start/action (Virtual Machine Contributor on the VM).',
        '',
      ].join('\n'),
    }],
    notes: [
      `The saving assumes the VM is started only as above (${starts.map(transitionLabel).join(', ')}); auto-shutdown itself only stops it.`,
      'Carrying this out needs Microsoft.DevTestLab/schedules/write, read and delete on the resource group (DevTest Labs User or Virtual Machine Contributor).',
    ],
  };
}

/** Marks the changes that replace something already there (the provider looked), so the plan says "replace". */
export function withExisting(plan: ShutdownPlan, existing: ReadonlySet<string>): ShutdownPlan {
  return {
    ...plan,
    changes: plan.changes.map((c) => ('exists' in c ? { ...c, exists: existing.has(changeKey(c)) } : c)),
  };
}

/** A stable key of what a change touches (the journal and withExisting use it). */
export function changeKey(c: Change): string {
  switch (c.kind) {
    case 'awsTag': return `aws:tag:${c.region}:${c.instanceId}:${c.key}`;
    case 'ebGroup': return `aws:scheduler-group:${c.region}:${c.name}`;
    case 'ebSchedule': return `aws:schedule:${c.region}:${c.group}/${c.name}`;
    case 'gcpPolicy': return `gcp:resourcePolicy:${c.project}/${c.region}/${c.name}`;
    case 'gcpAttach': return `gcp:attach:${c.project}/${c.zone}/${c.instance}/${c.policyName}`;
    case 'azureShutdown': return `azure:${c.id.toLowerCase()}`;
  }
}

/** One line per change, as the confirmation and the CLI plan list them. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'awsTag':
      return `Tag EC2 instance ${c.instanceId}: ${c.key}=${c.value}${c.before === null ? ' (new tag)' : c.before === c.value ? ' (unchanged)' : ` (was ${c.before})`}`;
    case 'ebGroup':
      return c.exists ? `EventBridge Scheduler schedule group ${c.name} in ${c.region}: already there, used as is` : `Create EventBridge Scheduler schedule group ${c.name} in ${c.region}, tagged ${Object.entries(c.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`;
    case 'ebSchedule':
      return `${c.exists ? 'Replace' : 'Create'} EventBridge schedule ${c.group}/${c.name}: ${c.expression} ${c.timeZone} → ec2:${c.action === 'stop' ? 'StopInstances' : 'StartInstances'} ${c.instanceId}`;
    case 'gcpPolicy':
      return `Create resource policy ${c.name} in ${c.project}/${c.region}: start "${c.body.instanceSchedulePolicy.vmStartSchedule.schedule}", stop "${c.body.instanceSchedulePolicy.vmStopSchedule.schedule}", ${c.body.instanceSchedulePolicy.timeZone}`;
    case 'gcpAttach':
      return `Attach resource policy ${c.policyName} to instance ${c.instance} (${c.zone})`;
    case 'azureShutdown':
      return `${c.exists ? 'Replace' : 'Create'} auto-shutdown ${c.id.split('/').pop()}: daily at ${c.body.properties.dailyRecurrence.time} ${c.body.properties.timeZoneId}, on ${c.body.properties.targetResourceId.split('/').pop()}`;
  }
}

/** "$1,234.56 a month (p3.2xlarge on-demand $3.06/h; AWS price list snapshot, captured 2026-11-01)". */
export function savingLine(plan: ShutdownPlan): string {
  const hourly = plan.saving.inputs.hourlyRate;
  return `${usd(plan.saving.monthlySaving)} a month (${(plan.saving.savingFraction * 100).toFixed(1)} % of ${usd(plan.saving.baselineMonthlyCost)}; ${plan.facts.size} on-demand $${String(hourly)}/h; ${sourceLine(plan.priceSource)})`;
}

/** The plan as text: what the confirmation's detail and `mlfinops act schedule` print. */
export function planLines(plan: ShutdownPlan): string[] {
  return [
    `Schedule: run ${plan.scheduleText} (${plan.runningHoursPerWeek} h a week of 168), ${plan.transitions.map(transitionLabel).join(', ')}`,
    `Resource: ${vmLabel(plan.facts.ref)} — ${plan.facts.size} in ${plan.facts.region}, ${plan.facts.state}`,
    `Saving: ${savingLine(plan)}`,
    'Changes:',
    ...plan.changes.map((c) => `  • ${describeChange(c)}`),
    ...(plan.documents.length ? ['Documents:', ...plan.documents.map((d) => `  • ${d.title} (.finops/${d.file})`)] : []),
    ...(plan.notes.length ? ['Notes:', ...plan.notes.map((n) => `  • ${n}`)] : []),
  ];
}
