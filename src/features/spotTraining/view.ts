import * as vscode from 'vscode';
import { describeError, isFinOpsError } from '../../core/errors';
import { usd } from '../../core/savings/estimate';
import type { SpotJobState, SpotJobStatus } from '../../core/spot/launcher';
import { describeProgressPrices, formatHourlyNow, formatRuntime, formatInstancePrice, jobProgress } from '../../core/spot/progress';
import type { CheckpointInfo } from '../../providers/objectStore';
import type { Services } from '../../platform/services';
import { formatAge } from '../../shared/format';
import { checkpointStoreFor, findJobFiles, launcherFor, readJobFile, type JobFile } from './jobs';

/** What the model knows of one job: its file (read, planned), and what the cloud and the bucket answered last. */
export interface JobEntry {
  file: JobFile;
  status?: SpotJobStatus;
  /** Why there is no status (no launcher for the cloud, a failed call, an untrusted workspace). */
  statusNote?: string;
  checkpoints?: CheckpointInfo[];
  checkpointsError?: string;
  /** When the cloud was last asked (ms since epoch). */
  refreshedAt?: number;
}

export type SpotNode =
  | { kind: 'job'; uri: vscode.Uri; entry: JobEntry }
  | { kind: 'checkpoint'; uri: vscode.Uri; checkpoint: CheckpointInfo; entry: JobEntry }
  | { kind: 'note'; id: string; label: string; tooltip?: string; icon: string };

/** The least time between two cloud refreshes of a job (a refresh sooner reuses the last answer). */
export const MIN_REFRESH_MS = 15_000;
/** While the view is visible and a job runs, it refreshes this often. */
const AUTO_REFRESH_MS = 60_000;
const ACTIVE: ReadonlySet<SpotJobState> = new Set(['requested', 'running', 'interrupted', 'resuming']);

/**
 * The Spot jobs model: the workspace's job files and, per job, the cloud's status and the checkpoints in its bucket.
 * Reading job files is local and cheap; cloud calls happen only in refresh(), at most once per MIN_REFRESH_MS per job
 * unless forced (after a launch or a stop), never inside getChildren.
 */
export class SpotJobsModel implements vscode.Disposable {
  private entries = new Map<string, JobEntry>();
  private inFlight: Promise<void> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  /** Cloud refreshes made (each asks the launcher and the bucket of every job due). */
  refreshCount = 0;

  constructor(private readonly services: Services) {}

  get jobs(): JobEntry[] {
    return [...this.entries.values()].sort((a, b) => a.file.label.localeCompare(b.file.label));
  }

  entry(uri: vscode.Uri): JobEntry | undefined {
    return this.entries.get(uri.toString());
  }

  /** Re-reads the job files (no cloud call); what the cloud said before is kept for files still there. */
  async reload(): Promise<void> {
    const uris = await findJobFiles();
    const next = new Map<string, JobEntry>();
    for (const uri of uris) {
      const file = await readJobFile(this.services, uri);
      const prev = this.entries.get(uri.toString());
      next.set(uri.toString(), prev && prev.file.name === file.name ? { ...prev, file } : { file });
    }
    this.entries = next;
    await vscode.commands.executeCommand('setContext', 'mlFinops.spotJobs.empty', next.size === 0);
    this.emitter.fire();
  }

  /** Asks the cloud and the bucket of every job (or of one) whose last answer is older than MIN_REFRESH_MS, or all when forced. */
  refresh(options: { force?: boolean; only?: vscode.Uri } = {}): Promise<void> {
    if (this.inFlight && !options.force) return this.inFlight;
    const previous = this.inFlight;
    const run = (async () => {
      await previous?.catch(() => undefined);
      await this.reload();
      const now = Date.now();
      const due = this.jobs.filter((e) => (!options.only || e.file.uri.toString() === options.only.toString()) && (options.force || !e.refreshedAt || now - e.refreshedAt >= MIN_REFRESH_MS));
      if (!due.length) return;
      this.refreshCount += 1;
      await Promise.all(due.map((e) => this.refreshOne(e)));
      this.emitter.fire();
    })();
    this.inFlight = run;
    run.then(() => undefined, () => undefined).finally(() => { if (this.inFlight === run) this.inFlight = undefined; });
    return run;
  }

