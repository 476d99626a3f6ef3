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
import { credibleSpotPrice, describeProgressPrices, formatHourlyNow, formatInstancePrice, formatRuntime, jobProgress } from '../../../src/core/spot/progress';
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
  assert.equal(p.hourlyNow, Math.round((0.5 + g6.spotHourly!) * 1_000_000) / 1_000_000);
  assert.equal(p.priced, 'mixed');
  assert.deepEqual(jobProgress({ ...status, instances: [], requestedAt: undefined }, plan, now), { runtimeHours: 0, costSoFar: 0, hourlyNow: 0, priced: 'none' });
  assert.equal(formatRuntime(2.5), '2 h 30 min');
  assert.equal(formatRuntime(0.2), '12 min');
  assert.equal(formatRuntime(76), '3 d 4 h');
});

test('a live spot price far under on-demand (moto\'s $0.00001) is no market price: the catalogue\'s stands in, labelled with its source', () => {
  const plan = planJob(requireJob(minimalJob, 'jobs/train-a.yaml'), { catalogue: shippedCatalogue() });
  const g5 = plan.types.find((t) => t.instanceType === 'g5.2xlarge')!;
  assert.equal(credibleSpotPrice(0.00001, g5.onDemandHourly), undefined);
  assert.equal(credibleSpotPrice(0, undefined), undefined);
  assert.equal(credibleSpotPrice(Number.NaN, g5.onDemandHourly), undefined);
  assert.equal(credibleSpotPrice(g5.onDemandHourly * 0.1, g5.onDemandHourly), g5.onDemandHourly * 0.1, '90 % off is a market price');
  assert.equal(credibleSpotPrice(0.00001, undefined), 0.00001, 'without an on-demand price to judge by, any positive price stands');

  const now = new Date('2026-12-02T12:00:00Z');
  const running = { id: 'i-1', instanceType: 'g5.2xlarge', lifecycle: 'spot' as const, state: 'running', zone: 'us-east-1a', launchedAt: '2026-12-02T10:00:00Z', pricePerHour: 0.00001 };
  const status: SpotJobStatus = { job: 'train-a', state: 'running', resources: [], events: [], requestedAt: '2026-12-02T10:00:00Z', instances: [running] };
  const p = jobProgress(status, plan, now);
  assert.equal(p.priced, 'catalogue');
  assert.equal(p.hourlyNow, g5.spotHourly);
  assert.equal(p.costSoFar, Math.round(2 * g5.spotHourly! * 100) / 100);
  assert.equal(formatHourlyNow(p), `$${g5.spotHourly!.toFixed(4)}/h (catalogue)`);
  assert.equal(formatInstancePrice(running, plan), `$${g5.spotHourly!.toFixed(4)}/h (catalogue)`);
  assert.match(describeProgressPrices(p, plan), /^the catalogue's spot prices \(.*\d{4}-\d\d-\d\d\)\): the cloud reports none usable$/);

  // a credible live price is the cloud's, unlabelled
  const live = jobProgress({ ...status, instances: [{ ...running, pricePerHour: 0.5 }] }, plan, now);
  assert.equal(live.priced, 'cloud');
  assert.equal(formatHourlyNow(live), '$0.5000/h');
  assert.equal(formatInstancePrice({ ...running, pricePerHour: 0.5 }, plan), '$0.5000/h');
  assert.equal(describeProgressPrices(live, plan), 'the cloud\'s current spot prices');
});
