import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { z } from 'zod';
import { describeError, isCancelled, isFinOpsError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { TagOutcome } from '../../core/tagging/plan';
import type { TagWrite, TagWriter } from '../../core/tagging/writer';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';
import { parseArn } from './inventory';

/** TagResources takes at most 20 ARNs a call, all getting the same tags. */
const ARNS_PER_CALL = 20;
/** EC2 CreateTags takes up to 1,000 resource ids a call; smaller calls keep a refusal's blast radius small. */
const EC2_IDS_PER_CALL = 100;

const tagResourcesOutput = z.object({
  FailedResourcesMap: z.record(z.string(), z.object({
    StatusCode: z.number().optional(),
    ErrorCode: z.string().optional(),
    ErrorMessage: z.string().optional(),
  })).optional(),
});

interface AwsTaggingOptions extends AwsOptions {
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
}

/**
 * Tags running AWS resources through the Resource Groups Tagging API (TagResources, IAM action `tag:TagResources`
 * plus the service's own tagging action, such as `sagemaker:AddTags`). Resources are grouped by region (the API is
 * regional) and by identical tags, 20 ARNs a call; the API's FailedResourcesMap says which ones were not tagged.
 * EC2 resources (instances, volumes …) are tagged with EC2's own CreateTags, the action TagResources performs for
 * them (`ec2:CreateTags`): one call for many ids, and the same call the AWS emulators implement.
 */
export class AwsTagWriter implements TagWriter {
  readonly cloud = 'aws' as const;
  readonly label: string;
  private readonly log: Logger;
  private readonly clients = new Map<string, Promise<ResourceGroupsTaggingAPIClient>>();
  private readonly ec2Clients = new Map<string, Promise<EC2Client>>();

  constructor(private readonly options: AwsTaggingOptions) {
    this.label = `AWS Resource Groups Tagging API (${describeProfile(options)})`;
    this.log = options.log ?? silentLogger;
  }

  /** One client of a kind per region, made on first use. */
  private regional<C>(cache: Map<string, Promise<C>>, region: string, make: (config: Awaited<ReturnType<typeof awsClientConfig>>) => Promise<C>): Promise<C> {
    let c = cache.get(region);
    if (!c) {
      c = awsClientConfig(this.options, region).then(make);
      cache.set(region, c);
    }
    return c;
  }

  private client(region: string): Promise<ResourceGroupsTaggingAPIClient> {
    return this.regional(this.clients, region, async (config) => new (await import('@aws-sdk/client-resource-groups-tagging-api')).ResourceGroupsTaggingAPIClient(config));
  }

  private ec2(region: string): Promise<EC2Client> {
    return this.regional(this.ec2Clients, region, async (config) => new (await import('@aws-sdk/client-ec2')).EC2Client(config));
  }

  /** EC2 CreateTags for ids of one region: all or nothing per call, so a refused call is retried id by id to say which. */
  private async writeEc2(region: string, tags: Record<string, string>, byId: ReadonlyMap<string, string>, signal: AbortSignal | undefined, outcomes: Map<string, TagOutcome>): Promise<void> {
    const { CreateTagsCommand } = await import('@aws-sdk/client-ec2');
    const client = await this.ec2(region);
    const send = (ids: string[]) => callAws({ options: this.options, api: 'EC2 CreateTags', action: 'ec2:CreateTags' },
      () => client.send(new CreateTagsCommand({ Resources: ids, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }), { abortSignal: signal }),
      { signal, log: this.log, retry: this.options.retry });
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += EC2_IDS_PER_CALL) {
      throwIfAborted(signal);
      const chunk = ids.slice(i, i + EC2_IDS_PER_CALL);
      try {
        await send(chunk);
        for (const id of chunk) outcomes.set(byId.get(id)!, { id: byId.get(id)!, ok: true });
      } catch (e) {
        if (isCancelled(e) || isFinOpsError(e, 'auth') || isFinOpsError(e, 'usage')) throw e;
        // a refusal that is not about one id (denied, throttled, unreachable) is the outcome of them all
        if (chunk.length === 1 || isFinOpsError(e, 'permission') || isFinOpsError(e, 'throttled') || isFinOpsError(e, 'unavailable')) {
          for (const id of chunk) outcomes.set(byId.get(id)!, { id: byId.get(id)!, ok: false, error: describeError(e) });
          continue;
        }
        for (const id of chunk) {
          try {
            await send([id]);
            outcomes.set(byId.get(id)!, { id: byId.get(id)!, ok: true });
          } catch (one) {
            if (isCancelled(one) || isFinOpsError(one, 'auth') || isFinOpsError(one, 'usage')) throw one;
            outcomes.set(byId.get(id)!, { id: byId.get(id)!, ok: false, error: describeError(one) });
          }
        }
      }
    }
  }

  async write(items: readonly TagWrite[], signal?: AbortSignal): Promise<TagOutcome[]> {
    const { TagResourcesCommand } = await import('@aws-sdk/client-resource-groups-tagging-api');
    const outcomes = new Map<string, TagOutcome>();
    // one batch per region and tag set
    const batches = new Map<string, { region: string; tags: Record<string, string>; arns: string[] }>();
    for (const item of items) {
      const arn = parseArn(item.id);
      if (!arn) {
        outcomes.set(item.id, { id: item.id, ok: false, error: `"${item.id}" is not an ARN; the Resource Groups Tagging API tags resources by ARN. Give the resource's ARN (\`mlfinops act tag --resource arn:aws:…\`).` });
        continue;
      }
      const region = arn.region || this.options.region || 'us-east-1';
      const tags = Object.fromEntries(Object.entries(item.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const key = JSON.stringify([region, tags]);
      const batch = batches.get(key) ?? { region, tags, arns: [] };
      batch.arns.push(item.id);
      batches.set(key, batch);
    }
    for (const batch of batches.values()) {
      // EC2 resources through CreateTags (by resource id), the others through TagResources (by ARN)
      const ec2 = new Map<string, string>();
      for (const a of batch.arns) {
        const arn = parseArn(a)!;
        if (arn.service === 'ec2' && /^[a-z]+-[0-9a-f]+$/.test(arn.resourceId)) ec2.set(arn.resourceId, a);
      }
      if (ec2.size) await this.writeEc2(batch.region, batch.tags, ec2, signal, outcomes);
      batch.arns = batch.arns.filter((a) => !outcomes.has(a));
      for (let i = 0; i < batch.arns.length; i += ARNS_PER_CALL) {
        throwIfAborted(signal);
        const arns = batch.arns.slice(i, i + ARNS_PER_CALL);
        const client = await this.client(batch.region);
        let failed: z.infer<typeof tagResourcesOutput>['FailedResourcesMap'];
        try {
          const raw = await callAws({ options: this.options, api: 'Resource Groups Tagging API TagResources', action: 'tag:TagResources' },
            () => client.send(new TagResourcesCommand({ ResourceARNList: arns, Tags: batch.tags }), { abortSignal: signal }),
            { signal, log: this.log, retry: this.options.retry });
          failed = tagResourcesOutput.parse(raw).FailedResourcesMap;
        } catch (e) {
          if (isCancelled(e)) throw e;
          // expired credentials stop everything; a refusal of this call is the outcome of its resources
          if (isFinOpsError(e, 'auth') || isFinOpsError(e, 'usage')) throw e;
          for (const arn of arns) outcomes.set(arn, { id: arn, ok: false, error: describeError(e) });
          continue;
        }
        for (const arn of arns) {
          const f = failed?.[arn];
          outcomes.set(arn, f ? { id: arn, ok: false, error: failureText(f, describeProfile(this.options)) } : { id: arn, ok: true });
        }
      }
    }
    const done = items.map((i) => outcomes.get(i.id) ?? { id: i.id, ok: false, error: 'not attempted' });
    this.log.info(`${this.label}: tagged ${done.filter((o) => o.ok).length} of ${done.length} resources`);
    return done;
  }
}

/** One entry of FailedResourcesMap as a sentence with the fix. */
function failureText(f: { StatusCode?: number | undefined; ErrorCode?: string | undefined; ErrorMessage?: string | undefined }, who: string): string {
  const said = f.ErrorMessage ? `: ${f.ErrorMessage}` : '';
  if (f.StatusCode === 403 || /AccessDenied|Unauthorized/i.test(f.ErrorMessage ?? '')) {
    return `AWS denied tagging it to ${who}${said}. Allow "tag:TagResources" and the service's own tagging action (for EC2 "ec2:CreateTags") in the IAM policy of the role or user.`;
  }
  if (f.StatusCode === 429 || /Throttl/i.test(`${f.ErrorCode ?? ''} ${f.ErrorMessage ?? ''}`)) {
    return `AWS throttled tagging it${said}. Run the same command again in a minute; resources already tagged keep their tags.`;
  }
  if (f.ErrorCode === 'InvalidParameterException' || f.StatusCode === 400) {
    return `AWS refused the tags or the ARN${said}. Check the ARN (the resource may be gone) and the tag values (at most 256 characters).`;
  }
  return `AWS could not tag it (${f.ErrorCode ?? `HTTP ${f.StatusCode ?? '?'}`})${said}. Try again; if it persists, check the resource in the console.`;
}
