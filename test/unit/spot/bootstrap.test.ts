import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratch } from '../../support/scratch';
import { runBootstrap, spotPythonPath, until } from '../../support/spot';
import { AZURE_VM_NAME, startInstanceMetadata, type InstanceMetadataFake } from '../../support/fakes/instanceMetadata';

/**
 * bootstrap.sh run as an instance's user data runs it, against a fake metadata service on 127.0.0.1: the training
 * command is a shell loop that records SIGTERM in a file and exits as a trainer does after its last checkpoint.
 */
const files = scratch('spot-bootstrap');
let meta: InstanceMetadataFake;
before(async () => { meta = await startInstanceMetadata(); });
after(async () => { await meta.stop(); });

let n = 0;
/** A fresh folder with a trainer that writes `started`, then `term` on SIGTERM, and exits 0. */
function trainerJob(cloud: string, extra: Record<string, unknown> = {}) {
  const dir = path.join(files.dir, `run-${++n}`);
  fs.mkdirSync(dir, { recursive: true });
  return {
    dir,
    job: {
      name: `job-${n}`, cloud, checkpointUri: path.join(dir, 'ckpt'), checkpointEverySteps: 10,
      command: `trap 'echo term > term; exit 0' TERM; echo "$MLFINOPS_STOP_FILE" > started; while :; do sleep 0.05; done`,
      ...extra,
    },
    started: () => fs.existsSync(path.join(dir, 'started')),
    termed: () => fs.existsSync(path.join(dir, 'term')),
    marker: () => JSON.parse(fs.readFileSync(path.join(dir, 'state', 'stop-requested'), 'utf8')) as { reason: string; cloud: string; noticeAt: string; detail: string },
  };
}

