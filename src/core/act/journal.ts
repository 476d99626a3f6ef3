import { z } from 'zod';
import { FinOpsError } from '../errors';
import type { Change, VmFacts } from './shutdownPlan';
import type { VmRef } from './target';

/**
 * The undo journal of actions that changed cloud resources: for each action, exactly what was there before each
 * change (a tag's value or its absence, a schedule's definition or its absence, a policy attached or not), in the
 * order the changes were made. Undo walks it backwards. The editor keeps it in the workspace state, the CLI in
 * `.finops/actions.json`; both through a JournalStore.
 */

/** What one change left behind, and how to put back what was there. `before: null` means "was not there". */
export type UndoStep =
  | { kind: 'awsTag'; region: string; instanceId: string; key: string; before: string | null }
  | { kind: 'ebGroup'; region: string; name: string; created: boolean }
  | { kind: 'ebSchedule'; region: string; group: string; name: string; before: Record<string, unknown> | null }
  | { kind: 'gcpPolicy'; project: string; region: string; name: string }
  | { kind: 'gcpAttach'; project: string; zone: string; instance: string; region: string; policyName: string }
  | { kind: 'azureShutdown'; id: string; before: Record<string, unknown> | null };

export interface JournalEntry {
  /** "sched-20261202-193000-i-0abc…" */
  id: string;
  action: 'schedule';
  createdAt: string;
  provider: 'aws' | 'gcp' | 'azure';
  /** The VM, as given. */
  resource: string;
  summary: string;
  /** Applied changes, in order; undo runs them last first. */
  steps: UndoStep[];
}

const step = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('awsTag'), region: z.string(), instanceId: z.string(), key: z.string(), before: z.string().nullable() }),
  z.object({ kind: z.literal('ebGroup'), region: z.string(), name: z.string(), created: z.boolean() }),
  z.object({ kind: z.literal('ebSchedule'), region: z.string(), group: z.string(), name: z.string(), before: z.record(z.string(), z.unknown()).nullable() }),
  z.object({ kind: z.literal('gcpPolicy'), project: z.string(), region: z.string(), name: z.string() }),
  z.object({ kind: z.literal('gcpAttach'), project: z.string(), zone: z.string(), instance: z.string(), region: z.string(), policyName: z.string() }),
  z.object({ kind: z.literal('azureShutdown'), id: z.string(), before: z.record(z.string(), z.unknown()).nullable() }),
]);

const entrySchema = z.object({
  id: z.string().min(1),
  action: z.literal('schedule'),
  createdAt: z.string(),
  provider: z.enum(['aws', 'gcp', 'azure']),
  resource: z.string(),
  summary: z.string(),
  steps: z.array(step),
});

const journalSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });

export type Journal = z.infer<typeof journalSchema>;

export function emptyJournal(): Journal {
  return { version: 1, entries: [] };
}

/** Reads a stored journal (file or workspace state); throws FinOpsError('input') naming the file's fix. */
export function parseJournal(raw: unknown, where: string): Journal {
  if (raw === undefined || raw === null) return emptyJournal();
  const r = journalSchema.safeParse(raw);
  if (!r.success) {
    throw new FinOpsError('input', `The undo journal ${where} is not one ML FinOps wrote: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}.`, {
      fix: `Restore ${where} from version control, or remove it (undo then knows no earlier action).`,
    });
  }
  return r.data as Journal;
}

/** Where the journal is kept; the CLI's is a file, the editor's the workspace state. */
export interface JournalStore {
  read(): Promise<Journal>;
  write(journal: Journal): Promise<void>;
  /** Where it is, for messages (".finops/actions.json", "the workspace state"). */
  readonly where: string;
}

export function entryId(now: Date, resource: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const tail = resource.split('/').pop()?.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) ?? 'vm';
  return `sched-${stamp}-${tail}`;
}

/** The entry to undo: the one named, else the newest. */
export function pickEntry(journal: Journal, id: string | undefined, where: string): JournalEntry {
  const entries = journal.entries;
  if (entries.length === 0) throw new FinOpsError('input', `Nothing to undo: the journal ${where} is empty.`, { fix: 'Undo applies to schedules made by ML FinOps from this workspace.' });
  if (id === undefined) return entries[entries.length - 1]!;
  const found = entries.find((e) => e.id === id);
  if (!found) {
    throw new FinOpsError('input', `No action "${id}" in the journal ${where}.`, { fix: `Give one of: ${entries.map((e) => e.id).join(', ')} (or no id for the newest).` });
  }
  return found;
}

/** Adds an entry (after the changes were made) and stores the journal. */
export async function record(store: JournalStore, entry: JournalEntry): Promise<void> {
  const journal = await store.read();
  journal.entries.push(entry);
  await store.write(journal);
}

/** Removes an entry once undone. */
export async function forget(store: JournalStore, id: string): Promise<void> {
  const journal = await store.read();
  journal.entries = journal.entries.filter((e) => e.id !== id);
  await store.write(journal);
}

/** One cloud's side of a shutdown schedule: read the VM, see what a plan would replace, carry it out, undo it. */
export interface VmScheduler {
  describe(ref: VmRef, signal?: AbortSignal): Promise<VmFacts>;
  /** changeKey()s of the plan's changes that replace something already there. */
  existing(changes: readonly Change[], signal?: AbortSignal): Promise<Set<string>>;
  /** Carries out the changes in order; returns the undo steps. On a failure it undoes what it did, then throws. */
  apply(changes: readonly Change[], signal?: AbortSignal): Promise<UndoStep[]>;
  /** Puts back what each step records, last first. */
  undo(steps: readonly UndoStep[], signal?: AbortSignal): Promise<void>;
}
