import type { ComputeManagementClient, VirtualMachineScaleSet, VirtualMachineScaleSetVM } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { generateKeyPairSync } from 'node:crypto';
import type { Agent } from 'node:https';
import { gzipSync } from 'node:zlib';
import { describeError, FinOpsError, isCancelled, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { abortableSleep, type RetryOptions } from '../../core/retry';
import type { SpotJob } from '../../core/spot/job';
import { rollBackLaunch, type DryRunReport, type LaunchRequest, type LaunchResult, type SpotInstance, type SpotJobState, type SpotJobStatus, type SpotLauncher, type SpotProgress, type SpotResource } from '../../core/spot/launcher';
import { describeSources, jobTags, resourceName } from '../../core/spot/plan';
import { perHour } from '../../core/savings/estimate';
import { armEndpoint, azureCredential } from './config';
import { callAzure } from './errors';
import { AzureRetailPrices } from './retailPrices';

/**
 * Spot jobs on Azure: one virtual machine scale set (Uniform orchestration) of Spot VMs — priority Spot, eviction
 * policy Delete, `billingProfile.maxPrice` from the job (-1: up to the pay-as-you-go price), the bootstrap as custom
 * data, the job's tags on the scale set — with Spot Try & Restore on, so Azure recreates evicted VMs when capacity
 * returns and they resume from the newest checkpoint. Azure has no DryRun: Resource Manager validates the request
 * when it is sent; a failed create deletes the scale set.
 */

export interface AzureSpotOptions {
  /** Azure Resource Manager endpoint; empty = https://management.azure.com. */
  endpoint: string;
  tenantId?: string;
  /** A credential given directly (tests); otherwise DefaultAzureCredential. */
  credential?: TokenCredential;
  /** An HTTPS agent (tests: one that trusts a local certificate). */
  agent?: Agent;
  /** Blob endpoint of a storage account (default https://<account>.blob.core.windows.net), for the checkpoint check. */
  blobEndpoint?: (account: string) => string;
  log?: Logger;
  /** Checks the checkpoint location before anything is created (throws a FinOpsError); default: Get Container Properties. */
  checkCheckpoint?: (uri: string, signal?: AbortSignal) => Promise<void>;
  /** How long launch() waits for the scale set's first VMs, ms. */
  settleMs?: number;
  /** Delay between polls of a long-running operation, ms (default: what Azure asks for). */
  pollIntervalMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep'>;
  /**
   * Live prices are allowed: the current Spot price of the VM size is read from the Azure Retail Prices API (endpoint
   * configurable; default https://prices.azure.com) and a max price below it refuses the launch. Absent: not checked.
   */
  retailPrices?: { endpoint?: string; fetch?: typeof fetch };
}

/** Ubuntu 22.04 HPC image with the NVIDIA driver and CUDA (publisher:offer:sku:version); `azure.image` overrides it. */
export const DEFAULT_AZURE_IMAGE = 'microsoft-dsvm:ubuntu-hpc:2204:latest';

/** Resource Manager errors that mean "no Spot capacity for this request". */
const capacityCodes = /^(SkuNotAvailable|AllocationFailed|ZonalAllocationFailed|OverconstrainedAllocationRequest|OverconstrainedZonalAllocationRequest|SpotMaxPriceTooLow|AllocationFailedSpotPriceTooLow)$/i;

const ACTIONS = {
  scaleSets: { action: 'Microsoft.Compute/virtualMachineScaleSets/write, read, delete (and Microsoft.Network/virtualNetworks/subnets/join/action)', role: 'Virtual Machine Contributor' },
  vms: { action: 'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read', role: 'Reader' },
  storage: { action: 'Microsoft.Storage/storageAccounts/blobServices/containers/read', role: 'Storage Blob Data Reader' },
} as const;

/** An OpenSSH public key whose private half is never kept: Linux needs a key, and nobody logs in to these VMs. */
export function throwawaySshKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = publicKey.export({ format: 'jwk' });
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const str = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const mpint = (b: Buffer) => str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
  return `ssh-rsa ${blob.toString('base64')} mlfinops-no-login`;
}

