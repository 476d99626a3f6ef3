import * as vscode from 'vscode';
import { describeError, FinOpsError, isCancelled, isFinOpsError } from '../../core/errors';
import { loadDefaultPolicy } from '../../core/policy/load';
import { providerLabels } from '../../core/pricing/model';
import { defaultRegions } from '../../core/pricing/catalogue';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { usd } from '../../core/savings/estimate';
import { isCheckpointUri, JOBS_DIR, parseJobFile, type SpotCloud } from '../../core/spot/job';
import type { DryRunReport, LaunchResult } from '../../core/spot/launcher';
import { newJobFile, parseCodeSource } from '../../core/spot/newJob';
import { describeSources, planSummary, renderPlan } from '../../core/spot/plan';
import type { PreparedJob } from '../../core/spot/prepare';
import { buildUserData } from '../../core/spot/userData';
import { shippedBootstrapFiles } from '../../providers/spotLaunchers';
import { withCancellableProgress } from '../../platform/cancellation';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import { checkpointStoreFor, findJobFiles, launcherFor, policyFor, readJobFile } from './jobs';

/** What the command did, for the Spot jobs view and the extension-host tests. */
export type LaunchOutcome =
  | { outcome: 'launched'; job: string; result: LaunchResult; dryRun?: DryRunReport }
  | { outcome: 'cancelled'; job?: string; dryRun?: DryRunReport }
  | { outcome: 'refused'; job?: string; reason: string };

/** What the command may be given: a job file (Explorer, tests), a Spot jobs view node, or a resume request. */
export interface LaunchArgs {
  uri?: vscode.Uri;
  /** Resume: publish this checkpoint as the manifest's latest before launching (after the confirmation). */
  resumeFrom?: { key: string; step: number };
}

export const PLAN_SCHEME = 'mlfinops-spot-plan';

/** Read-only documents showing a plan (and the checks made before launching), one per job. */
export class PlanDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** Shows `text` read-only: a job's plan (`/<job> plan.txt`) or a log (`/<name>.log`). */
  async show(name: string, text: string, kind: 'plan' | 'log' = 'plan'): Promise<void> {
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: kind === 'plan' ? `/${name} plan.txt` : `/${name}.log` });
    this.texts.set(uri.path, text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    // shown again where it already is (a second launch from the plan itself would otherwise open a third column)
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true, viewColumn: shown?.viewColumn ?? vscode.ViewColumn.Beside });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

const NEW_JOB = 'new';

/** Asks which job file to launch: those of the workspace, or a new one written through quick picks. */
async function pickJobFile(services: Services): Promise<vscode.Uri | undefined> {
  const files = await findJobFiles();
  const items: Array<vscode.QuickPickItem & { uri?: vscode.Uri; id?: string }> = [];
  for (const uri of files) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const { job, problems } = parseJobFile(text, uri.fsPath);
    items.push({
      label: job?.name ?? uri.path.split('/').pop() ?? '',
      description: vscode.workspace.asRelativePath(uri),
      detail: job ? `${providerLabels[job.cloud]} ${job.regions.join(', ')} · ${job.instanceTypes.join(', ')} · ${job.maxRuntimeHours} h` : `${problems.filter((p) => p.severity === 'error').length} error(s) in the file`,
      uri,
    });
  }
  items.push({ label: '$(add) New job file…', detail: `Write ${JOBS_DIR}/<name>.yaml through a few questions`, id: NEW_JOB });
  const pick = await vscode.window.showQuickPick(items, { title: 'Launch Spot Training', placeHolder: files.length ? 'Which job?' : 'No job file yet: write one' });
  if (!pick) return undefined;
  return pick.id === NEW_JOB ? writeNewJobFile(services) : pick.uri;
}

const CLOUDS: SpotCloud[] = ['aws', 'gcp', 'azure'];

