import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import { parseJournal, type Journal, type JournalEntry, type JournalStore } from '../../core/act/journal';
import { applySchedule, prepareSchedule, undoAction } from '../../core/act/scheduleAction';
import { planLines, savingLine, scheduleSaving, type AwsScheduleMode, type ShutdownPlan } from '../../core/act/shutdownPlan';
import { parseVmRef, vmLabel } from '../../core/act/target';
import { usd } from '../../core/savings/estimate';
import { parseSchedule } from '../../core/savings/schedule';
import { vmSchedulerFor, type VmSchedulerOptions } from '../../providers/vmSchedulers';
import type { Confirmations } from '../../platform/confirmations';
import { withCancellableProgress } from '../../platform/cancellation';
import type { Services } from '../../platform/services';
import { refuseUntrusted } from '../../platform/workspaceTrust';
import { Commands } from '../../shared/commands';
import type { InstancePrices } from '../../core/pricing/model';
import type { planSavings } from '../../core/savings/plan';

/**
 * "Schedule Shutdown…" in the editor, from the Resources view (a running VM), the savings report's auto-shutdown row
 * or the palette: the running hours, the plan (every resource touched and the monthly saving, the savings report's
 * own figure), a modal confirmation, the changes with progress, then a notification with Undo. What was there before
 * is journaled in the workspace state, so "Undo a Shutdown Schedule…" can put it back later too.
 */

const JOURNAL_KEY = 'mlFinops.actions.journal';

/** What the command takes: the VM, and optionally the schedule and the AWS mode (the report's row and tests give them). */
interface ScheduleArgs { resourceId?: string; schedule?: string; mode?: AwsScheduleMode }

/** What the command returns (the extension-host tests read it): the journal entry, or why nothing was done. */
export type ScheduleOutcome = { status: 'applied'; entry: JournalEntry; plan: ShutdownPlan } | { status: 'declined' | 'cancelled' | 'refused' | 'failed'; message?: string };

function workspaceJournal(memento: vscode.Memento): JournalStore {
  return {
    where: 'the workspace state',
    read: async () => parseJournal(memento.get<unknown>(JOURNAL_KEY), 'the workspace state'),
    write: async (journal: Journal) => { await memento.update(JOURNAL_KEY, journal); },
  };
}

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function argsOf(arg: unknown): ScheduleArgs {
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const mode = a.mode === 'eventbridge' || a.mode === 'instance-scheduler' ? a.mode : undefined;
  const resourceId = str(a.resourceId) ?? str(a.id);
  const schedule = str(a.schedule);
  return { ...(resourceId ? { resourceId } : {}), ...(schedule ? { schedule } : {}), ...(mode ? { mode } : {}) };
}

/** The savings report's inputs for a VM's prices (the estimator's planInput), so the saving is the report's figure. */
type PlanInputOf = (prices: InstancePrices) => Parameters<typeof planSavings>[0];

