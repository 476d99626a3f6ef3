import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import type { protos } from '@google-cloud/compute';
import { isFinOpsError } from '../../../src/core/errors';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { requireJob, type SpotJob } from '../../../src/core/spot/job';
import { planJob } from '../../../src/core/spot/plan';
import { GCP_VM_SCOPES, GcpSpotLauncher } from '../../../src/providers/gcp/spotLauncher';
import { gcpLabels } from '../../../src/core/spot/plan';
import { spotLauncherFor } from '../../../src/providers/spotLaunchers';
import { gceError, startGcpComputeFake, type GcpComputeFake } from '../../support/fakes/gcpCompute';
import { applyOfflineEnv, freePort, offlineEnv } from '../../support/moto';
import { runCli } from '../../support/cli';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

applyOfflineEnv();
const PROJECT = 'ml-training-prod';
const BUCKET = 'ckpt-bucket';
const USER_DATA = '#!/bin/sh\necho train\n';

/** A Google Cloud job: two GPU machine types in two zones of us-central1, GCS checkpoints, the default policy's tags. */
const gcpJob = `cloud: gcp
regions: [us-central1]
zones: [us-central1-a, us-central1-b]
instanceTypes: [g2-standard-8, g2-standard-4]
command: python train.py
code: { repo: https://example.invalid/r.git, commit: abcdef1 }
checkpoint: { uri: gs://${BUCKET}/run1, everySteps: 100, intervalMinutes: 30 }
maxRuntimeHours: 10
tags: { Environment: dev, Team: NLP, Project: p, CostCenter: cc1, Owner: a@example.com }
gcp: { project: ${PROJECT}, serviceAccount: trainer@${PROJECT}.iam.gserviceaccount.com }
`;

function fakeAuth(): OAuth2Client {
  const a = new OAuth2Client();
  a.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3600_000 });
  return a;
}

let fake: GcpComputeFake;
before(async () => { fake = await startGcpComputeFake(); });
after(async () => { await fake?.stop(); });
beforeEach(() => {
  fake.reset();
  fake.buckets.add(BUCKET);
});

const jobOf = (extra = '', base = gcpJob): SpotJob => requireJob(`${base}${extra}`, 'jobs/train-g.yaml');
const planOf = (job: SpotJob) => planJob(job, { catalogue: shippedCatalogue() });
const launcher = (endpoint = fake.endpoint, extra: Partial<ConstructorParameters<typeof GcpSpotLauncher>[0]> = {}) => new GcpSpotLauncher({
  endpoint, authClient: fakeAuth(), settleMs: 3000, operationTimeoutMs: 10_000, sleep: () => new Promise((r) => setTimeout(r, 20)), retry: { baseMs: 5, maxMs: 20 }, ...extra,
}, 'us-central1');

const creates = () => fake.requests.filter((r) => r.method === 'POST' && /\/(instanceTemplates|instanceGroupManagers)$/.test(r.path));

