import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { FinOpsError } from '../errors';

/**
 * A spot training job, as committed in the repository at `.finops/jobs/<name>.yaml`: where it may run (cloud,
 * regions, zones, the instance types it accepts), what it may cost (max price, on-demand base), what it runs (a
 * command from the repository at a commit, or a container image), where it checkpoints, how long it may run and
 * the tags its resources carry. schemas/spot-job.schema.json describes the same file for the YAML extension.
 */

export type SpotCloud = 'aws' | 'gcp' | 'azure';

export type CodeSource = { kind: 'repo'; repo: string; commit: string } | { kind: 'image'; image: string };

export interface SpotJob {
  name: string;
  cloud: SpotCloud;
  regions: string[];
  zones: string[];
  /** Acceptable instance types, in order of preference: the more, the likelier spot capacity is found. */
  instanceTypes: string[];
  /** Instances kept running. */
  count: number;
  /** The most paid per instance-hour for spot capacity (USD); absent: up to the on-demand price. */
  maxPricePerHour?: number;
  /** Instances of `count` run on-demand (never interrupted); `fallback`: use on-demand when no spot capacity is found. */
  onDemand: { base: number; fallback: boolean };
  command: string;
  workdir: string;
  code: CodeSource;
  checkpoint: {
    uri: string;
    /** Training steps between checkpoints (what the training script is told). */
    everySteps: number;
    /** About how long those steps take, in minutes: the work redone after an interruption is half of it on average. */
    intervalMinutes: number;
  };
  maxRuntimeHours: number;
  tags: Record<string, string>;
  env: Record<string, string>;
  aws?: { subnets: string[]; imageId?: string; securityGroupIds: string[]; instanceProfile?: string; keyName?: string; volumeGiB: number };
  gcp?: { project: string; image?: string; network?: string; serviceAccount?: string; diskGiB: number };
  azure?: { subscriptionId: string; resourceGroup: string; image?: string; subnetId?: string; adminUsername: string; sshPublicKey?: string; identity?: string };
}

/** One problem in a job file, with its position (1-based line and column). */
export interface JobProblem {
  message: string;
  severity: 'error' | 'warning';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const checkpointUri = z.string().min(1).refine(
  (u) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(u)
    || /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/.*)?$/.test(u)
    || /^azure:\/\/[a-z0-9]{3,24}\/[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9](\/.*)?$/.test(u)
    || !/^[a-z][a-z0-9+.-]*:\/\//i.test(u),
  'a checkpoint URI is s3://bucket/path, gs://bucket/path, azure://account/container/path or a local path',
);

/** Whether a checkpoint URI is one a job file accepts (the same rule as the file's checkpoint.uri). */
export function isCheckpointUri(uri: string): boolean {
  return checkpointUri.safeParse(uri).success;
}

const tagValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const jobSchema = z.strictObject({
  version: z.literal(1).optional(),
  name: z.string().regex(NAME, 'a job name is 2–40 lowercase letters, digits and "-", starting with a letter').optional(),
  cloud: z.enum(['aws', 'gcp', 'azure']),
  regions: z.array(z.string().min(1)).min(1, 'list at least one region'),
  zones: z.array(z.string().min(1)).optional(),
  instanceTypes: z.array(z.string().min(1)).min(1, 'list at least one instance type (several make spot capacity likelier)'),
  count: z.int().min(1).max(1000).optional(),
  maxPricePerHour: z.number().positive('a max price is more than 0 (USD per instance-hour)').optional(),
  onDemand: z.strictObject({
    base: z.int().min(0).optional(),
    fallback: z.boolean().optional(),
  }).optional(),
  command: z.string().trim().min(1, 'the training command cannot be empty'),
  workdir: z.string().min(1).optional(),
  code: z.union([
    z.strictObject({ repo: z.string().min(1), commit: z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit is 7–40 hexadecimal digits (pin the code that runs)') }),
    z.strictObject({ image: z.string().min(1) }),
  ], { error: 'code is either { repo, commit } (the repository at a commit) or { image } (a container image)' }),
  checkpoint: z.strictObject({
    uri: checkpointUri,
    everySteps: z.int().min(1),
    intervalMinutes: z.number().positive().max(24 * 60),
  }),
  maxRuntimeHours: z.number().positive().max(24 * 30),
  tags: z.record(z.string().min(1).max(128), tagValue).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), tagValue).optional(),
  aws: z.strictObject({
    subnets: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id such as subnet-0abc123')).optional(),
    imageId: z.string().regex(/^ami-[0-9a-f]+$/, 'an AMI id such as ami-0abc123').optional(),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'a security group id such as sg-0abc123')).optional(),
    instanceProfile: z.string().min(1).optional(),
    keyName: z.string().min(1).optional(),
    volumeGiB: z.int().min(8).max(16384).optional(),
  }).optional(),
  gcp: z.strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a project id such as ml-training-prod'),
    image: z.string().min(1).optional(),
    network: z.string().min(1).optional(),
    serviceAccount: z.string().min(1).optional(),
    diskGiB: z.int().min(10).max(65536).optional(),
  }).optional(),
  azure: z.strictObject({
    subscriptionId: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'a subscription id (GUID)'),
    resourceGroup: z.string().min(1),
    image: z.string().min(1).optional(),
    subnetId: z.string().min(1).optional(),
    adminUsername: z.string().min(1).optional(),
    sshPublicKey: z.string().min(1).optional(),
    identity: z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i, 'a user-assigned managed identity resource id').optional(),
  }).optional(),
});

