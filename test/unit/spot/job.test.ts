import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobFileKeys, parseJobFile, requireJob } from '../../../src/core/spot/job';
import { isFinOpsError } from '../../../src/core/errors';
import { minimalJob } from './fixtures';

const root = join(__dirname, '../../..');
const demoJob = readFileSync(join(root, 'demo/.finops/jobs/llm-finetune.yaml'), 'utf8');


test('the demo job file reads without problems and takes its name from the file', () => {
  const { job, problems } = parseJobFile(demoJob, '.finops/jobs/llm-finetune.yaml');
  assert.deepEqual(problems, []);
  assert.equal(job?.name, 'llm-finetune');
  assert.deepEqual(job?.instanceTypes, ['g5.2xlarge', 'g6.2xlarge', 'g5.4xlarge']);
  assert.deepEqual(job?.code, { kind: 'repo', repo: 'https://github.com/example-org/llm-finetune.git', commit: '3f2c9a1e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a' });
  assert.equal(job?.checkpoint.everySteps, 500);
});

test('defaults: one instance, no on-demand base, a work folder, no env', () => {
  const { job } = parseJobFile(minimalJob, 'jobs/tiny-run.yml');
  assert.equal(job?.name, 'tiny-run');
  assert.equal(job?.count, 1);
  assert.deepEqual(job?.onDemand, { base: 0, fallback: false });
  assert.equal(job?.workdir, '/opt/mlfinops/work');
  assert.deepEqual(job?.env, {});
});

test('errors come back with the line and column of the offending value', () => {
  const text = minimalJob.replace('commit: abcdef1', 'commit: main').replace('instanceTypes: [g5.2xlarge, g6.2xlarge]', 'instanceTypes: []').replace('everySteps: 100', 'everySteps: -3');
  const { job, problems } = parseJobFile(text, 'jx.yaml');
  assert.equal(job, undefined);
  const byPath = (needle: string) => problems.find((p) => p.message.includes(needle));
  const types = byPath('instanceTypes');
  assert.equal(types?.line, 3);
  assert.match(types!.message, /at least one instance type/);
  assert.ok(byPath('everySteps'), JSON.stringify(problems));
  assert.equal(byPath('everySteps')?.line, 6);
  assert.match(problems.map((p) => p.message).join('\n'), /code/);
});

test('unknown keys, a missing required key, bad YAML and a wrong checkpoint URI are each reported', () => {
  const unknown = parseJobFile(`${minimalJob}gpus: 8\n`, 'jx.yaml');
  assert.equal(unknown.problems[0]?.message, 'Unknown key "gpus" in the job file.');
  assert.equal(unknown.problems[0]?.line, 9);
  const missing = parseJobFile(minimalJob.replace('command: python train.py\n', ''), 'jx.yaml');
  assert.match(missing.problems.map((p) => p.message).join(), /command is required/);
  const yaml = parseJobFile('cloud: aws\n  regions: [', 'jx.yaml');
  assert.match(yaml.problems[0]!.message, /^YAML syntax/);
  const uri = parseJobFile(minimalJob.replace('s3://ckpt-bucket/run1', 'ftp://host/x'), 'jx.yaml');
  assert.match(uri.problems[0]!.message, /checkpoint\.uri: a checkpoint URI is s3:\/\/bucket/);
  const azure = parseJobFile(minimalJob.replace('s3://ckpt-bucket/run1', 'azure://acct1/ckpts/run1'), 'jx.yaml');
  assert.ok(azure.job, 'an azure:// URI is accepted');
  assert.match(azure.problems[0]!.message, /another cloud/);
  const local = parseJobFile(minimalJob.replace('s3://ckpt-bucket/run1', './ckpt'), 'jx.yaml');
  assert.deepEqual(local.problems, []);
});

test('cross-field checks: on-demand base above count, a GCP job without a project, a bad job name', () => {
  const base = parseJobFile(`${minimalJob}count: 2\nonDemand: { base: 3 }\n`, 'jx.yaml');
  assert.match(base.problems[0]!.message, /onDemand.base \(3\) is more than count \(2\)/);
  const gcp = parseJobFile(minimalJob.replace('cloud: aws', 'cloud: gcp'), 'jx.yaml');
  assert.match(gcp.problems.map((p) => p.message).join(), /needs gcp.project/);
  const name = parseJobFile(minimalJob, 'My_Job.yaml');
  assert.match(name.problems[0]!.message, /job name "My_Job"/);
});

test('requireJob throws one input FinOpsError listing the errors with their lines', () => {
  assert.throws(() => requireJob(`${minimalJob}gpus: 8\n`, 'jobs/x.yaml'), (e: unknown) => isFinOpsError(e, 'input') && /line 9: Unknown key "gpus"/.test(e.message) && /jobs\/x.yaml/.test(e.fix));
});

test('the shipped JSON schema is contributed for job files and lists the same keys as the reader', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const schema = JSON.parse(readFileSync(join(root, 'schemas/spot-job.schema.json'), 'utf8'));
  const entry = pkg.contributes.yamlValidation.find((v: { url: string }) => v.url === './schemas/spot-job.schema.json');
  assert.ok(entry?.fileMatch.includes('.finops/jobs/*.yaml'));
  assert.deepEqual(Object.keys(schema.properties).sort(), [...jobFileKeys].sort());
  // the schema's required keys are exactly those the reader reports missing
  for (const key of schema.required as string[]) {
    const text = minimalJob.split('\n').filter((l) => !l.startsWith(`${key}:`)).join('\n');
    assert.ok(parseJobFile(text, 'jx.yaml').problems.some((p) => p.message.startsWith(key)), key);
  }
  // the URI pattern accepts and refuses what the reader does
  const re = new RegExp(schema.properties.checkpoint.properties.uri.pattern);
  for (const u of ['s3://ckpt-bucket/a', 'gs://bkt-1/a', 'azure://acct1/ckpts/a', './local', '/abs/path']) assert.ok(re.test(u), u);
  for (const u of ['ftp://host/x', 'http://x/y']) assert.ok(!re.test(u), u);
});
