import type { EC2Client, FleetLaunchTemplateOverridesRequest, Tag, _InstanceType } from '@aws-sdk/client-ec2';
import { gzipSync } from 'node:zlib';
import { FinOpsError, INTERNAL_FIX, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { perHour } from '../../core/savings/estimate';
import type { SpotJob } from '../../core/spot/job';
import { rollBackLaunch, type DryRunReport, type LaunchRequest, type LaunchResult, type SpotInstance, type SpotJobState, type SpotJobStatus, type SpotLauncher, type SpotProgress, type SpotResource } from '../../core/spot/launcher';
import { describeSources, JOB_TAG, jobTags, resourceName, spotPriceSources } from '../../core/spot/plan';
import { credibleSpotPrice, MIN_SPOT_SHARE_OF_ON_DEMAND } from '../../core/spot/progress';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * Spot jobs on AWS: a launch template (IMDSv2 required, the bootstrap as user data, tags on the instance and its
 * volumes) and an EC2 Fleet of type `maintain` (price-capacity-optimized across the listed types and subnets, an
 * optional on-demand base). The fleet replaces an interrupted instance; the replacement resumes from the newest
 * checkpoint. Every create is tried with DryRun first; a failure deletes what was created.
 */

export interface AwsSpotOptions extends AwsOptions {
  log?: Logger;
  /** Checks the checkpoint location is reachable before anything is created (throws a FinOpsError). */
  checkCheckpoint?: (uri: string, signal?: AbortSignal) => Promise<void>;
  /** How long launch() waits for the fleet's first answer (instances or errors), ms. */
  settleMs?: number;
  /** Sleep between polls (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

interface SdkErrorLike { name?: string; Code?: string; message?: string }

/** Fleet errors that mean "no spot capacity (or quota) for this request", from CreateFleet or the fleet's history. */
const capacityErrors = new Set(['InsufficientInstanceCapacity', 'MaxSpotInstanceCountExceeded', 'InsufficientCapacity', 'SpotMaxPriceTooLow', 'spotInstanceCountLimitExceeded', 'insufficientInstanceCapacity', 'UnfulfillableCapacity', 'VcpuLimitExceeded']);

function errorName(e: unknown): string {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorLike;
  return err.name ?? err.Code ?? '';
}

function capacityError(code: string, detail: string, job: SpotJob, cause?: unknown): FinOpsError {
  const quota = /MaxSpotInstanceCount|spotInstanceCountLimit|VcpuLimit/i.test(code);
  return new FinOpsError('unavailable', quota
    ? `AWS refused the spot instances of "${job.name}": the account's spot quota is used up (${code}: ${detail}).`
    : `AWS has no spot capacity for "${job.name}" right now (${code}: ${detail}).`, {
    fix: quota
      ? 'Ask for a higher "All G and VT Spot Instance Requests" (or the family\'s) quota in Service Quotas, or lower count.'
      : 'List more instance types and subnets (zones) in the job file, raise maxPricePerHour, or set onDemand.fallback.',
    cause,
  });
}

/** EC2's "that id does not exist / is malformed" errors are the job file's aws settings: an input error naming them. */
function asSettingsError(e: unknown, job: SpotJob): unknown {
  const code = errorName((e as { cause?: unknown }).cause ?? e);
  if (!/^Invalid[A-Za-z]*(ID|Id)?\.(NotFound|Malformed)$|^InvalidParameter|^InvalidLaunchTemplate|^InvalidAMIID|^InvalidSubnet|^InvalidGroup|^InvalidKeyPair/.test(code)) return e;
  const detail = ((e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message).replace(/\.?$/, '.');
  return new FinOpsError('input', `EC2 refused the job "${job.name}": ${detail}`, {
    fix: 'Check the aws settings of the job file (imageId, subnets, securityGroupIds, instanceProfile, keyName) against the account and region.', cause: e,
  });
}

/** EC2 takes at most 16 KB of user data before base64; cloud-init also reads it gzip-compressed. */
const USER_DATA_LIMIT = 16 * 1024;

function encodeUserData(userData: string, job: SpotJob): string {
  let raw = Buffer.from(userData, 'utf8');
  if (raw.length > USER_DATA_LIMIT) raw = gzipSync(raw, { level: 9 });
  if (raw.length > USER_DATA_LIMIT) {
    throw new FinOpsError('input', `The user data of "${job.name}" is ${Math.ceil(raw.length / 1024)} KB compressed, over EC2's 16 KB.`, { fix: 'Shorten the command and env of the job file.' });
  }
  return raw.toString('base64');
}

function consoleUrl(region: string, fleetId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#FleetDetails:fleetId=${fleetId}`;
}

function tagList(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export class AwsSpotLauncher implements SpotLauncher {
  readonly cloud = 'aws' as const;
  private clientPromise: Promise<EC2Client> | undefined;

  constructor(private readonly options: AwsSpotOptions, private readonly region: string) {}

  private client(): Promise<EC2Client> {
    this.clientPromise ??= (async () => {
      const { EC2Client } = await import('@aws-sdk/client-ec2');
      return new EC2Client(await awsClientConfig(this.options, this.region));
    })();
    return this.clientPromise;
  }

  private call<T>(api: string, action: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return callAws({ options: this.options, api: `EC2 ${api}`, action: `ec2:${action}` }, send, { ...(signal ? { signal } : {}), ...(this.options.log ? { log: this.options.log } : {}), retry: { attempts: 2 } });
  }

  /** A request sent with DryRun: true; AWS answers DryRunOperation when it would have succeeded. */
  private async dryRun(api: string, action: string, send: () => Promise<unknown>, signal?: AbortSignal, job?: SpotJob): Promise<string> {
    try {
      await send();
    } catch (e) {
      if (errorName(e) === 'DryRunOperation') return `${api}: would succeed (DryRun).`;
      if (capacityErrors.has(errorName(e))) throw e;
      // the mapper names the profile and the IAM action; UnauthorizedOperation becomes 'permission'
      return this.call(api, action, () => Promise.reject(e), signal).catch((err: unknown) => { throw job ? asSettingsError(err, job) : err; });
    }
    return `${api}: checked.`;
  }

  /**
   * What is checked before anything is created: the checkpoint bucket, the current spot prices against the max
   * price, that the job is not already launched, and CreateLaunchTemplate with DryRun. The fleet's own DryRun needs
   * the launch template to exist, so launch() sends it once the template is created (a refusal deletes the template).
   */
  async preflight(request: LaunchRequest): Promise<DryRunReport> {
    const { job, userData, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const name = resourceName(job);
    const checks: string[] = [];

    progress('Checking the checkpoint location…');
    const check = this.options.checkCheckpoint ?? ((uri: string, s?: AbortSignal) => this.checkS3Bucket(uri, s));
    await check(job.checkpoint.uri, signal);
    checks.push(`Checkpoint location ${job.checkpoint.uri}: reachable.`);

    progress('Reading the current spot prices…');
    const live = await this.currentSpotPrices(job, signal);
    // a price far under on-demand is no market price (an emulator's placeholder): the catalogue's stands in for it
    const onDemandOf = (t: string) => request.plan.types.find((x) => x.instanceType === t)?.onDemandHourly;
    const prices = new Map([...live].filter(([t, p]) => credibleSpotPrice(p, onDemandOf(t)) !== undefined));
    if (job.maxPricePerHour !== undefined && prices.size > 0) {
      const under = [...prices].filter(([, p]) => p <= job.maxPricePerHour!);
      if (under.length === 0) {
        const [cheapType, cheapPrice] = [...prices].sort((a, b) => a[1] - b[1])[0]!;
        throw new FinOpsError('input', `The max price ${perHour(job.maxPricePerHour)} is below the current spot price of every listed type in ${this.region} (cheapest now: ${cheapType} at ${perHour(cheapPrice)}); nothing was created.`, {
          fix: `Raise maxPricePerHour to at least ${perHour(cheapPrice)}, or add other instance types.`,
        });
      }
    }
    if (prices.size) checks.push(`Current spot prices (EC2 spot price history): ${[...prices].map(([t, p]) => `${t} ${perHour(p)}`).join(', ')}.`);
    const fromCatalogue = request.plan.types.filter((t) => !prices.has(t.instanceType) && t.spotHourly !== undefined);
    if (fromCatalogue.length) {
      const ignored = [...new Set(fromCatalogue.filter((t) => live.has(t.instanceType)).map((t) => perHour(live.get(t.instanceType)!)))];
      checks.push(`EC2's spot price history has no usable price for ${fromCatalogue.map((t) => t.instanceType).join(', ')}${ignored.length ? ` (${ignored.join(', ')}: under ${MIN_SPOT_SHARE_OF_ON_DEMAND * 100} % of on-demand, not a market price)` : ''}: the catalogue's spot prices stand in (${describeSources(spotPriceSources(fromCatalogue))}).`);
    }

    const existing = await this.findTemplate(name, signal);
    if (existing) {
      throw new FinOpsError('input', `The job "${job.name}" is already launched (launch template ${name}, ${existing}).`, {
        fix: `Stop it first (\`mlfinops spot stop ${job.name}\` or Stop in the Spot jobs view), or give the job another name.`,
      });
    }

    progress('DryRun: CreateLaunchTemplate…');
    const templateInput = this.templateInput(job, userData);
    checks.push(await this.dryRun('CreateLaunchTemplate', 'CreateLaunchTemplate', () => ec2.send(new sdk.CreateLaunchTemplateCommand({ ...templateInput, DryRun: true }), { abortSignal: signal }), signal, job));
    return { checks };
  }

  private templateInput(job: SpotJob, userData: string) {
    const name = resourceName(job);
    const tags = jobTags(job);
    return {
      LaunchTemplateName: name,
      VersionDescription: `ML FinOps spot job ${job.name}`,
      LaunchTemplateData: {
        ...(job.aws?.imageId ? { ImageId: job.aws.imageId } : {}),
        UserData: encodeUserData(userData, job),
        MetadataOptions: { HttpTokens: 'required' as const, HttpEndpoint: 'enabled' as const, HttpPutResponseHopLimit: 2 },
        ...(job.aws?.instanceProfile ? { IamInstanceProfile: job.aws.instanceProfile.startsWith('arn:') ? { Arn: job.aws.instanceProfile } : { Name: job.aws.instanceProfile } } : {}),
        ...(job.aws?.keyName ? { KeyName: job.aws.keyName } : {}),
        ...(job.aws?.securityGroupIds.length ? { SecurityGroupIds: job.aws.securityGroupIds } : {}),
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: job.aws?.volumeGiB ?? 200, VolumeType: 'gp3' as const, DeleteOnTermination: true } }],
        TagSpecifications: [
          { ResourceType: 'instance' as const, Tags: tagList({ ...tags, Name: name }) },
          { ResourceType: 'volume' as const, Tags: tagList(tags) },
        ],
      },
      TagSpecifications: [{ ResourceType: 'launch-template' as const, Tags: tagList(tags) }],
    };
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const { job, plan, userData, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const checks = [...(request.checked ?? await this.preflight(request)).checks];
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const name = resourceName(job);
    const tags = jobTags(job);
    const templateInput = this.templateInput(job, userData);

    const created: SpotResource[] = [];
    try {
      progress('Creating the launch template…');
      const lt = await this.call('CreateLaunchTemplate', 'CreateLaunchTemplate', () => ec2.send(new sdk.CreateLaunchTemplateCommand(templateInput), { abortSignal: signal }), signal).catch((e: unknown) => { throw asSettingsError(e, job); });
      const templateId = lt.LaunchTemplate?.LaunchTemplateId;
      if (!templateId) throw new FinOpsError('internal', 'EC2 CreateLaunchTemplate answered without a launch template id.', { fix: INTERNAL_FIX });
      created.push({ kind: 'launchTemplate', id: templateId, name, consoleUrl: `https://${this.region}.console.aws.amazon.com/ec2/home?region=${this.region}#LaunchTemplateDetails:launchTemplateId=${templateId}` });

      const subnets = job.aws?.subnets.length ? job.aws.subnets : [undefined];
      const zones = job.aws?.subnets.length || job.zones.length === 0 ? [undefined] : job.zones;
      const overrides: FleetLaunchTemplateOverridesRequest[] = [];
      for (const t of job.instanceTypes) {
        for (const s of subnets) {
          for (const z of zones) {
            overrides.push({ InstanceType: t as FleetLaunchTemplateOverridesRequest['InstanceType'], ...(s ? { SubnetId: s } : {}), ...(z ? { AvailabilityZone: z } : {}), ...(job.maxPricePerHour !== undefined ? { MaxPrice: String(job.maxPricePerHour) } : {}) });
          }
        }
      }
      const spotCount = job.count - job.onDemand.base;
      const fleetInput = {
        Type: 'maintain' as const,
        ReplaceUnhealthyInstances: true,
        TerminateInstancesWithExpiration: true,
        ValidUntil: new Date(Date.now() + job.maxRuntimeHours * 3_600_000 * 2),
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '$Latest' }, Overrides: overrides }],
        TargetCapacitySpecification: {
          TotalTargetCapacity: job.count,
          OnDemandTargetCapacity: job.onDemand.base,
          SpotTargetCapacity: spotCount,
          DefaultTargetCapacityType: (spotCount > 0 ? 'spot' : 'on-demand') as 'spot' | 'on-demand',
        },
        SpotOptions: {
          AllocationStrategy: 'price-capacity-optimized' as const,
          InstanceInterruptionBehavior: 'terminate' as const,
          ...(job.maxPricePerHour !== undefined ? { MaxTotalPrice: String(+(job.maxPricePerHour * spotCount).toFixed(4)) } : {}),
        },
        OnDemandOptions: { AllocationStrategy: 'lowest-price' as const },
        TagSpecifications: [{ ResourceType: 'fleet' as const, Tags: tagList(tags) }],
      };

      progress('DryRun: CreateFleet…');
      checks.push(await this.dryRun('CreateFleet', 'CreateFleet', () => ec2.send(new sdk.CreateFleetCommand({ ...fleetInput, DryRun: true }), { abortSignal: signal }), signal, job));

      progress('Creating the EC2 Fleet…');
      let fleet;
      try {
        fleet = await this.call('CreateFleet', 'CreateFleet', () => ec2.send(new sdk.CreateFleetCommand(fleetInput), { abortSignal: signal }), signal);
      } catch (e) {
        const code = errorName((e as { cause?: unknown }).cause ?? e);
        if (capacityErrors.has(code)) throw capacityError(code, (e as Error).message, job, e);
        throw asSettingsError(e, job);
      }
      const fleetId = fleet.FleetId;
      if (!fleetId) throw new FinOpsError('internal', 'EC2 CreateFleet answered without a fleet id.', { fix: INTERNAL_FIX });
      created.push({ kind: 'fleet', id: fleetId, name, consoleUrl: consoleUrl(this.region, fleetId) });
      const fleetErrors = (fleet.Errors ?? []).filter((x) => x.ErrorCode);
      if (fleetErrors.length && !(fleet.Instances ?? []).some((i) => i.InstanceIds?.length)) {
        const first = fleetErrors[0]!;
        throw capacityErrors.has(first.ErrorCode ?? '')
          ? capacityError(first.ErrorCode ?? '', first.ErrorMessage ?? '', job)
          : new FinOpsError('input', `EC2 CreateFleet refused "${job.name}": ${first.ErrorCode}: ${first.ErrorMessage ?? ''}`, { fix: 'Check the job file\'s aws settings (image, subnets, instance profile).' });
      }
      progress('Waiting for the fleet\'s first instances…');
      const status = await this.settle(job, signal);
      const dryRun: DryRunReport = { checks };
      this.options.log?.info(`Spot job ${job.name}: created ${created.map((r) => `${r.kind} ${r.id}`).join(', ')} in ${this.region} (${describeProfile(this.options)}); estimate ${plan.total.spot} USD`);
      return { dryRun, resources: created, status };
    } catch (e) {
      throw await this.rollBack(job, created, e);
    }
  }

  /**
   * Whether an s3:// checkpoint bucket exists and answers, before anything is created: an unsigned HEAD of the bucket
   * answers 200 or 403 (exists; the instance's role reads it), 301 (exists in another region) or 404 (no such
   * bucket). Local paths are not checked (dry runs).
   */
  private async checkS3Bucket(uri: string, signal?: AbortSignal): Promise<void> {
    const m = /^s3:\/\/([^/]+)/.exec(uri);
    if (!m) return;
    const bucket = m[1]!;
    const base = this.options.endpoint ? this.options.endpoint.replace(/\/+$/, '') : `https://s3.${this.region}.amazonaws.com`;
    let status: number;
    try {
      const r = await fetch(`${base}/${encodeURIComponent(bucket)}`, { method: 'HEAD', ...(signal ? { signal } : {}), redirect: 'manual' });
      status = r.status;
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new FinOpsError('unavailable', `The checkpoint bucket ${bucket} cannot be reached (${base}); nothing was created.`, {
        fix: 'Check the network, a proxy, or "mlFinops.aws.endpoint"; the instances need the bucket too.', cause: e,
      });
    }
    if (status === 404) {
      throw new FinOpsError('input', `The checkpoint bucket ${bucket} does not exist; nothing was created.`, {
        fix: `Create it (\`aws s3 mb s3://${bucket} --region ${this.region}\`) or correct checkpoint.uri in the job file.`,
      });
    }
    if (status >= 500) {
      throw new FinOpsError('unavailable', `The checkpoint bucket ${bucket} did not answer (HTTP ${status}); nothing was created.`, { fix: 'Try again in a minute.' });
    }
  }

  /** Deletes what a failed launch created; the error then says so, or names what is left. */
  private async rollBack(job: SpotJob, created: SpotResource[], e: unknown): Promise<unknown> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    return rollBackLaunch({
      job, created, error: e, console: `the EC2 console (${this.region})`, describe: errorName, ...(this.options.log ? { log: this.options.log } : {}),
      remove: async (r) => {
        if (r.kind === 'fleet') await ec2.send(new sdk.DeleteFleetsCommand({ FleetIds: [r.id], TerminateInstances: true }));
        if (r.kind === 'launchTemplate') await ec2.send(new sdk.DeleteLaunchTemplateCommand({ LaunchTemplateId: r.id }));
      },
    });
  }

  /** Polls the new fleet until it has instances or reports errors, or settleMs passes. */
  private async settle(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const deadline = Date.now() + (this.options.settleMs ?? 20_000);
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (;;) {
      const s = await this.status(job, signal);
      const capacity = s.events.find((ev) => ev.kind === 'error' && [...capacityErrors].some((c) => ev.message.includes(c)));
      if (capacity && s.instances.length === 0) {
        const code = [...capacityErrors].find((c) => capacity.message.includes(c)) ?? 'InsufficientInstanceCapacity';
        throw capacityError(code, capacity.message, job);
      }
      if (s.instances.length > 0 || Date.now() > deadline) return s;
      await sleep(1000);
    }
  }

  private async currentSpotPrices(job: SpotJob, signal?: AbortSignal): Promise<Map<string, number>> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const out = await this.call('DescribeSpotPriceHistory', 'DescribeSpotPriceHistory', () => ec2.send(new sdk.DescribeSpotPriceHistoryCommand({
      InstanceTypes: job.instanceTypes as _InstanceType[],
      ProductDescriptions: ['Linux/UNIX'],
      StartTime: new Date(Date.now() - 3_600_000),
      ...(job.zones.length === 1 ? { AvailabilityZone: job.zones[0] } : {}),
    }), { abortSignal: signal }), signal);
    // the newest price per type and zone; a type's price is its cheapest zone's (the fleet picks among them)
    const newest = new Map<string, { at: number; price: number }>();
    for (const h of out.SpotPriceHistory ?? []) {
      if (!h.InstanceType || !h.SpotPrice) continue;
      if (job.zones.length && h.AvailabilityZone && !job.zones.includes(h.AvailabilityZone)) continue;
      const key = `${h.InstanceType}|${h.AvailabilityZone ?? ''}`;
      const at = h.Timestamp?.getTime() ?? 0;
      const prev = newest.get(key);
      if (!prev || at > prev.at) newest.set(key, { at, price: Number(h.SpotPrice) });
    }
    const byType = new Map<string, number>();
    for (const [key, { price }] of newest) {
      const t = key.split('|')[0]!;
      if (Number.isFinite(price)) byType.set(t, Math.min(byType.get(t) ?? Infinity, price));
    }
    return byType;
  }

  private async findTemplate(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const out = await this.call('DescribeLaunchTemplates', 'DescribeLaunchTemplates', () => ec2.send(new sdk.DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'launch-template-name', Values: [name] }] }), { abortSignal: signal }), signal);
    return out.LaunchTemplates?.[0]?.LaunchTemplateId;
  }

  private async findFleets(job: SpotJob, signal?: AbortSignal) {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const out = await this.call('DescribeFleets', 'DescribeFleets', () => ec2.send(new sdk.DescribeFleetsCommand({ Filters: [{ Name: `tag:${JOB_TAG}`, Values: [job.name] }] }), { abortSignal: signal }), signal);
    return (out.Fleets ?? []).filter((f) => f.FleetId && !/deleted/.test(f.FleetState ?? ''));
  }

  async status(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const name = resourceName(job);
    const resources: SpotResource[] = [];
    const templateId = await this.findTemplate(name, signal);
    if (templateId) resources.push({ kind: 'launchTemplate', id: templateId, name });
    const fleets = await this.findFleets(job, signal);
    const fleet = fleets[0];
    if (!fleet?.FleetId) {
      return { job: job.name, state: templateId ? 'failed' : 'planned', resources, instances: [], events: templateId ? [{ at: new Date().toISOString(), kind: 'error', message: `Launch template ${name} exists without its fleet: stop the job to delete it.` }] : [] };
    }
    resources.push({ kind: 'fleet', id: fleet.FleetId, name, consoleUrl: consoleUrl(this.region, fleet.FleetId) });
    const fleetInstances = await this.call('DescribeFleetInstances', 'DescribeFleetInstances', () => ec2.send(new sdk.DescribeFleetInstancesCommand({ FleetId: fleet.FleetId! }), { abortSignal: signal }), signal);
    const ids = (fleetInstances.ActiveInstances ?? []).map((i) => i.InstanceId).filter((x): x is string => !!x);
    const instances: SpotInstance[] = [];
    if (ids.length) {
      const described = await this.call('DescribeInstances', 'DescribeInstances', () => ec2.send(new sdk.DescribeInstancesCommand({ InstanceIds: ids }), { abortSignal: signal }), signal);
      for (const r of described.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          if (!i.InstanceId) continue;
          instances.push({
            id: i.InstanceId, instanceType: i.InstanceType ?? '?', lifecycle: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand', state: i.State?.Name ?? 'unknown',
            ...(i.Placement?.AvailabilityZone ? { zone: i.Placement.AvailabilityZone } : {}),
            ...(i.LaunchTime ? { launchedAt: i.LaunchTime.toISOString() } : {}),
          });
        }
      }
      await this.addSpotPrices(instances, signal);
    }
    const requestedAt = fleet.CreateTime?.toISOString();
    const events: SpotJobStatus['events'] = [];
    try {
      const history = await this.call('DescribeFleetHistory', 'DescribeFleetHistory', () => ec2.send(new sdk.DescribeFleetHistoryCommand({ FleetId: fleet.FleetId!, StartTime: fleet.CreateTime ?? new Date(Date.now() - 86_400_000) }), { abortSignal: signal }), signal);
      for (const h of history.HistoryRecords ?? []) {
        const sub = h.EventInformation?.EventSubType ?? '';
        const kind = String(h.EventType) === 'error' || /error/i.test(String(h.EventType)) ? 'error' : /interrupt|termination[-_]notified|marked-for-termination/i.test(sub) || (/instance-change|instanceChange/.test(String(h.EventType)) && /^terminated/i.test(sub)) ? 'interruption' : 'info';
        events.push({ at: (h.Timestamp ?? new Date()).toISOString(), kind, message: [sub, h.EventInformation?.EventDescription].filter(Boolean).join(': ') });
      }
    } catch (e) {
      if (!isFinOpsError(e)) throw e;
      this.options.log?.warn(`Spot job ${job.name}: fleet history unavailable: ${e.message}`);
    }
    events.sort((a, b) => b.at.localeCompare(a.at));
    const interruptions = events.filter((e) => e.kind === 'interruption').length;
    const running = instances.filter((i) => i.state === 'running').length;
    let state: SpotJobState;
    if (running >= job.count) state = interruptions > 0 ? 'resuming' : 'running';
    else if (running > 0 || instances.some((i) => i.state === 'pending')) state = interruptions > 0 ? 'resuming' : 'requested';
    else if (interruptions > 0) state = 'interrupted';
    else if (events.some((e) => e.kind === 'error')) state = 'failed';
    else state = 'requested';
    return {
      job: job.name, state, resources, instances, events, consoleUrl: consoleUrl(this.region, fleet.FleetId),
      ...(requestedAt ? { requestedAt } : {}),
    };
  }

  private async addSpotPrices(instances: SpotInstance[], signal?: AbortSignal): Promise<void> {
    const spot = instances.filter((i) => i.lifecycle === 'spot' && i.zone);
    if (!spot.length) return;
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    try {
      const out = await this.call('DescribeSpotPriceHistory', 'DescribeSpotPriceHistory', () => ec2.send(new sdk.DescribeSpotPriceHistoryCommand({
        InstanceTypes: [...new Set(spot.map((i) => i.instanceType))] as _InstanceType[],
        ProductDescriptions: ['Linux/UNIX'], StartTime: new Date(),
      }), { abortSignal: signal }), signal);
      for (const i of spot) {
        const h = (out.SpotPriceHistory ?? []).filter((x) => x.InstanceType === i.instanceType && x.AvailabilityZone === i.zone).sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
        const price = Number(h?.SpotPrice);
        if (Number.isFinite(price) && price > 0) i.pricePerHour = price;
      }
    } catch (e) {
      if (!isFinOpsError(e)) throw e;
    }
  }

  async consoleOutput(_job: SpotJob, instanceId: string, signal?: AbortSignal): Promise<string> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const out = await this.call('GetConsoleOutput', 'GetConsoleOutput', () => ec2.send(new sdk.GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }), { abortSignal: signal }), signal);
    return out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
  }

  async stop(job: SpotJob, signal?: AbortSignal, progress: SpotProgress = () => undefined): Promise<SpotResource[]> {
    const ec2 = await this.client();
    const sdk = await import('@aws-sdk/client-ec2');
    const deleted: SpotResource[] = [];
    const name = resourceName(job);
    for (const f of await this.findFleets(job, signal)) {
      progress(`Deleting fleet ${f.FleetId} and its instances…`);
      const out = await this.call('DeleteFleets', 'DeleteFleets', () => ec2.send(new sdk.DeleteFleetsCommand({ FleetIds: [f.FleetId!], TerminateInstances: true }), { abortSignal: signal }), signal);
      const failed = out.UnsuccessfulFleetDeletions?.[0];
      if (failed) {
        throw new FinOpsError('unavailable', `EC2 could not delete fleet ${f.FleetId}: ${failed.Error?.Code ?? ''} ${failed.Error?.Message ?? ''}`.trim(), { fix: `Delete it in the EC2 console (${this.region}), then stop the job again.` });
      }
      deleted.push({ kind: 'fleet', id: f.FleetId!, name });
    }
    const templateId = await this.findTemplate(name, signal);
    if (templateId) {
      progress(`Deleting launch template ${name}…`);
      await this.call('DeleteLaunchTemplate', 'DeleteLaunchTemplate', () => ec2.send(new sdk.DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId }), { abortSignal: signal }), signal);
      deleted.push({ kind: 'launchTemplate', id: templateId, name });
    }
    this.options.log?.info(`Spot job ${job.name}: stopped; deleted ${deleted.map((r) => `${r.kind} ${r.id}`).join(', ') || 'nothing (nothing was running)'}`);
    return deleted;
  }
}