test('launch: an instance template of Spot VMs and a regional managed instance group across the zones; status; stop deletes both', async () => {
  const job = jobOf('count: 2\n');
  const steps: string[] = [];
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA, progress: (m) => steps.push(m) });
  assert.ok(steps.length >= 4, steps.join());

  // every request authenticated, through the documented REST paths, template first
  assert.ok(fake.requests.every((r) => r.authorization === 'Bearer fake-token'));
  assert.deepEqual(creates().map((r) => r.path), [
    `/compute/v1/projects/${PROJECT}/global/instanceTemplates`,
    `/compute/v1/projects/${PROJECT}/regions/us-central1/instanceGroupManagers`,
  ]);
  assert.ok(fake.requests.some((r) => r.path.endsWith('/wait')), 'operations are waited for');
  assert.ok(fake.requests.some((r) => r.path === `/storage/v1/b/${BUCKET}`), 'the checkpoint bucket is checked');

  // the template, as Compute Engine holds it
  const t = fake.templates.get('mlfinops-train-g') as protos.google.cloud.compute.v1.IInstanceTemplate;
  assert.ok(t);
  const p = t.properties!;
  assert.equal(p.machineType, 'g2-standard-8');
  assert.deepEqual(p.scheduling, { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE', automaticRestart: false, onHostMaintenance: 'TERMINATE' });
  assert.deepEqual(p.labels, { environment: 'dev', team: 'nlp', project: 'p', cost_center: 'cc1', owner: 'a_example_com', 'mlfinops-job': 'train-g' });
  const meta = new Map((p.metadata?.items ?? []).map((i) => [i.key, i.value]));
  assert.equal(meta.get('startup-script'), USER_DATA);
  assert.equal(p.networkInterfaces?.length, 1);
  assert.equal(p.networkInterfaces?.[0]?.accessConfigs, undefined, 'no external IP');
  assert.equal(p.networkInterfaces?.[0]?.network, 'global/networks/default');
  assert.deepEqual(p.serviceAccounts, [{ email: `trainer@${PROJECT}.iam.gserviceaccount.com`, scopes: GCP_VM_SCOPES }]);
  assert.ok(p.serviceAccounts?.[0]?.scopes?.includes('https://www.googleapis.com/auth/devstorage.read_write'));
  assert.equal(p.shieldedInstanceConfig?.enableVtpm, true);
  assert.equal(p.disks?.[0]?.boot, true);
  assert.match(p.disks?.[0]?.initializeParams?.sourceImage ?? '', /^projects\/deeplearning-platform-release\/global\/images\/family\//);

  // the group: size N, both zones, shape ANY, the machine types ranked in the job's order
  const g = fake.groups.get(`${PROJECT}/us-central1/mlfinops-train-g`)!.resource as protos.google.cloud.compute.v1.IInstanceGroupManager;
  assert.equal(g.targetSize, 2);
  assert.equal(g.instanceTemplate, `projects/${PROJECT}/global/instanceTemplates/mlfinops-train-g`);
  assert.deepEqual(g.distributionPolicy, { targetShape: 'ANY', zones: [{ zone: 'zones/us-central1-a' }, { zone: 'zones/us-central1-b' }] });
  const selections = Object.values(g.instanceFlexibilityPolicy?.instanceSelections ?? {}).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  assert.deepEqual(selections.map((s) => s.machineTypes), [['g2-standard-8'], ['g2-standard-4']]);

  // status: the group's VMs, running, with type and zone
  assert.deepEqual(result.resources.map((r) => r.kind), ['instanceTemplate', 'instanceGroup']);
  assert.match(result.status.consoleUrl ?? '', /^https:\/\/console\.cloud\.google\.com\/compute\/instanceGroups\/details\/us-central1\/mlfinops-train-g\?project=ml-training-prod$/);
  const s = await launcher().status(job);
  assert.equal(s.state, 'running');
  assert.equal(s.instances.length, 2);
  assert.deepEqual(s.instances.map((i) => i.zone).sort(), ['us-central1-a', 'us-central1-b']);
  assert.ok(s.instances.every((i) => i.instanceType === 'g2-standard-8' && i.lifecycle === 'spot' && i.state === 'RUNNING' && i.id.startsWith('mlfinops-train-g-')));

  // a second launch is refused and creates nothing
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /already launched/.test(e.message));
  assert.equal(creates().length, 2);

  // stop: the group first (a template in use cannot be deleted), then the template
  const deleted = await launcher().stop(job);
  assert.deepEqual(deleted.map((r) => r.kind), ['instanceGroup', 'instanceTemplate']);
  assert.equal(fake.groups.size, 0);
  assert.equal(fake.templates.size, 0);
  assert.equal((await launcher().status(job)).state, 'planned');
  assert.deepEqual(await launcher().stop(job), []);
});