export function register(services: Services, planInput: PlanInputOf, confirmations: Confirmations): vscode.Disposable[] {
  const store = workspaceJournal(services.context.workspaceState);
  const s = services.settings;
  const cloudOptions = (): VmSchedulerOptions => ({
    aws: { profile: s.get('aws.profile'), region: s.get('aws.region'), endpoint: s.get('aws.endpoint') },
    gcp: { endpoint: s.get('gcp.endpoint'), ...(process.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { accessToken: process.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}) },
    azure: { endpoint: s.get('azure.endpoint'), tenantId: s.get('azure.tenantId') },
    log: services.log,
  });

  const fail = (what: string, e: unknown): ScheduleOutcome => {
    if (isCancelled(e)) return { status: 'cancelled' };
    services.log.warn(`${what}: ${describeError(e)}`);
    void vscode.window.showErrorMessage(`ML FinOps: ${describeError(e)}`, 'Show Logs').then((c) => { if (c) void vscode.commands.executeCommand(Commands.showLogs); });
    return { status: 'failed', message: describeError(e) };
  };

  const undo = async (id: string | undefined): Promise<JournalEntry | undefined> => {
    try {
      const entry = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: 'Undoing the shutdown schedule' },
        (_progress, signal) => undoAction(store, id, (e) => vmSchedulerFor(e.provider, cloudOptions()), signal));
      services.log.info(`Undone ${entry.id}: ${entry.summary}`);
      void vscode.window.showInformationMessage(`Undone: ${entry.summary}. What was there before is back.`);
      return entry;
    } catch (e) {
      fail('Undo shutdown schedule', e);
      return undefined;
    }
  };

  const schedule = async (arg?: unknown): Promise<ScheduleOutcome> => {
    const untrusted = refuseUntrusted('schedule the shutdown');
    if (untrusted) return { status: 'refused', message: untrusted };
    const args = argsOf(arg);
    const resourceId = args.resourceId ?? await vscode.window.showInputBox({
      title: 'Schedule Shutdown: the virtual machine', prompt: 'An EC2 instance id or ARN, projects/P/zones/Z/instances/NAME, or an Azure VM id',
      ignoreFocusOut: true, validateInput: (v) => { try { parseVmRef(v); return undefined; } catch (e) { return describeError(e); } },
    });
    if (!resourceId) return { status: 'cancelled' };
    let ref;
    try { ref = parseVmRef(resourceId); } catch (e) { return fail('Schedule shutdown', e); }
    const zone = localTimeZone();
    const text = args.schedule ?? await vscode.window.showInputBox({
      title: `Schedule Shutdown: running hours of ${vmLabel(ref)}`, prompt: `Days, hours and a time zone (without one: ${zone}); the VM is stopped outside them`,
      value: s.get('savings.schedule') || 'Mon-Fri 08:00-19:00', ignoreFocusOut: true,
      validateInput: (v) => { try { parseSchedule(v, zone); return undefined; } catch (e) { return describeError(e); } },
    });
    if (!text) return { status: 'cancelled' };
    let mode = args.mode;
    let roleArn = s.get('aws.schedulerRoleArn') || undefined;
    if (ref.provider === 'aws' && !mode) {
      const pick = await vscode.window.showQuickPick([
        { label: 'EventBridge Scheduler', description: 'a stop / start pair of schedules', mode: 'eventbridge' as const },
        { label: 'AWS Instance Scheduler', description: 'the Schedule tag, and the schedule definition to deploy', mode: 'instance-scheduler' as const },
      ], { title: 'Schedule Shutdown: how AWS carries it out', ignoreFocusOut: true });
      if (!pick) return { status: 'cancelled' };
      mode = pick.mode;
    }
    if (ref.provider === 'aws' && mode === 'eventbridge' && !roleArn) {
      roleArn = await vscode.window.showInputBox({
        title: 'Schedule Shutdown: the role EventBridge Scheduler assumes', prompt: 'Its ARN (it needs ec2:StopInstances and ec2:StartInstances on the instance; the "mlFinops.aws.schedulerRoleArn" setting remembers one)',
        placeHolder: 'arn:aws:iam::123456789012:role/mlfinops-scheduler', ignoreFocusOut: true,
        validateInput: (v) => (/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(v.trim()) ? undefined : 'An IAM role ARN: arn:aws:iam::<account>:role/<name>'),
      });
      if (!roleArn) return { status: 'cancelled' };
    }

    let prepared: Awaited<ReturnType<typeof prepareSchedule>>;
    try {
      prepared = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Planning the shutdown schedule of ${vmLabel(ref)} (nothing changes yet)` },
        (_progress, signal) => prepareSchedule({
          resource: resourceId, schedule: text, defaultTimeZone: zone, signal,
          scheduler: (r) => vmSchedulerFor(r.provider, cloudOptions()),
          saving: async (facts, sched) => {
            const sources = services.savingsSources();
            const { prices } = await sources.resolver.resolve(facts.size, facts.region, { live: sources.live, signal });
            return scheduleSaving({ ...planInput(prices), schedule: sched });
          },
          ...(mode ? { awsMode: mode } : {}), ...(roleArn ? { roleArn: roleArn.trim() } : {}),
        }));
    } catch (e) {
      return fail(`Schedule shutdown of ${resourceId}`, e);
    }
    const { plan, scheduler } = prepared;
    const ok = await confirmations.confirm({
      message: `Schedule the shutdown of ${vmLabel(plan.facts.ref)}? It saves about ${usd(plan.saving.monthlySaving)} a month.`,
      detail: planLines(plan).join('\n'),
      action: 'Schedule Shutdown',
    });
    if (!ok) {
      services.log.info(`Shutdown schedule of ${resourceId}: not made (the confirmation was declined).`);
      return { status: 'declined' };
    }
    let entry: JournalEntry;
    try {
      entry = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Scheduling the shutdown of ${vmLabel(plan.facts.ref)}` }, async (progress, signal) => {
        progress.report({ message: `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}…` });
        return applySchedule(plan, scheduler, store, new Date(), signal);
      });
    } catch (e) {
      return fail(`Schedule shutdown of ${resourceId}`, e);
    }
    services.log.info(`${entry.summary}: ${savingLine(plan)} (${entry.id})`);
    for (const d of plan.documents) {
      const doc = await vscode.workspace.openTextDocument({ language: d.language, content: d.content });
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true });
    }
    void vscode.window.showInformationMessage(`Shutdown scheduled for ${vmLabel(plan.facts.ref)}: runs ${plan.scheduleText}, saving about ${usd(plan.saving.monthlySaving)} a month.`, 'Undo')
      .then((c) => { if (c === 'Undo') void undo(entry.id); });
    return { status: 'applied', entry, plan };
  };

  return [
    vscode.commands.registerCommand(Commands.scheduleShutdown, schedule),
    vscode.commands.registerCommand(Commands.undoScheduleShutdown, async (id?: unknown) => {
      if (refuseUntrusted('undo the schedule')) return undefined;
      if (typeof id === 'string') return undo(id);
      const { entries } = await store.read().catch(() => ({ entries: [] as JournalEntry[] }));
      if (!entries.length) { void vscode.window.showInformationMessage('ML FinOps: no shutdown schedule made from this workspace is left to undo.'); return undefined; }
      const pick = await vscode.window.showQuickPick([...entries].reverse().map((e) => ({ label: e.summary, description: e.createdAt.slice(0, 16).replace('T', ' '), id: e.id })), { title: 'Undo a Shutdown Schedule' });
      return pick ? undo(pick.id) : undefined;
    }),
  ];
}