/** Azure takes at most 64 KB of custom data; cloud-init also reads it gzip-compressed. */
const CUSTOM_DATA_LIMIT = 64 * 1024 - 1;

function encodeCustomData(userData: string, job: SpotJob): string {
  let raw = Buffer.from(userData, 'utf8');
  if (raw.length > CUSTOM_DATA_LIMIT) raw = gzipSync(raw, { level: 9 });
  if (raw.length > CUSTOM_DATA_LIMIT) {
    throw new FinOpsError('input', `The custom data of "${job.name}" is ${Math.ceil(raw.length / 1024)} KB compressed, over Azure's 64 KB.`, { fix: 'Shorten the command and env of the job file.' });
  }
  return raw.toString('base64');
}

function imageReference(image: string): { id: string } | { publisher: string; offer: string; sku: string; version: string } {
  if (image.startsWith('/')) return { id: image };
  const [publisher, offer, sku, version = 'latest'] = image.split(':');
  if (!publisher || !offer || !sku) {
    throw new FinOpsError('input', `azure.image "${image}" is neither publisher:offer:sku:version nor an image resource id.`, { fix: `Use a URN such as ${DEFAULT_AZURE_IMAGE}, or /subscriptions/…/images/… .` });
  }
  return { publisher, offer, sku, version };
}

function consoleUrl(id: string): string {
  return `https://portal.azure.com/#@/resource${id}/overview`;
}

interface ArmErrorLike { statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } } }

/**
 * The ARM error code of a failure: a RestError's code, or the code of a failed long-running operation, which the
 * poller reports as "The long-running operation has failed. <code>. <message>".
 */
function armCode(e: unknown): string {
  const err = (e ?? {}) as ArmErrorLike;
  return err.code ?? err.details?.error?.code ?? /long-running operation has failed\. (\w+)\./.exec(err.message ?? '')?.[1] ?? '';
}

export class AzureSpotLauncher implements SpotLauncher {
  readonly cloud = 'azure' as const;
  private client: Promise<ComputeManagementClient> | undefined;

  constructor(private readonly options: AzureSpotOptions, private readonly region: string) {}

  private settings(job: SpotJob): NonNullable<SpotJob['azure']> {
    if (!job.azure) throw new FinOpsError('input', `The job "${job.name}" runs on Azure but has no azure settings.`, { fix: 'Set azure.subscriptionId and azure.resourceGroup in the job file.' });
    return job.azure;
  }

  private getClient(job: SpotJob): Promise<ComputeManagementClient> {
    const { subscriptionId } = this.settings(job);
    this.client ??= (async () => {
      const { ComputeManagementClient } = await import('@azure/arm-compute');
      const credential = await azureCredential({ scope: '', endpoint: this.options.endpoint, tenantId: this.options.tenantId ?? '', ...(this.options.credential ? { credential: this.options.credential } : {}) });
      return new ComputeManagementClient(credential, subscriptionId, {
        endpoint: armEndpoint(this.options),
        // throttling is retried by src/core/retry.ts, which honours Retry-After
        retryOptions: { maxRetries: 0 },
        ...(this.options.agent ? { agent: this.options.agent } : {}),
      });
    })();
    return this.client;
  }

