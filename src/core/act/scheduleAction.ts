import { FinOpsError, describeError } from '../errors';
import type { SavingsEstimate } from '../savings/estimate';
import { parseSchedule, type Schedule } from '../savings/schedule';
import { entryId, forget, pickEntry, record, type JournalEntry, type JournalStore, type VmScheduler } from './journal';
import { buildShutdownPlan, withExisting, type AwsScheduleMode, type ShutdownPlan, type VmFacts } from './shutdownPlan';
import { parseVmRef, vmLabel, type VmRef } from './target';

/**
 * The shutdown-schedule action, shared by the editor and the CLI: plan (read the VM, price the saving, list every
 * change), apply (carry the changes out and journal what was there before), undo (put it back, last change first).
 */

export interface PrepareInput {
  resource: string;
  schedule: string;
  /** The zone of a schedule written without one (the CLI: UTC; the editor: the machine's). */
  defaultTimeZone: string;
  scheduler: (ref: VmRef) => VmScheduler;
  /** The savings report's auto-shutdown figure for this VM and schedule (scheduleSaving with the report's inputs). */
  saving: (facts: VmFacts, schedule: Schedule) => Promise<SavingsEstimate> | SavingsEstimate;
  awsMode?: AwsScheduleMode;
  roleArn?: string;
  signal?: AbortSignal;
}

export async function prepareSchedule(input: PrepareInput): Promise<{ plan: ShutdownPlan; scheduler: VmScheduler }> {
  const ref = parseVmRef(input.resource);
  const schedule = parseSchedule(input.schedule, input.defaultTimeZone);
  if (input.awsMode && ref.provider !== 'aws') throw new FinOpsError('usage', `--mode ${input.awsMode} is for AWS; ${vmLabel(ref)} is on ${ref.provider === 'gcp' ? 'Google Cloud' : 'Azure'}.`, { fix: 'Leave the mode out for Google Cloud and Azure VMs.' });
  const scheduler = input.scheduler(ref);
  const facts = await scheduler.describe(ref, input.signal);
  const saving = await input.saving(facts, schedule);
  const plan = buildShutdownPlan({ facts, schedule, saving, ...(input.awsMode ? { awsMode: input.awsMode } : {}), ...(input.roleArn ? { roleArn: input.roleArn } : {}) });
  return { plan: withExisting(plan, await scheduler.existing(plan.changes, input.signal)), scheduler };
}

/** Carries the plan out and journals it; returns the journal entry (its id is what undo takes). */
export async function applySchedule(plan: ShutdownPlan, scheduler: VmScheduler, store: JournalStore, now = new Date(), signal?: AbortSignal): Promise<JournalEntry> {
  const steps = await scheduler.apply(plan.changes, signal);
  const entry: JournalEntry = {
    id: entryId(now, plan.facts.ref.provider === 'aws' ? plan.facts.ref.instanceId : plan.facts.name),
    action: 'schedule',
    createdAt: now.toISOString(),
    provider: plan.facts.ref.provider,
    resource: resourceIdOf(plan.facts.ref),
    summary: `Shutdown schedule ${plan.scheduleText} on ${vmLabel(plan.facts.ref)} (${plan.mode})`,
    steps,
  };
  try {
    await record(store, entry);
  } catch (e) {
    // a change that cannot be journaled cannot be undone later: undo it now
    await scheduler.undo(steps, signal).catch(() => undefined);
    throw new FinOpsError('usage', `The schedule was made but could not be recorded in ${store.where}, so it was undone: ${describeError(e)}`, { fix: `Make ${store.where} writable, then try again.` });
  }
  return entry;
}

function resourceIdOf(ref: VmRef): string {
  if (ref.provider === 'aws') return ref.instanceId;
  if (ref.provider === 'gcp') return `projects/${ref.project}/zones/${ref.zone}/instances/${ref.instance}`;
  return ref.id;
}

/** Undoes the named action (else the newest) and removes it from the journal. */
export async function undoAction(store: JournalStore, id: string | undefined, scheduler: (entry: JournalEntry) => VmScheduler, signal?: AbortSignal): Promise<JournalEntry> {
  const entry = pickEntry(await store.read(), id, store.where);
  await scheduler(entry).undo(entry.steps, signal);
  await forget(store, entry.id);
  return entry;
}