test('a preemption: status reports the interruption while the group recreates the VM, then resuming', async () => {
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  assert.equal(result.status.state, 'running');
  const vm = result.status.instances[0]!.id;
  fake.bootPolls = 3;
  fake.preempt(vm);
  const during = await launcher().status(job);
  assert.equal(during.state, 'interrupted');
  assert.match(during.events[0]!.message, new RegExp(`Spot VM ${vm} preempted in us-central1-a`));
  assert.equal(during.events[0]!.kind, 'interruption');
  let s = during;
  for (let i = 0; i < 10 && s.instances.some((x) => x.state !== 'RUNNING'); i++) s = await launcher().status(job);
  assert.equal(s.state, 'resuming');
  await launcher().stop(job);
});

test('no Spot capacity: the group\'s VMs stay CREATING with ZONE_RESOURCE_POOL_EXHAUSTED; the launch fails with the fix and deletes the group and template', async () => {
  fake.noCapacity = { code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: "The zone 'projects/ml-training-prod/zones/us-central1-a' does not have enough resources available to fulfill the request." };
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => {
    assert.ok(isFinOpsError(e, 'unavailable'), String(e));
    assert.match(e.message, /no Spot capacity for "train-g" in us-central1/);
    assert.match(e.message, /\(instance template mlfinops-train-g, managed instance group mlfinops-train-g\) was deleted/);
    assert.match(e.fix, /more machine types and zones/);
    return true;
  });
  assert.equal(fake.groups.size, 0);
  assert.equal(fake.templates.size, 0);
});

test('a Spot GPU quota of 0: QUOTA_EXCEEDED on the VMs is a quota error naming the fix, nothing left behind', async () => {
  fake.noCapacity = { code: 'QUOTA_EXCEEDED', message: "Quota 'PREEMPTIBLE_NVIDIA_L4_GPUS' exceeded.  Limit: 0.0 in region us-central1." };
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'unavailable') && /quota is used up/.test(e.message) && /PREEMPTIBLE_NVIDIA_L4_GPUS/.test(e.message) && /quota/i.test(e.fix) && /was deleted/.test(e.message));
  assert.equal(fake.groups.size + fake.templates.size, 0);
});

test('a quota refused synchronously on the template (403 quotaExceeded) is not retried as throttling', async () => {
  fake.fail(403, gceError(403, 'quotaExceeded', "Quota 'INSTANCE_TEMPLATES' exceeded.  Limit: 100.0 globally."), { method: 'POST', path: /instanceTemplates$/ });
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'unavailable') && /quota INSTANCE_TEMPLATES is used up/.test(e.message) && /Quotas/.test(e.fix));
  assert.equal(creates().length, 1, 'sent once');
  assert.equal(fake.templates.size, 0);
});

test('permission denied on the group: a permission error naming the role; the template just created is deleted', async () => {
  fake.fail(403, gceError(403, 'forbidden', "Required 'compute.instanceGroupManagers.create' permission for 'projects/ml-training-prod/regions/us-central1/instanceGroupManagers/mlfinops-train-g'"), { method: 'POST', path: /instanceGroupManagers$/ });
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => {
    assert.ok(isFinOpsError(e, 'permission'), String(e));
    assert.match(e.message, /compute\.instanceGroupManagers\.create/);
    assert.match(e.fix, /Compute Instance Admin \(v1\)/);
    assert.match(e.message, /instance template mlfinops-train-g\) was deleted/);
    return true;
  });
  assert.equal(fake.templates.size, 0);
});

