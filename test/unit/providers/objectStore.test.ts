import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { openObjectStore, parseCheckpointUri, type ObjectStoreOptions } from '../../../src/providers/objectStore';
import { isFinOpsError } from '../../../src/core/errors';
import { gcpAccessToken } from '../../../src/providers/gcp/config';
import { applyOfflineEnv, startMoto, type Moto } from '../../support/moto';
import { startAzurite, AZURITE_ACCOUNT, AZURITE_KEY, type Azurite } from '../../support/azurite';
import { startGcsFake, type GcsFake } from '../../support/fakes/gcs';
import { scratch } from '../../support/scratch';
import { runPython } from '../../support/spot';

/**
 * The extension's view of spot checkpoints: the shipped Python package writes them (as a training job does) to
 * moto's S3, Azurite, a Cloud Storage JSON API fake and a local folder; the ObjectStore lists, reads and deletes them.
 */
applyOfflineEnv();
const files = scratch('object-store');
let moto: Moto;
let azurite: Azurite;
let gcs: GcsFake;
before(async () => {
  [moto, azurite, gcs] = await Promise.all([startMoto(), startAzurite(), startGcsFake(['ckpt-gcs'])]);
  const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'ckpt-s3' }));
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('ckpt').create();
});
after(async () => { await Promise.all([moto?.stop(), azurite?.stop(), gcs?.stop()]); });

interface Case { name: string; uri: () => string; env: () => Record<string, string>; options: () => ObjectStoreOptions; tear: (key: string) => Promise<void> }
const cases: Case[] = [
  {
    name: 'S3 (moto)', uri: () => 's3://ckpt-s3/runs/job-1',
    env: () => ({ MLFINOPS_S3_ENDPOINT: moto.endpoint }), options: () => ({ s3Endpoint: moto.endpoint, region: 'us-east-1' }),
    tear: async (key) => { await new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' }).send(new PutObjectCommand({ Bucket: 'ckpt-s3', Key: `runs/job-1/${key}`, Body: 'torn' })); },
  },
  {
    name: 'Azure Blob (Azurite)', uri: () => `azure://${AZURITE_ACCOUNT}/ckpt/runs/job-1`,
    env: () => ({ MLFINOPS_AZURE_BLOB_ENDPOINT: azurite.blobEndpoint, AZURE_STORAGE_KEY: AZURITE_KEY }),
    options: () => ({ azureConnectionString: azurite.connectionString }),
    tear: async (key) => { await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('ckpt').getBlockBlobClient(`runs/job-1/${key}`).uploadData(Buffer.from('torn')); },
  },
  {
    name: 'Cloud Storage (JSON API fake)', uri: () => 'gs://ckpt-gcs/runs/job-1',
    env: () => ({ MLFINOPS_GCS_ENDPOINT: gcs.endpoint, MLFINOPS_GCS_TOKEN: gcs.token }),
    options: () => ({ gcsEndpoint: gcs.endpoint, gcsAccessToken: async () => gcs.token }),
    tear: async (key) => { gcs.buckets.get('ckpt-gcs')!.set(`runs/job-1/${key}`, { data: Buffer.from('torn'), updated: new Date().toISOString() }); },
  },
  {
    name: 'a local folder', uri: () => path.join(files.dir, 'local-ckpt'), env: () => ({}), options: () => ({}),
    tear: async (key) => { fs.mkdirSync(path.join(files.dir, 'local-ckpt', 'checkpoints'), { recursive: true }); fs.writeFileSync(path.join(files.dir, 'local-ckpt', key), 'torn'); },
  },
];

const SAVE_FIVE = `
import sys
from mlfinops_checkpoint import Checkpointer
c = Checkpointer(sys.argv[1] if len(sys.argv) > 1 else __import__("os").environ["URI"], every_steps=2, keep=3, handle_sigterm=False)
assert c.restore() is None
for step in range(1, 11):
    c.maybe_save(step, {"step": step, "weights": [step] * 1000})
d = Checkpointer(__import__("os").environ["URI"], every_steps=2, keep=3)
print("RESTORED", d.restore()["step"])
`;

describe('ObjectStore: checkpoints written by mlfinops_checkpoint', () => {
  for (const c of cases) {
    it(`${c.name}: lists the kept checkpoints newest first, marks the latest and a torn upload, deletes one`, async () => {
      const py = await runPython(SAVE_FIVE, { ...c.env(), URI: c.uri() });
      assert.equal(py.code, 0, py.out);
      assert.match(py.out, /RESTORED 10/);
      const store = await openObjectStore(c.uri(), c.options());
      const manifest = await store.readManifest();
      assert.deepEqual(manifest?.checkpoints.map((e) => e.step), [10, 8, 6]);
      assert.equal(manifest?.latest, manifest?.checkpoints[0]?.key);

      // an upload cut short (no manifest entry) is listed, unpublished, never latest
      await c.tear('checkpoints/step-000000000012-deadbeef.ckpt');
      const listed = await store.listCheckpoints();
      assert.deepEqual(listed.map((x) => [x.step, x.latest, x.published]), [[12, false, false], [10, true, true], [8, false, true], [6, false, true]]);
      const latest = listed[1]!;
      assert.ok(latest.sizeBytes > 1000 && latest.savedAt);

      // deleting the latest moves "latest" to the next one, and a restart resumes from it
      await store.deleteCheckpoint(latest.key);
      const after = await store.listCheckpoints();
      assert.deepEqual(after.map((x) => [x.step, x.latest]), [[12, false], [8, true], [6, false]]);
      const resumed = await runPython('import os\nfrom mlfinops_checkpoint import Checkpointer\nprint("STEP", Checkpointer(os.environ["URI"], handle_sigterm=False).restore()["step"])', { ...c.env(), URI: c.uri() });
      assert.match(resumed.out, /STEP 8/, resumed.out);

      // "Resume from checkpoint…" an older one: published as latest, a restart resumes from it; a torn one is refused
      await store.publishLatest(after[2]!.key);
      assert.deepEqual((await store.listCheckpoints()).map((x) => [x.step, x.latest, x.published]), [[12, false, false], [8, false, false], [6, true, true]]);
      const older = await runPython('import os\nfrom mlfinops_checkpoint import Checkpointer\nprint("STEP", Checkpointer(os.environ["URI"], handle_sigterm=False).restore()["step"])', { ...c.env(), URI: c.uri() });
      assert.match(older.out, /STEP 6/, older.out);
      await assert.rejects(store.publishLatest(after[0]!.key), (e) => isFinOpsError(e, 'input') && /not a published checkpoint/.test(e.message));
    });
  }

  it('an empty location has no manifest and no checkpoints', async () => {
    const store = await openObjectStore('s3://ckpt-s3/nothing-here', { s3Endpoint: moto.endpoint, region: 'us-east-1' });
    assert.equal(await store.readManifest(), undefined);
    assert.deepEqual(await store.listCheckpoints(), []);
  });

  it('a bucket that does not exist, an unreachable endpoint and a refused token are FinOpsErrors with a fix', async () => {
    const missing = await openObjectStore('s3://no-such-bucket/x', { s3Endpoint: moto.endpoint, region: 'us-east-1' });
    await assert.rejects(missing.listCheckpoints(), (e) => isFinOpsError(e, 'input') && /does not exist/.test(e.message) && /checkpointUri/.test(e.fix));
    const down = await openObjectStore('gs://ckpt-gcs/x', { gcsEndpoint: 'http://127.0.0.1:9', gcsAccessToken: async () => 't' });
    await assert.rejects(down.listCheckpoints(), (e) => isFinOpsError(e, 'unavailable') && /cannot be reached/.test(e.message));
    const refused = await openObjectStore('gs://ckpt-gcs/x', { gcsEndpoint: gcs.endpoint, gcsAccessToken: async () => 'wrong' });
    await assert.rejects(refused.listCheckpoints(), (e) => isFinOpsError(e, 'permission'));
    const noContainer = await openObjectStore(`azure://${AZURITE_ACCOUNT}/nope/x`, { azureConnectionString: azurite.connectionString });
    await assert.rejects(noContainer.listCheckpoints(), (e) => isFinOpsError(e, 'input'));
  });

  it('a manifest that is not ours is refused, and only checkpoints can be deleted', async () => {
    const dir = path.join(files.dir, 'foreign');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"hello": 1}');
    const store = await openObjectStore(dir);
    await assert.rejects(store.readManifest(), (e) => isFinOpsError(e, 'input') && /not an ML FinOps checkpoint manifest/.test(e.message));
    await assert.rejects(store.deleteCheckpoint('../etc/passwd'), (e) => isFinOpsError(e, 'input'));
  });

  it('reads every URI form and refuses incomplete ones', () => {
    assert.deepEqual(parseCheckpointUri('s3://b/a/b/'), { kind: 's3', bucket: 'b', prefix: 'a/b/' });
    assert.deepEqual(parseCheckpointUri('gs://b'), { kind: 'gcs', bucket: 'b', prefix: '' });
    assert.deepEqual(parseCheckpointUri('azure://acct/cont/p'), { kind: 'azure', account: 'acct', container: 'cont', prefix: 'p/' });
    assert.deepEqual(parseCheckpointUri('/tmp/x'), { kind: 'local', path: '/tmp/x' });
    assert.throws(() => parseCheckpointUri('azure://acct'), (e) => isFinOpsError(e, 'input') && /azure:\/\/account\/container\/prefix/.test(e.fix));
    assert.throws(() => parseCheckpointUri('s3://'), (e) => isFinOpsError(e, 'input'));
    assert.throws(() => parseCheckpointUri('ftp://x/y'), (e) => isFinOpsError(e, 'input') && /unsupported scheme/.test(e.message));
  });
});

