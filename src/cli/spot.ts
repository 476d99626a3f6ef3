import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FinOpsError } from '../core/errors';
import { loadDefaultPolicy, loadPolicy } from '../core/policy/load';
import type { LoadedPolicy } from '../core/policy/model';
import { JOBS_DIR, type SpotJob } from '../core/spot/job';
import { prepareJob } from '../core/spot/prepare';
import { renderPlan, type SpotPlan } from '../core/spot/plan';
import { describeProgressPrices, formatHourlyNow, formatRuntime, formatInstancePrice, jobProgress } from '../core/spot/progress';
import type { LaunchResult, SpotJobStatus, SpotResource } from '../core/spot/launcher';
import { buildUserData } from '../core/spot/userData';
import { usd } from '../core/savings/estimate';
import { shippedBootstrapFiles, spotLauncherFor, type SpotLauncherSettings } from '../providers/spotLaunchers';
import { skyJobsLaunchArgs } from '../core/spot/skypilot';
import { exportSkyPilotTask } from '../providers/skypilot';
import { usageError, ExitCode, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops spot <plan|launch|status|stop|resume|export> JOB [options]

Training on spot capacity from a job file (.finops/jobs/<name>.yaml): what a launch creates and costs,
spot against on-demand with the restart overhead of interruptions, then launch, watch and stop it.

JOB is a job file, or a job name looked up as .finops/jobs/<name>.yaml in the current folder.

Subcommands:
  plan      what will be created, the estimated hourly and total cost (spot vs on-demand) and the
            expected restart overhead; nothing is created
  launch    create the job's resources (AWS: DryRun first, then the launch template and an EC2 Fleet;
            Google Cloud: an instance template of Spot VMs and a regional managed instance group;
            Azure: a Spot virtual machine scale set);
            needs --yes, after reading the plan
  status    the job's instances, their type, zone and state, and its checkpoints
  stop      delete what the launch created (AWS: the fleet with its instances, and the launch template;
            Google Cloud: the managed instance group with its VMs, and the instance template;
            Azure: the scale set with its VMs)
  resume    launch again; the training resumes from the newest checkpoint
  export    write the job as a SkyPilot task YAML (managed spot job across regions and clouds) to
            stdout, or to --output FILE; launch it with \`sky jobs launch\`

Options:
  --policy FILE          the team tag policy (default: .finops.yaml in the current folder, else the
                         built-in policy); a job with missing required tags is refused
  --yes                  confirm a launch (the plan is printed first)
  --profile NAME         AWS profile (default: the SDK chain)
  --endpoint URL         endpoint override for the cloud's API (an emulator)
  --format F             table or json (default: table)
  --output FILE          export: write the YAML here instead of stdout
  --any-cloud            export: also accept the same GPUs on any cloud SkyPilot can reach
  --live                 launch/resume on Azure: compare the max price with the current Spot price
                         from the Azure Retail Prices API (refused when it is below)
  --azure-prices-endpoint URL  the Azure Retail Prices API (default https://prices.azure.com; also
                         MLFINOPS_AZURE_PRICES_ENDPOINT)

Credentials come from each cloud's SDK chain (AWS profiles / SSO, Google Application Default
Credentials, Azure DefaultAzureCredential). GOOGLE_OAUTH_ACCESS_TOKEN, when set, is used as the
Google access token (CI after workload identity federation).

Exit codes: 0 success, 2 a bad job file, tag policy or usage, 3 a failed cloud call.`;

/** The job file for a name or path, relative to `cwd`. */
export function jobFilePath(cwd: string, job: string): string {
  if (/\.ya?ml$/i.test(job) || job.includes('/') || job.includes('\\')) return path.resolve(cwd, job);
  return path.join(cwd, JOBS_DIR, `${job}.yaml`);
}

async function readText(file: string, what: string, fix: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new FinOpsError('input', `Cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}.`, { fix, cause: e });
  }
}

async function policyFor(cwd: string, file: string | undefined): Promise<LoadedPolicy & { file?: string }> {
  if (file) {
    const p = path.resolve(cwd, file);
    return { ...loadPolicy(await readText(p, 'tag policy', 'Check the --policy path.'), p), file: p };
  }
  const p = path.join(cwd, '.finops.yaml');
  const text = await readFile(p, 'utf8').catch(() => undefined);
  return text === undefined ? loadDefaultPolicy() : { ...loadPolicy(text, p), file: p };
}

