import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { z } from 'zod';
import { silentLogger, throwIfAborted, type Logger, type ProgressReporter } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { Resource, ResourceSource } from '../../core/sources';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * AWS resources of one region: every tagged resource from the Resource Groups Tagging API (GetResources, paged),
 * and every EC2 instance from DescribeInstances (paged) — instance types, lifecycle (spot / on-demand), and the
 * untagged instances the tagging API never returns.
 */
interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** "instance", "bucket", "function" … ('' when the ARN has no type part). */
  resourceType: string;
  /** The id after the type ("i-0abc", "my-bucket"). */
  resourceId: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const rest = parts.slice(5).join(':');
  const m = /^([^/:]+)[/:](.+)$/.exec(rest);
  return m ? { partition, service, region, account, resourceType: m[1]!, resourceId: m[2]! } : { partition, service, region, account, resourceType: '', resourceId: rest };
}

/** The resource type as the tagging API names it: `service:type` ("ec2:instance"), or the service alone ("s3"). */
function resourceTypeOf(arn: ParsedArn): string {
  return arn.resourceType ? `${arn.service}:${arn.resourceType}` : arn.service;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const tagList = z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).optional();
const taggingPage = z.object({
  PaginationToken: z.string().optional(),
  ResourceTagMappingList: z.array(z.object({ ResourceARN: z.string().optional(), Tags: tagList })).optional(),
});
const instancesPage = z.object({
  NextToken: z.string().optional(),
  Reservations: z.array(z.object({
    OwnerId: z.string().optional(),
    Instances: z.array(z.object({
      InstanceId: z.string().optional(),
      InstanceType: z.string().optional(),
      InstanceLifecycle: z.string().optional(),
      State: z.object({ Name: z.string().optional() }).optional(),
      Placement: z.object({ AvailabilityZone: z.string().optional() }).optional(),
      Tags: tagList,
    })).optional(),
  })).optional(),
});

function tagsOf(list: z.infer<typeof tagList>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

interface AwsInventoryOptions extends AwsOptions {
  log?: Logger;
  /** Page sizes (the APIs' largest by default: 100 for GetResources, 1000 for DescribeInstances). */
  taggingPageSize?: number;
  instancesPageSize?: number;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  progress?: ProgressReporter;
}

export class AwsInventory implements ResourceSource {
  readonly id = 'aws';
  readonly label: string;
  private readonly log: Logger;
  private clients?: Promise<{ tagging: ResourceGroupsTaggingAPIClient; ec2: EC2Client }>;

  constructor(private readonly options: AwsInventoryOptions) {
    this.label = `AWS ${options.region} (${describeProfile(options)})`;
    this.log = options.log ?? silentLogger;
  }

  private getClients() {
    this.clients ??= (async () => {
      const [{ ResourceGroupsTaggingAPIClient }, { EC2Client }] = await Promise.all([
        import('@aws-sdk/client-resource-groups-tagging-api'),
        import('@aws-sdk/client-ec2'),
      ]);
      const config = await awsClientConfig(this.options);
      return { tagging: new ResourceGroupsTaggingAPIClient(config), ec2: new EC2Client(config) };
    })();
    return this.clients;
  }

  private call<T>(api: string, action: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    return callAws({ options: this.options, api, action }, send, { signal, log: this.log, retry: this.options.retry });
  }

  /** One small page from each API: proves the credentials and both permissions without listing everything. */
  async probe(signal?: AbortSignal): Promise<string> {
    const { GetResourcesCommand } = await import('@aws-sdk/client-resource-groups-tagging-api');
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const { tagging, ec2 } = await this.getClients();
    const tagged = taggingPage.parse(await this.call('Resource Groups Tagging API GetResources', 'tag:GetResources', signal, () => tagging.send(new GetResourcesCommand({ ResourcesPerPage: 1 }), { abortSignal: signal })));
    const instances = instancesPage.parse(await this.call('EC2 DescribeInstances', 'ec2:DescribeInstances', signal, () => ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }), { abortSignal: signal })));
    const some = (tagged.ResourceTagMappingList?.length ?? 0) + (instances.Reservations?.length ?? 0);
    return some ? `resources readable in ${this.options.region}` : `no resources found in ${this.options.region}`;
  }

  async listResources(signal?: AbortSignal): Promise<Resource[]> {
    throwIfAborted(signal);
    const { GetResourcesCommand } = await import('@aws-sdk/client-resource-groups-tagging-api');
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const { tagging, ec2 } = await this.getClients();
    const byArn = new Map<string, Resource>();

    let token: string | undefined;
    let pages = 0;
    do {
      const input = { ResourcesPerPage: this.options.taggingPageSize ?? 100, ...(token ? { PaginationToken: token } : {}) };
      const raw = await this.call('Resource Groups Tagging API GetResources', 'tag:GetResources', signal, () => tagging.send(new GetResourcesCommand(input), { abortSignal: signal }));
      const page = taggingPage.parse(raw);
      for (const m of page.ResourceTagMappingList ?? []) {
        if (!m.ResourceARN) continue;
        const arn = parseArn(m.ResourceARN);
        if (!arn) continue;
        const tags = tagsOf(m.Tags);
        byArn.set(m.ResourceARN, {
          provider: 'AWS', id: m.ResourceARN, type: resourceTypeOf(arn), region: arn.region || undefined,
          name: tags.Name ?? arn.resourceId, tags,
        });
      }
      token = page.PaginationToken || undefined;
      this.options.progress?.report({ message: `AWS: ${byArn.size} tagged resources (page ${++pages})` });
    } while (token);

    let next: string | undefined;
    let instances = 0;
    do {
      const input = { MaxResults: this.options.instancesPageSize ?? 1000, ...(next ? { NextToken: next } : {}) };
      const raw = await this.call('EC2 DescribeInstances', 'ec2:DescribeInstances', signal, () => ec2.send(new DescribeInstancesCommand(input), { abortSignal: signal }));
      const page = instancesPage.parse(raw);
      for (const reservation of page.Reservations ?? []) {
        for (const i of reservation.Instances ?? []) {
          if (!i.InstanceId || i.State?.Name === 'terminated') continue;
          instances++;
          const arn = `arn:${partitionOf(this.options.region)}:ec2:${this.options.region}:${reservation.OwnerId ?? ''}:instance/${i.InstanceId}`;
          const tags = { ...tagsOf(i.Tags), ...(byArn.get(arn)?.tags ?? {}) };
          byArn.set(arn, {
            provider: 'AWS', id: arn, type: 'ec2:instance', region: this.options.region, name: tags.Name ?? i.InstanceId, tags,
            ...(i.InstanceType ? { size: i.InstanceType } : {}),
            attributes: {
              ...(i.State?.Name ? { state: i.State.Name } : {}),
              lifecycle: i.InstanceLifecycle === 'spot' ? 'spot' : i.InstanceLifecycle ?? 'on-demand',
              ...(i.Placement?.AvailabilityZone ? { availabilityZone: i.Placement.AvailabilityZone } : {}),
            },
          });
        }
      }
      next = page.NextToken || undefined;
    } while (next);
    this.log.info(`${this.label}: ${byArn.size} resources (${instances} EC2 instances)`);
    return [...byArn.values()];
  }
}
