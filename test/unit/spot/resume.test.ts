import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { openObjectStore, type CheckpointInfo, type ObjectStoreOptions } from '../../../src/providers/objectStore';
import { applyOfflineEnv, startMoto, type Moto } from '../../support/moto';
import { startAzurite, AZURITE_ACCOUNT, AZURITE_KEY, type Azurite } from '../../support/azurite';
import { startInstanceMetadata, type Notice } from '../../support/fakes/instanceMetadata';
import { scratch } from '../../support/scratch';
import { runBootstrap, systemPython, until } from '../../support/spot';

/**
 * Spot training end to end on 127.0.0.1: bootstrap.sh runs as the instance's user data would, a real PyTorch loop
 * (Debian's python3-torch, CPU, fixed seed; dropout and numpy noise so every RNG matters) checkpoints with
 * mlfinops_checkpoint to moto's S3 / Azurite, the fake metadata service raises an interruption notice mid-run, and
 * the job is started again, as the fleet's replacement instance would start it. After two interruptions the final
 * model and optimizer state must be bit-for-bit those of an uninterrupted run.
 */
applyOfflineEnv();
const files = scratch('spot-resume');
const trainPy = path.resolve(__dirname, '../../fixtures/spot/train.py');
const TOTAL = 200;
const EVERY = 20;
/** Steps at which the two interruptions are raised: off the checkpoint interval, so only the notice saves there. */
const INTERRUPT_AT = [50, 110];

let moto: Moto;
let azurite: Azurite;
before(async () => {
  [moto, azurite] = await Promise.all([startMoto(), startAzurite()]);
  await new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' }).send(new CreateBucketCommand({ Bucket: 'spot-ckpt' }));
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-ckpt').create();
});
after(async () => { await Promise.all([moto?.stop(), azurite?.stop()]); });

interface JobResult { exits: number[]; log: string[]; final: { step: number; sha256: string }; output: string }

