import { FinOpsError, isFinOpsError } from '../errors';
import type { Logger } from '../ports';
import type { SpotJob } from './job';
import type { SpotPlan } from './plan';

/**
 * What every cloud's spot launcher does with a planned job, through that cloud's own "keep N running" primitive
 * (EC2 Fleet `maintain`, a regional managed instance group of Spot VMs, a Spot VM scale set). Resources carry the
 * job's name (`mlfinops-<name>`, tag `mlfinops-job`), so status and stop find them from the job file alone.
 */

/** planned → requested → running ⇄ interrupted → resuming → finished / failed; stopped once deleted. */
export type SpotJobState = 'planned' | 'requested' | 'running' | 'interrupted' | 'resuming' | 'finished' | 'failed' | 'stopped';

/** One resource a launch created (or found), with its id and how to see it in the cloud's console. */
export interface SpotResource {
  kind: 'launchTemplate' | 'fleet' | 'instanceTemplate' | 'instanceGroup' | 'scaleSet' | 'instance';
  id: string;
  name?: string;
  consoleUrl?: string;
}

export interface SpotInstance {
  id: string;
  instanceType: string;
  zone?: string;
  lifecycle: 'spot' | 'on-demand';
  /** The cloud's own state word (pending, running, shutting-down, RUNNING, Succeeded …). */
  state: string;
  launchedAt?: string;
  /** The spot price now (USD per hour), when the cloud reports it. */
  pricePerHour?: number;
}

export interface SpotJobStatus {
  job: string;
  state: SpotJobState;
  resources: SpotResource[];
  instances: SpotInstance[];
  /** When the launch was requested (ISO), for runtime and cost so far. */
  requestedAt?: string;
  /** Interruptions and failures the cloud reported, newest first, in its words. */
  events: Array<{ at: string; kind: 'interruption' | 'error' | 'info'; message: string }>;
  consoleUrl?: string;
}

/** What a DryRun (or the cloud's own validation) answered before anything was created. */
export interface DryRunReport {
  /** One line per checked request: "CreateLaunchTemplate: would succeed". */
  checks: string[];
}

export interface LaunchResult {
  dryRun: DryRunReport;
  resources: SpotResource[];
  status: SpotJobStatus;
}

/** Progress of a long call, one message per step ("Creating the EC2 Fleet…"). */
export type SpotProgress = (message: string) => void;

export interface LaunchRequest {
  job: SpotJob;
  plan: SpotPlan;
  /** The instance's start-up script (user data / startup-script / custom data). */
  userData: string;
  signal?: AbortSignal;
  progress?: SpotProgress;
  /** The checks preflight() just made for this request (shown in the confirmation): launch() does not repeat them. */
  checked?: DryRunReport;
}

export interface SpotLauncher {
  readonly cloud: SpotJob['cloud'];
  /**
   * Checks (DryRun where the cloud has it), then creates. On any failure, what was created is deleted before the
   * FinOpsError is thrown; what could not be deleted is named in the error's message.
   */
  launch(request: LaunchRequest): Promise<LaunchResult>;
  /**
   * The checks launch() starts with (DryRun where the cloud has it), on their own: what a confirmation reports
   * before anything is created. Creates nothing; throws the FinOpsError a launch would. Absent for a cloud without
   * DryRun: its checks run within launch().
   */
  preflight?(request: LaunchRequest): Promise<DryRunReport>;
  status(job: SpotJob, signal?: AbortSignal): Promise<SpotJobStatus>;
  /** Deletes the job's resources (instances included). Returns what was deleted. */
  stop(job: SpotJob, signal?: AbortSignal, progress?: SpotProgress): Promise<SpotResource[]>;
  /** What an instance printed to its console (the bootstrap's log lines), newest output last. */
  consoleOutput?(job: SpotJob, instanceId: string, signal?: AbortSignal): Promise<string>;
}

/** How a launcher names a resource kind in messages. */
const RESOURCE_WORDS: Record<SpotResource['kind'], string> = {
  launchTemplate: 'launch template', fleet: 'fleet', instanceTemplate: 'instance template', instanceGroup: 'managed instance group',
  scaleSet: 'scale set', instance: 'instance',
};

/**
 * The clean-up of a failed launch, the same on every cloud: what was created is deleted newest first, and the
 * launch's FinOpsError then says it was deleted, or names what could not be (it may still cost money) and where
 * to delete it by hand. Returns the error to throw.
 */
export async function rollBackLaunch(options: {
  job: SpotJob;
  created: readonly SpotResource[];
  error: unknown;
  remove: (resource: SpotResource) => Promise<void>;
  /** Where to delete what is left: "the EC2 console (us-east-1)". */
  console: string;
  /** The short text of a deletion failure (default: its message). */
  describe?: (e: unknown) => string;
  /** How a resource is named in the message (default: its id). */
  label?: (resource: SpotResource) => string;
  log?: Logger;
}): Promise<unknown> {
  const { job, created, error: e } = options;
  if (created.length === 0) return e;
  const name = (r: SpotResource) => `${RESOURCE_WORDS[r.kind]} ${options.label?.(r) ?? r.id}`;
  const left: string[] = [];
  for (const r of [...created].reverse()) {
    try {
      await options.remove(r);
    } catch (err) {
      left.push(`${name(r)} (${options.describe?.(err) || (err as Error).message})`);
    }
  }
  options.log?.warn(`Spot job ${job.name}: launch failed; deleted ${created.length - left.length} of ${created.length} resources${left.length ? `; left: ${left.join(', ')}` : ''}`);
  if (!isFinOpsError(e)) return e;
  const note = left.length
    ? ` ${left.length === 1 ? 'This' : 'These'} could not be deleted and may still cost money: ${left.join(', ')}.`
    : ` What was created (${created.map(name).join(', ')}) was deleted.`;
  return new FinOpsError(e.reason, `${e.message}${note}`, {
    fix: left.length ? `Delete ${left.length === 1 ? 'it' : 'them'} in ${options.console}, then ${e.fix.charAt(0).toLowerCase()}${e.fix.slice(1)}` : e.fix,
    ...(e.code ? { code: e.code } : {}), cause: e,
  });
}
