import * as vscode from 'vscode';
import { asFinOpsError, type FinOpsError } from '../../core/errors';
import { loadDefaultPolicy, loadPolicy } from '../../core/policy/load';
import type { TagPolicy } from '../../core/policy/model';
import { JOBS_DIR, jobNameOfPath, parseJobFile, type SpotJob } from '../../core/spot/job';
import type { SpotLauncher } from '../../core/spot/launcher';
import { prepareJob, type PreparedJob } from '../../core/spot/prepare';
import { openObjectStore, type ObjectStore } from '../../providers/objectStore';
import { spotLauncherFor } from '../../providers/spotLaunchers';
import type { Services } from '../../platform/services';

/** One job file of the workspace, read and planned (or the error that stops it: a bad file, a tag policy refusal). */
export interface JobFile {
  uri: vscode.Uri;
  /** The path shown to the user (relative to its workspace folder). */
  label: string;
  /** The job's name, from the file or its file name, even when the file has errors. */
  name: string;
  prepared?: PreparedJob;
  error?: FinOpsError;
}

/** The job files of every workspace folder (`.finops/jobs/*.yaml`), sorted by path. */
export async function findJobFiles(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(`${JOBS_DIR}/*.{yaml,yml}`, undefined, 500);
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The team tag policy of the folder holding `uri` (the `tags.policyFile` setting), else the built-in policy. */
export async function policyFor(services: Services, uri: vscode.Uri): Promise<TagPolicy> {
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) return loadDefaultPolicy().policy;
  const policyUri = vscode.Uri.joinPath(folder.uri, services.settings.get('tags.policyFile'));
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(policyUri));
  } catch {
    return loadDefaultPolicy().policy;
  }
  return loadPolicy(text, vscode.workspace.asRelativePath(policyUri)).policy;
}

/** Reads, checks and plans one job file, exactly as `mlfinops spot plan` does. Never throws. */
export async function readJobFile(services: Services, uri: vscode.Uri): Promise<JobFile> {
  const label = vscode.workspace.asRelativePath(uri);
  let text: string;
  try {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    return { uri, label, name: jobNameOfPath(uri.fsPath), error: asFinOpsError(e) };
  }
  const name = parseJobFile(text, uri.fsPath).job?.name ?? jobNameOfPath(uri.fsPath);
  try {
    return { uri, label, name, prepared: prepareJob(text, label, await policyFor(services, uri)) };
  } catch (e) {
    return { uri, label, name, error: asFinOpsError(e) };
  }
}

/** The launcher for a job, from the same settings as the cost sources. Throws FinOpsError('usage') for a cloud without one. */
export function launcherFor(services: Services, job: SpotJob): SpotLauncher {
  const s = services.settings.settings;
  return spotLauncherFor(job, {
    aws: { profile: s['aws.profile'], endpoint: s['aws.endpoint'] },
    gcp: { endpoint: s['gcp.endpoint'], ...(process.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { accessToken: process.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}) },
    // live prices (a trusted workspace that turned them on): the max price is compared with the current Spot price
    azure: { endpoint: s['azure.endpoint'], ...(s['savings.livePrices'] && vscode.workspace.isTrusted ? { retailPrices: { endpoint: s['savings.azureRetailPricesEndpoint'] } } : {}) },
    log: services.log,
  });
}

/** The checkpoint store of a job (its SDK loaded on first use), with the endpoint settings of its cloud. */
export function checkpointStoreFor(services: Services, job: SpotJob): Promise<ObjectStore> {
  const s = services.settings.settings;
  return openObjectStore(job.checkpoint.uri, {
    ...(s['aws.endpoint'] ? { s3Endpoint: s['aws.endpoint'] } : {}),
    ...(s['aws.profile'] ? { awsProfile: s['aws.profile'] } : {}),
    ...(s['gcp.endpoint'] ? { gcsEndpoint: s['gcp.endpoint'] } : {}),
    // Cloud Storage: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default Credentials (asked on first listing)
    ...(process.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { googleAccessToken: process.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}),
    region: job.cloud === 'aws' ? job.regions[0] ?? s['aws.region'] : s['aws.region'],
  });
}
