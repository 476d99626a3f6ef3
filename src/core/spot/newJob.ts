import { stringify } from 'yaml';
import { FinOpsError } from '../errors';
import type { SpotCloud } from './job';

/** What the editor asks for a new job file (the rest takes the schema's defaults, written out so they can be edited). */
export interface NewJobAnswers {
  name: string;
  cloud: SpotCloud;
  region: string;
  instanceTypes: string[];
  checkpointUri: string;
  command: string;
  /** `repo-url@commit` or a container image. */
  code: string;
  tags: Record<string, string>;
}

/** A code source as typed: `https://…/repo.git@<commit>` (the repository at a commit) or a container image. */
export function parseCodeSource(text: string): { repo: string; commit: string } | { image: string } {
  const t = text.trim();
  const m = /^(.+\.git|https?:\/\/[^@\s]+|git@[^\s]+?)@([0-9a-f]{7,40})$/.exec(t);
  if (m) return { repo: m[1]!, commit: m[2]! };
  if (/^(https?:\/\/|git@)/.test(t) || /\.git$/.test(t)) {
    throw new FinOpsError('input', `"${t}" is a repository without a commit.`, { fix: 'Write it as <repository URL>@<commit>, e.g. https://github.com/org/repo.git@3f2c9a1 (the code that runs is pinned).' });
  }
  if (!/^[a-z0-9][a-z0-9._/-]*(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/i.test(t)) {
    throw new FinOpsError('input', `"${t}" is neither <repository URL>@<commit> nor a container image.`, { fix: 'Enter e.g. https://github.com/org/repo.git@3f2c9a1, or ghcr.io/org/train:1.0.' });
  }
  return { image: t };
}

/** The YAML of a new job file (`.finops/jobs/<name>.yaml`), commented; parseJobFile reads it back as written. */
export function newJobFile(a: NewJobAnswers): string {
  const doc = {
    cloud: a.cloud,
    regions: [a.region],
    instanceTypes: a.instanceTypes,
    count: 1,
    onDemand: { base: 0, fallback: false },
    command: a.command,
    code: parseCodeSource(a.code),
    checkpoint: { uri: a.checkpointUri, everySteps: 500, intervalMinutes: 20 },
    maxRuntimeHours: 24,
    tags: a.tags,
  };
  const header = [
    `# Spot training job "${a.name}". "ML FinOps: Launch Spot Training…" shows its plan (what it creates and costs,`,
    '# spot against on-demand) and launches it after a confirmation; `mlfinops spot plan` prints the same plan.',
    '# checkpoint.everySteps: steps between checkpoints; intervalMinutes: about how long they take (the work an',
    '# interruption costs). Add maxPricePerHour to cap the spot price, and aws/gcp/azure settings (subnets, image…).',
  ].join('\n');
  return `${header}\n${stringify(doc, { lineWidth: 0, flowCollectionPadding: false })}`;
}
