import * as vscode from 'vscode';
import { describeError, isCancelled } from '../../core/errors';
import { usd } from '../../core/savings/estimate';
import { jobProgress, formatRuntime } from '../../core/spot/progress';
import { withCancellableProgress } from '../../platform/cancellation';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import { Commands } from '../../shared/commands';
import { launcherFor } from './jobs';
import { launchSpotTraining, PLAN_SCHEME, PlanDocuments } from './launch';
import { exportToSkyPilot, launchWithSkyPilot } from './skypilot';
import { AUTO_REFRESH_MS, SpotJobsModel, SpotJobsTree, type JobEntry, type SpotNode } from './view';

export const SPOT_JOBS_VIEW = 'mlFinops.spotJobs';

/** What the extension-host tests read: the model behind the Spot jobs view and its tree. */
export interface SpotJobsHandle {
  readonly model: SpotJobsModel;
  readonly tree: SpotJobsTree;
}

type JobArg = Extract<SpotNode, { kind: 'job' | 'checkpoint' }>;

function isJobArg(x: unknown): x is JobArg {
  return typeof x === 'object' && x !== null && ((x as SpotNode).kind === 'job' || (x as SpotNode).kind === 'checkpoint') && (x as JobArg).uri instanceof vscode.Uri;
}

/**
 * Spot training in the editor: the launch command (plan, checks, modal confirmation) and the Spot jobs view (state,
 * instance, zone, price, runtime, cost so far, checkpoints) with Stop, Resume from checkpoint…, Open log and Open in
 * console.
 */
