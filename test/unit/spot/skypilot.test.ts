import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { requireJob } from '../../../src/core/spot/job';
import { SKY_CHECKPOINT_MOUNT, skyJobsLaunchArgs, skyPilotTask, skyPilotYaml } from '../../../src/core/spot/skypilot';
import { isFinOpsError } from '../../../src/core/errors';
import { settingSchemas } from '../../../src/core/settings';
import { exportSkyPilotTask, resolveSky, shellCommandLine, SKY_INSTALL, SKY_INSTALL_URL } from '../../../src/providers/skypilot';
import { execFileSync } from 'node:child_process';
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

test('the sky command: the setting (a full path or a name on PATH), else sky on PATH; each miss names its fix', () => {
  const bin = mkdtempSync(join(tmpdir(), 'mlfinops-sky-bin-'));
  const empty = mkdtempSync(join(tmpdir(), 'mlfinops-sky-empty-'));
  const sky = join(bin, 'sky');
  writeFileSync(sky, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const other = join(bin, 'sky-0.9');
  writeFileSync(other, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const plain = join(bin, 'not-executable');
  writeFileSync(plain, 'x', { mode: 0o644 });
  const PATH = `${empty}:${bin}`;
  assert.equal(resolveSky('', { PATH }, 'linux'), sky);
  assert.equal(resolveSky('sky-0.9', { PATH }, 'linux'), other);
  assert.equal(resolveSky(other, { PATH: empty }, 'linux'), other);
  assert.throws(() => resolveSky('', { PATH: empty }, 'linux'), (e: unknown) => isFinOpsError(e, 'unavailable')
    && /SkyPilot is not installed here: its sky command is not on PATH/.test(e.message) && e.fix.includes(SKY_INSTALL) && e.fix.includes(SKY_INSTALL_URL) && /mlFinops\.spot\.skyPath/.test(e.fix));
  assert.throws(() => resolveSky(plain, { PATH }, 'linux'), (e: unknown) => isFinOpsError(e, 'input') && /mlFinops\.spot\.skyPath is ".*not-executable", which is not an executable file/.test(e.message));
  assert.throws(() => resolveSky(join(bin, 'nothere'), { PATH }, 'linux'), (e: unknown) => isFinOpsError(e, 'input') && /not an executable file/.test(e.message));
  assert.throws(() => resolveSky('sky-1.0', { PATH }, 'linux'), (e: unknown) => isFinOpsError(e, 'input') && /"sky-1\.0", which is not on PATH/.test(e.message));
  // the setting's own validation: a name or a full path, nothing a shell would read more into
  const schema = settingSchemas['spot.skyPath'];
  for (const ok of ['', 'sky', 'sky-0.9', '/home/me/.venvs/sky/bin/sky', 'C:\\Users\\me\\sky\\Scripts\\sky.exe']) assert.ok(schema.safeParse(ok).success, ok);
  for (const bad of ['sky; rm -rf ~', '~/bin/sky', 'bin/sky', 'sky jobs']) assert.equal(schema.safeParse(bad).success, false, bad);
});

test('the launch arguments: sky jobs launch -n <name> <file>, with -y only once the product has asked', () => {
  assert.deepEqual(skyJobsLaunchArgs('train-a', '.finops/skypilot/train-a.yaml', true), ['jobs', 'launch', '-n', 'train-a', '.finops/skypilot/train-a.yaml', '-y']);
  assert.deepEqual(skyJobsLaunchArgs('train-a', 'sky.yaml', false), ['jobs', 'launch', '-n', 'train-a', 'sky.yaml']);
  const job = requireJob(minimalJob, 'jobs/train-a.yaml');
  // the CLI's export and the editor's are one function
  assert.equal(exportSkyPilotTask(job, '.finops/jobs/train-a.yaml').split('\n')[1], '# Launch: sky jobs launch -n train-a <this file>');
  check(parse(exportSkyPilotTask(job, '.finops/jobs/train-a.yaml')));
});

test('the terminal command line quotes every word for its shell: POSIX shells, PowerShell, cmd.exe', () => {
  const args = skyJobsLaunchArgs('train-a', '.finops/skypilot/train-a.yaml', true);
  assert.equal(shellCommandLine('/bin/bash', '/home/me/.venvs/sky/bin/sky', args), '/home/me/.venvs/sky/bin/sky jobs launch -n train-a .finops/skypilot/train-a.yaml -y');
  assert.equal(shellCommandLine('/usr/bin/zsh', "/home/o'neil/my sky/sky", ['jobs']), `'/home/o'\\''neil/my sky/sky' jobs`);
  assert.equal(shellCommandLine('/bin/sh', '/tmp/$(reboot)/sky', ['-y']), "'/tmp/$(reboot)/sky' -y");
  assert.equal(shellCommandLine('C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'C:\\Users\\me\\sky env\\Scripts\\sky.exe', ['jobs', '-y']), "& 'C:\\Users\\me\\sky env\\Scripts\\sky.exe' 'jobs' '-y'");
  assert.equal(shellCommandLine('C:\\Windows\\System32\\cmd.exe', 'C:\\Users\\me\\sky env\\sky.exe', ['jobs', '-y']), '"C:\\Users\\me\\sky env\\sky.exe" jobs -y');
  // what bash makes of it: the same words back
  const dir = mkdtempSync(join(tmpdir(), "mlfinops-sky-q'uote "));
  const echo = join(dir, 'sky');
  writeFileSync(echo, '#!/bin/sh\nfor a in "$0" "$@"; do echo "[$a]"; done\n', { mode: 0o755 });
  const out = execFileSync('/bin/sh', ['-c', shellCommandLine('/bin/sh', echo, args)], { encoding: 'utf8' });
  assert.equal(out, [echo, ...args].map((a) => `[${a}]\n`).join(''));
});