/** The quick-pick flow that writes `.finops/jobs/<name>.yaml`: cloud, region, instance types, checkpoint, command, code, tags. */
async function writeNewJobFile(services: Services): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder first: job files are committed with the code, under .finops/jobs/.');
    return undefined;
  }
  const title = 'New spot job';
  const name = await vscode.window.showInputBox({
    title, prompt: 'Job name (the file is .finops/jobs/<name>.yaml; resources are named mlfinops-<name>)', value: 'train',
    validateInput: (v) => (/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/.test(v) ? undefined : '2–40 lowercase letters, digits and "-", starting with a letter'),
  });
  if (!name) return undefined;
  const target = vscode.Uri.joinPath(folder.uri, JOBS_DIR, `${name}.yaml`);
  try {
    await vscode.workspace.fs.stat(target);
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} already exists: pick it, or choose another name.`);
    return undefined;
  } catch {
    // free
  }
  const cloudPick = await vscode.window.showQuickPick(CLOUDS.map((c) => ({ label: providerLabels[c], cloud: c, description: c === 'aws' ? 'launched as an EC2 Fleet from the editor' : 'planned here; launched through SkyPilot (mlfinops spot export)' })), { title, placeHolder: 'Which cloud?' });
  if (!cloudPick) return undefined;
  const cloud = cloudPick.cloud;
  const catalogue = shippedCatalogue();
  const entries = catalogue.entries.filter((e) => e.provider === cloud);
  const regionCounts = new Map<string, number>();
  for (const e of entries) for (const [r, p] of Object.entries(e.regions)) if (p.spot) regionCounts.set(r, (regionCounts.get(r) ?? 0) + 1);
  const regions = [...regionCounts].sort((a, b) => (a[0] === defaultRegions[cloud] ? -1 : b[0] === defaultRegions[cloud] ? 1 : b[1] - a[1]));
  const regionPick = await vscode.window.showQuickPick(regions.map(([r, n]) => ({ label: r, description: `${n} GPU types with a spot price in the catalogue` })), { title, placeHolder: 'Which region?' });
  if (!regionPick) return undefined;
  const region = regionPick.label;
  const priced = catalogue.pricedIn(cloud, region).filter((p) => p.spot && p.shape.gpus).sort((a, b) => a.spot!.hourly - b.spot!.hourly);
  const typePicks = await vscode.window.showQuickPick(priced.map((p) => ({
    label: p.instanceType,
    description: `${p.shape.gpus} × ${p.shape.gpuModel ?? 'GPU'} · spot ${usd(p.spot!.hourly)}/h · on-demand ${usd(p.onDemand.hourly)}/h`,
  })), { title, placeHolder: 'Which instance types? Several make spot capacity likelier (prices: the shipped catalogue)', canPickMany: true });
  if (!typePicks?.length) return undefined;
  const scheme = { aws: 's3', gcp: 'gs', azure: 'azure' }[cloud];
  const checkpointUri = await vscode.window.showInputBox({
    title, prompt: 'Checkpoint location (the training script saves and resumes there)', value: cloud === 'azure' ? `azure://account/container/${name}` : `${scheme}://bucket/${name}`,
    validateInput: (v) => (/^[a-z0-9]+:\/\//.test(v) && isCheckpointUri(v) ? undefined : 's3://bucket/path, gs://bucket/path or azure://account/container/path'),
  });
  if (!checkpointUri) return undefined;
  const command = await vscode.window.showInputBox({ title, prompt: 'Training command (run in the code\'s folder on the instance)', value: 'python train.py', validateInput: (v) => (v.trim() ? undefined : 'A command') });
  if (!command) return undefined;
  const code = await vscode.window.showInputBox({
    title, prompt: 'Code: <repository URL>@<commit> or a container image', placeHolder: 'https://github.com/org/repo.git@3f2c9a1',
    validateInput: (v) => { try { parseCodeSource(v); return undefined; } catch (e) { return isFinOpsError(e) ? `${e.message} ${e.fix}` : String(e); } },
  });
  if (!code) return undefined;
  const policy = await policyFor(services, target).catch(() => loadDefaultPolicy().policy);
  const tags: Record<string, string> = {};
  for (const key of policy.required) {
    const rule = policy.rules[key];
    const value = await vscode.window.showInputBox({
      title, prompt: `Tag "${key}" (required by the team tag policy)${rule?.description ? `: ${rule.description}` : ''}`,
      validateInput: (v) => (v.trim() ? undefined : `"${key}" is required by the tag policy`),
    });
    if (value === undefined) return undefined;
    tags[key] = value.trim();
  }
  const text = newJobFile({ name, cloud, region, instanceTypes: typePicks.map((t) => t.label), checkpointUri, command, code, tags });
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}

export function argsOf(arg: unknown): LaunchArgs {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { uri?: unknown; resumeFrom?: LaunchArgs['resumeFrom'] };
    if (a.uri instanceof vscode.Uri) return { uri: a.uri, ...(a.resumeFrom ? { resumeFrom: a.resumeFrom } : {}) };
  }
  return {};
}

/** The modal's detail: the estimate first, then what is created and what was checked, then the prices' sources. */
export function confirmationDetail(prepared: PreparedJob, dryRun: DryRunReport | undefined, resumeFrom?: LaunchArgs['resumeFrom']): string {
  const { plan } = prepared;
  return [
    planSummary(plan),
    ...(resumeFrom ? ['', `Resumes from the checkpoint of step ${resumeFrom.step} (${resumeFrom.key}).`] : []),
    '',
    'Will create:',
    ...plan.creates.map((c) => `• ${c}`),
    '',
    ...(dryRun
      ? ['Checked first (nothing created yet):', ...dryRun.checks.map((c) => `✓ ${c}`)]
      : [`${providerLabels[prepared.job.cloud]} has no DryRun: the checkpoint bucket and each request are checked during the launch, and a failure deletes what was created.`]),
    ...(plan.warnings.length ? ['', ...plan.warnings.map((w) => `! ${w}`)] : []),
    '',
    `Prices: ${describeSources(plan.sources)}.`,
  ].join('\n');
}