  /** One Resource Manager call with the product's retry and error mapping; creates and deletes retry only when throttled. */
  private call<T>(job: SpotJob, api: string, which: keyof typeof ACTIONS, send: () => Promise<T>, signal?: AbortSignal, mutating = false): Promise<T> {
    const { subscriptionId, resourceGroup } = this.settings(job);
    const scope = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
    const guarded = () => send().catch((e: unknown) => { throw this.refine(e, job) ?? e; });
    return callAzure({ options: { tenantId: this.options.tenantId ?? '', endpoint: this.options.endpoint, scope }, api: `Azure ${api}`, ...ACTIONS[which] }, guarded, {
      ...(signal ? { signal } : {}), ...(this.options.log ? { log: this.options.log } : {}),
      retry: { attempts: 3, ...this.options.retry, ...(mutating ? { retryable: (e: unknown) => isFinOpsError(e, 'throttled') } : {}) },
    });
  }

  /** Resource Manager answers that are about the job file, capacity or quota, in the product's words. */
  private refine(e: unknown, job: SpotJob): FinOpsError | undefined {
    const code = armCode(e);
    const message = ((e as ArmErrorLike).message ?? String(e)).replace(/^The long-running operation has failed\. \w+\. /, '');
    const status = (e as ArmErrorLike).statusCode;
    const { resourceGroup, subscriptionId } = this.settings(job);
    if (/quota/i.test(message) && (code === 'OperationNotAllowed' || /QuotaExceeded/i.test(code))) {
      return new FinOpsError('unavailable', `Azure refused the Spot VMs of "${job.name}": the subscription's quota is used up (${code}: ${message}).`, {
        fix: `Ask for more "Total Regional Spot vCPUs" (Low-priority) quota in ${this.region} (Azure portal → Quotas → Compute), or lower count.`, cause: e,
      });
    }
    if (capacityCodes.test(code)) return capacityError(code, message, job, this.region, e);
    if (code === 'ResourceGroupNotFound') {
      return new FinOpsError('input', `The resource group ${resourceGroup} does not exist in subscription ${subscriptionId}.`, { fix: `Create it (\`az group create -n ${resourceGroup} -l ${this.region} --subscription ${subscriptionId}\`) or correct azure.resourceGroup in the job file.`, cause: e });
    }
    if (status === 400 || /^(InvalidParameter|BadRequest|InvalidTemplate|InvalidRequestContent|ImageNotFound|PlatformImageNotFound|SubnetNotFound|InvalidResourceReference|NotFound)$/.test(code)) {
      return new FinOpsError('input', `Azure refused the scale set of "${job.name}": ${code ? `${code}: ` : ''}${message}`, {
        fix: 'Check the azure settings of the job file (image, subnetId, adminUsername, sshPublicKey, identity), its region, zones and VM size.', cause: e,
      });
    }
    return undefined;
  }

  /** The job's zones as Azure numbers ("eastus-1" → "1"). */
  private zones(job: SpotJob): string[] {
    const zones = job.zones.map((z) => z.replace(new RegExp(`^${this.region}-`), ''));
    if (zones.some((z) => !/^[1-9]$/.test(z))) {
      throw new FinOpsError('input', `Azure zones are numbers such as 1, 2, 3 (got ${job.zones.join(', ')}).`, { fix: `List zones as [1, 2, 3] (or ${this.region}-1 …) in the job file.` });
    }
    return zones;
  }

