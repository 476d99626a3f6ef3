import * as vscode from 'vscode';
import { describeError, FinOpsError, isFinOpsError } from '../../core/errors';
import { providerLabels } from '../../core/pricing/model';
import { usd } from '../../core/savings/estimate';
import { JOBS_DIR } from '../../core/spot/job';
import { describeSources, planSummary } from '../../core/spot/plan';
import type { PreparedJob } from '../../core/spot/prepare';
import { SKYPILOT_DIR, skyJobsLaunchArgs } from '../../core/spot/skypilot';
import { exportSkyPilotTask, resolveSky, shellCommandLine, SKY_INSTALL_URL } from '../../providers/skypilot';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import { Commands } from '../../shared/commands';
import { findJobFiles, readJobFile } from './jobs';
import { argsOf } from './launch';

/**
 * Spot jobs handed to SkyPilot: "Export Spot Job to SkyPilot…" writes the job's SkyPilot task to
 * `.finops/skypilot/<name>.yaml` (beside the job files, not among them: a file in .finops/jobs/ is read as a job) and
 * opens it; "Launch Spot Job with SkyPilot…" exports it again, asks in a modal with the plan's estimate, then runs
 * `sky jobs launch -n <name> <file> -y` in a terminal named after the job. `-y` answers SkyPilot's own prompt only
 * because our modal was answered first.
 */

/** What the commands did, for the extension-host tests. */
export type SkyPilotOutcome =
  | { outcome: 'exported'; job: string; file: vscode.Uri; sky?: string; message: string }
  | { outcome: 'launched'; job: string; file: vscode.Uri; terminal: string; sky: string; args: string[] }
  | { outcome: 'cancelled'; job?: string; file?: vscode.Uri }
  | { outcome: 'refused'; job?: string; file?: vscode.Uri; reason: string };

const UNTRUSTED = 'SkyPilot jobs are not exported or launched from an untrusted workspace: its job file and settings could run commands and spend money. Trust the workspace first.';

/** The job file the command is for: given (Explorer, editor, Spot Jobs view), the active job file, or picked. */
async function jobUriOf(arg: unknown, title: string): Promise<vscode.Uri | undefined> {
  const given = argsOf(arg).uri;
  if (given) return given;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /[\\/]\.finops[\\/]jobs[\\/][^\\/]+\.ya?ml$/.test(active.path)) return active;
  const files = await findJobFiles();
  if (!files.length) {
    void vscode.window.showInformationMessage(`No spot job file in this workspace (${JOBS_DIR}/<name>.yaml): "Launch Spot Training…" writes one.`, 'Launch Spot Training…')
      .then((c) => { if (c) void vscode.commands.executeCommand(Commands.launchSpotTraining); });
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(files.map((uri) => ({ label: uri.path.split('/').pop() ?? '', description: vscode.workspace.asRelativePath(uri), uri })), { title, placeHolder: 'Which job?' });
  return pick?.uri;
}

interface Exported {
  prepared: PreparedJob;
  /** The job file. */
  uri: vscode.Uri;
  file: vscode.Uri;
  /** The task file relative to the job's workspace folder (what `sky` is given; it runs there). */
  relative: string;
  folder: vscode.Uri;
}

/** Reads and plans the job (the tag policy included), then writes its task file. Returns a refusal when it cannot. */
async function exportJob(services: Services, arg: unknown, title: string): Promise<Exported | Extract<SkyPilotOutcome, { outcome: 'refused' | 'cancelled' }>> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED, 'Manage Workspace Trust').then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return { outcome: 'refused', reason: UNTRUSTED };
  }
  const uri = await jobUriOf(arg, title);
  if (!uri) return { outcome: 'cancelled' };
  const job = await readJobFile(services, uri);
  if (!job.prepared) {
    const e = job.error ?? new FinOpsError('internal', `${job.label} could not be read.`, { fix: 'See the log.' });
    const reason = `${e.message} ${e.fix}`;
    services.log.warn(`SkyPilot export of "${job.name}" refused: ${e.message}`);
    void vscode.window.showErrorMessage(`"${job.name}" was not exported to SkyPilot. ${reason}`, 'Open Job File').then((c) => { if (c) void vscode.window.showTextDocument(uri); });
    return { outcome: 'refused', job: job.name, reason };
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri ?? vscode.Uri.joinPath(uri, '..', '..', '..');
  const name = job.prepared.job.name;
  const file = vscode.Uri.joinPath(folder, SKYPILOT_DIR, `${name}.yaml`);
  const relative = `${SKYPILOT_DIR}/${name}.yaml`;
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(exportSkyPilotTask(job.prepared.job, job.label)));
  services.log.info(`Spot job "${name}": SkyPilot task written to ${relative}.`);
  await vscode.window.showTextDocument(file, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  return { prepared: job.prepared, uri, file, relative, folder };
}

/** The sky command, or the message that says how to install SkyPilot or correct the setting. */
function skyOf(services: Services): { sky: string } | { error: FinOpsError } {
  try {
    return { sky: resolveSky(services.settings.get('spot.skyPath')) };
  } catch (e) {
    if (!isFinOpsError(e)) throw e;
    return { error: e };
  }
}

