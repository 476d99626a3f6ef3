import { z } from 'zod';
import { FinOpsError, describeError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { UndoStep, VmScheduler } from '../../core/act/journal';
import { changeKey, type Change, type VmFacts } from '../../core/act/shutdownPlan';
import type { VmRef } from '../../core/act/target';
import type { AzureOptions } from './config';
import { armRequest, ArmHttpError } from './armRequest';

/**
 * VM auto-shutdown on Azure: the DevTest Labs schedule `Microsoft.DevTestLab/schedules/shutdown-computevm-<vm>`
 * in the VM's resource group (Schedules - Create Or Update, PUT, api-version 2018-09-15: taskType
 * ComputeVmShutdownTask, dailyRecurrence.time "HHmm", timeZoneId a Windows zone, targetResourceId the VM), read
 * with Virtual Machines - Get (size, location, power state from instanceView). Undo deletes the schedule, or PUTs
 * back the one that was there.
 */

export type AzureScheduleOptions = Pick<AzureOptions, 'endpoint' | 'tenantId' | 'credential'> & { log?: Logger };

const DEVTEST_API = '2018-09-15';
const COMPUTE_API = '2024-07-01';
const ROLE = { role: 'Virtual Machine Contributor (or DevTest Labs User) on the resource group' };

const vmSchema = z.object({
  name: z.string(),
  location: z.string(),
  tags: z.record(z.string(), z.string()).nullish(),
  properties: z.object({
    hardwareProfile: z.object({ vmSize: z.string().optional() }).optional(),
    instanceView: z.object({ statuses: z.array(z.object({ code: z.string().optional(), displayStatus: z.string().optional() })).optional() }).optional(),
  }).optional(),
});
const scheduleSchema = z.object({ location: z.string().optional(), tags: z.record(z.string(), z.string()).nullish(), properties: z.record(z.string(), z.unknown()) });

export class AzureVmScheduler implements VmScheduler {
  private readonly log: Logger;

  constructor(private readonly options: AzureScheduleOptions) {
    this.log = options.log ?? silentLogger;
  }

  private request(method: string, id: string, apiVersion: string, body: unknown, what: { api: string; action: string }, signal?: AbortSignal): Promise<unknown> {
    return armRequest(this.options, { method, id, apiVersion, body, ...what, ...ROLE }, { log: this.log, signal });
  }

  private async getOrNone(id: string, apiVersion: string, what: { api: string; action: string }, signal?: AbortSignal): Promise<unknown> {
    try {
      return await this.request('GET', id, apiVersion, undefined, what, signal);
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof ArmHttpError && cause.statusCode === 404) return undefined;
      throw e;
    }
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<VmFacts> {
    if (ref.provider !== 'azure') throw new FinOpsError('internal', 'Not an Azure VM.', { fix: 'Report this.' });
    const raw = await this.getOrNone(`${ref.id}`, COMPUTE_API, { api: 'Virtual Machines Get', action: 'Microsoft.Compute/virtualMachines/read' }, signal);
    if (!raw) throw new FinOpsError('input', `No Azure VM ${ref.vm} in resource group ${ref.resourceGroup}.`, { fix: 'Check the VM id (/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/NAME).' });
    const vm = vmSchema.parse(raw);
    const view = await this.getOrNone(`${ref.id}/instanceView`, COMPUTE_API, { api: 'Virtual Machines Instance View', action: 'Microsoft.Compute/virtualMachines/read' }, signal) as { statuses?: { code?: string; displayStatus?: string }[] } | undefined;
    const power = [...(view?.statuses ?? []), ...(vm.properties?.instanceView?.statuses ?? [])].find((s) => s.code?.startsWith('PowerState/'));
    const state = power?.displayStatus ?? power?.code ?? 'unknown';
    return {
      ref, name: vm.name, region: vm.location, size: vm.properties?.hardwareProfile?.vmSize ?? 'unknown', state,
      running: power?.code === 'PowerState/running' || power?.code === 'PowerState/starting', tags: vm.tags ?? {},
    };
  }

  async existing(changes: readonly Change[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'azureShutdown' && await this.getOrNone(c.id, DEVTEST_API, { api: 'DevTest Labs Schedules Get', action: 'Microsoft.DevTestLab/schedules/read' }, signal)) found.add(changeKey(c));
    }
    return found;
  }

  async apply(changes: readonly Change[], signal?: AbortSignal): Promise<UndoStep[]> {
    const done: UndoStep[] = [];
    try {
      for (const c of changes) {
        if (c.kind !== 'azureShutdown') throw new FinOpsError('internal', `An Azure schedule cannot carry out a ${c.kind} change.`, { fix: 'Report this.' });
        const prior = await this.getOrNone(c.id, DEVTEST_API, { api: 'DevTest Labs Schedules Get', action: 'Microsoft.DevTestLab/schedules/read' }, signal);
        const before = prior ? restorable(scheduleSchema.parse(prior)) : null;
        await this.request('PUT', c.id, DEVTEST_API, c.body, { api: 'DevTest Labs Schedules Create Or Update', action: 'Microsoft.DevTestLab/schedules/write' }, signal);
        done.push({ kind: 'azureShutdown', id: c.id, before });
      }
    } catch (e) {
      this.log.warn(`Azure auto-shutdown failed after ${done.length} changes; undoing them: ${describeError(e)}`);
      await this.undo(done).catch((u: unknown) => this.log.error(`Undo after a failed schedule also failed: ${describeError(u)}`));
      throw e;
    }
    return done;
  }

  async undo(steps: readonly UndoStep[], signal?: AbortSignal): Promise<void> {
    for (const s of [...steps].reverse()) {
      if (s.kind !== 'azureShutdown') throw new FinOpsError('internal', `An Azure schedule cannot undo a ${s.kind} change.`, { fix: 'Report this.' });
      if (s.before === null) {
        await this.request('DELETE', s.id, DEVTEST_API, undefined, { api: 'DevTest Labs Schedules Delete', action: 'Microsoft.DevTestLab/schedules/delete' }, signal);
      } else {
        await this.request('PUT', s.id, DEVTEST_API, s.before, { api: 'DevTest Labs Schedules Create Or Update', action: 'Microsoft.DevTestLab/schedules/write' }, signal);
      }
    }
  }
}

/** The parts of a schedule a PUT takes back: location, tags and the writable properties (not provisioningState, createdDate, uniqueIdentifier). */
function restorable(s: z.infer<typeof scheduleSchema>): Record<string, unknown> {
  const { provisioningState: _p, createdDate: _c, uniqueIdentifier: _u, ...properties } = s.properties;
  void _p; void _c; void _u;
  return { ...(s.location ? { location: s.location } : {}), ...(s.tags ? { tags: s.tags } : {}), properties };
}
