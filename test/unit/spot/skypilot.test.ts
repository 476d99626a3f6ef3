import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { requireJob } from '../../../src/core/spot/job';
import { SKY_CHECKPOINT_MOUNT, skyPilotTask, skyPilotYaml } from '../../../src/core/spot/skypilot';
import { runCli } from '../../support/cli';
import { minimalJob } from './fixtures';

const root = join(__dirname, '../../..');
const schema = JSON.parse(readFileSync(join(root, 'schemas/skypilot/task.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const check = (task: unknown) => {
  const ok = validate(task);
  assert.ok(ok, JSON.stringify(validate.errors));
};

test('the shipped SkyPilot schema refuses what SkyPilot refuses (so the export tests mean something)', () => {
  assert.equal(validate({ name: 'x', resources: { use_spot: 'yes' } }), false);
  assert.equal(validate({ name: 'x', resources: { any_of: [{ instance_type: 'g5.xlarge', gpus: 1 }] } }), false);
  assert.equal(validate({ name: 'x', nodes: 2 }), false);
  assert.equal(validate({ name: 'x', envs: { 'BAD-NAME': 'v' } }), false);
  assert.equal(validate({ resources: { job_recovery: { max_restarts_on_errors: -1 } } }), false);
  assert.equal(validate({ resources: { infra: 'aws/us-east-1/us-east-1a', use_spot: true }, run: 'x' }), true);
});

test('a job exports as a managed spot task: use_spot, any_of over regions × zones × types, job_recovery, the bucket mounted', () => {
  const job = requireJob(`${minimalJob}regions: [us-east-1, us-west-2]\n`.replace('regions: [us-east-1]\n', ''), 'jobs/train-a.yaml');
  const task = skyPilotTask(job);
  check(task);
  const r = task.resources as Record<string, unknown>;
  assert.equal(r.use_spot, true);
  assert.deepEqual(r.job_recovery, { strategy: 'EAGER_NEXT_REGION', max_restarts_on_errors: 3 });
  assert.deepEqual(r.any_of, [
    { infra: 'aws/us-east-1', instance_type: 'g5.2xlarge' }, { infra: 'aws/us-east-1', instance_type: 'g6.2xlarge' },
    { infra: 'aws/us-west-2', instance_type: 'g5.2xlarge' }, { infra: 'aws/us-west-2', instance_type: 'g6.2xlarge' },
  ]);
  assert.deepEqual((task.file_mounts as Record<string, unknown>)[SKY_CHECKPOINT_MOUNT], { source: 's3://ckpt-bucket/run1', mode: 'MOUNT' });
  assert.deepEqual(task.workdir, { url: 'https://example.invalid/r.git', ref: 'abcdef1' });
  assert.equal((task.envs as Record<string, string>).MLFINOPS_CHECKPOINT_URI, 's3://ckpt-bucket/run1');
  assert.equal((r.labels as Record<string, string>)['mlfinops-job'], 'train-a');
  assert.equal(task.run, "timeout --signal=TERM 36000 sh -c 'python train.py'");
});

test('--any-cloud adds the same GPUs by accelerator; on-demand fallback and an image are written too; Azure becomes https', () => {
  const job = requireJob(`${minimalJob}onDemand: { fallback: true }\ncount: 2\n`.replace(/^code:.*$/m, 'code: { image: ghcr.io/acme/train:1 }').replace('s3://ckpt-bucket/run1', 'azure://acct1/ckpts/run1'), 'jobs/train-a.yaml');
  const task = skyPilotTask(job, { anyCloud: true, catalogue: shippedCatalogue(), checkpointPackageDir: '/x/resources/spot/python' });
  check(task);
  const anyOf = (task.resources as { any_of: Array<Record<string, unknown>> }).any_of;
  assert.ok(anyOf.some((e) => e.accelerators === 'A10G:1'));
  assert.ok(anyOf.some((e) => e.accelerators === 'L4:1'));
  assert.equal(anyOf.filter((e) => e.use_spot === false).length, anyOf.length / 2);
  assert.equal((task.resources as Record<string, unknown>).image_id, 'docker:ghcr.io/acme/train:1');
  assert.equal(task.num_nodes, 2);
  assert.deepEqual((task.file_mounts as Record<string, unknown>)[SKY_CHECKPOINT_MOUNT], { source: 'https://acct1.blob.core.windows.net/ckpts/run1', mode: 'MOUNT' });
  assert.equal((task.envs as Record<string, string>).PYTHONPATH, '/opt/mlfinops/python');
  check(parse(skyPilotYaml(job, 'jobs/train-a.yaml')));
});

test('mlfinops spot export writes YAML SkyPilot\'s schema accepts, to stdout or --output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-sky-'));
  mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
  writeFileSync(join(dir, '.finops/jobs/train-a.yaml'), minimalJob);
  const out = await runCli(['spot', 'export', 'train-a'], { cwd: dir });
  assert.equal(out.code, 0, out.err);
  assert.match(out.out, /^# SkyPilot managed spot job for \.finops\/jobs\/train-a\.yaml/);
  check(parse(out.out));
  const file = await runCli(['spot', 'export', 'train-a', '--output', 'sky.yaml', '--any-cloud'], { cwd: dir });
  assert.equal(file.code, 0, file.err);
  assert.match(file.err, /sky jobs launch -n train-a sky.yaml/);
  check(parse(readFileSync(join(dir, 'sky.yaml'), 'utf8')));
});