function showSkyMissing(error: FinOpsError, prefix: string): void {
  const buttons = error.reason === 'input' ? ['Open Settings'] : ['Open Install Guide', 'Open Settings'];
  void vscode.window.showWarningMessage(`${prefix}${error.message} ${error.fix}`, ...buttons).then((c) => {
    if (c === 'Open Install Guide') void vscode.env.openExternal(vscode.Uri.parse(SKY_INSTALL_URL));
    if (c === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'mlFinops.spot.skyPath');
  });
}

/** "ML FinOps: Export Spot Job to SkyPilot…": writes and opens the task; offers the launch when `sky` is here. */
export async function exportToSkyPilot(services: Services, arg: unknown): Promise<SkyPilotOutcome> {
  const exported = await exportJob(services, arg, 'Export Spot Job to SkyPilot');
  if (!('prepared' in exported)) return exported;
  const { prepared: { job }, file, relative } = exported;
  const found = skyOf(services);
  if ('error' in found) {
    const message = `Wrote ${relative}. ${found.error.message} ${found.error.fix}`;
    showSkyMissing(found.error, `Wrote ${relative}. `);
    return { outcome: 'exported', job: job.name, file, message };
  }
  const message = `Wrote ${relative}: SkyPilot runs it as a managed spot job (sky ${skyJobsLaunchArgs(job.name, relative, false).join(' ')}).`;
  void vscode.window.showInformationMessage(message, 'Launch with SkyPilot…').then((c) => {
    if (c) void vscode.commands.executeCommand(Commands.launchSpotJobWithSkyPilot, exported.uri);
  });
  return { outcome: 'exported', job: job.name, file, sky: found.sky, message };
}

/** The modal's detail: the plan's estimate first (the figure `mlfinops spot plan` prints), then what SkyPilot does. */
export function skyPilotConfirmationDetail(prepared: PreparedJob, relative: string, terminal: string): string {
  const { job, plan } = prepared;
  return [
    planSummary(plan),
    '',
    `Estimated on ${plan.estimateType} in ${providerLabels[job.cloud]} ${plan.region}, the plan's basis. SkyPilot's optimiser picks the cheapest of the choices in ${relative} (${job.regions.join(', ')}; ${job.instanceTypes.join(', ')}${job.onDemand.fallback ? '; on-demand as a fallback' : ''}) and shows its pick in the terminal; it recovers from preemptions itself.`,
    `SkyPilot also starts (or reuses) its jobs controller, a small on-demand VM, which is not in the estimate.`,
    '',
    `Runs in the terminal "${terminal}": sky ${skyJobsLaunchArgs(job.name, relative, true).join(' ')} (-y answers SkyPilot's own prompt: this is the confirmation).`,
    '',
    `Prices: ${describeSources(plan.sources)}.`,
  ].join('\n');
}

/** "ML FinOps: Launch Spot Job with SkyPilot…": export, a modal with the estimate, then `sky jobs launch` in a terminal. */
export async function launchWithSkyPilot(services: Services, confirmations: Confirmations, arg: unknown): Promise<SkyPilotOutcome> {
  const exported = await exportJob(services, arg, 'Launch Spot Job with SkyPilot');
  if (!('prepared' in exported)) return exported;
  const { prepared, file, relative, folder } = exported;
  const { job, plan } = prepared;
  const found = skyOf(services);
  if ('error' in found) {
    showSkyMissing(found.error, `"${job.name}" was not launched (${relative} is written). `);
    return { outcome: 'refused', job: job.name, file, reason: `${found.error.message} ${found.error.fix}` };
  }
  const terminal = `SkyPilot: ${job.name}`;
  const ok = await confirmations.confirm({
    message: `Launch "${job.name}" with SkyPilot as a managed spot job for about ${usd(plan.total.spot)} (${plan.usefulHours} h, ${usd(plan.total.onDemand)} on-demand)?`,
    detail: skyPilotConfirmationDetail(prepared, relative, terminal),
    action: 'Launch with SkyPilot',
  });
  if (!ok) {
    services.log.info(`Spot job "${job.name}": not launched with SkyPilot (the confirmation was declined).`);
    return { outcome: 'cancelled', job: job.name, file };
  }
  const args = skyJobsLaunchArgs(job.name, relative, true);
  try {
    // the user's shell, so SkyPilot's output stays when it ends and `sky jobs logs` can follow; every word quoted
    const t = vscode.window.createTerminal({ name: terminal, cwd: folder, iconPath: new vscode.ThemeIcon('rocket') });
    t.show();
    t.sendText(shellCommandLine(vscode.env.shell, found.sky, args), true);
  } catch (e) {
    const reason = `Could not start ${found.sky}: ${describeError(e)}`;
    void vscode.window.showErrorMessage(reason);
    return { outcome: 'refused', job: job.name, file, reason };
  }
  services.log.info(`Spot job "${job.name}": ${found.sky} ${args.join(' ')} started in the terminal "${terminal}" (estimate ${usd(plan.total.spot)}).`);
  return { outcome: 'launched', job: job.name, file, terminal, sky: found.sky, args };
}