describe('spot bootstrap: the job', () => {
  it('runs the command in its workdir with the job env, the checkpoint variables and the Python package on PYTHONPATH, and passes its exit code on', async () => {
    const t = trainerJob('local', {
      command: 'printf "%s|%s|%s|%s|%s|%s" "$(pwd)" "$GREETING" "$MLFINOPS_CHECKPOINT_URI" "$MLFINOPS_CHECKPOINT_EVERY_STEPS" "$MLFINOPS_JOB_NAME" "$PYTHONPATH" > seen; exit 3',
      env: { GREETING: "it's \"quoted\" $HOME" },
    });
    fs.mkdirSync(path.join(t.dir, 'work'));
    const run = runBootstrap(t.dir, { ...t.job, workdir: path.join(t.dir, 'work') });
    assert.equal(await run.exited, 3, run.output());
    const [cwd, greeting, uri, every, name, pythonPath] = fs.readFileSync(path.join(t.dir, 'work', 'seen'), 'utf8').split('|');
    assert.equal(cwd, fs.realpathSync(path.join(t.dir, 'work')));
    assert.equal(greeting, "it's \"quoted\" $HOME");
    assert.equal(uri, t.job.checkpointUri);
    assert.equal(every, '10');
    assert.equal(name, t.job.name);
    assert.equal(pythonPath, spotPythonPath);
    assert.match(run.output(), /mlfinops: started: job job-\d+ on local/);
  });

  it('exits 0 when the training command finishes', async () => {
    const t = trainerJob('local', { command: 'true' });
    const run = runBootstrap(t.dir, t.job);
    assert.equal(await run.exited, 0, run.output());
    assert.match(run.output(), /mlfinops: finished: job/);
  });

  for (const [job, message] of [
    [{ cloud: 'aws', command: 'touch ran', checkpointUri: 'x' }, /"name" must be a non-empty string/],
    [{ name: 'a b', cloud: 'aws', command: 'touch ran', checkpointUri: 'x' }, /"name" is "a b": use 1-64 letters/],
    [{ name: 'a', cloud: 'oracle', command: 'touch ran', checkpointUri: 'x' }, /"cloud" is "oracle": use aws, gcp, azure or local/],
    [{ name: 'a', cloud: 'aws', command: 'touch ran' }, /"checkpointUri" must be a non-empty string/],
    [{ name: 'a', cloud: 'aws', command: 'touch ran', checkpointUri: 'x', checkpointEverySteps: 0 }, /"checkpointEverySteps" must be a whole number >= 1, not 0/],
    [{ name: 'a', cloud: 'aws', command: 'touch ran', checkpointUri: 'x', maxRuntimeMinutes: '5' }, /"maxRuntimeMinutes" must be a number of minutes >= 0, not "5"/],
    [{ name: 'a', cloud: 'aws', command: 'touch ran', checkpointUri: 'x', env: { 'BAD-NAME': 'v' } }, /"env"."BAD-NAME" must be a variable name/],
    [{ name: 'a', cloud: 'local', command: 'touch ran', checkpointUri: 'x', workdir: '/nonexistent/folder' }, /"workdir" \/nonexistent\/folder is not a folder/],
  ] as const) {
    it(`refuses a job file with ${message.source.slice(0, 40)}… with exit 2 and starts nothing`, async () => {
      const t = trainerJob('local');
      const run = runBootstrap(t.dir, job as unknown as Record<string, unknown>);
      assert.equal(await run.exited, 2, run.output());
      assert.match(run.output(), message);
      assert.equal(fs.existsSync(path.join(t.dir, 'ran')), false);
    });
  }

  it('refuses a job file that is not JSON, or missing, naming it', async () => {
    const t = trainerJob('local');
    const broken = runBootstrap(t.dir, {}, { MLFINOPS_JOB_FILE: path.join(t.dir, 'nope.json') });
    assert.equal(await broken.exited, 2);
    assert.match(broken.output(), /no job file at .*nope\.json: write it/);
    fs.writeFileSync(path.join(t.dir, 'bad.json'), '{"name": ');
    const bad = runBootstrap(t.dir, {}, { MLFINOPS_JOB_FILE: path.join(t.dir, 'bad.json') });
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /bad\.json: not valid JSON/);
  });

  it('passes a stop signal sent to itself on to the training command, with the marker file, and exits 75', async () => {
    const t = trainerJob('local');
    const run = runBootstrap(t.dir, t.job);
    await until('the trainer to start', t.started);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 75, run.output());
    assert.ok(t.termed());
    assert.equal(t.marker().reason, 'signal');
  });

  it('stops the training command with a final checkpoint at maxRuntimeMinutes and exits 124', async () => {
    const t = trainerJob('local', { maxRuntimeMinutes: 0.02 });
    const run = runBootstrap(t.dir, t.job);
    assert.equal(await run.exited, 124, run.output());
    assert.ok(t.termed());
    assert.equal(t.marker().reason, 'max-runtime');
  });
});