test('throttled (429 rateLimitExceeded) creates are retried and the launch goes through', async () => {
  fake.fail(429, gceError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'), { method: 'POST', path: /instanceTemplates$/ });
  fake.fail(429, gceError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'), { method: 'POST', path: /instanceGroupManagers$/ });
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  assert.equal(result.status.state, 'running');
  assert.equal(creates().length, 4);
  assert.equal(fake.templates.size, 1);
  await launcher().stop(job);
});

test('an image that does not exist fails the template operation: an input error naming the job file settings, nothing left', async () => {
  fake.failOperation(/instanceTemplates$/, [{ code: 'RESOURCE_NOT_FOUND', message: "The resource 'projects/x/global/images/family/nope' was not found" }]);
  const job = jobOf('', gcpJob.replace('gcp: {', 'gcp: { image: projects/x/global/images/family/nope,'));
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /RESOURCE_NOT_FOUND/.test(e.message) && /image/.test(e.fix) && /was deleted/.test(e.message));
  assert.equal(fake.templates.size, 0);
});

test('checkpoint bucket missing or unreachable, zones of another region, an on-demand base: refused before anything is created', async () => {
  const missing = jobOf('', gcpJob.replace(`gs://${BUCKET}/run1`, 'gs://no-such-bucket/run1'));
  await assert.rejects(launcher().launch({ job: missing, plan: planOf(missing), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /checkpoint bucket no-such-bucket does not exist; nothing was created/.test(e.message) && /gcloud storage buckets create gs:\/\/no-such-bucket/.test(e.fix));
  const dead = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(launcher(dead, { retry: { attempts: 1 } }).launch({ job: jobOf(), plan: planOf(jobOf()), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'unavailable'));
  const elsewhere = jobOf('', gcpJob.replace('zones: [us-central1-a, us-central1-b]', 'zones: [us-central1-a, europe-west4-a]'));
  await assert.rejects(launcher().launch({ job: elsewhere, plan: planOf(elsewhere), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /europe-west4-a are not in us-central1/.test(e.message));
  const base = jobOf('count: 2\nonDemand: { base: 1 }\n');
  await assert.rejects(launcher().launch({ job: base, plan: planOf(base), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /no on-demand base/.test(e.message));
  assert.equal(creates().length, 0);
});

test('the fake refuses what Compute Engine refuses: a Spot template that restarts automatically, bad labels, a template in use', async () => {
  const post = (path: string, body: unknown) => fetch(`${fake.endpoint}${path}`, { method: 'POST', headers: { authorization: 'Bearer fake-token', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const base = { name: 't1', properties: { machineType: 'g2-standard-8', scheduling: { provisioningModel: 'SPOT', automaticRestart: true, onHostMaintenance: 'TERMINATE' }, disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }], networkInterfaces: [{ network: 'global/networks/default' }] } };
  const r1 = await post(`/compute/v1/projects/${PROJECT}/global/instanceTemplates`, base);
  assert.equal(r1.status, 400);
  assert.match(await r1.text(), /automaticRestart/);
  const r2 = await post(`/compute/v1/projects/${PROJECT}/global/instanceTemplates`, { ...base, properties: { ...base.properties, scheduling: { provisioningModel: 'SPOT', automaticRestart: false, onHostMaintenance: 'TERMINATE' }, labels: { Team: 'NLP' } } });
  assert.equal(r2.status, 400);
  const r3 = await post(`/compute/v1/projects/${PROJECT}/regions/us-central1/instanceGroupManagers`, { name: 'g', baseInstanceName: 'g', targetSize: 1, instanceTemplate: 'global/instanceTemplates/none' });
  assert.equal(r3.status, 404);
});

test('labels follow Google Cloud\'s rules: lowercase keys and values, invalid characters replaced, clashes refused', () => {
  assert.deepEqual(gcpLabels({ CostCenter: 'CC-1', 'ML Team': 'Vision', Owner: 'a.b@example.com' }), { cost_center: 'cc-1', ml_team: 'vision', owner: 'a_b_example_com' });
  assert.throws(() => gcpLabels({ Team: 'a', team: 'b' }, 'j'), (e: unknown) => isFinOpsError(e, 'input') && /same Google Cloud label "team"/.test(e.message));
});

test('the launcher registry builds the Google Cloud launcher for a gcp job', () => {
  const l = spotLauncherFor(jobOf(), { aws: { profile: '', endpoint: '' }, gcp: { endpoint: fake.endpoint, authClient: fakeAuth() }, azure: { endpoint: '' } });
  assert.equal(l.cloud, 'gcp');
});

test('mlfinops spot launch on Google Cloud: needs --yes; launch, status and stop with GOOGLE_OAUTH_ACCESS_TOKEN against the fake', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-spot-gcp-cli-'));
  mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
  writeFileSync(join(dir, '.finops/jobs/train-g.yaml'), gcpJob);
  const cli = (...args: string[]) => runCli(['spot', ...args, '--endpoint', fake.endpoint], { cwd: dir, env: { ...process.env, ...offlineEnv, GOOGLE_OAUTH_ACCESS_TOKEN: 'fake-token' } });
  const refused = await cli('launch', 'train-g');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /Instance template mlfinops-train-g in project ml-training-prod: Spot VMs/);
  assert.match(refused.err, /Nothing was launched: a launch spends money \(about \$\d+\.\d\d for 10 h on spot\), so it needs --yes/);
  assert.equal(creates().length, 0);

  const launched = await cli('launch', 'train-g', '--yes');
  assert.equal(launched.code, 0, launched.err);
  assert.match(launched.out, /✓ Instance template mlfinops-train-g: accepted by Compute Engine/);
  assert.match(launched.out, /Launched: instance template mlfinops-train-g, managed instance group mlfinops-train-g\./);
  const t = fake.templates.get('mlfinops-train-g') as { properties: { metadata: { items: { key: string; value: string }[] } } };
  const script = t.properties.metadata.items.find((i) => i.key === 'startup-script')!.value;
  assert.match(script, /sh \/opt\/mlfinops\/bootstrap.sh/);
  assert.match(script, /"checkpointUri": "gs:\/\/ckpt-bucket\/run1"/);
  assert.match(script, /gcloud compute instance-groups managed resize 'mlfinops-train-g' --size 0 --region 'us-central1'/);
  assert.ok(fake.requests.every((r) => r.authorization === 'Bearer fake-token'));

  const status = await cli('status', 'train-g', '--format', 'json');
  assert.equal(status.code, 0, status.err);
  assert.equal(JSON.parse(status.out).instances.length, 1);

  const stopped = await cli('stop', 'train-g');
  assert.equal(stopped.code, 0, stopped.err);
  assert.match(stopped.out, /Stopped "train-g": deleted managed instance group mlfinops-train-g, instance template mlfinops-train-g\./);
  assert.equal(fake.groups.size + fake.templates.size, 0);
  const again = await cli('stop', 'train-g');
  assert.match(again.out, /Nothing of "train-g" was running/);
});

test('preflight: the checks a confirmation shows, with nothing created; a launch given them does not repeat them', async () => {
  const job = jobOf();
  const checked = await launcher().preflight({ job, plan: planOf(job), userData: USER_DATA });
  assert.match(checked.checks[0]!, /gs:\/\/ckpt-bucket\/run1: reachable/);
  assert.ok(checked.checks.some((c) => /^Labels: environment=dev, team=nlp, .*mlfinops-job=train-g\.$/.test(c)));
  assert.ok(checked.checks.some((c) => /No earlier launch of "train-g".*no DryRun/.test(c)));
  assert.equal(creates().length, 0);
  fake.requests.length = 0;
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA, checked });
  assert.equal(fake.requests.filter((r) => r.path.startsWith('/storage/')).length, 0, 'the bucket is not checked again');
  assert.deepEqual(result.dryRun.checks.slice(0, checked.checks.length), checked.checks);
  await launcher().stop(job);
});

test('console output: what a VM of the group printed to its serial port (the bootstrap\'s lines)', async () => {
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  const vm = result.status.instances[0]!;
  fake.serialOutput.set(vm.id, 'google_metadata_script_runner: startup-script: mlfinops: training started\nmlfinops: checkpoint step 100\n');
  assert.match(await launcher().consoleOutput(job, vm.id), /mlfinops: checkpoint step 100/);
  const serial = fake.requests.filter((r) => r.path.endsWith('/serialPort'));
  assert.equal(serial.at(-1)!.path, `/compute/v1/projects/${PROJECT}/zones/${vm.zone}/instances/${vm.id}/serialPort`);
  assert.equal(serial.at(-1)!.query.port, '1');
  await assert.rejects(launcher().consoleOutput(job, 'mlfinops-train-g-gone'), (e: unknown) => isFinOpsError(e, 'input') && /no longer/.test(e.message));
  await launcher().stop(job);
});
