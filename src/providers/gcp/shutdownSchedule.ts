import { z } from 'zod';
import { FinOpsError, describeError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import { abortableSleep } from '../../core/retry';
import type { UndoStep, VmScheduler } from '../../core/act/journal';
import { changeKey, type Change, type VmFacts } from '../../core/act/shutdownPlan';
import type { VmRef } from '../../core/act/target';
import { gcpAccessToken } from './config';
import { callGoogle } from './errors';

/**
 * Shutdown schedules on Compute Engine (REST v1, https://cloud.google.com/compute/docs/reference/rest/v1):
 * instances.get (machine type, status, attached policies), resourcePolicies.insert with an `instanceSchedulePolicy`
 * (vmStartSchedule / vmStopSchedule cron, timeZone) in the VM's region, instances.addResourcePolicies; undo is
 * instances.removeResourcePolicies and resourcePolicies.delete. Every insert / attach / detach / delete answers an
 * Operation, waited for (operations.wait) until DONE; its errors become a FinOpsError.
 */

export interface GcpScheduleOptions {
  /** Endpoint override (a local fake, a private endpoint); empty = https://compute.googleapis.com. */
  endpoint: string;
  /** An OAuth access token used as such (GOOGLE_OAUTH_ACCESS_TOKEN). */
  accessToken?: string;
  /** An auth client with getAccessToken() (tests); otherwise ADC. */
  authClient?: unknown;
  log?: Logger;
  /** How long an operation is waited for, ms (default 5 min). */
  operationTimeoutMs?: number;
}

const PERMISSION = { permission: 'compute.resourcePolicies.create / delete / get, compute.instances.get / addResourcePolicies / removeResourcePolicies', role: 'Compute Instance Admin (v1) (roles/compute.instanceAdmin.v1)' };

const instanceSchema = z.object({
  name: z.string(),
  status: z.string().optional(),
  machineType: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  resourcePolicies: z.array(z.string()).optional(),
});
const operationSchema = z.object({
  name: z.string(),
  status: z.string().optional(),
  zone: z.string().optional(),
  region: z.string().optional(),
  error: z.object({ errors: z.array(z.object({ code: z.string().optional(), message: z.string().optional() })).optional() }).optional(),
});
type Operation = z.infer<typeof operationSchema>;

class HttpError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

export class GcpVmScheduler implements VmScheduler {
  private readonly base: string;
  private readonly token: () => Promise<string>;
  private readonly log: Logger;

  constructor(private readonly options: GcpScheduleOptions) {
    this.base = `${(options.endpoint || 'https://compute.googleapis.com').replace(/\/+$/, '')}/compute/v1`;
    this.token = gcpAccessToken({ accessToken: options.accessToken, authClient: options.authClient });
    this.log = options.log ?? silentLogger;
  }

  private async request(method: string, path: string, body: unknown, project: string, api: string, signal?: AbortSignal): Promise<unknown> {
    return callGoogle({ projectId: project, endpoint: this.options.endpoint, api: `Compute Engine ${api}`, ...PERMISSION, service: 'compute.googleapis.com', inputFix: 'Check the instance name, its project and zone.' }, async () => {
      const r = await fetch(`${this.base}${path}`, {
        method, ...(signal ? { signal } : {}),
        headers: { authorization: `Bearer ${await this.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      if (!r.ok) {
        let message = text.slice(0, 300);
        try { message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message; } catch { /* not JSON */ }
        throw new HttpError(r.status, message);
      }
      return text ? JSON.parse(text) as unknown : {};
    }, { ...(signal ? { signal } : {}), log: this.log, retry: { attempts: method === 'GET' ? 3 : 1 } });
  }

  private async getOrNone(path: string, project: string, api: string, signal?: AbortSignal): Promise<unknown> {
    try {
      return await this.request('GET', path, undefined, project, api, signal);
    } catch (e) {
      if ((e as { cause?: unknown }).cause instanceof HttpError && ((e as { cause: HttpError }).cause.code === 404)) return undefined;
      throw e;
    }
  }

  /** Waits for an operation until DONE (operations.wait returns when done or after about 2 minutes). */
  private async wait(project: string, op: Operation, what: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.options.operationTimeoutMs ?? 5 * 60_000);
    const scope = op.zone ? `zones/${op.zone.split('/').pop()}` : op.region ? `regions/${op.region.split('/').pop()}` : 'global';
    let current = op;
    while (current.status !== 'DONE') {
      if (Date.now() > deadline) throw new FinOpsError('unavailable', `Compute Engine did not finish ${what} in time (operation ${op.name}).`, { fix: `Look at the operation in the console (project ${project}).` });
      current = operationSchema.parse(await this.request('POST', `/projects/${project}/${scope}/operations/${op.name}/wait`, undefined, project, 'operations.wait', signal));
      if (current.status !== 'DONE') await abortableSleep(1000, signal);
    }
    const errors = current.error?.errors ?? [];
    if (errors.length) throw new FinOpsError('input', `Compute Engine could not ${what}: ${errors.map((x) => `${x.code ?? ''} ${x.message ?? ''}`.trim()).join('; ')}`, { fix: 'Read the message; fix the instance or the project, then try again.' });
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<VmFacts> {
    if (ref.provider !== 'gcp') throw new FinOpsError('internal', 'Not a Compute Engine instance.', { fix: 'Report this.' });
    const raw = await this.getOrNone(`/projects/${ref.project}/zones/${ref.zone}/instances/${ref.instance}`, ref.project, 'instances.get', signal);
    if (!raw) throw new FinOpsError('input', `No Compute Engine instance ${ref.instance} in ${ref.project}/${ref.zone}.`, { fix: 'Check the instance name, project and zone (projects/P/zones/Z/instances/NAME).' });
    const vm = instanceSchema.parse(raw);
    // a VM takes one instance schedule: refuse before planning when one is attached already
    for (const url of vm.resourcePolicies ?? []) {
      const m = /projects\/([^/]+)\/regions\/([^/]+)\/resourcePolicies\/([^/]+)$/.exec(url);
      if (!m) continue;
      const policy = await this.getOrNone(`/projects/${m[1]}/regions/${m[2]}/resourcePolicies/${m[3]}`, ref.project, 'resourcePolicies.get', signal) as { instanceSchedulePolicy?: unknown } | undefined;
      if (policy?.instanceSchedulePolicy) {
        throw new FinOpsError('input', `${ref.instance} already has the instance schedule ${m[3]}, and a VM takes only one.`, {
          fix: `Detach it first (gcloud compute instances remove-resource-policies ${ref.instance} --zone ${ref.zone} --resource-policies ${m[3]}), or keep it.`,
        });
      }
    }
    const status = vm.status ?? 'UNKNOWN';
    return { ref, name: vm.name, region: ref.region, size: (vm.machineType ?? 'unknown').split('/').pop() ?? 'unknown', state: status, running: status === 'RUNNING' || status === 'PROVISIONING' || status === 'STAGING', tags: vm.labels ?? {} };
  }

  async existing(changes: readonly Change[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'gcpPolicy' && await this.getOrNone(`/projects/${c.project}/regions/${c.region}/resourcePolicies/${c.name}`, c.project, 'resourcePolicies.get', signal)) found.add(changeKey(c));
    }
    return found;
  }

  async apply(changes: readonly Change[], signal?: AbortSignal): Promise<UndoStep[]> {
    const done: UndoStep[] = [];
    try {
      for (const c of changes) {
        if (c.kind === 'gcpPolicy') {
          if (await this.getOrNone(`/projects/${c.project}/regions/${c.region}/resourcePolicies/${c.name}`, c.project, 'resourcePolicies.get', signal)) {
            throw new FinOpsError('input', `The resource policy ${c.name} already exists in ${c.project}/${c.region}.`, { fix: 'Undo the earlier schedule of this VM first (mlfinops act undo, or Undo in the editor).' });
          }
          const op = operationSchema.parse(await this.request('POST', `/projects/${c.project}/regions/${c.region}/resourcePolicies`, c.body, c.project, 'resourcePolicies.insert', signal));
          done.push({ kind: 'gcpPolicy', project: c.project, region: c.region, name: c.name });
          await this.wait(c.project, op, `create the resource policy ${c.name}`, signal);
        } else if (c.kind === 'gcpAttach') {
          const policy = `${this.base.replace(/\/compute\/v1$/, '')}/compute/v1/projects/${c.project}/regions/${c.region}/resourcePolicies/${c.policyName}`;
          const op = operationSchema.parse(await this.request('POST', `/projects/${c.project}/zones/${c.zone}/instances/${c.instance}/addResourcePolicies`, { resourcePolicies: [policy] }, c.project, 'instances.addResourcePolicies', signal));
          done.push({ kind: 'gcpAttach', project: c.project, zone: c.zone, instance: c.instance, region: c.region, policyName: c.policyName });
          await this.wait(c.project, op, `attach ${c.policyName} to ${c.instance}`, signal);
        } else {
          throw new FinOpsError('internal', `A Compute Engine schedule cannot carry out a ${c.kind} change.`, { fix: 'Report this.' });
        }
      }
    } catch (e) {
      this.log.warn(`Compute Engine schedule failed after ${done.length} changes; undoing them: ${describeError(e)}`);
      await this.undo(done).catch((u: unknown) => this.log.error(`Undo after a failed schedule also failed: ${describeError(u)}`));
      throw e;
    }
    return done;
  }

  async undo(steps: readonly UndoStep[], signal?: AbortSignal): Promise<void> {
    for (const s of [...steps].reverse()) {
      if (s.kind === 'gcpAttach') {
        const policy = `${this.base}/projects/${s.project}/regions/${s.region}/resourcePolicies/${s.policyName}`;
        const vm = instanceSchema.parse(await this.request('GET', `/projects/${s.project}/zones/${s.zone}/instances/${s.instance}`, undefined, s.project, 'instances.get', signal));
        if (!(vm.resourcePolicies ?? []).some((p) => p.endsWith(`/regions/${s.region}/resourcePolicies/${s.policyName}`))) continue; // detached already
        const op = operationSchema.parse(await this.request('POST', `/projects/${s.project}/zones/${s.zone}/instances/${s.instance}/removeResourcePolicies`, { resourcePolicies: [policy] }, s.project, 'instances.removeResourcePolicies', signal));
        await this.wait(s.project, op, `detach ${s.policyName} from ${s.instance}`, signal);
      } else if (s.kind === 'gcpPolicy') {
        const path = `/projects/${s.project}/regions/${s.region}/resourcePolicies/${s.name}`;
        if (!await this.getOrNone(path, s.project, 'resourcePolicies.get', signal)) continue; // deleted already
        const op = operationSchema.parse(await this.request('DELETE', path, undefined, s.project, 'resourcePolicies.delete', signal));
        await this.wait(s.project, op, `delete the resource policy ${s.name}`, signal);
      } else {
        throw new FinOpsError('internal', `A Compute Engine schedule cannot undo a ${s.kind} change.`, { fix: 'Report this.' });
      }
    }
  }
}