/** Runs the job until it finishes, raising `notice` once the trainer has logged each step in `interruptAt`. */
async function runJob(name: string, cloud: string, uri: string, interruptAt: number[], notice: Notice | undefined, env: Record<string, string>): Promise<JobResult> {
  const dir = path.join(files.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  const stepLog = path.join(dir, 'steps.log');
  const finalOut = path.join(dir, 'final.json');
  const lastStep = () => {
    const lines = fs.existsSync(stepLog) ? fs.readFileSync(stepLog, 'utf8').trim().split('\n') : [];
    const steps = lines.filter((l) => l.startsWith('step ')).map((l) => Number(l.slice(5)));
    return steps.at(-1) ?? 0;
  };
  const exits: number[] = [];
  let output = '';
  for (let i = 0; i <= interruptAt.length; i++) {
    const meta = await startInstanceMetadata();
    try {
      const run = runBootstrap(dir, {
        name, cloud, command: `${systemPython} ${trainPy}`, checkpointUri: uri, checkpointEverySteps: EVERY,
        env: { TOTAL_STEPS: String(TOTAL), STEP_LOG: stepLog, FINAL_OUT: finalOut, STEP_SECONDS: '0.03' },
      }, { ...env, MLFINOPS_POLL_SECONDS: '0.2', MLFINOPS_IMDS_ENDPOINT: meta.endpoint, MLFINOPS_AZURE_EVENTS_ENDPOINT: meta.endpoint });
      if (i < interruptAt.length && notice) {
        const at = interruptAt[i]!;
        await until(`step ${at}`, () => lastStep() >= at || run.child.exitCode !== null, 300_000);
        meta.raise(notice);
      }
      exits.push(await run.exited);
      output += run.output();
    } finally {
      await meta.stop();
    }
  }
  return { exits, log: fs.readFileSync(stepLog, 'utf8').trim().split('\n'), final: JSON.parse(fs.readFileSync(finalOut, 'utf8')), output };
}

/** Per restart: the last step the stopped run logged, and the step the next run resumed from. */
function restarts(log: string[]): { stoppedAt: number; lastLogged: number; resumedFrom: number }[] {
  const out = [];
  let lastLogged = 0;
  let stoppedAt = Number.NaN;
  for (const line of log) {
    const [kind, n] = line.split(' ');
    if (kind === 'step') lastLogged = Number(n);
    if (kind === 'stopped') stoppedAt = Number(n);
    if (kind === 'start' && lastLogged > 0) out.push({ stoppedAt, lastLogged, resumedFrom: Number(n) });
  }
  return out;
}

let reference: JobResult;

describe('spot training resumes bit-for-bit through interruptions', () => {
  before(async () => {
    reference = await runJob('uninterrupted', 'local', path.join(files.dir, 'reference-ckpt'), [], undefined, {});
  });

  it('the uninterrupted run trains to the end', () => {
    assert.deepEqual(reference.exits, [0], reference.output);
    assert.equal(reference.final.step, TOTAL);
    assert.equal(reference.log.filter((l) => l.startsWith('step ')).length, TOTAL);
  });

  const clouds: { name: string; cloud: string; notice: Notice; uri: () => string; env: () => Record<string, string>; options: () => ObjectStoreOptions }[] = [
    {
      name: 'AWS: IMDSv2 spot/instance-action, checkpoints on S3 (moto)', cloud: 'aws', notice: 'aws-interruption',
      uri: () => 's3://spot-ckpt/jobs/resnet-tiny', env: () => ({ MLFINOPS_S3_ENDPOINT: moto.endpoint }),
      options: () => ({ s3Endpoint: moto.endpoint, region: 'us-east-1' }),
    },
    {
      name: 'Azure: Scheduled Events Preempt, checkpoints on Azure Blob (Azurite)', cloud: 'azure', notice: 'azure-preempt',
      uri: () => `azure://${AZURITE_ACCOUNT}/spot-ckpt/jobs/resnet-tiny`,
      env: () => ({ MLFINOPS_AZURE_BLOB_ENDPOINT: azurite.blobEndpoint, AZURE_STORAGE_KEY: AZURITE_KEY }),
      options: () => ({ azureConnectionString: azurite.connectionString }),
    },
  ];
  for (const c of clouds) {
    it(c.name, async () => {
      const r = await runJob(c.cloud, c.cloud, c.uri(), INTERRUPT_AT, c.notice, c.env());
      assert.deepEqual(r.exits, [75, 75, 0], r.output);
      const rs = restarts(r.log);
      assert.equal(rs.length, 2, r.log.join('\n'));
      for (const x of rs) {
        // the notice made the trainer save where it was and stop; the restart resumed from that checkpoint
        assert.equal(x.stoppedAt, x.lastLogged, 'the trainer stopped right after its final checkpoint');
        assert.ok(x.lastLogged - x.resumedFrom <= EVERY, `redone work ${x.lastLogged - x.resumedFrom} steps > one interval (${EVERY})`);
        assert.ok(x.resumedFrom > 0);
      }
      rs.forEach((x, i) => assert.ok(x.stoppedAt >= INTERRUPT_AT[i]!, 'stopped after the notice'));
      assert.equal(r.final.step, TOTAL);
      assert.equal(r.final.sha256, reference.final.sha256, 'final model and optimizer state bit-for-bit equal to the uninterrupted run');

      const store = await openObjectStore(c.uri(), c.options());
      const listed = await store.listCheckpoints();
      assert.equal(listed.length, 3, 'keep=3');
      // the newest three: the last periodic ones, or the notice's own save when it came late in the run
      const [first, second, third] = listed as [CheckpointInfo, CheckpointInfo, CheckpointInfo];
      assert.equal(first.step, TOTAL);
      assert.ok(second.step < TOTAL && third.step < second.step);
      assert.ok(first.latest && listed.every((x) => x.published));
    });
  }
});
