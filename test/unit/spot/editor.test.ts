import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFinOpsError } from '../../../src/core/errors';
import { loadDefaultPolicy } from '../../../src/core/policy/load';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { parseJobFile, requireJob } from '../../../src/core/spot/job';
import type { SpotJobStatus } from '../../../src/core/spot/launcher';
import { newJobFile, parseCodeSource } from '../../../src/core/spot/newJob';
import { planJob } from '../../../src/core/spot/plan';
import { prepareJob } from '../../../src/core/spot/prepare';
import { formatRuntime, jobProgress } from '../../../src/core/spot/progress';
import { minimalJob } from './fixtures';

const tags = { Environment: 'dev', Team: 'nlp', Project: 'p', CostCenter: 'cc1', Owner: 'a@example.com' };

test('a job file written from the editor\'s answers reads back as those answers, and plans', () => {
  const text = newJobFile({ name: 'train', cloud: 'aws', region: 'us-east-1', instanceTypes: ['g5.2xlarge', 'g6.2xlarge'], checkpointUri: 's3://ckpt/train', command: 'python train.py --lr 3e-4', code: 'https://example.invalid/r.git@abcdef1', tags });
  assert.match(text, /^# Spot training job "train"/);
  const { job, problems } = parseJobFile(text, '.finops/jobs/train.yaml');
  assert.deepEqual(problems, []);
  assert.equal(job?.name, 'train');
  assert.deepEqual(job?.instanceTypes, ['g5.2xlarge', 'g6.2xlarge']);
  assert.deepEqual(job?.code, { kind: 'repo', repo: 'https://example.invalid/r.git', commit: 'abcdef1' });
  assert.equal(job?.command, 'python train.py --lr 3e-4');
  assert.deepEqual(job?.tags, tags);
  assert.ok(prepareJob(text, '.finops/jobs/train.yaml', loadDefaultPolicy().policy).plan.total.spot > 0);
  const image = parseJobFile(newJobFile({ name: 'img', cloud: 'gcp', region: 'us-central1', instanceTypes: ['g2-standard-8'], checkpointUri: 'gs://ckpt-b/img', command: 'train', code: 'ghcr.io/org/train:1.0', tags }).replace('tags:', 'gcp: { project: ml-training-prod }\ntags:'), 'img.yaml');
  assert.deepEqual(image.problems, []);
  assert.deepEqual(image.job?.code, { kind: 'image', image: 'ghcr.io/org/train:1.0' });
});

test('a code source is a repository at a commit or an image; a repository without a commit is refused with the fix', () => {
  assert.deepEqual(parseCodeSource('git@github.com:org/r.git@3f2c9a1e'), { repo: 'git@github.com:org/r.git', commit: '3f2c9a1e' });
  assert.throws(() => parseCodeSource('https://github.com/org/r.git'), (e) => isFinOpsError(e, 'input') && /@<commit>/.test(e.fix));
  assert.throws(() => parseCodeSource('not an image!'), (e) => isFinOpsError(e, 'input'));
});

test('prepareJob is the CLI\'s plan: the same figures as planJob on the catalogue, and a missing tag refused with the policy\'s words', () => {
  const prepared = prepareJob(minimalJob, 'jobs/train-a.yaml', loadDefaultPolicy().policy);
  assert.deepEqual(prepared.plan.total, planJob(requireJob(minimalJob, 'jobs/train-a.yaml'), { catalogue: shippedCatalogue() }).total);
  assert.throws(() => prepareJob(minimalJob.replace(', Owner: a@example.com', ''), 'jobs/train-a.yaml', loadDefaultPolicy().policy),
    (e) => isFinOpsError(e, 'input') && /missing required tag "Owner"/.test(e.message) && /jobs\/train-a\.yaml/.test(e.fix));
});

test('runtime and cost so far: each running instance from its launch at the cloud\'s price, else the plan\'s catalogue price', () => {
  const plan = planJob(requireJob(minimalJob, 'jobs/train-a.yaml'), { catalogue: shippedCatalogue() });
  const g6 = plan.types.find((t) => t.instanceType === 'g6.2xlarge')!;
  const now = new Date('2026-12-02T12:00:00Z');
  const status: SpotJobStatus = {
    job: 'train-a', state: 'running', resources: [], events: [], requestedAt: '2026-12-02T09:30:00Z',
    instances: [
      { id: 'i-1', instanceType: 'g5.2xlarge', lifecycle: 'spot', state: 'running', zone: 'us-east-1a', launchedAt: '2026-12-02T10:00:00Z', pricePerHour: 0.5 },
      { id: 'i-2', instanceType: 'g6.2xlarge', lifecycle: 'spot', state: 'running', zone: 'us-east-1b', launchedAt: '2026-12-02T11:00:00Z' },
      { id: 'i-3', instanceType: 'g6.2xlarge', lifecycle: 'spot', state: 'terminated', launchedAt: '2026-12-02T09:30:00Z' },
    ],
  };
  const p = jobProgress(status, plan, now);
  assert.equal(p.runtimeHours, 2.5);
  assert.equal(p.costSoFar, Math.round((2 * 0.5 + 1 * g6.spotHourly!) * 100) / 100);
  assert.equal(p.hourlyNow, Math.round((0.5 + g6.spotHourly!) * 10_000) / 10_000);
  assert.equal(p.priced, 'mixed');
  assert.deepEqual(jobProgress({ ...status, instances: [], requestedAt: undefined }, plan, now), { runtimeHours: 0, costSoFar: 0, hourlyNow: 0, priced: 'none' });
  assert.equal(formatRuntime(2.5), '2 h 30 min');
  assert.equal(formatRuntime(0.2), '12 min');
  assert.equal(formatRuntime(76), '3 d 4 h');
});
