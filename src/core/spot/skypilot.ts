import { stringify } from 'yaml';
import type { PriceCatalogue } from '../pricing/catalogue';
import type { SpotJob } from './job';
import { jobTags } from './plan';
import { shQuote } from './userData';

/**
 * A spot job as a SkyPilot task YAML, for jobs SkyPilot runs better than one cloud's fleet: several clouds, several
 * regions, several nodes. SkyPilot's managed jobs (`sky jobs launch`) recover from preemption themselves
 * (`job_recovery`), so the task runs the training command directly; it resumes from the checkpoint URI.
 * The field names follow SkyPilot's task schema (schemas/skypilot/task.schema.json, from SkyPilot's own source).
 */

/** SkyPilot's accelerator names for the catalogue's GPU ids (`sky show-gpus`). */
const skyAccelerators: Record<string, string> = {
  k80: 'K80', t4: 'T4', v100: 'V100', 'v100-32gb': 'V100-32GB', a10: 'A10', a10g: 'A10G', a100: 'A100', 'a100-80gb': 'A100-80GB',
  l4: 'L4', h100: 'H100', 'h100-mega': 'H100-MEGA', 'h100-nvl': 'H100-NVL', inferentia2: 'Inferentia2', trainium: 'Trainium',
};

export interface SkyPilotOptions {
  /** Also accept the same GPUs on any cloud SkyPilot can reach (by accelerator, not instance type). */
  anyCloud?: boolean;
  catalogue?: PriceCatalogue;
  /** Local folder of the checkpoint package (resources/spot/python), synced to the nodes when given. */
  checkpointPackageDir?: string;
}

/** Where the checkpoint bucket is mounted on every node. */
export const SKY_CHECKPOINT_MOUNT = '/mlfinops-checkpoints';
const SKY_PACKAGE_DIR = '/opt/mlfinops/python';

/** The checkpoint URI as a SkyPilot storage source: s3:// and gs:// as they are, azure://account/container as https. */
function storageSource(uri: string): string | undefined {
  if (/^(s3|gs):\/\//.test(uri)) return uri;
  const azure = /^azure:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (azure) return `https://${azure[1]}.blob.core.windows.net/${azure[2]}`;
  return undefined;
}

export function skyPilotTask(job: SpotJob, options: SkyPilotOptions = {}): Record<string, unknown> {
  const recovery = { strategy: 'EAGER_NEXT_REGION', max_restarts_on_errors: 3 };
  const anyOf: Array<Record<string, unknown>> = [];
  const zones = job.zones.length ? job.zones : [undefined];
  for (const region of job.regions) {
    for (const zone of zones) {
      if (zone && !zone.startsWith(region)) continue;
      for (const t of job.instanceTypes) anyOf.push({ infra: `${job.cloud}/${region}${zone ? `/${zone}` : ''}`, instance_type: t });
    }
  }
  if (options.anyCloud && options.catalogue) {
    const accelerators = new Set<string>();
    for (const t of job.instanceTypes) {
      const shape = options.catalogue.find(t)?.shape;
      const name = shape?.gpuModelId ? skyAccelerators[shape.gpuModelId] : undefined;
      if (name && shape?.gpus) accelerators.add(`${name}:${shape.gpus}`);
    }
    for (const a of accelerators) anyOf.push({ accelerators: a });
  }
  if (job.onDemand.fallback) {
    // on-demand as the last resort: SkyPilot's optimiser prefers the cheaper spot entries while they have capacity
    for (const entry of [...anyOf]) anyOf.push({ ...entry, use_spot: false });
  }
  const source = storageSource(job.checkpoint.uri);
  const fileMounts: Record<string, unknown> = {};
  if (source) fileMounts[SKY_CHECKPOINT_MOUNT] = { source, mode: 'MOUNT' };
  if (options.checkpointPackageDir) fileMounts[SKY_PACKAGE_DIR] = options.checkpointPackageDir;
  const labels = jobTags(job);
  const task: Record<string, unknown> = {
    name: job.name,
    ...(job.count > 1 ? { num_nodes: job.count } : {}),
    resources: {
      use_spot: true,
      job_recovery: recovery,
      ...(job.maxPricePerHour !== undefined ? { max_hourly_cost: +(job.maxPricePerHour).toFixed(4) } : {}),
      disk_size: job.aws?.volumeGiB ?? job.gcp?.diskGiB ?? 200,
      ...(job.code.kind === 'image' ? { image_id: `docker:${job.code.image}` } : {}),
      labels,
      any_of: anyOf,
    },
    ...(job.code.kind === 'repo' ? { workdir: { url: job.code.repo, ref: job.code.commit } } : {}),
    ...(Object.keys(fileMounts).length ? { file_mounts: fileMounts } : {}),
    envs: {
      ...job.env,
      MLFINOPS_JOB_NAME: job.name,
      MLFINOPS_CHECKPOINT_URI: job.checkpoint.uri,
      MLFINOPS_CHECKPOINT_EVERY_STEPS: String(job.checkpoint.everySteps),
      ...(options.checkpointPackageDir ? { PYTHONPATH: SKY_PACKAGE_DIR } : {}),
    },
    run: `timeout --signal=TERM ${Math.round(job.maxRuntimeHours * 3600)} sh -c ${shQuote(job.command)}`,
  };
  return task;
}

/** Where the editor writes a job's task: beside the job files, not among them (a file in .finops/jobs/ is a job). */
export const SKYPILOT_DIR = '.finops/skypilot';

/** The arguments of `sky` that launch a task file as a managed job; `-y` only after the product's own confirmation. */
export function skyJobsLaunchArgs(jobName: string, taskFile: string, confirmed: boolean): string[] {
  return ['jobs', 'launch', '-n', jobName, taskFile, ...(confirmed ? ['-y'] : [])];
}

/** The task as YAML, with a header naming its job file. */
export function skyPilotYaml(job: SpotJob, jobFile: string, options: SkyPilotOptions = {}): string {
  const header = `# SkyPilot managed spot job for ${jobFile}, written by ML FinOps (mlfinops spot export).\n# Launch: sky ${skyJobsLaunchArgs(job.name, '<this file>', false).join(' ')}\n`;
  return header + stringify(skyPilotTask(job, options), { lineWidth: 0 });
}