  private async refreshOne(entry: JobEntry): Promise<void> {
    entry.refreshedAt = Date.now();
    const prepared = entry.file.prepared;
    if (!prepared) return;
    if (!vscode.workspace.isTrusted) {
      entry.statusNote = 'Not asked: the workspace is not trusted (no cloud call is made for it).';
      return;
    }
    const { job } = prepared;
    const status = (async () => {
      try {
        entry.status = await launcherFor(this.services, job).status(job);
        delete entry.statusNote;
      } catch (e) {
        delete entry.status;
        entry.statusNote = isFinOpsError(e, 'usage') ? `${e.message} ${e.fix}` : `Status unavailable: ${describeError(e)}`;
        if (!isFinOpsError(e, 'usage')) this.services.log.warn(`Spot jobs: ${job.name}: ${describeError(e)}`);
      }
    })();
    const checkpoints = (async () => {
      try {
        entry.checkpoints = await (await checkpointStoreFor(this.services, job)).listCheckpoints();
        delete entry.checkpointsError;
      } catch (e) {
        delete entry.checkpoints;
        entry.checkpointsError = describeError(e);
      }
    })();
    await Promise.all([status, checkpoints]);
  }

  /** Whether any job is requested, running, interrupted or resuming (the view then refreshes itself). */
  get anyActive(): boolean {
    return this.jobs.some((e) => e.status && ACTIVE.has(e.status.state));
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

const STATE_ICONS: Record<SpotJobState, [string, string?]> = {
  planned: ['circle-outline'],
  requested: ['loading~spin'],
  running: ['play-circle', 'testing.iconPassed'],
  interrupted: ['warning', 'list.warningForeground'],
  resuming: ['sync~spin', 'list.warningForeground'],
  finished: ['pass', 'testing.iconPassed'],
  failed: ['error', 'list.errorForeground'],
  stopped: ['circle-slash'],
};

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The one-line summary of a job (the tree's description): state, type, zone, price now, runtime, cost so far. */
export function describeJob(entry: JobEntry, now = new Date()): { state: SpotJobState | 'error'; description: string } {
  const { file, status } = entry;
  if (!file.prepared) return { state: 'error', description: 'not launchable: see the tooltip' };
  const { plan } = file.prepared;
  if (!status || status.state === 'planned' || status.state === 'stopped') {
    return { state: status?.state ?? 'planned', description: `${status?.state ?? 'planned'} · est. ${usd(plan.total.spot)} spot for ${plan.usefulHours} h (${usd(plan.total.onDemand)} on-demand)` };
  }
  const p = jobProgress(status, plan, now);
  const first = status.instances.find((i) => i.state === 'running') ?? status.instances[0];
  const parts: string[] = [status.state];
  if (first) parts.push(status.instances.length > 1 ? `${first.instanceType} +${status.instances.length - 1}` : first.instanceType);
  if (first?.zone) parts.push(first.zone);
  if (p.priced !== 'none') parts.push(formatHourlyNow(p));
  parts.push(formatRuntime(p.runtimeHours));
  parts.push(`${usd(p.costSoFar)} so far`);
  return { state: status.state, description: parts.join(' · ') };
}

function jobTooltip(entry: JobEntry, now = new Date()): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = false;
  md.supportThemeIcons = false;
  const { file, status } = entry;
  md.appendMarkdown(`**${file.name}** — \`${file.label}\`\n\n`);
  if (!file.prepared) {
    md.appendText(file.error ? `${file.error.message} ${file.error.fix}` : 'The job file could not be read.');
    return md;
  }
  const { plan, job } = file.prepared;
  md.appendText(`Plan: spot ≈ ${usd(plan.total.spot)} for ${plan.usefulHours} h vs ${usd(plan.total.onDemand)} on-demand (restart overhead ${(plan.overheadFraction * 100).toFixed(1)} %), ${job.instanceTypes.join(', ')} in ${plan.region}.\n`);
  if (status && status.state !== 'planned') {
    const p = jobProgress(status, plan, now);
    md.appendText(`\nState: ${status.state}${status.requestedAt ? `, requested ${formatAge(status.requestedAt, now)}` : ''}. Runtime ${formatRuntime(p.runtimeHours)}; cost so far ${usd(p.costSoFar)} (instances running now, at ${describeProgressPrices(p, plan)}).\n`);
    for (const i of status.instances) {
      const price = formatInstancePrice(i, plan);
      md.appendText(`• ${i.id} ${i.instanceType} ${i.zone ?? ''} ${i.lifecycle} ${i.state}${price ? ` ${price}` : ''}\n`);
    }
    for (const e of status.events.slice(0, 3)) md.appendText(`• ${e.at} ${e.kind}: ${e.message}\n`);
  }
  if (entry.statusNote) md.appendText(`\n${entry.statusNote}\n`);
  if (entry.refreshedAt) md.appendText(`\nUpdated ${formatAge(new Date(entry.refreshedAt).toISOString(), now)}.`);
  return md;
}

/** The Spot jobs tree: a node per job file, its checkpoints as children (newest first). Reads the model only. */
export class SpotJobsTree implements vscode.TreeDataProvider<SpotNode> {
  private readonly emitter = new vscode.EventEmitter<SpotNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly model: SpotJobsModel) {
    model.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(node?: SpotNode): SpotNode[] {
    if (!node) return this.model.jobs.map((entry) => ({ kind: 'job', uri: entry.file.uri, entry }));
    if (node.kind !== 'job') return [];
    const { entry } = node;
    const id = entry.file.uri.toString();
    if (entry.checkpointsError) return [{ kind: 'note', id: `${id}#error`, label: 'Checkpoints unavailable', tooltip: entry.checkpointsError, icon: 'warning' }];
    if (!entry.checkpoints) return entry.file.prepared ? [{ kind: 'note', id: `${id}#unread`, label: 'Checkpoints not read yet (Refresh)', icon: 'info' }] : [];
    if (!entry.checkpoints.length) return [{ kind: 'note', id: `${id}#none`, label: `No checkpoints yet in ${entry.file.prepared?.job.checkpoint.uri ?? ''}`, icon: 'info' }];
    return entry.checkpoints.map((checkpoint) => ({ kind: 'checkpoint', uri: entry.file.uri, checkpoint, entry }));
  }

  getTreeItem(node: SpotNode): vscode.TreeItem {
    if (node.kind === 'note') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      if (node.tooltip) item.tooltip = node.tooltip;
      item.contextValue = 'spotNote';
      return item;
    }
    if (node.kind === 'checkpoint') {
      const c = node.checkpoint;
      const item = new vscode.TreeItem(`step ${c.step.toLocaleString('en-US')}`, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.uri.toString()}#${c.key}`;
      const flags = [c.latest ? 'latest' : '', c.published ? '' : 'not published'].filter(Boolean);
      item.description = [formatBytes(c.sizeBytes), c.savedAt ? formatAge(c.savedAt) : '', ...flags].filter(Boolean).join(' · ');
      item.tooltip = `${node.entry.file.prepared?.job.checkpoint.uri ?? ''}/${c.key}\nStep ${c.step}, ${c.sizeBytes.toLocaleString('en-US')} bytes${c.savedAt ? `, saved ${c.savedAt}` : ''}.${c.published ? '' : '\nNot in the manifest (an upload cut short, or unpublished): never resumed from.'}`;
      item.iconPath = new vscode.ThemeIcon(c.latest ? 'bookmark' : c.published ? 'save' : 'circle-slash');
      item.contextValue = `spotCheckpoint${c.published ? ' published' : ''}`;
      return item;
    }
    const { entry } = node;
    const { state, description } = describeJob(entry);
    const item = new vscode.TreeItem(entry.file.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = entry.file.uri.toString();
    item.description = description;
    item.tooltip = jobTooltip(entry);
    const [icon, color] = state === 'error' ? ['error', 'list.errorForeground'] : STATE_ICONS[state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const launched = !!entry.status && state !== 'planned' && state !== 'stopped' && state !== 'error';
    item.contextValue = ['spotJob', launched ? 'launched' : 'notLaunched', entry.status?.consoleUrl ? 'console' : '', entry.status?.instances.length ? 'instances' : '', entry.checkpoints?.some((c) => c.published) ? 'resumable' : ''].filter(Boolean).join(' ');
    item.command = { command: 'vscode.open', title: 'Open Job File', arguments: [entry.file.uri] };
    return item;
  }
}

export { AUTO_REFRESH_MS };
