import type { GlobalOperationsClient, InstancesClient, InstanceTemplatesClient, RegionInstanceGroupManagersClient, RegionOperationsClient, protos } from '@google-cloud/compute';
import { FinOpsError, INTERNAL_FIX, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { abortableSleep, type RetryOptions } from '../../core/retry';
import type { SpotJob } from '../../core/spot/job';
import { rollBackLaunch, type DryRunReport, type LaunchRequest, type LaunchResult, type SpotInstance, type SpotJobState, type SpotJobStatus, type SpotLauncher, type SpotProgress, type SpotResource } from '../../core/spot/launcher';
import { gcpLabels, jobTags, resourceName } from '../../core/spot/plan';
import { gaxClientOptions } from './config';
import { callGoogle } from './errors';

/**
 * Spot jobs on Google Cloud: a global instance template of Spot VMs (provisioningModel SPOT, instanceTerminationAction
 * DELETE, the bootstrap as the startup-script, the job's tags as labels, Shielded VM, no external IP, the service
 * account's scopes for the checkpoint bucket) and a regional managed instance group of size N across the job's zones
 * (distribution shape ANY, every listed machine type through the instance flexibility policy, in the job's order).
 * The group recreates a preempted VM, which resumes from the newest checkpoint. Compute Engine has no DryRun: the
 * template and the group are checked by the API when created, and a failure deletes what was created.
 *
 * The Compute Engine client speaks REST (HTTP/1.1 + JSON), so `mlFinops.gcp.endpoint` can point it at any host.
 */

type IInstanceTemplate = protos.google.cloud.compute.v1.IInstanceTemplate;
type IInstanceGroupManager = protos.google.cloud.compute.v1.IInstanceGroupManager;
type IOperation = protos.google.cloud.compute.v1.IOperation;
type IManagedInstance = protos.google.cloud.compute.v1.IManagedInstance;

export interface GcpSpotOptions {
  /** Endpoint override for Google APIs (Compute Engine and Cloud Storage); empty = Google. */
  endpoint: string;
  /** An auth client given directly (tests); otherwise Application Default Credentials. */
  authClient?: unknown;
  log?: Logger;
  /** Checks the checkpoint location before anything is created (throws a FinOpsError); default: buckets.get on gs://. */
  checkCheckpoint?: (uri: string, signal?: AbortSignal) => Promise<void>;
  /** How long launch() waits for the group's first VMs (or their errors), ms. */
  settleMs?: number;
  /** How long an operation (create, delete) is waited for, ms. */
  operationTimeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep'>;
}

/** A Deep Learning VM image family with the NVIDIA driver, CUDA and PyTorch; `gcp.image` in the job file overrides it. */
export const DEFAULT_GCP_IMAGE = 'projects/deeplearning-platform-release/global/images/family/common-cu128-ubuntu-2204-nvidia-570';

/** The scopes the VMs' service account gets: the checkpoint bucket, ending its own group when done, and logs. */
export const GCP_VM_SCOPES = [
  'https://www.googleapis.com/auth/devstorage.read_write',
  'https://www.googleapis.com/auth/compute',
  'https://www.googleapis.com/auth/logging.write',
  'https://www.googleapis.com/auth/monitoring.write',
];

/** Managed-instance errors that mean "no Spot capacity or quota for this request". */
const capacityCodes = /^(ZONE_RESOURCE_POOL_EXHAUSTED(_WITH_DETAILS)?|QUOTA_EXCEEDED|RESOURCE_EXHAUSTED|STOCKOUT|RESOURCE_POOL_EXHAUSTED)$/;

const PERMISSIONS = {
  templates: { permission: 'compute.instanceTemplates.create / delete / get', role: 'Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1)' },
  groups: { permission: 'compute.instanceGroupManagers.create / delete / get', role: 'Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1)' },
  operations: { permission: 'compute.globalOperations.get / compute.regionOperations.get', role: 'Compute Viewer (roles/compute.viewer)' },
  serial: { permission: 'compute.instances.getSerialPortOutput', role: 'Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1)' },
  storage: { permission: 'storage.buckets.get', role: 'Storage Legacy Bucket Reader (roles/storage.legacyBucketReader) on the checkpoint bucket' },
} as const;

function zoneOf(url: string | null | undefined): string | undefined {
  return url ? /\/zones\/([^/]+)/.exec(url)?.[1] : undefined;
}

function lastSegment(url: string | null | undefined): string {
  return (url ?? '').split('/').pop() ?? '';
}

function consoleUrl(project: string, region: string, name: string): string {
  return `https://console.cloud.google.com/compute/instanceGroups/details/${region}/${name}?project=${project}`;
}

export class GcpSpotLauncher implements SpotLauncher {
  readonly cloud = 'gcp' as const;
  private clients: Promise<{ templates: InstanceTemplatesClient; groups: RegionInstanceGroupManagersClient; globalOps: GlobalOperationsClient; regionOps: RegionOperationsClient; instances: InstancesClient }> | undefined;

  constructor(private readonly options: GcpSpotOptions, private readonly region: string) {}

  private project(job: SpotJob): string {
    const project = job.gcp?.project;
    if (!project) throw new FinOpsError('input', `The job "${job.name}" runs on Google Cloud but names no project.`, { fix: 'Set gcp.project in the job file.' });
    return project;
  }

  private getClients(job: SpotJob) {
    const project = this.project(job);
    this.clients ??= (async () => {
      const compute = await import('@google-cloud/compute');
      const opts = gaxClientOptions({ projectId: project, endpoint: this.options.endpoint, ...(this.options.authClient ? { authClient: this.options.authClient } : {}) });
      return {
        // the REST transport (HTTP/1.1 + JSON), Compute Engine's only one; apiEndpoint, port and protocol from the endpoint setting
        templates: new compute.InstanceTemplatesClient({ ...opts } as ConstructorParameters<typeof compute.InstanceTemplatesClient>[0]),
        groups: new compute.RegionInstanceGroupManagersClient({ ...opts } as ConstructorParameters<typeof compute.RegionInstanceGroupManagersClient>[0]),
        globalOps: new compute.GlobalOperationsClient({ ...opts } as ConstructorParameters<typeof compute.GlobalOperationsClient>[0]),
        regionOps: new compute.RegionOperationsClient({ ...opts } as ConstructorParameters<typeof compute.RegionOperationsClient>[0]),
        instances: new compute.InstancesClient({ ...opts } as ConstructorParameters<typeof compute.InstancesClient>[0]),
      };
    })();
    return this.clients;
  }

  /**
   * One Compute Engine call with the product's retry and error mapping. Creates and deletes are retried only when
   * throttled (a 429 was not carried out); a quota error is a quota, not throttling.
   */
  private call<T>(job: SpotJob, api: string, which: keyof typeof PERMISSIONS, send: () => Promise<T>, signal?: AbortSignal, mutating = false): Promise<T> {
    const ctx = {
      projectId: job.gcp?.project ?? '', endpoint: this.options.endpoint, api: `Compute Engine ${api}`, ...PERMISSIONS[which],
      service: which === 'storage' ? 'storage.googleapis.com' : 'compute.googleapis.com',
      inputFix: 'Check the gcp settings of the job file (project, image, network, serviceAccount), its regions, zones and machine types.',
    };
    const guarded = () => send().catch((e: unknown) => { throw quotaError(e, job) ?? e; });
    return callGoogle(ctx, guarded, {
      ...(signal ? { signal } : {}), ...(this.options.log ? { log: this.options.log } : {}),
      retry: { attempts: 3, ...this.options.retry, ...(mutating ? { retryable: (e: unknown) => isFinOpsError(e, 'throttled') } : {}) },
    });
  }

  /** Waits for a Compute Engine operation (operations.wait, again until DONE); its errors become a FinOpsError. */
  private async wait(job: SpotJob, op: IOperation | null | undefined, what: string, signal?: AbortSignal): Promise<IOperation> {
    const { globalOps, regionOps } = await this.getClients(job);
    const project = this.project(job);
    const name = op?.name;
    if (!name) throw new FinOpsError('internal', `Compute Engine answered ${what} without an operation.`, { fix: INTERNAL_FIX });
    const region = op.region ? lastSegment(op.region) : undefined;
    const deadline = Date.now() + (this.options.operationTimeoutMs ?? 10 * 60_000);
    let current: IOperation = op;
    while (current.status !== 'DONE') {
      if (Date.now() > deadline) {
        throw new FinOpsError('unavailable', `Compute Engine did not finish ${what} in time (operation ${name} is ${current.status ?? 'pending'}).`, { fix: `Look at the operation in the console (project ${project}), then run status or stop.` });
      }
      [current] = region
        ? await this.call(job, 'regionOperations.wait', 'operations', () => regionOps.wait({ project, region, operation: name }), signal)
        : await this.call(job, 'globalOperations.wait', 'operations', () => globalOps.wait({ project, operation: name }), signal);
    }
    const errors = current.error?.errors ?? [];
    if (errors.length) {
      const first = errors[0]!;
      const code = first.code ?? 'ERROR';
      const detail = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
      if (capacityCodes.test(code)) throw capacityError(code, first.message ?? '', job, this.region);
      if (/PERMISSION|FORBIDDEN/i.test(code)) throw new FinOpsError('permission', `Google Cloud refused ${what} for "${job.name}": ${detail}`, { fix: 'Grant the roles in docs/permissions.md (Compute Instance Admin (v1), Service Account User on the VMs\' service account).' });
      throw new FinOpsError('input', `Compute Engine could not finish ${what} for "${job.name}": ${detail}`, { fix: 'Check the gcp settings of the job file (image, network, serviceAccount), its zones and machine types.' });
    }
    return current;
  }

  /** The job's zones in the launch region (refused when one is elsewhere). */
  private zones(job: SpotJob): string[] {
    const zones = job.zones.filter((z) => z.startsWith(`${this.region}-`));
    if (job.zones.length && zones.length < job.zones.length) {
      const other = job.zones.filter((z) => !zones.includes(z));
      throw new FinOpsError('input', `The zones ${other.join(', ')} are not in ${this.region}, the region the group is created in.`, { fix: `List zones of ${this.region} (such as ${this.region}-a) under zones, or put their region first under regions.` });
    }
    return zones;
  }

  /**
   * What is checked before anything is created (Compute Engine has no DryRun): the job's settings, the checkpoint
   * bucket, and that the job is not already launched. Creates nothing.
   */
  async preflight(request: LaunchRequest): Promise<DryRunReport> {
    const { job, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const project = this.project(job);
    const name = resourceName(job);
    const checks: string[] = [];
    if (job.onDemand.base > 0) {
      throw new FinOpsError('input', `A managed instance group of Spot VMs has no on-demand base (onDemand.base is ${job.onDemand.base} in "${job.name}").`, {
        fix: 'Set onDemand.base to 0 for Google Cloud, or export the job to SkyPilot (`mlfinops spot export`).',
      });
    }
    this.zones(job);
    const labels = gcpLabels(jobTags(job), job.name);

    progress('Checking the checkpoint location…');
    const check = this.options.checkCheckpoint ?? ((uri: string, s?: AbortSignal) => this.checkBucket(job, uri, s));
    await check(job.checkpoint.uri, signal);
    checks.push(`Checkpoint location ${job.checkpoint.uri}: reachable.`);
    checks.push(`Labels: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
    if (job.maxPricePerHour !== undefined) checks.push(`Spot VMs have no bid on Google Cloud: maxPricePerHour (${job.maxPricePerHour} USD) was checked against the price catalogue.`);
    if (job.onDemand.fallback) checks.push('onDemand.fallback is not available in a managed instance group (the SkyPilot export has it); the group waits for Spot capacity.');

    progress('Looking for an earlier launch of the job…');
    const existing = await this.findTemplate(job, signal);
    if (existing) {
      throw new FinOpsError('input', `The job "${job.name}" is already launched (instance template ${name} in project ${project}).`, {
        fix: `Stop it first (\`mlfinops spot stop ${job.name}\` or Stop in the Spot jobs view), or give the job another name.`,
      });
    }
    checks.push(`No earlier launch of "${job.name}" in project ${project}. Compute Engine has no DryRun: it checks the template and the group as they are created, and a failure deletes what was created.`);
    return { checks };
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const { job, userData, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const project = this.project(job);
    const name = resourceName(job);
    const checks = [...(request.checked ?? await this.preflight(request)).checks];
    const zones = this.zones(job);
    const labels = gcpLabels(jobTags(job), job.name);
    const { templates, groups } = await this.getClients(job);

    const network = job.gcp?.network ?? 'default';
    const nic = network.includes('/subnetworks/')
      ? { subnetwork: network }
      : { network: network.includes('/') ? network : `global/networks/${network}` };
    const template: IInstanceTemplate = {
      name,
      description: `ML FinOps spot job ${job.name}`,
      properties: {
        machineType: job.instanceTypes[0]!,
        labels,
        metadata: { items: [{ key: 'startup-script', value: userData }, { key: 'enable-oslogin', value: 'TRUE' }] },
        scheduling: { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE', automaticRestart: false, onHostMaintenance: 'TERMINATE' },
        disks: [{
          boot: true, autoDelete: true, type: 'PERSISTENT',
          initializeParams: { sourceImage: job.gcp?.image ?? DEFAULT_GCP_IMAGE, diskSizeGb: job.gcp?.diskGiB ?? 200, diskType: 'pd-balanced', labels },
        }],
        // no access config: no external IP (the subnet needs Cloud NAT to fetch code, and Private Google Access for the bucket)
        networkInterfaces: [nic],
        serviceAccounts: [{ email: job.gcp?.serviceAccount ?? 'default', scopes: GCP_VM_SCOPES }],
        // Secure Boot stays off: the NVIDIA driver is an unsigned kernel module on most images
        shieldedInstanceConfig: { enableSecureBoot: false, enableVtpm: true, enableIntegrityMonitoring: true },
      },
    };

    const created: SpotResource[] = [];
    try {
      progress('Creating the instance template…');
      const [templateOp] = await this.call(job, 'instanceTemplates.insert', 'templates', () => templates.insert({ project, instanceTemplateResource: template }), signal, true);
      created.push({ kind: 'instanceTemplate', id: name, name, consoleUrl: `https://console.cloud.google.com/compute/instanceTemplates/details/${name}?project=${project}` });
      await this.wait(job, templateOp.latestResponse as IOperation, 'creating the instance template', signal);
      checks.push(`Instance template ${name}: accepted by Compute Engine (Spot, ${job.instanceTypes[0]}, ${Object.keys(labels).length} labels).`);

      const group: IInstanceGroupManager = {
        name,
        description: `ML FinOps spot job ${job.name}`,
        baseInstanceName: name.slice(0, 58).replace(/-+$/, ''),
        instanceTemplate: `projects/${project}/global/instanceTemplates/${name}`,
        targetSize: job.count,
        distributionPolicy: { targetShape: 'ANY', ...(zones.length ? { zones: zones.map((z) => ({ zone: `zones/${z}` })) } : {}) },
        ...(job.instanceTypes.length > 1
          ? { instanceFlexibilityPolicy: { instanceSelections: Object.fromEntries(job.instanceTypes.map((t, i) => [`rank-${i}-${t}`.slice(0, 63), { machineTypes: [t], rank: i }])) } }
          : {}),
        instanceLifecyclePolicy: { defaultActionOnFailure: 'REPAIR' },
        updatePolicy: { type: 'OPPORTUNISTIC' },
      };
      progress('Creating the managed instance group…');
      const [groupOp] = await this.call(job, 'regionInstanceGroupManagers.insert', 'groups', () => groups.insert({ project, region: this.region, instanceGroupManagerResource: group }), signal, true);
      created.push({ kind: 'instanceGroup', id: name, name, consoleUrl: consoleUrl(project, this.region, name) });
      await this.wait(job, groupOp.latestResponse as IOperation, 'creating the managed instance group', signal);
      checks.push(`Managed instance group ${name} in ${this.region}: accepted, size ${job.count}${zones.length ? ` across ${zones.join(', ')}` : ''}.`);

      progress('Waiting for the group\'s first VMs…');
      const status = await this.settle(job, signal);
      this.options.log?.info(`Spot job ${job.name}: created instance template and managed instance group ${name} in ${this.region} (project ${project})`);
      return { dryRun: { checks }, resources: created, status };
    } catch (e) {
      throw await this.rollBack(job, created, e);
    }
  }

  /** buckets.get on a gs:// checkpoint bucket: 404 means it does not exist; 403 means it exists (the VMs' account reads it). */
  private async checkBucket(job: SpotJob, uri: string, signal?: AbortSignal): Promise<void> {
    const m = /^gs:\/\/([^/]+)/.exec(uri);
    if (!m) return;
    const bucket = m[1]!;
    const { templates } = await this.getClients(job);
    const base = (this.options.endpoint || 'https://storage.googleapis.com').replace(/\/+$/, '');
    const auth = templates.auth as unknown as { getRequestHeaders(url?: string): Promise<Headers | Record<string, string>> };
    const url = `${base}/storage/v1/b/${encodeURIComponent(bucket)}?fields=name`;
    await this.call(job, 'Cloud Storage buckets.get', 'storage', async () => {
      const h = await auth.getRequestHeaders(url);
      const authorization = typeof (h as Headers).get === 'function' ? (h as Headers).get('authorization') ?? '' : (h as Record<string, string>).Authorization ?? (h as Record<string, string>).authorization ?? '';
      let r: Response;
      try {
        r = await fetch(url, { headers: { authorization }, ...(signal ? { signal } : {}) });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        throw new FinOpsError('unavailable', `The checkpoint bucket ${bucket} cannot be reached (${base}); nothing was created.`, { fix: 'Check the network, a proxy, or "mlFinops.gcp.endpoint"; the VMs need the bucket too.', cause: e });
      }
      if (r.status === 404) {
        throw new FinOpsError('input', `The checkpoint bucket ${bucket} does not exist; nothing was created.`, {
          fix: `Create it (\`gcloud storage buckets create gs://${bucket} --project ${job.gcp?.project ?? ''} --location ${this.region}\`) or correct checkpoint.uri in the job file.`,
        });
      }
      if (r.status === 403 || r.ok) return;
      throw Object.assign(new Error(`Cloud Storage buckets.get: HTTP ${r.status}`), { code: r.status });
    }, signal);
  }

  /** Deletes what a failed launch created (the group, then the template); the error then says so, or names what is left. */
  private rollBack(job: SpotJob, created: SpotResource[], e: unknown): Promise<unknown> {
    return rollBackLaunch({
      job, created, error: e, console: `the Google Cloud console (project ${job.gcp?.project ?? ''})`, ...(this.options.log ? { log: this.options.log } : {}),
      remove: async (r) => {
        if (r.kind === 'instanceGroup') await this.deleteGroup(job);
        if (r.kind === 'instanceTemplate') await this.deleteTemplate(job);
      },
    });
  }

  /** Polls the new group until a VM runs or every VM reports a capacity or quota error, or settleMs passes. */
  private async settle(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const deadline = Date.now() + (this.options.settleMs ?? 30_000);
    const sleep = this.options.sleep ?? abortableSleep;
    for (;;) {
      const s = await this.status(job, signal);
      const failing = s.events.filter((ev) => ev.kind === 'error' && capacityCodes.test(ev.message.split(':')[0] ?? ''));
      const running = s.instances.filter((i) => i.state === 'RUNNING').length;
      if (running === 0 && failing.length && s.instances.length && s.instances.every((i) => i.state !== 'RUNNING')) {
        const [code, ...rest] = failing[0]!.message.split(':');
        throw capacityError(code!, rest.join(':').trim(), job, this.region);
      }
      if (running > 0 || Date.now() > deadline) return s;
      await sleep(1000, signal);
    }
  }

  private async findTemplate(job: SpotJob, signal?: AbortSignal): Promise<IInstanceTemplate | undefined> {
    const { templates } = await this.getClients(job);
    try {
      const [t] = await this.call(job, 'instanceTemplates.get', 'templates', () => templates.get({ project: this.project(job), instanceTemplate: resourceName(job) }), signal);
      return t;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async findGroup(job: SpotJob, signal?: AbortSignal): Promise<IInstanceGroupManager | undefined> {
    const { groups } = await this.getClients(job);
    try {
      const [g] = await this.call(job, 'regionInstanceGroupManagers.get', 'groups', () => groups.get({ project: this.project(job), region: this.region, instanceGroupManager: resourceName(job) }), signal);
      return g;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async status(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const project = this.project(job);
    const name = resourceName(job);
    const { groups, globalOps } = await this.getClients(job);
    const resources: SpotResource[] = [];
    const template = await this.findTemplate(job, signal);
    if (template) resources.push({ kind: 'instanceTemplate', id: name, name });
    const group = await this.findGroup(job, signal);
    if (!group) {
      return {
        job: job.name, state: template ? 'failed' : 'planned', resources, instances: [],
        events: template ? [{ at: new Date().toISOString(), kind: 'error', message: `Instance template ${name} exists without its managed instance group: stop the job to delete it.` }] : [],
      };
    }
    resources.push({ kind: 'instanceGroup', id: name, name, consoleUrl: consoleUrl(project, this.region, name) });
    const managed: IManagedInstance[] = [];
    let pageToken: string | undefined;
    do {
      const [items, next] = await this.call(job, 'regionInstanceGroupManagers.listManagedInstances', 'groups', () => groups.listManagedInstances(
        { project, region: this.region, instanceGroupManager: name, maxResults: 500, ...(pageToken ? { pageToken } : {}) }, { autoPaginate: false },
      ), signal);
      managed.push(...(items ?? []));
      pageToken = (next as { pageToken?: string } | null)?.pageToken ?? undefined;
    } while (pageToken);
    const templateType = template?.properties?.machineType ?? job.instanceTypes[0] ?? '?';
    const instances: SpotInstance[] = managed.map((mi) => ({
      id: mi.name ?? lastSegment(mi.instance) ?? String(mi.id ?? '?'),
      instanceType: mi.propertiesFromFlexibilityPolicy?.machineType ?? templateType,
      lifecycle: 'spot',
      // the VM's status when it exists, else what the group is doing (CREATING, RECREATING …)
      state: mi.currentAction && mi.currentAction !== 'NONE' ? mi.currentAction : (mi.instanceStatus ?? 'UNKNOWN'),
      ...(zoneOf(mi.instance) ? { zone: zoneOf(mi.instance)! } : {}),
    }));

    const requestedAt = group.creationTimestamp ?? undefined;
    const events: SpotJobStatus['events'] = [];
    for (const mi of managed) {
      for (const err of mi.lastAttempt?.errors?.errors ?? []) {
        events.push({ at: new Date().toISOString(), kind: 'error', message: `${err.code ?? 'ERROR'}: ${err.message ?? ''} (${mi.name ?? ''})` });
      }
    }
    try {
      const [errs] = await this.call(job, 'regionInstanceGroupManagers.listErrors', 'groups', () => groups.listErrors({ project, region: this.region, instanceGroupManager: name, maxResults: 50 }, { autoPaginate: false }), signal);
      for (const x of errs ?? []) {
        const message = `${x.error?.code ?? 'ERROR'}: ${x.error?.message ?? ''} (${lastSegment(x.instanceActionDetails?.instance)})`;
        if (!events.some((ev) => ev.message === message)) events.push({ at: x.timestamp ?? new Date().toISOString(), kind: 'error', message });
      }
      // preemptions are zone operations of type compute.instances.preempted on the group's VMs
      const prefix = `${group.baseInstanceName ?? name}-`;
      const iterable = globalOps.aggregatedListAsync({ project, filter: 'operationType="compute.instances.preempted"', maxResults: 500 }, { autoPaginate: false });
      for await (const [, scoped] of iterable) {
        for (const op of scoped.operations ?? []) {
          const vm = lastSegment(op.targetLink);
          const at = op.endTime ?? op.insertTime ?? '';
          if (!vm.startsWith(prefix) || (requestedAt && at && at < requestedAt)) continue;
          events.push({ at, kind: 'interruption', message: `Spot VM ${vm} preempted in ${zoneOf(op.zone ?? op.targetLink) ?? '?'}; the group recreates it` });
        }
      }
    } catch (e) {
      if (!isFinOpsError(e) && !(e as { code?: unknown }).code) throw e;
      this.options.log?.warn(`Spot job ${job.name}: group errors / preemptions unavailable: ${(e as Error).message}`);
    }
    events.sort((a, b) => b.at.localeCompare(a.at));
    const interruptions = events.filter((ev) => ev.kind === 'interruption').length;
    const running = instances.filter((i) => i.state === 'RUNNING').length;
    const starting = instances.filter((i) => /^(CREATING|RECREATING|STARTING|PROVISIONING|STAGING|VERIFYING|REFRESHING|RESTARTING|RESUMING)$/.test(i.state)).length;
    let state: SpotJobState;
    if (running >= job.count) state = interruptions > 0 ? 'resuming' : 'running';
    else if (running > 0 || starting > 0) state = interruptions > 0 ? (instances.some((i) => i.state === 'RECREATING') ? 'interrupted' : 'resuming') : 'requested';
    else if (interruptions > 0) state = 'interrupted';
    else if (events.some((ev) => ev.kind === 'error')) state = 'failed';
    else if ((group.targetSize ?? job.count) === 0) state = 'finished';
    else state = 'requested';
    return {
      job: job.name, state, resources, instances, events, consoleUrl: consoleUrl(project, this.region, name),
      ...(requestedAt ? { requestedAt } : {}),
    };
  }

  /** What a VM of the group printed to its serial console (the startup script's and the bootstrap's lines), newest last. */
  async consoleOutput(job: SpotJob, instanceId: string, signal?: AbortSignal): Promise<string> {
    const status = await this.status(job, signal);
    const vm = status.instances.find((i) => i.id === instanceId);
    if (!vm?.zone) {
      throw new FinOpsError('input', `The VM ${instanceId} is not (or no longer) in the group of "${job.name}".`, { fix: 'Refresh the Spot jobs view (a preempted VM is replaced by one with another name).' });
    }
    const { instances } = await this.getClients(job);
    const [out] = await this.call(job, 'instances.getSerialPortOutput', 'serial', () => instances.getSerialPortOutput({ project: this.project(job), zone: vm.zone!, instance: instanceId, port: 1 }), signal);
    return out.contents ?? '';
  }

  private async deleteGroup(job: SpotJob, signal?: AbortSignal): Promise<boolean> {
    const { groups } = await this.getClients(job);
    try {
      const [op] = await this.call(job, 'regionInstanceGroupManagers.delete', 'groups', () => groups.delete({ project: this.project(job), region: this.region, instanceGroupManager: resourceName(job) }), signal, true);
      await this.wait(job, op.latestResponse as IOperation, 'deleting the managed instance group', signal);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  private async deleteTemplate(job: SpotJob, signal?: AbortSignal): Promise<boolean> {
    const { templates } = await this.getClients(job);
    try {
      const [op] = await this.call(job, 'instanceTemplates.delete', 'templates', () => templates.delete({ project: this.project(job), instanceTemplate: resourceName(job) }), signal, true);
      await this.wait(job, op.latestResponse as IOperation, 'deleting the instance template', signal);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async stop(job: SpotJob, signal?: AbortSignal, progress: SpotProgress = () => undefined): Promise<SpotResource[]> {
    const name = resourceName(job);
    const deleted: SpotResource[] = [];
    progress(`Deleting managed instance group ${name} and its VMs…`);
    if (await this.deleteGroup(job, signal)) deleted.push({ kind: 'instanceGroup', id: name, name });
    progress(`Deleting instance template ${name}…`);
    if (await this.deleteTemplate(job, signal)) deleted.push({ kind: 'instanceTemplate', id: name, name });
    this.options.log?.info(`Spot job ${job.name}: stopped; deleted ${deleted.map((r) => `${r.kind} ${r.id}`).join(', ') || 'nothing (nothing was running)'}`);
    return deleted;
  }
}

function isNotFound(e: unknown): boolean {
  if (isFinOpsError(e, 'input')) {
    const cause = (e as { cause?: { code?: unknown } }).cause;
    return cause?.code === 5 || cause?.code === 404 || /was not found|notFound/i.test(e.message);
  }
  return false;
}

/** "Quota 'X' exceeded" from a create is a quota to raise, not throttling to retry. */
function quotaError(e: unknown, job: SpotJob): FinOpsError | undefined {
  const message = (e as { message?: string } | undefined)?.message ?? '';
  const m = /Quota '([^']+)' exceeded[^.]*\.?(?:\s*Limit:\s*([\d.]+)[^.]*\.)?/i.exec(message);
  if (!m) return undefined;
  return new FinOpsError('unavailable', `Google Cloud refused "${job.name}": the project's quota ${m[1]} is used up (${message.trim()}).`, {
    fix: `Ask for more ${m[1]} quota (IAM & Admin → Quotas, or \`gcloud alpha services quota\`), or lower count.`, cause: e,
  });
}

function capacityError(code: string, detail: string, job: SpotJob, region: string): FinOpsError {
  const quota = /QUOTA/i.test(code);
  return new FinOpsError('unavailable', quota
    ? `Google Cloud refused the Spot VMs of "${job.name}": the project's quota is used up (${code}: ${detail}).`
    : `Google Cloud has no Spot capacity for "${job.name}" in ${region} right now (${code}: ${detail}).`, {
    fix: quota
      ? 'Ask for more preemptible GPU quota for the region (IAM & Admin → Quotas, "Preemptible … GPUs"), or lower count.'
      : 'List more machine types and zones in the job file, or try another region.',
  });
}