  /**
   * What is checked before anything is created (Resource Manager has no DryRun for a scale set): the job's settings,
   * the checkpoint container, and that the job is not already launched. Creates nothing.
   */
  async preflight(request: LaunchRequest): Promise<DryRunReport> {
    const { job, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const azure = this.settings(job);
    const name = resourceName(job);
    const checks: string[] = [];
    if (job.onDemand.base > 0) {
      throw new FinOpsError('input', `A Spot scale set has no on-demand base (onDemand.base is ${job.onDemand.base} in "${job.name}").`, {
        fix: 'Set onDemand.base to 0 for Azure, or export the job to SkyPilot (`mlfinops spot export`).',
      });
    }
    if (!azure.subnetId) {
      throw new FinOpsError('input', `The job "${job.name}" names no subnet for its scale set; nothing was created.`, {
        fix: 'Set azure.subnetId to a subnet resource id (/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/virtualNetworks/…/subnets/…) in the job file.',
      });
    }
    this.zones(job);
    imageReference(azure.image ?? DEFAULT_AZURE_IMAGE);

    // the public price first: a max price below the Spot price is refused before any signed-in call
    const price = job.maxPricePerHour === undefined
      ? 'No max price (billingProfile.maxPrice -1): VMs are evicted only when Azure needs the capacity back.'
      : await this.checkMaxPrice(job, job.maxPricePerHour, progress, signal);

    progress('Checking the checkpoint location…');
    const check = this.options.checkCheckpoint ?? ((uri: string, s?: AbortSignal) => this.checkContainer(job, uri, s));
    await check(job.checkpoint.uri, signal);
    checks.push(`Checkpoint location ${job.checkpoint.uri}: reachable.`, price);
    if (job.instanceTypes.length > 1) checks.push(`A scale set runs one VM size: ${job.instanceTypes[0]} (the other listed sizes are used by the SkyPilot export).`);
    if (job.onDemand.fallback) checks.push('onDemand.fallback is not available in a Spot scale set (the SkyPilot export has it); Try & Restore waits for Spot capacity.');

    progress('Looking for an earlier launch of the job…');
    if (await this.findScaleSet(job, signal)) {
      throw new FinOpsError('input', `The job "${job.name}" is already launched (scale set ${name} in ${azure.resourceGroup}).`, {
        fix: `Stop it first (\`mlfinops spot stop ${job.name}\` or Stop in the Spot jobs view), or give the job another name.`,
      });
    }
    checks.push(`No earlier launch of "${job.name}" in ${azure.resourceGroup}. Resource Manager has no DryRun for a scale set: it checks the request when it is sent, and a failed create deletes the scale set.`);
    return { checks };
  }

  /**
   * The max price against the current Spot price of the scale set's VM size (Azure Retail Prices API), when live
   * prices are allowed: below it, the launch is refused before anything is created (Azure would not start the VMs,
   * or evict them at once). A price that cannot be read is a warning in the checks: the launch does not depend on it.
   */
  private async checkMaxPrice(job: SpotJob, maxPrice: number, progress: SpotProgress, signal?: AbortSignal): Promise<string> {
    const size = job.instanceTypes[0]!;
    const max = `Max price ${perHour(maxPrice)} per VM (billingProfile.maxPrice): Azure evicts a VM when the Spot price goes above it.`;
    if (!this.options.retailPrices) return `${max} The current Spot price was not checked: live prices are off (the mlFinops.savings.livePrices setting, or --live).`;
    progress('Reading the current Spot price…');
    const { endpoint, fetch } = this.options.retailPrices;
    let prices;
    try {
      prices = await new AzureRetailPrices({ ...(endpoint ? { endpoint } : {}), ...(fetch ? { fetch } : {}), ...(this.options.log ? { log: this.options.log } : {}) })
        .getPrices(size, this.region, undefined, signal);
    } catch (e) {
      if (isCancelled(e)) throw e;
      this.options.log?.warn(`Spot job ${job.name}: the current Spot price of ${size} could not be read: ${describeError(e)}`);
      return `${max} ! The current Spot price of ${size} in ${this.region} could not be read (${describeError(e)}); it was not compared with the max price.`;
    }
    const spot = prices?.spot;
    if (!spot) return `${max} ! The Azure Retail Prices API lists no Spot price for ${size} in ${this.region}: check that the size is sold as Spot there.`;
    const now = `${perHour(spot.hourly)} (${describeSources([spot.source])})`;
    if (spot.hourly > maxPrice) {
      throw new FinOpsError('input', `The max price ${perHour(maxPrice)} of "${job.name}" is below the current Spot price of ${size} in ${this.region}, ${now}: Azure would not start its VMs; nothing was created.`, {
        fix: `Raise maxPricePerHour to at least ${perHour(spot.hourly)} in the job file, or remove it (pay up to the pay-as-you-go price).`,
      });
    }
    return `Current Spot price of ${size} in ${this.region}: ${now}, under the max price ${perHour(maxPrice)}; Azure evicts a VM when the Spot price goes above it.`;
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const { job, userData, signal } = request;
    const progress: SpotProgress = request.progress ?? (() => undefined);
    const azure = this.settings(job);
    const name = resourceName(job);
    const checks = [...(request.checked ?? await this.preflight(request)).checks];
    const zones = this.zones(job);
    const client = await this.getClient(job);

    const user = azure.adminUsername;
    const scaleSet: VirtualMachineScaleSet = {
      location: this.region,
      tags: jobTags(job),
      sku: { name: job.instanceTypes[0]!, tier: 'Standard', capacity: job.count },
      ...(zones.length ? { zones } : {}),
      identity: azure.identity ? { type: 'UserAssigned', userAssignedIdentities: { [azure.identity]: {} } } : { type: 'SystemAssigned' },
      orchestrationMode: 'Uniform',
      upgradePolicy: { mode: 'Manual' },
      overprovision: false,
      singlePlacementGroup: false,
      spotRestorePolicy: { enabled: true, restoreTimeout: 'PT1H' },
      virtualMachineProfile: {
        priority: 'Spot',
        evictionPolicy: 'Delete',
        billingProfile: { maxPrice: job.maxPricePerHour !== undefined ? Math.round(job.maxPricePerHour * 1e5) / 1e5 : -1 },
        osProfile: {
          computerNamePrefix: name.slice(0, 15).replace(/-+$/, ''),
          adminUsername: user,
          customData: encodeCustomData(userData, job),
          linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${user}/.ssh/authorized_keys`, keyData: azure.sshPublicKey ?? throwawaySshKey() }] } },
        },
        storageProfile: {
          imageReference: imageReference(azure.image ?? DEFAULT_AZURE_IMAGE),
          osDisk: { createOption: 'FromImage', caching: 'ReadWrite', managedDisk: { storageAccountType: 'Premium_LRS' }, diskSizeGB: 200 },
        },
        networkProfile: {
          networkInterfaceConfigurations: [{
            name: `${name}-nic`, primary: true, enableAcceleratedNetworking: false,
            ipConfigurations: [{ name: `${name}-ip`, subnet: { id: azure.subnetId } }],
          }],
        },
        // the serial console log (the bootstrap's lines) in a managed storage account, for "Open log"
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        // Scheduled Events (what the bootstrap watches) carry the Preempt notice about 30 s ahead
        scheduledEventsProfile: { terminateNotificationProfile: { enable: true, notBeforeTimeout: 'PT5M' } },
      },
    };

    const created: SpotResource[] = [];
    try {
      progress('Creating the Spot scale set…');
      const poll = this.options.pollIntervalMs !== undefined ? { updateIntervalInMs: this.options.pollIntervalMs } : {};
      // the PUT is sent when the poller starts (again on a throttled retry); the poller then follows Azure-AsyncOperation
      // (the poller is thenable: it is passed on in an object, or awaiting it would wait for the whole create)
      const { poller } = await this.call(job, 'Virtual Machine Scale Sets - Create Or Update', 'scaleSets', async () => {
        const p = client.virtualMachineScaleSets.createOrUpdate(azure.resourceGroup, name, scaleSet, { ...poll, ...(signal ? { abortSignal: signal } : {}) });
        await p.submitted();
        return { poller: p };
      }, signal, true);
      const id = `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
      created.push({ kind: 'scaleSet', id, name, consoleUrl: consoleUrl(id) });
      await this.call(job, 'Virtual Machine Scale Sets - Create Or Update', 'scaleSets', () => poller.pollUntilDone(), signal, true);
      checks.push(`Scale set ${name}: accepted by Azure Resource Manager (${job.count} × ${job.instanceTypes[0]}, Spot, eviction policy Delete, Try & Restore).`);
      progress('Waiting for the scale set\'s first VMs…');
      const status = await this.settle(job, signal);
      this.options.log?.info(`Spot job ${job.name}: created scale set ${name} in ${azure.resourceGroup} (${this.region})`);
      return { dryRun: { checks }, resources: created, status };
    } catch (e) {
      throw await this.rollBack(job, created, e);
    }
  }

  /**
   * Get Container Properties on the azure:// checkpoint container with an Entra token for Storage: 404 means it does
   * not exist; 403 means it exists (the VMs' identity is what writes to it).
   */
  private async checkContainer(job: SpotJob, uri: string, signal?: AbortSignal): Promise<void> {
    const m = /^azure:\/\/([^/]+)\/([^/]+)/.exec(uri);
    if (!m) return;
    const [, account, container] = m as unknown as [string, string, string];
    const base = (this.options.blobEndpoint?.(account) ?? `https://${account}.blob.core.windows.net`).replace(/\/+$/, '');
    const credential = await azureCredential({ scope: '', endpoint: this.options.endpoint, tenantId: this.options.tenantId ?? '', ...(this.options.credential ? { credential: this.options.credential } : {}) });
    await this.call(job, 'Blob Get Container Properties', 'storage', async () => {
      const token = await credential.getToken('https://storage.azure.com/.default', signal ? { abortSignal: signal } : {});
      const { request } = await import('node:https');
      const url = new URL(`${base}/${encodeURIComponent(container)}?restype=container`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(url, { method: 'HEAD', headers: { authorization: `Bearer ${token?.token ?? ''}`, 'x-ms-version': '2023-11-03' }, ...(this.options.agent ? { agent: this.options.agent } : {}), ...(signal ? { signal } : {}) }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      }).catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') throw e;
        throw new FinOpsError('unavailable', `The checkpoint storage account ${account} cannot be reached (${base}); nothing was created.`, { fix: 'Check the storage account name in checkpoint.uri, the network or a proxy; the VMs need it too.', cause: e });
      });
      if (status === 404) {
        throw new FinOpsError('input', `The checkpoint container ${container} does not exist in storage account ${account}; nothing was created.`, {
          fix: `Create it (\`az storage container create --account-name ${account} -n ${container} --auth-mode login\`) or correct checkpoint.uri in the job file.`,
        });
      }
      if (status >= 500) throw Object.assign(new Error(`Blob service answered HTTP ${status}`), { statusCode: status });
    }, signal);
  }

  /** Deletes the scale set a failed launch created; the error then says so, or names what is left. */
  private rollBack(job: SpotJob, created: SpotResource[], e: unknown): Promise<unknown> {
    return rollBackLaunch({
      job, created, error: e, console: `the Azure portal (resource group ${this.settings(job).resourceGroup})`, ...(this.options.log ? { log: this.options.log } : {}),
      label: (r) => r.name ?? r.id, remove: async () => { await this.deleteScaleSet(job); },
    });
  }

  private async settle(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const deadline = Date.now() + (this.options.settleMs ?? 30_000);
    const sleep = this.options.sleep ?? abortableSleep;
    for (;;) {
      const s = await this.status(job, signal);
      if (s.instances.some((i) => i.state === 'running') || Date.now() > deadline) return s;
      await sleep(1000, signal);
    }
  }

  private async findScaleSet(job: SpotJob, signal?: AbortSignal): Promise<VirtualMachineScaleSet | undefined> {
    const client = await this.getClient(job);
    try {
      return await this.call(job, 'Virtual Machine Scale Sets - Get', 'scaleSets', () => client.virtualMachineScaleSets.get(this.settings(job).resourceGroup, resourceName(job)), signal);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async status(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus> {
    const azure = this.settings(job);
    const name = resourceName(job);
    const set = await this.findScaleSet(job, signal);
    if (!set) return { job: job.name, state: 'planned', resources: [], instances: [], events: [] };
    const client = await this.getClient(job);
    const id = set.id ?? `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
    const resources: SpotResource[] = [{ kind: 'scaleSet', id, name, consoleUrl: consoleUrl(id) }];
    const vms = await this.call(job, 'Virtual Machine Scale Set VMs - List', 'vms', async () => {
      const out: VirtualMachineScaleSetVM[] = [];
      for await (const vm of client.virtualMachineScaleSetVMs.list(azure.resourceGroup, name, { expand: 'instanceView', ...(signal ? { abortSignal: signal } : {}) })) out.push(vm);
      return out;
    }, signal);
    const capacity = set.sku?.capacity ?? job.count;
    const instances: SpotInstance[] = vms.map((vm) => {
      const power = vm.instanceView?.statuses?.find((st) => st.code?.startsWith('PowerState/'))?.code?.slice('PowerState/'.length);
      const provisioning = vm.provisioningState ?? 'Unknown';
      return {
        id: vm.name ?? vm.instanceId ?? '?',
        instanceType: vm.sku?.name ?? set.sku?.name ?? job.instanceTypes[0] ?? '?',
        lifecycle: 'spot',
        state: provisioning === 'Succeeded' ? (power ?? 'running') : provisioning.toLowerCase(),
        ...(vm.zones?.[0] ? { zone: `${this.region}-${vm.zones[0]}` } : {}),
        ...(vm.timeCreated ? { launchedAt: vm.timeCreated.toISOString() } : {}),
      };
    });
    const events: SpotJobStatus['events'] = [];
    const now = new Date().toISOString();
    if (set.provisioningState === 'Failed') events.push({ at: now, kind: 'error', message: `Scale set ${name} is in the Failed state: stop the job to delete it.` });
    // instance ids are never reused: an id at or above the capacity replaced an evicted VM; fewer VMs than the capacity are evictions not yet restored
    const replaced = vms.filter((vm) => Number(vm.instanceId) >= capacity).length;
    const missing = Math.max(0, capacity - vms.length);
    if (missing > 0 && set.provisioningState === 'Succeeded') events.push({ at: now, kind: 'interruption', message: `${missing} of ${capacity} Spot VMs evicted; Try & Restore recreates them when capacity returns` });
    for (const vm of vms.filter((v) => Number(v.instanceId) >= capacity)) events.push({ at: vm.timeCreated?.toISOString() ?? now, kind: 'info', message: `${vm.name ?? vm.instanceId} replaces an evicted Spot VM` });
    for (const vm of vms) {
      for (const st of vm.instanceView?.statuses ?? []) if (st.level === 'Error') events.push({ at: st.time?.toISOString() ?? now, kind: 'error', message: `${st.code ?? ''}: ${st.message ?? st.displayStatus ?? ''} (${vm.name ?? ''})` });
    }
    events.sort((a, b) => b.at.localeCompare(a.at));
    const running = instances.filter((i) => i.state === 'running').length;
    const starting = instances.filter((i) => /^(creating|updating|starting)$/.test(i.state)).length;
    const interrupted = replaced > 0 || missing > 0;
    let state: SpotJobState;
    if (set.provisioningState === 'Failed') state = 'failed';
    else if (running >= job.count) state = replaced > 0 ? 'resuming' : 'running';
    else if (missing > 0 && starting === 0) state = 'interrupted';
    else if (running > 0 || starting > 0 || set.provisioningState === 'Creating') state = interrupted ? 'resuming' : 'requested';
    else if (capacity === 0) state = 'finished';
    else state = 'requested';
    const timeCreated = (set as { timeCreated?: Date }).timeCreated;
    return { job: job.name, state, resources, instances, events, consoleUrl: consoleUrl(id), ...(timeCreated ? { requestedAt: timeCreated.toISOString() } : {}) };
  }

  /**
   * What a VM printed to its serial console (boot diagnostics: the startup and the bootstrap's lines), newest last,
   * through a read-only link Azure signs for ten minutes.
   */
  async consoleOutput(job: SpotJob, instanceId: string, signal?: AbortSignal): Promise<string> {
    const client = await this.getClient(job);
    const id = /_(\d+)$/.exec(instanceId)?.[1] ?? instanceId;
    const data = await this.call(job, 'Virtual Machine Scale Set VMs - Retrieve Boot Diagnostics Data', 'vms', () => client.virtualMachineScaleSetVMs.retrieveBootDiagnosticsData(
      this.settings(job).resourceGroup, resourceName(job), id, { sasUriExpirationTimeInMinutes: 10, ...(signal ? { abortSignal: signal } : {}) },
    ), signal);
    const link = data.serialConsoleLogBlobUri;
    if (!link) return '';
    const { request } = await import('node:https');
    return new Promise<string>((resolve, reject) => {
      const req = request(new URL(link), { ...(this.options.agent ? { agent: this.options.agent } : {}), ...(signal ? { signal } : {}) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new FinOpsError('unavailable', `The serial log of ${instanceId} could not be read (HTTP ${res.statusCode ?? '?'}).`, { fix: 'Try again in a minute: Azure writes the log a little after boot.' }))));
      });
      req.on('error', (e) => reject(new FinOpsError('unavailable', `The serial log of ${instanceId} could not be read: ${e.message}`, { fix: 'Check the network or a proxy.', cause: e })));
      req.end();
    });
  }

  private async deleteScaleSet(job: SpotJob, signal?: AbortSignal): Promise<boolean> {
    const client = await this.getClient(job);
    if (!(await this.findScaleSet(job, signal))) return false;
    const poll = this.options.pollIntervalMs !== undefined ? { updateIntervalInMs: this.options.pollIntervalMs } : {};
    await this.call(job, 'Virtual Machine Scale Sets - Delete', 'scaleSets', () => client.virtualMachineScaleSets.delete(this.settings(job).resourceGroup, resourceName(job), { ...poll, ...(signal ? { abortSignal: signal } : {}) }).pollUntilDone(), signal, true);
    return true;
  }

  async stop(job: SpotJob, signal?: AbortSignal, progress: SpotProgress = () => undefined): Promise<SpotResource[]> {
    const azure = this.settings(job);
    const name = resourceName(job);
    progress(`Deleting scale set ${name} and its VMs…`);
    const id = `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
    const deleted: SpotResource[] = (await this.deleteScaleSet(job, signal)) ? [{ kind: 'scaleSet', id, name }] : [];
    this.options.log?.info(`Spot job ${job.name}: stopped; ${deleted.length ? `deleted scale set ${name}` : 'nothing was running'}`);
    return deleted;
  }
}

function isNotFound(e: unknown): boolean {
  if (!isFinOpsError(e, 'input')) return false;
  const cause = (e as { cause?: { statusCode?: number; code?: string } }).cause;
  return (cause?.statusCode === 404 && cause.code !== 'ResourceGroupNotFound') || cause?.code === 'ResourceNotFound';
}

function capacityError(code: string, detail: string, job: SpotJob, region: string, cause?: unknown): FinOpsError {
  const price = /Price/i.test(code);
  return new FinOpsError('unavailable', price
    ? `The max price of "${job.name}" is below Azure's current Spot price for ${job.instanceTypes[0]} in ${region} (${code}: ${detail}).`
    : `Azure has no Spot capacity for "${job.name}" (${job.instanceTypes[0]} in ${region}) right now (${code}: ${detail}).`, {
    fix: price ? 'Raise maxPricePerHour in the job file, or remove it (pay up to the pay-as-you-go price).' : 'Try another VM size or region, or list more zones in the job file.',
    ...(cause ? { cause } : {}),
  });
}