describe('spot bootstrap: interruption notices', () => {
  const fast = () => ({ MLFINOPS_POLL_SECONDS: '0.2' });

  it('AWS: polls spot/instance-action with an IMDSv2 token and, on the notice, writes the marker, sends SIGTERM and exits 75', async () => {
    const t = trainerJob('aws');
    const run = runBootstrap(t.dir, t.job, { ...fast(), MLFINOPS_IMDS_ENDPOINT: meta.endpoint });
    await until('the trainer to start', t.started);
    await until('a few polls', () => meta.requests.filter((r) => r.path === '/latest/meta-data/spot/instance-action').length >= 2);
    assert.ok(!t.termed(), 'no notice yet, no signal');
    meta.raise('aws-interruption');
    assert.equal(await run.exited, 75, run.output());
    assert.ok(t.termed());
    const marker = t.marker();
    assert.equal(marker.reason, 'spot-interruption');
    assert.equal(marker.cloud, 'aws');
    assert.equal(JSON.parse(marker.detail).action, 'terminate');
    assert.equal(fs.readFileSync(path.join(t.dir, 'started'), 'utf8').trim(), path.join(t.dir, 'state', 'stop-requested'));
    const put = meta.requests.find((r) => r.path === '/latest/api/token');
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    assert.ok(meta.requests.filter((r) => r.path.startsWith('/latest/meta-data/')).every((r) => typeof r.headers['x-aws-ec2-metadata-token'] === 'string'));
    assert.match(run.output(), /mlfinops: stopped: spot-interruption/);
  });

  it('AWS: refreshes the token before it expires and still sees the notice', async () => {
    const meta2 = await startInstanceMetadata();
    try {
      const t = trainerJob('aws');
      const run = runBootstrap(t.dir, t.job, { ...fast(), MLFINOPS_IMDS_ENDPOINT: meta2.endpoint, MLFINOPS_IMDS_TOKEN_TTL: '2' });
      await until('three tokens', () => meta2.tokensIssued >= 3);
      meta2.raise('aws-interruption');
      assert.equal(await run.exited, 75, run.output());
      assert.equal(t.marker().reason, 'spot-interruption');
      const tokens = new Set(meta2.requests.filter((r) => r.path.startsWith('/latest/meta-data/')).map((r) => r.headers['x-aws-ec2-metadata-token']));
      assert.ok(tokens.size >= 3, 'the polls used the refreshed tokens');
    } finally {
      await meta2.stop();
    }
  });

  it('AWS: a rebalance recommendation is a notice too', async () => {
    const meta2 = await startInstanceMetadata();
    try {
      const t = trainerJob('aws');
      const run = runBootstrap(t.dir, t.job, { ...fast(), MLFINOPS_IMDS_ENDPOINT: meta2.endpoint });
      await until('the trainer to start', t.started);
      meta2.raise('aws-rebalance');
      assert.equal(await run.exited, 75, run.output());
      assert.equal(t.marker().reason, 'rebalance-recommendation');
      assert.ok(t.termed());
    } finally {
      await meta2.stop();
    }
  });

  it('GCP: waits for a change of instance/preempted (no polling) and stops the trainer when it turns TRUE', async () => {
    const gce = await startInstanceMetadata();
    try {
      const t = trainerJob('gcp');
      // a poll interval far longer than the test: only wait-for-change can see the notice in time
      const run = runBootstrap(t.dir, t.job, { MLFINOPS_POLL_SECONDS: '600', MLFINOPS_GCE_METADATA_ENDPOINT: gce.endpoint });
      await until('a wait-for-change request', () => gce.requests.some((r) => r.query.wait_for_change === 'true'));
      const waiting = gce.requests.find((r) => r.query.wait_for_change === 'true')!;
      assert.equal(waiting.query.last_etag, 'etag-0');
      assert.equal(waiting.headers['metadata-flavor'], 'Google');
      assert.ok(!t.termed());
      gce.raise('gcp-preempted');
      assert.equal(await run.exited, 75, run.output());
      assert.equal(t.marker().reason, 'gcp-preempted');
      assert.ok(t.termed());
    } finally {
      await gce.stop();
    }
  });

  it("Azure: ignores another VM's Preempt event, stops on this VM's, then approves the event", async () => {
    const az = await startInstanceMetadata();
    try {
      const t = trainerJob('azure');
      const run = runBootstrap(t.dir, t.job, { ...fast(), MLFINOPS_AZURE_EVENTS_ENDPOINT: az.endpoint });
      await until('the trainer to start', t.started);
      az.raise('azure-preempt-other-vm');
      const seen = az.requests.length;
      await until('two more polls', () => az.requests.filter((r) => r.path === '/metadata/scheduledevents').length >= seen + 2);
      assert.ok(!t.termed(), 'another VM being evicted is not a notice for this one');
      az.raise('azure-preempt');
      assert.equal(await run.exited, 75, run.output());
      assert.equal(t.marker().reason, 'azure-preempt');
      assert.ok(t.termed());
      assert.deepEqual(az.approved, ['evt-3']);
      assert.ok(az.requests.filter((r) => r.path.startsWith('/metadata/')).every((r) => r.headers.metadata === 'true' && r.query['api-version']));
      assert.ok(JSON.parse(t.marker().detail).Events.some((e: { Resources: string[] }) => e.Resources.includes(AZURE_VM_NAME)));
    } finally {
      await az.stop();
    }
  });
});
