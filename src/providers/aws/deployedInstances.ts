import { z } from 'zod';
import type { Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { awsClientConfig, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * The running EC2 instances a CloudFormation template deployed, by logical id: CloudFormation tags every instance
 * it creates with `aws:cloudformation:logical-id` (and `…:stack-name`), so one DescribeInstances with a tag filter
 * ties the template's `Trainer` to `i-0abc…` (IAM: `ec2:DescribeInstances`).
 */

const page = z.object({
  Reservations: z.array(z.object({
    Instances: z.array(z.object({
      InstanceId: z.string(),
      InstanceType: z.string().optional(),
      Tags: z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).optional(),
    })).optional(),
  })).optional(),
  NextToken: z.string().optional(),
});

export interface StackInstance {
  instanceId: string;
  instanceType?: string;
  stackName?: string;
}

export async function instancesByLogicalId(
  options: AwsOptions & { log?: Logger; retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'> },
  logicalIds: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, StackInstance[]>> {
  const out = new Map<string, StackInstance[]>();
  if (logicalIds.length === 0) return out;
  const { EC2Client, DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
  const ec2 = new EC2Client(await awsClientConfig(options));
  try {
    let token: string | undefined;
    do {
      const input = {
        Filters: [
          { Name: 'tag:aws:cloudformation:logical-id', Values: [...new Set(logicalIds)] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
        ...(token ? { NextToken: token } : {}),
      };
      const raw = page.parse(await callAws({ options, api: 'EC2 DescribeInstances', action: 'ec2:DescribeInstances' },
        () => ec2.send(new DescribeInstancesCommand(input), { abortSignal: signal }), { signal, ...(options.log ? { log: options.log } : {}), ...(options.retry ? { retry: options.retry } : {}) }));
      for (const r of raw.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          const tag = (k: string) => i.Tags?.find((t) => t.Key === k)?.Value;
          const id = tag('aws:cloudformation:logical-id');
          if (!id) continue;
          const stackName = tag('aws:cloudformation:stack-name');
          const list = out.get(id) ?? [];
          list.push({ instanceId: i.InstanceId, ...(i.InstanceType ? { instanceType: i.InstanceType } : {}), ...(stackName ? { stackName } : {}) });
          out.set(id, list);
        }
      }
      token = raw.NextToken || undefined;
    } while (token);
  } finally {
    ec2.destroy();
  }
  return out;
}