export interface LoadedJob {
  file: string;
  job: SpotJob;
  plan: SpotPlan;
}

/** Reads the job file, checks its tags against the policy and plans it: what every subcommand starts from. */
export async function loadAndPlan(cwd: string, jobArg: string, policyFile: string | undefined): Promise<LoadedJob> {
  const file = jobFilePath(cwd, jobArg);
  const text = await readText(file, 'job file', `Create it (the "ML FinOps: Launch Spot Training…" command writes one), or pass the path of a job file under ${JOBS_DIR}/.`);
  const { policy } = await policyFor(cwd, policyFile);
  return { file, ...prepareJob(text, path.relative(cwd, file) || file, policy) };
}

function usdPlan(plan: SpotPlan): string {
  return `about $${plan.total.spot.toFixed(2)} for ${plan.usefulHours} h on spot`;
}

function launchJson(result: LaunchResult): unknown {
  return { dryRun: result.dryRun.checks, created: result.resources, status: result.status };
}

function describeResource(r: SpotResource): string {
  const kinds: Record<SpotResource['kind'], string> = { launchTemplate: 'launch template', fleet: 'EC2 Fleet', instanceTemplate: 'instance template', instanceGroup: 'managed instance group', scaleSet: 'VM scale set', instance: 'instance' };
  return `${kinds[r.kind]} ${r.id}${r.name && r.name !== r.id ? ` (${r.name})` : ''}`;
}

function renderLaunch(result: LaunchResult, resumed: boolean, plan: SpotPlan): string {
  return [
    'Checks before launching:',
    ...result.dryRun.checks.map((c) => `  ✓ ${c}`),
    '',
    `${resumed ? 'Resumed' : 'Launched'}: ${result.resources.map(describeResource).join(', ')}.`,
    '',
    renderStatus(result.status, plan),
  ].join('\n');
}

/** The status as text: state, instances (type, zone, lifecycle, price), recent events. */
export function renderStatus(s: SpotJobStatus, plan?: SpotPlan): string {
  const lines = [`Job "${s.job}": ${s.state}${s.requestedAt ? ` (requested ${s.requestedAt})` : ''}`];
  if (plan && s.instances.length) {
    // the Spot jobs view shows the same figures, from the same function
    const p = jobProgress(s, plan);
    lines.push(`Runtime ${formatRuntime(p.runtimeHours)}, ${formatHourlyNow(p)} now, about ${usd(p.costSoFar)} so far (instances running now, at ${describeProgressPrices(p, plan)}).`);
  }
  if (s.consoleUrl) lines.push(`Console: ${s.consoleUrl}`);
  for (const r of s.resources) lines.push(`  ${describeResource(r)}`);
  if (s.instances.length) {
    lines.push('Instances:');
    for (const i of s.instances) {
      const price = formatInstancePrice(i, plan);
      lines.push(`  ${i.id}  ${i.instanceType}  ${i.zone ?? ''}  ${i.lifecycle}  ${i.state}${price ? `  ${price}` : ''}`);
    }
  }
  for (const e of s.events.slice(0, 5)) lines.push(`  ${e.at}  ${e.kind}: ${e.message}`);
  return lines.join('\n');
}

function renderDeleted(job: string, deleted: SpotResource[]): string {
  return deleted.length ? `Stopped "${job}": deleted ${deleted.map(describeResource).join(', ')}.` : `Nothing of "${job}" was running.`;
}

/** The Azure Retail Prices endpoint given (option or environment): empty for the default, else an http(s) URL. */
function azurePricesEndpoint(value: string): string {
  if (value && !/^https?:\/\/[^\s/]+/.test(value)) throw usageError(`--azure-prices-endpoint is an http(s) URL such as https://prices.azure.com (got "${value}").`);
  return value;
}