/**
 * "ML FinOps: Launch Spot Training…": a job file (picked, or written through quick picks), its plan (the same as
 * `mlfinops spot plan`), the checks made before anything exists (AWS: DryRun), then a modal confirmation with the
 * estimated cost. Nothing is created without it. A job with missing required tags is refused with the policy's words.
 */
export async function launchSpotTraining(services: Services, confirmations: Confirmations, plans: PlanDocuments, arg: unknown, onLaunched: () => void): Promise<LaunchOutcome> {
  const { uri: given, resumeFrom } = argsOf(arg);
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Spot training is not launched from an untrusted workspace: its job file and settings could spend money. Trust the workspace first.', 'Manage Workspace Trust')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return { outcome: 'refused', reason: 'untrusted workspace' };
  }
  const uri = given ?? await pickJobFile(services);
  if (!uri) return { outcome: 'cancelled' };
  const file = await readJobFile(services, uri);
  if (!file.prepared) {
    const e = file.error ?? new FinOpsError('internal', `${file.label} could not be read.`, { fix: 'See the log.' });
    services.log.warn(`Spot training "${file.name}" refused: ${e.message}`);
    void vscode.window.showErrorMessage(`Spot training "${file.name}" was not launched. ${e.message} ${e.fix}`, 'Open Job File').then((c) => {
      if (c) void vscode.window.showTextDocument(uri);
    });
    return { outcome: 'refused', job: file.name, reason: `${e.message} ${e.fix}` };
  }
  const prepared = file.prepared;
  const { job, plan } = prepared;
  await plans.show(job.name, renderPlan(plan));
  const request = { job, plan, userData: buildUserData(job, shippedBootstrapFiles()) };
  let dryRun: DryRunReport | undefined;
  try {
    const launcher = launcherFor(services, job);
    dryRun = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Checking "${job.name}" before launching (nothing is created)` },
      (progress, signal) => launcher.preflight
        ? launcher.preflight({ ...request, signal, progress: (m) => progress.report({ message: m }) })
        : Promise.resolve(undefined));
  } catch (e) {
    return failed(services, job.name, 'was not launched', e);
  }
  if (dryRun) await plans.show(job.name, `${renderPlan(plan)}\n\nChecks before launching (nothing created yet):\n${dryRun.checks.map((c) => `  ✓ ${c}`).join('\n')}\n`);
  const where = `${providerLabels[job.cloud]} ${plan.region}`;
  const ok = await confirmations.confirm({
    message: `${resumeFrom ? 'Resume' : 'Launch'} spot training "${job.name}" on ${where} for about ${usd(plan.total.spot)} (${plan.usefulHours} h, ${usd(plan.total.onDemand)} on-demand)?`,
    detail: confirmationDetail(prepared, dryRun, resumeFrom),
    action: resumeFrom ? 'Resume' : 'Launch',
  });
  if (!ok) {
    services.log.info(`Spot training "${job.name}": not launched (the confirmation was declined).`);
    return { outcome: 'cancelled', job: job.name, ...(dryRun ? { dryRun } : {}) };
  }
  try {
    const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `${resumeFrom ? 'Resuming' : 'Launching'} "${job.name}" on ${where}` }, async (progress, signal) => {
      if (resumeFrom) {
        progress.report({ message: `Resuming from step ${resumeFrom.step}…` });
        await (await checkpointStoreFor(services, job)).publishLatest(resumeFrom.key, signal);
      }
      return launcherFor(services, job).launch({ ...request, ...(dryRun ? { checked: dryRun } : {}), signal, progress: (m) => progress.report({ message: m }) });
    });
    services.log.info(`Spot training "${job.name}" launched: ${result.resources.map((r) => `${r.kind} ${r.id}`).join(', ')}; state ${result.status.state}; estimate ${usd(plan.total.spot)}.`);
    onLaunched();
    void vscode.window.showInformationMessage(`Launched "${job.name}" on ${where}: ${result.status.state}, ${result.status.instances.length} instance${result.status.instances.length === 1 ? '' : 's'}. Estimated ${usd(plan.total.spot)} for ${plan.usefulHours} h.`, 'Show Spot Jobs')
      .then((c) => { if (c) void vscode.commands.executeCommand('mlFinops.spotJobs.focus'); });
    return { outcome: 'launched', job: job.name, result, ...(dryRun ? { dryRun } : {}) };
  } catch (e) {
    onLaunched();
    return failed(services, job.name, 'was not launched', e);
  }
}

function failed(services: Services, job: string, what: string, e: unknown): LaunchOutcome {
  if (isCancelled(e)) {
    services.log.info(`Spot training "${job}": cancelled.`);
    return { outcome: 'cancelled', job };
  }
  const text = describeError(e);
  services.log.error(`Spot training "${job}" ${what}: ${text}`);
  void vscode.window.showErrorMessage(`Spot training "${job}" ${what}: ${text}`, 'Show Logs').then((c) => { if (c) services.output.show(true); });
  return { outcome: 'refused', job, reason: text };
}