/** The top-level keys of a job file (the JSON schema is checked against this list). */
export const jobFileKeys = Object.keys(jobSchema.shape);

interface Located {
  at(path: ReadonlyArray<PropertyKey>, onKey?: boolean): Omit<JobProblem, 'message' | 'severity'>;
}

function locator(doc: Document | undefined, lc: LineCounter): Located {
  return {
    at(path, onKey = false) {
      let range: [number, number] = [0, 0];
      if (doc) {
        let node: unknown = doc.contents;
        let keyNode: YamlNode | undefined;
        for (const step of path) {
          if (isMap(node)) {
            const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(step));
            if (!pair) break;
            keyNode = pair.key as YamlNode;
            node = pair.value;
          } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
            keyNode = undefined;
            node = node.items[step];
          } else {
            break;
          }
        }
        const target = (onKey && keyNode) || (node as YamlNode | null | undefined) || keyNode;
        if (target?.range) range = [target.range[0], target.range[1]];
      }
      const s = lc.linePos(range[0]);
      const e = lc.linePos(Math.max(range[0], range[1]));
      return { line: s.line, column: s.col, endLine: e.line, endColumn: e.col };
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the job file';
  if (issue.code === 'unrecognized_keys') return `Unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${where}.`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where} is required.`;
  return `${where}: ${issue.message}.`.replace(/\.\.$/, '.');
}

/** The job name a file at `path` gets when it does not set `name`: its base name without .yaml / .yml. */
export function jobNameOfPath(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.ya?ml$/i, '');
}

export interface ParsedJob {
  job?: SpotJob;
  problems: JobProblem[];
}

/**
 * Reads a job file. Never throws for bad content: every problem comes back with its position (shown as problems
 * on the file), and `job` is set only when there is no error.
 */
export function parseJobFile(text: string, path: string): ParsedJob {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const loc = locator(doc, lc);
  const problems: JobProblem[] = [];
  for (const err of doc.errors) {
    const s = lc.linePos(err.pos[0]);
    const e = lc.linePos(err.pos[1]);
    problems.push({ message: `YAML syntax: ${err.message.split('\n')[0]}`, severity: 'error', line: s.line, column: s.col, endLine: e.line, endColumn: e.col });
  }
  if (problems.length) return { problems };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { problems: [{ message: 'A job file is a map with cloud, regions, instanceTypes, command, code, checkpoint and maxRuntimeHours (see the ML FinOps README).', severity: 'error', ...loc.at([]) }] };
  }
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) problems.push({ message: `Unknown key "${k}" in ${issue.path.map(String).join('.') || 'the job file'}.`, severity: 'error', ...loc.at([...issue.path, k], true) });
      } else {
        problems.push({ message: describeIssue(issue), severity: 'error', ...loc.at(issue.path) });
      }
    }
    return { problems };
  }
  const d = parsed.data;
  const name = d.name ?? jobNameOfPath(path);
  if (!NAME.test(name)) {
    problems.push({ message: `The job name "${name}" (from the file name) is not valid: 2–40 lowercase letters, digits and "-", starting with a letter. Rename the file or set "name".`, severity: 'error', ...loc.at([]) });
  }
  const count = d.count ?? 1;
  const base = d.onDemand?.base ?? 0;
  if (base > count) problems.push({ message: `onDemand.base (${base}) is more than count (${count}).`, severity: 'error', ...loc.at(['onDemand', 'base']) });
  if (d.cloud !== 'aws' && d.aws) problems.push({ message: `"aws" settings in a job for ${d.cloud} are not used.`, severity: 'warning', ...loc.at(['aws'], true) });
  if (d.cloud !== 'gcp' && d.gcp) problems.push({ message: `"gcp" settings in a job for ${d.cloud} are not used.`, severity: 'warning', ...loc.at(['gcp'], true) });
  if (d.cloud !== 'azure' && d.azure) problems.push({ message: `"azure" settings in a job for ${d.cloud} are not used.`, severity: 'warning', ...loc.at(['azure'], true) });
  if (d.cloud === 'gcp' && !d.gcp) problems.push({ message: 'A Google Cloud job needs gcp.project.', severity: 'error', ...loc.at(['cloud']) });
  if (d.cloud === 'azure' && !d.azure) problems.push({ message: 'An Azure job needs azure.subscriptionId and azure.resourceGroup.', severity: 'error', ...loc.at(['cloud']) });
  const uri = d.checkpoint.uri;
  const wantScheme = { aws: 's3://', gcp: 'gs://', azure: 'azure://' }[d.cloud];
  if (/^[a-z]+:\/\//.test(uri) && !uri.startsWith(wantScheme)) {
    problems.push({ message: `The checkpoint URI is on another cloud than the job (${d.cloud}): checkpoints cross clouds on every save.`, severity: 'warning', ...loc.at(['checkpoint', 'uri']) });
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };
  const job: SpotJob = {
    name,
    cloud: d.cloud,
    regions: d.regions,
    zones: d.zones ?? [],
    instanceTypes: [...new Set(d.instanceTypes)],
    count,
    ...(d.maxPricePerHour !== undefined ? { maxPricePerHour: d.maxPricePerHour } : {}),
    onDemand: { base, fallback: d.onDemand?.fallback ?? false },
    command: d.command,
    workdir: d.workdir ?? '/opt/mlfinops/work',
    code: 'image' in d.code ? { kind: 'image', image: d.code.image } : { kind: 'repo', repo: d.code.repo, commit: d.code.commit },
    checkpoint: d.checkpoint,
    maxRuntimeHours: d.maxRuntimeHours,
    tags: d.tags ?? {},
    env: d.env ?? {},
    ...(d.aws ? { aws: { subnets: d.aws.subnets ?? [], securityGroupIds: d.aws.securityGroupIds ?? [], volumeGiB: d.aws.volumeGiB ?? 200, ...(d.aws.imageId ? { imageId: d.aws.imageId } : {}), ...(d.aws.instanceProfile ? { instanceProfile: d.aws.instanceProfile } : {}), ...(d.aws.keyName ? { keyName: d.aws.keyName } : {}) } } : {}),
    ...(d.gcp ? { gcp: { project: d.gcp.project, diskGiB: d.gcp.diskGiB ?? 200, ...(d.gcp.image ? { image: d.gcp.image } : {}), ...(d.gcp.network ? { network: d.gcp.network } : {}), ...(d.gcp.serviceAccount ? { serviceAccount: d.gcp.serviceAccount } : {}) } } : {}),
    ...(d.azure ? { azure: { subscriptionId: d.azure.subscriptionId, resourceGroup: d.azure.resourceGroup, adminUsername: d.azure.adminUsername ?? 'mlfinops', ...(d.azure.image ? { image: d.azure.image } : {}), ...(d.azure.subnetId ? { subnetId: d.azure.subnetId } : {}), ...(d.azure.sshPublicKey ? { sshPublicKey: d.azure.sshPublicKey } : {}), ...(d.azure.identity ? { identity: d.azure.identity } : {}) } } : {}),
  };
  return { job, problems };
}

/** The job of a file, or FinOpsError('input') listing its errors with their lines. */
export function requireJob(text: string, path: string): SpotJob {
  const { job, problems } = parseJobFile(text, path);
  if (job) return job;
  const errors = problems.filter((p) => p.severity === 'error');
  throw new FinOpsError('input', `The job file ${path} has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.map((p) => `line ${p.line}: ${p.message}`).join(' ')}`, {
    fix: `Correct ${path} (the YAML extension completes and checks it with the shipped schema).`,
  });
}

/** Where job files live, relative to the workspace folder. */
export const JOBS_DIR = '.finops/jobs';
