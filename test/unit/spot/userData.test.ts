import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { requireJob } from '../../../src/core/spot/job';
import { bootstrapJobFile, buildUserData, shQuote } from '../../../src/core/spot/userData';
import { resourcesRoot, shippedBootstrapFiles } from '../../../src/providers/spotLaunchers';
import { minimalJob } from './fixtures';

const job = requireJob(`${minimalJob}env: { HF_HOME: /mnt/hf, SEED: 7 }\n`, 'jobs/train-a.yaml');

test('the job file follows the bootstrap contract (docs/spot-bootstrap.md)', () => {
  assert.deepEqual(bootstrapJobFile(job), {
    name: 'train-a', cloud: 'aws', command: 'python train.py', workdir: '/opt/mlfinops/work', checkpointUri: 's3://ckpt-bucket/run1',
    checkpointEverySteps: 100, maxRuntimeMinutes: 600, env: { HF_HOME: '/mnt/hf', SEED: '7' },
  });
});

test('the user data unpacks the shipped files, writes the job file, checks out the commit and runs the bootstrap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-ud-'));
  mkdirSync(join(dir, 'spot/python/mlfinops_checkpoint/__pycache__'), { recursive: true });
  writeFileSync(join(dir, 'spot/bootstrap.sh'), '#!/bin/sh\necho "it\'s the bootstrap"\n');
  writeFileSync(join(dir, 'spot/python/mlfinops_checkpoint/__init__.py'), 'X = 1\n');
  writeFileSync(join(dir, 'spot/python/mlfinops_checkpoint/__pycache__/x.pyc'), 'junk');
  const files = shippedBootstrapFiles(dir);
  assert.deepEqual(files.map((f) => f.path), ['bootstrap.sh', 'python/mlfinops_checkpoint/__init__.py']);
  assert.equal(gunzipSync(Buffer.from(files[0]!.gzipBase64, 'base64')).toString(), '#!/bin/sh\necho "it\'s the bootstrap"\n');
  const script = buildUserData(job, files);
  assert.match(script, /^#!\/bin\/sh\n/);
  for (const f of files) assert.ok(script.includes(`echo ${f.gzipBase64} | base64 -d | gunzip > /opt/mlfinops/${f.path}`));
  const jobJson = /<<'MLFINOPS_JOB_EOF'\n([\s\S]*?)\nMLFINOPS_JOB_EOF/.exec(script)?.[1];
  assert.deepEqual(JSON.parse(jobJson!), bootstrapJobFile(job));
  assert.match(script, /git -C '\/opt\/mlfinops\/work' checkout --quiet 'abcdef1'/);
  assert.match(script, /export MLFINOPS_JOB_FILE=\/etc\/mlfinops\/job.json\nsh \/opt\/mlfinops\/bootstrap.sh/);
  // 75 = interrupted: the fleet's replacement resumes; anything else ends the fleet
  assert.match(script, /if \[ "\$status" -ne 75 \]; then\n {2}TOKEN=.*\n.*\n.*\n.*\n.*delete-fleets/);
  // the repository's own shipped files, when this build has them
  const shipped = shippedBootstrapFiles(resourcesRoot());
  assert.equal(shipped.some((f) => f.path === 'bootstrap.sh'), existsSync(join(resourcesRoot(), 'spot/bootstrap.sh')));
  assert.match(buildUserData(job, []), /machine image provides \/opt\/mlfinops\/bootstrap.sh/);
  assert.equal(readFileSync(join(dir, 'spot/bootstrap.sh'), 'utf8').length > 0, true);
});

test('a container image: docker pulls it and runs the command inside with the checkpoint variables passed through', () => {
  const img = requireJob(minimalJob.replace(/^code:.*$/m, 'code: { image: "ghcr.io/acme/train:1.2" }').replace('python train.py', "python train.py --name 'a b'"), 'jobs/train-b.yaml');
  const script = buildUserData(img, []);
  assert.match(script, /docker pull --quiet 'ghcr.io\/acme\/train:1.2'/);
  const cmd = bootstrapJobFile(img).command;
  assert.match(cmd, /^docker run --rm --init --gpus all/);
  assert.ok(cmd.includes('-e MLFINOPS_CHECKPOINT_URI') && cmd.includes('-e MLFINOPS_STOP_FILE'));
  assert.ok(cmd.endsWith(`sh -c ${shQuote("python train.py --name 'a b'")}`));
});