describe('Cloud Storage tokens (gcpAccessToken): the token given, an auth client, or ADC', () => {
  it('lists checkpoints with GOOGLE_OAUTH_ACCESS_TOKEN or an auth client token; without credentials, an auth error naming the sign-in', async () => {
    const given = await openObjectStore('gs://ckpt-gcs/tokens', { gcsEndpoint: gcs.endpoint, googleAccessToken: gcs.token });
    assert.deepEqual(await given.listCheckpoints(), []);
    let asked = 0;
    const client = { getAccessToken: async () => { asked++; return { token: gcs.token }; } };
    const viaClient = await openObjectStore('gs://ckpt-gcs/tokens', { gcsEndpoint: gcs.endpoint, gcsAccessToken: gcpAccessToken({ authClient: client }) });
    assert.deepEqual(await viaClient.listCheckpoints(), []);
    assert.ok(asked >= 1, 'the auth client was asked for its token');
    const empty = await openObjectStore('gs://ckpt-gcs/tokens', { gcsEndpoint: gcs.endpoint, gcsAccessToken: gcpAccessToken({ authClient: { getAccessToken: async () => ({ token: null }) } }) });
    await assert.rejects(empty.listCheckpoints(), (e) => isFinOpsError(e, 'auth') && /application-default login/.test(e.fix));
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(files.dir, 'no-such-key.json');
    try {
      const adc = await openObjectStore('gs://ckpt-gcs/tokens', { gcsEndpoint: gcs.endpoint });
      await assert.rejects(adc.listCheckpoints(), (e) => isFinOpsError(e, 'auth') && /No Google credentials/.test(e.message) && /GOOGLE_OAUTH_ACCESS_TOKEN/.test(e.fix));
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS; else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });
});
