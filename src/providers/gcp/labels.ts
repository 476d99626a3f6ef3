import type { InstancesClient, ZoneOperationsClient, protos } from '@google-cloud/compute';
import { describeError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import { silentLogger, throwIfAborted, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import type { Resource } from '../../core/sources';
import type { TagOutcome } from '../../core/tagging/plan';
import type { TagWrite, TagWriter } from '../../core/tagging/writer';
import { accessTokenAuth, gaxClientOptions } from './config';
import { callGoogle } from './errors';

type IInstance = protos.google.cloud.compute.v1.IInstance;
type IOperation = protos.google.cloud.compute.v1.IOperation;

interface GcpLabelOptions {
  /** Compute Engine endpoint override (an emulator, a private endpoint); empty = Google. */
  endpoint: string;
  /** An OAuth 2.0 access token to use as such (GOOGLE_OAUTH_ACCESS_TOKEN). */
  accessToken?: string;
  /** An auth client given directly (tests); otherwise Application Default Credentials. */
  authClient?: unknown;
  log?: Logger;
  retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'>;
  /** How long to wait for a setLabels operation (default 2 minutes). */
  operationTimeoutMs?: number;
}

/** A Compute Engine VM in any of the id shapes the product meets (asset name, self link, bill resource id). */
export function parseInstanceId(id: string): { project: string; zone: string; instance: string } | undefined {
  const m = /(?:^|\/)projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/?#]+)$/.exec(id);
  return m ? { project: m[1]!, zone: m[2]!, instance: m[3]! } : undefined;
}

/** Compute Engine answers a stale fingerprint with 412 conditionNotMet: read the labels again and retry this often. */
const FINGERPRINT_TRIES = 3;

/**
 * Labels running Compute Engine VMs: instances.get for the current labels and their labelFingerprint, then
 * instances.setLabels with every label (the API replaces the whole set, so the others are kept) and the fingerprint
 * (optimistic locking: a concurrent change makes it fail, and it is read and tried again), then the zone operation
 * until DONE. Permission: compute.instances.get and compute.instances.setLabels (Compute Instance Admin (v1)).
 */
export class GcpLabelWriter implements TagWriter {
  readonly cloud = 'gcp' as const;
  readonly label: string;
  private readonly log: Logger;
  private clients?: Promise<{ instances: InstancesClient; operations: ZoneOperationsClient }>;

  constructor(private readonly options: GcpLabelOptions) {
    this.label = `Compute Engine labels${options.endpoint ? ` (${options.endpoint})` : ''}`;
    this.log = options.log ?? silentLogger;
  }

  private getClients() {
    this.clients ??= (async () => {
      const compute = await import('@google-cloud/compute');
      const authClient = this.options.authClient ?? (this.options.accessToken ? accessTokenAuth(this.options.accessToken) : undefined);
      const opts = gaxClientOptions({ projectId: '', endpoint: this.options.endpoint, ...(authClient ? { authClient } : {}) });
      return {
        instances: new compute.InstancesClient({ ...opts } as ConstructorParameters<typeof compute.InstancesClient>[0]),
        operations: new compute.ZoneOperationsClient({ ...opts } as ConstructorParameters<typeof compute.ZoneOperationsClient>[0]),
      };
    })();
    return this.clients;
  }

  private call<T>(project: string, api: string, permission: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return callGoogle({
      projectId: project, endpoint: this.options.endpoint, api: `Compute Engine ${api}`, permission, role: 'Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1)',
      service: 'compute.googleapis.com', inputFix: 'Check the instance id (projects/P/zones/Z/instances/NAME): the VM may be gone.',
    }, send, { signal, log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
  }

  private async get(ref: { project: string; zone: string; instance: string }, signal?: AbortSignal): Promise<IInstance> {
    const { instances } = await this.getClients();
    const [vm] = await this.call(ref.project, 'instances.get', 'compute.instances.get', () => instances.get(ref), signal);
    return vm;
  }

  async read(ids: readonly string[], signal?: AbortSignal): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const id of ids) {
      const ref = parseInstanceId(id);
      if (!ref) continue;
      const vm = await this.get(ref, signal);
      out.push({
        provider: 'Google Cloud', id, type: 'compute.googleapis.com/Instance', name: vm.name ?? ref.instance, region: ref.zone.replace(/-[a-z]$/, ''),
        tags: { ...(vm.labels ?? {}) }, attributes: { project: ref.project, zone: ref.zone },
        ...(vm.machineType ? { size: vm.machineType.split('/').pop()! } : {}),
      });
    }
    return out;
  }

  /** Waits for a zone operation until DONE; its errors become a FinOpsError. */
  private async wait(ref: { project: string; zone: string }, op: IOperation | null | undefined, signal?: AbortSignal): Promise<void> {
    const { operations } = await this.getClients();
    const deadline = Date.now() + (this.options.operationTimeoutMs ?? 120_000);
    let current = op;
    while (current && current.status !== 'DONE') {
      if (Date.now() > deadline) throw new FinOpsError('unavailable', `Compute Engine did not finish setting labels in time (operation ${current.name ?? '?'}).`, { fix: 'Look at the VM in the console; run the command again to finish it.' });
      const name = current.name;
      if (!name) break;
      [current] = await this.call(ref.project, 'zoneOperations.wait', 'compute.zoneOperations.get', () => operations.wait({ project: ref.project, zone: ref.zone, operation: name }), signal);
    }
    const errors = current?.error?.errors ?? [];
    if (errors.length) {
      const detail = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
      throw new FinOpsError(/PERMISSION|FORBIDDEN/i.test(errors[0]?.code ?? '') ? 'permission' : 'input', `Compute Engine refused the labels: ${detail}`, { fix: /PERMISSION|FORBIDDEN/i.test(errors[0]?.code ?? '') ? 'Grant Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1) on the project.' : 'Check the label keys and values (lowercase letters, digits, "_" and "-"; at most 64 labels).' });
    }
  }

  private async writeOne(item: TagWrite, signal?: AbortSignal): Promise<void> {
    const ref = parseInstanceId(item.id);
    if (!ref) throw new FinOpsError('input', `"${item.id}" is not a Compute Engine VM (projects/P/zones/Z/instances/NAME); only VMs are labelled from here.`, { fix: 'Label other Google Cloud resources in the console or with gcloud.' });
    const { instances } = await this.getClients();
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      const vm = await this.get(ref, signal);
      const labels = { ...(vm.labels ?? {}), ...item.tags };
      if (Object.keys(labels).length > 64) throw new FinOpsError('input', `${ref.instance} would have ${Object.keys(labels).length} labels; Compute Engine allows 64.`, { fix: 'Remove labels the VM no longer needs first.' });
      try {
        const [op] = await this.call(ref.project, 'instances.setLabels', 'compute.instances.setLabels', () => instances.setLabels({
          ...ref, instancesSetLabelsRequestResource: { labels, labelFingerprint: vm.labelFingerprint ?? '' },
        }), signal);
        await this.wait(ref, (op as { latestResponse?: IOperation }).latestResponse ?? (op as IOperation), signal);
        return;
      } catch (e) {
        // a fingerprint that changed under us (412 conditionNotMet, or 400 naming the fingerprint): read again
        const cause = isFinOpsError(e) ? e.cause as { code?: unknown; status?: unknown } | undefined : undefined;
        const stale = isFinOpsError(e) && (cause?.code === 412 || cause?.status === 412 || /labels? fingerprint|conditionNotMet/i.test(e.message));
        if (!stale) throw e;
        if (attempt >= FINGERPRINT_TRIES) throw new FinOpsError('unavailable', `The labels of ${ref.instance} kept changing while ML FinOps set them (${FINGERPRINT_TRIES} tries).`, { fix: 'Something else is labelling the VM (a controller, a script): try again when it is done.', cause: e });
        this.log.info(`${this.label}: the labels of ${ref.instance} changed while setting them; reading them again`);
      }
    }
  }

  async write(items: readonly TagWrite[], signal?: AbortSignal): Promise<TagOutcome[]> {
    const out: TagOutcome[] = [];
    for (const item of items) {
      try {
        await this.writeOne(item, signal);
        out.push({ id: item.id, ok: true });
      } catch (e) {
        if (isCancelled(e) || isFinOpsError(e, 'auth') || isFinOpsError(e, 'usage')) throw e;
        out.push({ id: item.id, ok: false, error: isFinOpsError(e) ? describeError(e) : `${describeError(e)} ${INTERNAL_FIX}` });
      }
    }
    this.log.info(`${this.label}: labelled ${out.filter((o) => o.ok).length} of ${out.length} VMs`);
    return out;
  }
}