export function register(services: Services, confirmations: Confirmations): { disposables: vscode.Disposable[]; handle: SpotJobsHandle } {
  const plans = new PlanDocuments();
  const model = new SpotJobsModel(services);
  const tree = new SpotJobsTree(model);
  const view = vscode.window.createTreeView(SPOT_JOBS_VIEW, { treeDataProvider: tree, showCollapseAll: false });
  const refreshSoon = (uri?: vscode.Uri) => void model.refresh({ force: true, ...(uri ? { only: uri } : {}) }).catch((e: unknown) => services.log.warn(`Spot jobs: ${describeError(e)}`));

  const entryOf = async (arg: unknown): Promise<JobEntry | undefined> => {
    if (isJobArg(arg)) return model.entry(arg.uri) ?? (await model.reload(), model.entry(arg.uri));
    if (arg instanceof vscode.Uri) return model.entry(arg) ?? (await model.reload(), model.entry(arg));
    await model.reload();
    const launched = model.jobs.filter((e) => e.file.prepared);
    const pick = await vscode.window.showQuickPick(launched.map((e) => ({ label: e.file.name, description: e.file.label, entry: e })), { title: 'Which spot job?' });
    return pick?.entry;
  };

  const stop = async (arg: unknown): Promise<boolean> => {
    const entry = await entryOf(arg);
    const prepared = entry?.file.prepared;
    if (!entry || !prepared) return false;
    const { job, plan } = prepared;
    const status = entry.status;
    const p = status ? jobProgress(status, plan) : undefined;
    const what = status?.resources.length
      ? status.resources.map((r) => `${r.kind === 'fleet' ? 'EC2 Fleet' : r.kind === 'launchTemplate' ? 'launch template' : r.kind === 'instanceGroup' ? 'managed instance group' : r.kind === 'instanceTemplate' ? 'instance template' : r.kind} ${r.id}`).join(', ')
      : `whatever the cloud holds for "${job.name}" (resources named ${`mlfinops-${job.name}`})`;
    const ok = await confirmations.confirm({
      message: `Stop spot job "${job.name}"? Its ${status?.instances.length ?? 0} instance${status?.instances.length === 1 ? ' is' : 's are'} terminated now; work since the last checkpoint may be lost.`,
      detail: [
        `Deletes ${what}${status?.instances.length ? ' with its instances' : ''}.`,
        p ? `It has run ${formatRuntime(p.runtimeHours)} and cost about ${usd(p.costSoFar)} so far (instances running now).` : '',
        `Checkpoints in ${job.checkpoint.uri} are kept: Resume from checkpoint… starts it again from one.`,
      ].filter(Boolean).join('\n'),
      action: 'Stop Job',
    });
    if (!ok) return false;
    try {
      const deleted = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping "${job.name}"` },
        (progress, signal) => launcherFor(services, job).stop(job, signal, (m) => progress.report({ message: m })));
      services.log.info(`Spot job "${job.name}" stopped: deleted ${deleted.map((r) => `${r.kind} ${r.id}`).join(', ') || 'nothing (nothing was running)'}.`);
      void vscode.window.showInformationMessage(deleted.length ? `Stopped "${job.name}": deleted ${deleted.map((r) => r.id).join(', ')}.` : `Nothing of "${job.name}" was running.`);
      return true;
    } catch (e) {
      if (!isCancelled(e)) {
        services.log.error(`Stopping spot job "${job.name}" failed: ${describeError(e)}`);
        void vscode.window.showErrorMessage(`Could not stop "${job.name}": ${describeError(e)}`, 'Show Logs').then((c) => { if (c) services.output.show(true); });
      }
      return false;
    } finally {
      refreshSoon(entry.file.uri);
    }
  };

  const resume = async (arg: unknown) => {
    const entry = await entryOf(arg);
    if (!entry?.file.prepared) return undefined;
    let checkpoint = isJobArg(arg) && arg.kind === 'checkpoint' ? arg.checkpoint : undefined;
    if (!checkpoint) {
      if (!entry.checkpoints) await model.refresh({ only: entry.file.uri });
      const published = (model.entry(entry.file.uri)?.checkpoints ?? []).filter((c) => c.published);
      if (!published.length) {
        void vscode.window.showInformationMessage(`"${entry.file.name}" has no published checkpoint in ${entry.file.prepared.job.checkpoint.uri}: launching it starts from the beginning.`, 'Launch…')
          .then((c) => { if (c) void vscode.commands.executeCommand(Commands.launchSpotTraining, entry.file.uri); });
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(published.map((c) => ({ label: `step ${c.step.toLocaleString('en-US')}`, description: [c.latest ? 'latest' : '', c.savedAt ?? ''].filter(Boolean).join(' · '), checkpoint: c })), { title: `Resume "${entry.file.name}" from which checkpoint?` });
      if (!pick) return undefined;
      checkpoint = pick.checkpoint;
    }
    if (!checkpoint.published) {
      void vscode.window.showWarningMessage(`Step ${checkpoint.step} is not in the manifest (an upload cut short): it is never resumed from.`);
      return undefined;
    }
    return launchSpotTraining(services, confirmations, plans, { uri: entry.file.uri, resumeFrom: { key: checkpoint.key, step: checkpoint.step } }, () => refreshSoon(entry.file.uri));
  };

  const openLog = async (arg: unknown) => {
    const entry = await entryOf(arg);
    const prepared = entry?.file.prepared;
    if (!entry || !prepared) return;
    const launcher = (() => { try { return launcherFor(services, prepared.job); } catch { return undefined; } })();
    const instances = entry.status?.instances ?? [];
    if (!launcher?.consoleOutput || !instances.length) {
      services.output.show(true);
      void vscode.window.showInformationMessage(instances.length ? `The cloud of "${entry.file.name}" gives no console output here; the ML FinOps log shows what the extension did.` : `"${entry.file.name}" has no instance to read a log from; the ML FinOps log shows what the extension did.`);
      return;
    }
    const instance = instances.length === 1 ? instances[0] : (await vscode.window.showQuickPick(instances.map((i) => ({ label: i.id, description: `${i.instanceType} · ${i.zone ?? ''} · ${i.state}`, i })), { title: 'Log of which instance?' }))?.i;
    if (!instance) return;
    try {
      const text = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Reading the console output of ${instance.id}` },
        (_p, signal) => launcher.consoleOutput!(prepared.job, instance.id, signal));
      await plans.show(`${prepared.job.name} ${instance.id} log`, text || `${instance.id} has printed nothing to its console yet (it can take a few minutes after boot).`, 'log');
    } catch (e) {
      if (!isCancelled(e)) void vscode.window.showErrorMessage(`Could not read the log of ${instance.id}: ${describeError(e)}`);
    }
  };

  const openInConsole = async (arg: unknown) => {
    const entry = await entryOf(arg);
    const url = entry?.status?.consoleUrl ?? entry?.status?.resources.find((r) => r.consoleUrl)?.consoleUrl;
    if (!url) {
      void vscode.window.showInformationMessage(`"${entry?.file.name ?? 'The job'}" has nothing in the cloud to open (refresh after a launch).`);
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url));
  };

  // refresh: when the view is shown, on request (rate-limited in the model), and every minute while a job runs
  let timer: ReturnType<typeof setInterval> | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (view.visible) {
      timer = setInterval(() => { if (view.visible && model.anyActive) void model.refresh().catch(() => undefined); }, AUTO_REFRESH_MS);
    }
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/.finops/jobs/*.{yaml,yml}');
  const onFiles = () => void model.reload().catch((e: unknown) => services.log.warn(`Spot jobs: ${describeError(e)}`));
  void model.reload().catch(() => undefined);

  const disposables: vscode.Disposable[] = [
    plans, model, view, watcher,
    { dispose: () => { if (timer) clearInterval(timer); } },
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
    view.onDidChangeVisibility(() => { schedule(); if (view.visible) void model.refresh().catch(() => undefined); }),
    watcher.onDidCreate(onFiles), watcher.onDidChange(onFiles), watcher.onDidDelete(onFiles),
    vscode.commands.registerCommand(Commands.launchSpotTraining, (arg: unknown) => launchSpotTraining(services, confirmations, plans, arg, () => refreshSoon())),
    vscode.commands.registerCommand(Commands.refreshSpotJobs, () => model.refresh()),
    vscode.commands.registerCommand(Commands.stopSpotJob, stop),
    vscode.commands.registerCommand(Commands.resumeSpotJob, resume),
    vscode.commands.registerCommand(Commands.openSpotJobLog, openLog),
    vscode.commands.registerCommand(Commands.openSpotJobInConsole, openInConsole),
    vscode.commands.registerCommand(Commands.exportSpotJobToSkyPilot, (arg: unknown) => exportToSkyPilot(services, arg)),
    vscode.commands.registerCommand(Commands.launchSpotJobWithSkyPilot, (arg: unknown) => launchWithSkyPilot(services, confirmations, arg)),
  ];
  return { disposables, handle: { model, tree } };
}