const command: Subcommand = {
  summary: 'plan, launch, watch and stop training on spot capacity from a job file',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        policy: { type: 'string' },
        yes: { type: 'boolean', default: false },
        profile: { type: 'string' },
        endpoint: { type: 'string' },
        format: { type: 'string', default: 'table' },
        output: { type: 'string' },
        'any-cloud': { type: 'boolean', default: false },
        live: { type: 'boolean', default: false },
        'azure-prices-endpoint': { type: 'string' },
      },
    });
    const [sub, jobArg, ...extra] = positionals;
    if (!sub) throw usageError('Name a subcommand: plan, launch, status, stop, resume or export.');
    if (!['plan', 'launch', 'status', 'stop', 'resume', 'export'].includes(sub)) throw usageError(`Unknown subcommand "${sub}": plan, launch, status, stop, resume or export.`);
    if (!jobArg) throw usageError(`Name the job: mlfinops spot ${sub} <job file or name>.`);
    if (extra.length) throw usageError(`Unexpected argument "${extra[0]}".`);
    if (values.format !== 'table' && values.format !== 'json') throw usageError(`--format is table or json (got "${values.format}").`);
    const loaded = await loadAndPlan(io.cwd, jobArg, values.policy);
    if (sub === 'plan') {
      if (values.format === 'json') {
        const { job, ...plan } = loaded.plan;
        io.stdout(`${JSON.stringify({ job: job.name, file: loaded.file, ...plan }, null, 2)}\n`);
      } else {
        io.stdout(`${renderPlan(loaded.plan)}\n`);
      }
      return ExitCode.ok;
    }
    if (sub === 'export') {
      const yaml = exportSkyPilotTask(loaded.job, path.relative(io.cwd, loaded.file), { anyCloud: values['any-cloud'] });
      if (values.output) {
        const out = path.resolve(io.cwd, values.output);
        await writeFile(out, yaml);
        io.stderr(`Wrote ${out}. Launch it with: sky ${skyJobsLaunchArgs(loaded.job.name, values.output, false).join(' ')}\n`);
      } else {
        io.stdout(yaml);
      }
      return ExitCode.ok;
    }
    const settings: SpotLauncherSettings = {
      aws: { profile: values.profile ?? io.env.AWS_PROFILE ?? '', endpoint: values.endpoint ?? '' },
      gcp: { endpoint: values.endpoint ?? '', ...(io.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { accessToken: io.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}) },
      azure: {
        endpoint: values.endpoint ?? '', ...(io.env.AZURE_TENANT_ID ? { tenantId: io.env.AZURE_TENANT_ID } : {}),
        ...(values.live ? { retailPrices: { endpoint: azurePricesEndpoint(values['azure-prices-endpoint'] ?? io.env.MLFINOPS_AZURE_PRICES_ENDPOINT ?? '') } } : {}),
      },
    };
    const launcher = spotLauncherFor(loaded.job, settings);
    const json = values.format === 'json';
    if (sub === 'launch' || sub === 'resume') {
      io.stderr(`${renderPlan(loaded.plan)}\n\n`);
      if (!values.yes) {
        throw new FinOpsError('usage', `Nothing was launched: a launch spends money (${usdPlan(loaded.plan)}), so it needs --yes.`, { fix: `Read the plan above, then run \`mlfinops spot ${sub} ${jobArg} --yes\`.` });
      }
      const userData = buildUserData(loaded.job, shippedBootstrapFiles());
      const result = await launcher.launch({ job: loaded.job, plan: loaded.plan, userData, progress: (m) => io.stderr(`${m}\n`) });
      io.stdout(json ? `${JSON.stringify(launchJson(result), null, 2)}\n` : `${renderLaunch(result, sub === 'resume', loaded.plan)}\n`);
      return ExitCode.ok;
    }
    if (sub === 'status') {
      const status = await launcher.status(loaded.job);
      io.stdout(json ? `${JSON.stringify(status, null, 2)}\n` : `${renderStatus(status, loaded.plan)}\n`);
      return ExitCode.ok;
    }
    const deleted = await launcher.stop(loaded.job, undefined, (m) => io.stderr(`${m}\n`));
    io.stdout(json ? `${JSON.stringify({ job: loaded.job.name, deleted }, null, 2)}\n` : `${renderDeleted(loaded.job.name, deleted)}\n`);
    return ExitCode.ok;
  },
};

export default command;
