import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { FinOpsError, describeError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { UndoStep, VmScheduler } from '../../core/act/journal';
import { changeKey, type Change, type VmFacts } from '../../core/act/shutdownPlan';
import type { VmRef } from '../../core/act/target';
import { awsClientConfig, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * Shutdown schedules on AWS. Reads the instance (DescribeInstances: type, state, tags, owner); writes tags
 * (CreateTags / DeleteTags) and EventBridge Scheduler schedules in the tagged `ml-finops` schedule group
 * (CreateScheduleGroup, Create / Update / DeleteSchedule, targeting the universal targets
 * `arn:aws:scheduler:::aws-sdk:ec2:stopInstances` / `startInstances` with `{"InstanceIds": […]}`). Undo puts back
 * what each change recorded: a tag's earlier value or its absence, a schedule's earlier definition or its absence,
 * and deletes the group only when this action created it and nothing else is in it.
 */

export interface AwsScheduleOptions extends AwsOptions {
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

const TARGETS = { stop: 'arn:aws:scheduler:::aws-sdk:ec2:stopInstances', start: 'arn:aws:scheduler:::aws-sdk:ec2:startInstances' } as const;

const instancesPage = z.object({
  Reservations: z.array(z.object({
    OwnerId: z.string().optional(),
    Instances: z.array(z.object({
      InstanceId: z.string().optional(),
      InstanceType: z.string().optional(),
      State: z.object({ Name: z.string().optional() }).optional(),
      Tags: z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).optional(),
    })).optional(),
  })).optional(),
});

/** The fields of GetSchedule that UpdateSchedule takes back (what undo restores). */
const SCHEDULE_FIELDS = ['Description', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'FlexibleTimeWindow', 'Target', 'State', 'StartDate', 'EndDate', 'KmsKeyArn', 'ActionAfterCompletion'] as const;

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'ResourceNotFoundException' || name === 'NotFoundException' || (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode === 404;
}

export class AwsVmScheduler implements VmScheduler {
  private readonly clients = new Map<string, Promise<{ ec2: EC2Client; scheduler: SchedulerClient }>>();
  private readonly log: Logger;

  constructor(private readonly options: AwsScheduleOptions) {
    this.log = options.log ?? silentLogger;
  }

  private getClients(region: string) {
    let c = this.clients.get(region);
    if (!c) {
      c = (async () => {
        const [{ EC2Client }, { SchedulerClient }] = await Promise.all([import('@aws-sdk/client-ec2'), import('@aws-sdk/client-scheduler')]);
        const config = await awsClientConfig(this.options, region);
        return { ec2: new EC2Client(config), scheduler: new SchedulerClient(config) };
      })();
      this.clients.set(region, c);
    }
    return c;
  }

  private call<T>(api: string, action: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return callAws({ options: this.options, api, action }, send, { ...(signal ? { signal } : {}), log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
  }

  /** A Get that answers undefined for "not found". */
  private async getOrNone<T>(api: string, action: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
    return this.call(api, action, () => send().catch((e: unknown) => { if (isNotFound(e)) return undefined; throw e; }), signal);
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<VmFacts> {
    if (ref.provider !== 'aws') throw new FinOpsError('internal', 'Not an AWS instance.', { fix: 'Report this.' });
    const region = ref.region ?? this.options.region ?? 'us-east-1';
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const { ec2 } = await this.getClients(region);
    let raw: unknown;
    try {
      raw = await this.call('EC2 DescribeInstances', 'ec2:DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ InstanceIds: [ref.instanceId] }), { abortSignal: signal }), signal);
    } catch (e) {
      if ((e as { cause?: { name?: string } }).cause?.name === 'InvalidInstanceID.NotFound' || /InvalidInstanceID/.test(describeError(e))) {
        throw new FinOpsError('input', `No EC2 instance ${ref.instanceId} in ${region}.`, { fix: 'Check the instance id and the region (the instance ARN carries it, or set "mlFinops.aws.region" / --region).' });
      }
      throw e;
    }
    const page = instancesPage.parse(raw);
    const reservation = page.Reservations?.find((r) => r.Instances?.some((i) => i.InstanceId === ref.instanceId));
    const instance = reservation?.Instances?.find((i) => i.InstanceId === ref.instanceId);
    if (!instance) throw new FinOpsError('input', `No EC2 instance ${ref.instanceId} in ${region}.`, { fix: 'Check the instance id and the region (the instance ARN carries it, or set "mlFinops.aws.region" / --region).' });
    const tags: Record<string, string> = {};
    for (const t of instance.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    const state = instance.State?.Name ?? 'unknown';
    return {
      ref, name: tags.Name ?? ref.instanceId, region, size: instance.InstanceType ?? 'unknown', state, running: state === 'running' || state === 'pending', tags,
      ...(reservation?.OwnerId ?? ref.account ? { account: reservation?.OwnerId ?? ref.account } : {}),
    };
  }

  async existing(changes: readonly Change[], signal?: AbortSignal): Promise<Set<string>> {
    const { GetScheduleGroupCommand, GetScheduleCommand } = await import('@aws-sdk/client-scheduler');
    const found = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'ebGroup') {
        const { scheduler } = await this.getClients(c.region);
        if (await this.getOrNone('EventBridge Scheduler GetScheduleGroup', 'scheduler:GetScheduleGroup', () => scheduler.send(new GetScheduleGroupCommand({ Name: c.name }), { abortSignal: signal }), signal)) found.add(changeKey(c));
      } else if (c.kind === 'ebSchedule') {
        const { scheduler } = await this.getClients(c.region);
        if (await this.getOrNone('EventBridge Scheduler GetSchedule', 'scheduler:GetSchedule', () => scheduler.send(new GetScheduleCommand({ GroupName: c.group, Name: c.name }), { abortSignal: signal }), signal)) found.add(changeKey(c));
      }
    }
    return found;
  }

  async apply(changes: readonly Change[], signal?: AbortSignal): Promise<UndoStep[]> {
    const done: UndoStep[] = [];
    try {
      for (const c of changes) done.push(await this.applyOne(c, signal));
    } catch (e) {
      this.log.warn(`Shutdown schedule failed after ${done.length} of ${changes.length} changes; undoing them: ${describeError(e)}`);
      await this.undo(done).catch((u: unknown) => this.log.error(`Undo after a failed schedule also failed: ${describeError(u)}`));
      throw e;
    }
    return done;
  }

  private async applyOne(c: Change, signal?: AbortSignal): Promise<UndoStep> {
    const sdk = await import('@aws-sdk/client-scheduler');
    const { CreateTagsCommand, DescribeTagsCommand } = await import('@aws-sdk/client-ec2');
    switch (c.kind) {
      case 'awsTag': {
        const { ec2 } = await this.getClients(c.region);
        // the value now, not the one read when planning: undo must put back what was really there
        const now = await this.call('EC2 DescribeTags', 'ec2:DescribeTags', () => ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [c.instanceId] }, { Name: 'key', Values: [c.key] }] }), { abortSignal: signal }), signal);
        const before = now.Tags?.find((t) => t.Key === c.key)?.Value ?? null;
        await this.call('EC2 CreateTags', 'ec2:CreateTags', () => ec2.send(new CreateTagsCommand({ Resources: [c.instanceId], Tags: [{ Key: c.key, Value: c.value }] }), { abortSignal: signal }), signal);
        return { kind: 'awsTag', region: c.region, instanceId: c.instanceId, key: c.key, before };
      }
      case 'ebGroup': {
        const { scheduler } = await this.getClients(c.region);
        const there = await this.getOrNone('EventBridge Scheduler GetScheduleGroup', 'scheduler:GetScheduleGroup', () => scheduler.send(new sdk.GetScheduleGroupCommand({ Name: c.name }), { abortSignal: signal }), signal);
        if (!there) {
          await this.call('EventBridge Scheduler CreateScheduleGroup', 'scheduler:CreateScheduleGroup', () => scheduler.send(new sdk.CreateScheduleGroupCommand({
            Name: c.name, Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })),
          }), { abortSignal: signal }), signal);
        }
        return { kind: 'ebGroup', region: c.region, name: c.name, created: !there };
      }
      case 'ebSchedule': {
        const { scheduler } = await this.getClients(c.region);
        const prior = await this.getOrNone('EventBridge Scheduler GetSchedule', 'scheduler:GetSchedule', () => scheduler.send(new sdk.GetScheduleCommand({ GroupName: c.group, Name: c.name }), { abortSignal: signal }), signal);
        const input = {
          Name: c.name, GroupName: c.group, Description: c.description, ScheduleExpression: c.expression, ScheduleExpressionTimezone: c.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' as const }, State: 'ENABLED' as const,
          Target: { Arn: TARGETS[c.action], RoleArn: c.roleArn, Input: JSON.stringify({ InstanceIds: [c.instanceId] }) },
        };
        if (prior) {
          await this.call('EventBridge Scheduler UpdateSchedule', 'scheduler:UpdateSchedule', () => scheduler.send(new sdk.UpdateScheduleCommand(input), { abortSignal: signal }), signal);
        } else {
          await this.call('EventBridge Scheduler CreateSchedule', 'scheduler:CreateSchedule', () => scheduler.send(new sdk.CreateScheduleCommand(input), { abortSignal: signal }), signal);
        }
        return { kind: 'ebSchedule', region: c.region, group: c.group, name: c.name, before: prior ? pickScheduleFields(prior as unknown as Record<string, unknown>) : null };
      }
      default:
        throw new FinOpsError('internal', `An AWS schedule cannot carry out a ${c.kind} change.`, { fix: 'Report this.' });
    }
  }

  async undo(steps: readonly UndoStep[], signal?: AbortSignal): Promise<void> {
    const sdk = await import('@aws-sdk/client-scheduler');
    const { CreateTagsCommand, DeleteTagsCommand } = await import('@aws-sdk/client-ec2');
    for (const s of [...steps].reverse()) {
      switch (s.kind) {
        case 'awsTag': {
          const { ec2 } = await this.getClients(s.region);
          if (s.before === null) {
            await this.call('EC2 DeleteTags', 'ec2:DeleteTags', () => ec2.send(new DeleteTagsCommand({ Resources: [s.instanceId], Tags: [{ Key: s.key }] }), { abortSignal: signal }), signal);
          } else {
            const value = s.before;
            await this.call('EC2 CreateTags', 'ec2:CreateTags', () => ec2.send(new CreateTagsCommand({ Resources: [s.instanceId], Tags: [{ Key: s.key, Value: value }] }), { abortSignal: signal }), signal);
          }
          break;
        }
        case 'ebSchedule': {
          const { scheduler } = await this.getClients(s.region);
          if (s.before === null) {
            await this.call('EventBridge Scheduler DeleteSchedule', 'scheduler:DeleteSchedule', () => scheduler.send(new sdk.DeleteScheduleCommand({ GroupName: s.group, Name: s.name }), { abortSignal: signal }).catch((e: unknown) => { if (!isNotFound(e)) throw e; }), signal);
          } else {
            const before: Record<string, unknown> = { ...s.before };
            for (const k of ['StartDate', 'EndDate']) if (typeof before[k] === 'string') before[k] = new Date(before[k]);
            await this.call('EventBridge Scheduler UpdateSchedule', 'scheduler:UpdateSchedule', () => scheduler.send(new sdk.UpdateScheduleCommand({ ...before, Name: s.name, GroupName: s.group } as ConstructorParameters<typeof sdk.UpdateScheduleCommand>[0]), { abortSignal: signal }), signal);
          }
          break;
        }
        case 'ebGroup': {
          if (!s.created) break;
          const { scheduler } = await this.getClients(s.region);
          const left = await this.call('EventBridge Scheduler ListSchedules', 'scheduler:ListSchedules', () => scheduler.send(new sdk.ListSchedulesCommand({ GroupName: s.name, MaxResults: 1 }), { abortSignal: signal }), signal);
          if ((left.Schedules ?? []).length > 0) {
            this.log.info(`Schedule group ${s.name} kept: other schedules are in it.`);
            break;
          }
          await this.call('EventBridge Scheduler DeleteScheduleGroup', 'scheduler:DeleteScheduleGroup', () => scheduler.send(new sdk.DeleteScheduleGroupCommand({ Name: s.name }), { abortSignal: signal }).catch((e: unknown) => { if (!isNotFound(e)) throw e; }), signal);
          break;
        }
        default:
          throw new FinOpsError('internal', `An AWS schedule cannot undo a ${s.kind} change.`, { fix: 'Report this.' });
      }
    }
  }
}

/** The parts of a GetSchedule answer UpdateSchedule accepts, JSON-safe (dates as ISO strings). */
function pickScheduleFields(prior: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SCHEDULE_FIELDS) {
    const v = prior[k];
    if (v === undefined || v === null) continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
