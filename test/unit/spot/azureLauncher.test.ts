import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { TokenCredential } from '@azure/core-auth';
import { isFinOpsError } from '../../../src/core/errors';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { requireJob, type SpotJob } from '../../../src/core/spot/job';
import { planJob } from '../../../src/core/spot/plan';
import { AzureSpotLauncher, throwawaySshKey } from '../../../src/providers/azure/spotLauncher';
import { spotLauncherFor } from '../../../src/providers/spotLaunchers';
import { startAzureComputeFake, type AzureComputeFake } from '../../support/fakes/azureCompute';
import { applyOfflineEnv, offlineEnv } from '../../support/moto';
import { runCli } from '../../support/cli';
import { retailItem, startAzureRetailFake } from '../../support/fakes/azureRetailPrices';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

applyOfflineEnv();
const SUB = '2f1c0c51-3f7e-4a6b-9d51-0a8a6f0f1a11';
const RG = 'ml-training';
const SUBNET = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/train-vnet/subnets/default`;
const USER_DATA = '#!/bin/sh\necho train\n';

/** An Azure job: a T4 size in eastus across zones 1 and 2, checkpoints in a blob container, the default policy's tags. */
const azureJob = `cloud: azure
regions: [eastus]
zones: ["1", "2"]
instanceTypes: [Standard_NC4as_T4_v3, Standard_NC8as_T4_v3]
maxPricePerHour: 0.2
command: python train.py
code: { repo: https://example.invalid/r.git, commit: abcdef1 }
checkpoint: { uri: azure://ckptacct/checkpoints/run1, everySteps: 100, intervalMinutes: 30 }
maxRuntimeHours: 10
tags: { Environment: dev, Team: nlp, Project: p, CostCenter: cc1, Owner: a@example.com }
azure: { subscriptionId: ${SUB}, resourceGroup: ${RG}, subnetId: ${SUBNET} }
`;

const tokenScopes: string[] = [];
const credential: TokenCredential = {
  getToken: async (scopes) => {
    tokenScopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: 'fake-token', expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

let fake: AzureComputeFake;
let agent: Agent;
before(async () => {
  fake = await startAzureComputeFake();
  agent = new Agent({ ca: fake.ca });
});
after(async () => {
  agent?.destroy();
  await fake?.stop();
});
beforeEach(() => {
  fake.reset();
  tokenScopes.length = 0;
  fake.resourceGroups.add(`${SUB}/${RG}`.toLowerCase());
  fake.containers.add('ckptacct/checkpoints');
});

const jobOf = (extra = '', base = azureJob): SpotJob => requireJob(`${base}${extra}`, 'jobs/train-z.yaml');
const planOf = (job: SpotJob) => planJob(job, { catalogue: shippedCatalogue() });
const launcher = (extra: Partial<ConstructorParameters<typeof AzureSpotLauncher>[0]> = {}) => new AzureSpotLauncher({
  endpoint: fake.endpoint, credential, agent, blobEndpoint: (account) => `${fake.endpoint}/${account}`,
  settleMs: 3000, pollIntervalMs: 10, sleep: () => new Promise((r) => setTimeout(r, 20)), retry: { baseMs: 5, maxMs: 20 }, ...extra,
}, 'eastus');
const SET_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/mlfinops-train-z`;
const puts = () => fake.requests.filter((r) => r.method === 'PUT');

/** A scale set as it goes over the wire (Resource Manager's JSON, properties nested). */
interface WireScaleSet {
  location: string;
  tags: Record<string, string>;
  sku: { name: string; capacity: number };
  zones: string[];
  identity: { type: string };
  properties: {
    orchestrationMode: string;
    spotRestorePolicy: unknown;
    virtualMachineProfile: {
      priority: string;
      evictionPolicy: string;
      billingProfile: unknown;
      osProfile: { customData: string; linuxConfiguration: { disablePasswordAuthentication: boolean; ssh: { publicKeys: { keyData: string }[] } } };
      networkProfile: { networkInterfaceConfigurations: { properties: { ipConfigurations: { properties: { subnet: { id: string } } }[] } }[] };
      storageProfile: { imageReference: unknown };
    };
  };
}

test('launch: a Spot scale set (priority Spot, eviction Delete, max price, tags, custom data) through the documented API; status; stop deletes it', async () => {
  const job = jobOf('count: 2\n');
  const steps: string[] = [];
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA, progress: (m) => steps.push(m) });
  assert.ok(steps.length >= 3, steps.join());

  // one PUT with the api-version, followed by polls of its Azure-AsyncOperation, all with the bearer token
  assert.deepEqual(puts().map((r) => r.path), [SET_PATH]);
  assert.match(puts()[0]!.query['api-version'] ?? '', /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(fake.requests.some((r) => /\/providers\/Microsoft\.Compute\/locations\/eastus\/operations\//.test(r.path)), 'the long-running operation is polled');
  assert.ok(fake.requests.every((r) => r.authorization === 'Bearer fake-token'));
  assert.ok(tokenScopes.includes('https://management.azure.com/.default'));
  assert.ok(tokenScopes.includes('https://storage.azure.com/.default'), 'the container check uses a Storage token');
  assert.ok(fake.requests.some((r) => r.method === 'HEAD' && r.path === '/ckptacct/checkpoints'));

  // the request as Resource Manager received it
  const body = puts()[0]!.body as WireScaleSet;
  assert.equal(body.location, 'eastus');
  assert.deepEqual(body.sku, { name: 'Standard_NC4as_T4_v3', tier: 'Standard', capacity: 2 });
  assert.deepEqual(body.zones, ['1', '2']);
  assert.deepEqual(body.tags, { Environment: 'dev', Team: 'nlp', Project: 'p', CostCenter: 'cc1', Owner: 'a@example.com', 'mlfinops-job': 'train-z' });
  assert.equal(body.identity.type, 'SystemAssigned');
  const p = body.properties;
  assert.equal(p.orchestrationMode, 'Uniform');
  assert.deepEqual(p.spotRestorePolicy, { enabled: true, restoreTimeout: 'PT1H' });
  const vm = p.virtualMachineProfile;
  assert.equal(vm.priority, 'Spot');
  assert.equal(vm.evictionPolicy, 'Delete');
  assert.deepEqual(vm.billingProfile, { maxPrice: 0.2 });
  assert.equal(Buffer.from(vm.osProfile.customData, 'base64').toString('utf8'), USER_DATA);
  assert.equal(vm.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
  assert.match(vm.osProfile.linuxConfiguration.ssh.publicKeys[0]!.keyData, /^ssh-rsa AAAA/);
  assert.equal(vm.networkProfile.networkInterfaceConfigurations[0]!.properties.ipConfigurations[0]!.properties.subnet.id, SUBNET);
  assert.deepEqual(vm.storageProfile.imageReference, { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', version: 'latest' });
  assert.ok(result.dryRun.checks.some((c) => /one VM size: Standard_NC4as_T4_v3/.test(c)));

  // status: the scale set's VMs with size, zone and power state
  assert.deepEqual(result.resources.map((r) => r.kind), ['scaleSet']);
  assert.match(result.resources[0]!.consoleUrl ?? '', /^https:\/\/portal\.azure\.com\/#@\/resource\/subscriptions\/.*\/virtualMachineScaleSets\/mlfinops-train-z\/overview$/);
  const s = await launcher().status(job);
  assert.equal(s.state, 'running');
  assert.equal(s.instances.length, 2);
  assert.deepEqual(s.instances.map((i) => i.zone).sort(), ['eastus-1', 'eastus-2']);
  assert.ok(s.instances.every((i) => i.instanceType === 'Standard_NC4as_T4_v3' && i.lifecycle === 'spot' && i.state === 'running'));
  assert.ok(fake.requests.some((r) => r.path.endsWith('/virtualMachines') && r.query.$expand === 'instanceView'));

  // a second launch is refused; stop deletes the scale set (202 + polling)
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /already launched/.test(e.message));
  assert.equal(puts().length, 1);
  const deleted = await launcher().stop(job);
  assert.deepEqual(deleted.map((r) => r.kind), ['scaleSet']);
  assert.equal(fake.scaleSets.size, 0);
  assert.equal((await launcher().status(job)).state, 'planned');
  assert.deepEqual(await launcher().stop(job), []);
});

test('an eviction: status says interrupted until Try & Restore brings a new VM, then resuming', async () => {
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  assert.equal(result.status.state, 'running');
  fake.evict(result.status.instances[0]!.id);
  const during = await launcher().status(job);
  assert.equal(during.state, 'interrupted');
  assert.match(during.events.find((e) => e.kind === 'interruption')!.message, /1 of 1 Spot VMs evicted; Try & Restore/);
  let s = during;
  for (let i = 0; i < 10 && s.state !== 'resuming'; i++) s = await launcher().status(job);
  assert.equal(s.state, 'resuming');
  assert.equal(s.instances[0]!.id, 'mlfinops-train-z_1');
  await launcher().stop(job);
});

test('no Spot capacity: the create operation fails with SkuNotAvailable; a clear message, and the scale set is deleted', async () => {
  fake.noCapacity = { code: 'SkuNotAvailable', message: "The requested VM size 'Standard_NC4as_T4_v3' is currently not available in location 'eastus' for Spot." };
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => {
    assert.ok(isFinOpsError(e, 'unavailable'), String(e));
    assert.match(e.message, /no Spot capacity for "train-z" \(Standard_NC4as_T4_v3 in eastus\)/);
    assert.match(e.message, /scale set mlfinops-train-z\) was deleted/);
    assert.match(e.fix, /another VM size or region/);
    return true;
  });
  assert.equal(fake.scaleSets.size, 0);
});

test('a Spot vCPU quota of 0 (409 OperationNotAllowed) is a quota error with the fix; nothing is left', async () => {
  fake.fail(409, { error: { code: 'OperationNotAllowed', message: 'Operation could not be completed as it results in exceeding approved Total Regional Low Priority vCPUs quota. Location: eastus, Current Limit: 0, Current Usage: 0, Additional Required: 4.' } }, { method: 'PUT' });
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'unavailable') && /quota is used up/.test(e.message) && /Spot vCPUs/.test(e.fix));
  assert.equal(puts().length, 1, 'not retried');
  assert.equal(fake.scaleSets.size, 0);
});

test('permission denied (403 AuthorizationFailed): a permission error naming the role', async () => {
  fake.fail(403, { error: { code: 'AuthorizationFailed', message: `The client 'a@example.com' does not have authorization to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' over scope '${SET_PATH}'.` } }, { method: 'PUT' });
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'permission') && /virtualMachineScaleSets\/write/.test(e.message) && /Virtual Machine Contributor/.test(e.fix));
  assert.equal(fake.scaleSets.size, 0);
});

test('throttled (429 with Retry-After) creates are retried and the launch goes through', async () => {
  fake.fail(429, { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } }, { method: 'PUT', headers: { 'retry-after': '0' } });
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  assert.equal(result.status.state, 'running');
  assert.equal(puts().length, 2);
  await launcher().stop(job);
});

test('Resource Manager validates the body: a resource group that does not exist, an invalid request — input errors with their fix', async () => {
  fake.resourceGroups.clear();
  const job = jobOf();
  await assert.rejects(launcher().launch({ job, plan: planOf(job), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /resource group ml-training does not exist/.test(e.message) && /az group create -n ml-training -l eastus/.test(e.fix));
  fake.resourceGroups.add(`${SUB}/${RG}`.toLowerCase());
  const root = jobOf('', azureJob.replace(`subnetId: ${SUBNET}`, `subnetId: ${SUBNET}, adminUsername: root`));
  await assert.rejects(launcher().launch({ job: root, plan: planOf(root), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /admin user name 'root' is not allowed/.test(e.message) && /adminUsername/.test(e.fix));
  assert.equal(fake.scaleSets.size, 0);
});

test('refused before anything is created: no subnet, a missing checkpoint container, zones that are not Azure zones, an on-demand base', async () => {
  const noSubnet = jobOf('', azureJob.replace(`, subnetId: ${SUBNET}`, ''));
  await assert.rejects(launcher().launch({ job: noSubnet, plan: planOf(noSubnet), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /names no subnet/.test(e.message) && /azure.subnetId/.test(e.fix));
  const missing = jobOf('', azureJob.replace('azure://ckptacct/checkpoints/run1', 'azure://ckptacct/nothere/run1'));
  await assert.rejects(launcher().launch({ job: missing, plan: planOf(missing), userData: USER_DATA }),
    (e: unknown) => isFinOpsError(e, 'input') && /container nothere does not exist in storage account ckptacct; nothing was created/.test(e.message) && /az storage container create --account-name ckptacct -n nothere/.test(e.fix));
  const zoned = jobOf('', azureJob.replace('zones: ["1", "2"]', 'zones: [eastus-a]'));
  await assert.rejects(launcher().launch({ job: zoned, plan: planOf(zoned), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /zones are numbers/.test(e.message));
  const base = jobOf('count: 2\nonDemand: { base: 1 }\n');
  await assert.rejects(launcher().launch({ job: base, plan: planOf(base), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /no on-demand base/.test(e.message));
  assert.equal(puts().length, 0);
});

test('the fake refuses what Resource Manager refuses: Spot without an eviction policy, a bad max price, no api-version', async () => {
  const put = async (body: unknown, query = '?api-version=2026-03-01') => {
    const { request } = await import('node:https');
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${fake.endpoint}${SET_PATH}${query}`, { method: 'PUT', agent, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  };
  const base = { location: 'eastus', sku: { name: 'Standard_NC4as_T4_v3', capacity: 1 }, properties: { virtualMachineProfile: { priority: 'Spot', osProfile: { computerNamePrefix: 'x', adminUsername: 'mlfinops', adminPassword: 'x' }, storageProfile: { imageReference: { publisher: 'a', offer: 'b', sku: 'c' } }, networkProfile: { networkInterfaceConfigurations: [{ name: 'n', properties: { ipConfigurations: [{ name: 'i', properties: { subnet: { id: SUBNET } } }] } }] } } } };
  const r1 = await put(base);
  assert.equal(r1.status, 400);
  assert.match(r1.text, /Eviction policy must be specified/);
  const withPrice = { ...base, properties: { virtualMachineProfile: { ...base.properties.virtualMachineProfile, evictionPolicy: 'Delete', billingProfile: { maxPrice: 0.1234567 } } } };
  assert.match((await put(withPrice)).text, /maxPrice/);
  assert.match((await put(base, '')).text, /MissingApiVersionParameter/);
});

test('the throw-away SSH key is an OpenSSH RSA public key', () => {
  const key = throwawaySshKey();
  const blob = Buffer.from(key.split(' ')[1]!, 'base64');
  assert.equal(blob.readUInt32BE(0), 7);
  assert.equal(blob.subarray(4, 11).toString(), 'ssh-rsa');
  assert.ok(blob.length > 380, `a 3072-bit key (${blob.length} bytes)`);
});

test('a large start-up script goes compressed (cloud-init reads gzip custom data)', async () => {
  const big = `#!/bin/sh\n# ${'x'.repeat(70_000)}\n`;
  const job = jobOf();
  await launcher().launch({ job, plan: planOf(job), userData: big });
  const body = puts()[0]!.body as { properties: { virtualMachineProfile: { osProfile: { customData: string } } } };
  assert.equal(gunzipSync(Buffer.from(body.properties.virtualMachineProfile.osProfile.customData, 'base64')).toString('utf8'), big);
  await launcher().stop(job);
});

test('the launcher registry builds the Azure launcher; the CLI shows the plan and launches nothing without --yes', async () => {
  const l = spotLauncherFor(jobOf(), { aws: { profile: '', endpoint: '' }, gcp: { endpoint: '' }, azure: { endpoint: fake.endpoint, credential, agent } });
  assert.equal(l.cloud, 'azure');
  const dir = mkdtempSync(join(tmpdir(), 'mlfinops-spot-az-cli-'));
  mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
  writeFileSync(join(dir, '.finops/jobs/train-z.yaml'), azureJob);
  const refused = await runCli(['spot', 'launch', 'train-z', '--endpoint', fake.endpoint], { cwd: dir, env: { ...process.env, ...offlineEnv } });
  assert.equal(refused.code, 2);
  assert.match(refused.err, /Virtual machine scale set mlfinops-train-z in ml-training \(eastus\): 1 × Standard_NC4as_T4_v3, priority Spot, eviction policy Delete, max price \$0\.2000\/h/);
  assert.match(refused.err, /needs --yes/);
  assert.equal(fake.requests.length, 0);
});

test('a finished Azure job deletes its own VM from the scale set (an OS shutdown would leave it allocated and billed)', async () => {
  const { buildUserData } = await import('../../../src/core/spot/userData');
  const { execFileSync } = await import('node:child_process');
  const script = buildUserData(jobOf(), []);
  assert.match(script, /IMDS=http:\/\/169\.254\.169\.254\/metadata\n/);
  assert.match(script, /"\$IMDS\/identity\/oauth2\/token\?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement\.azure\.com%2F"/);
  assert.match(script, /curl -sf -X DELETE -H "Authorization: Bearer \$TOKEN" "https:\/\/management\.azure\.com\$\{VMID\}\?api-version=2024-07-01" \|\| shutdown -h now/);
  const file = join(mkdtempSync(join(tmpdir(), 'mlfinops-ud-')), 'user-data.sh');
  writeFileSync(file, script);
  execFileSync('sh', ['-n', file]);
});

test('preflight: the checks a confirmation shows, with nothing created; a launch given them does not repeat them', async () => {
  const job = jobOf();
  const checked = await launcher().preflight({ job, plan: planOf(job), userData: USER_DATA });
  assert.match(checked.checks[0]!, /azure:\/\/ckptacct\/checkpoints\/run1: reachable/);
  assert.match(checked.checks[1]!, /billingProfile\.maxPrice.*not checked: live prices are off/);
  assert.ok(checked.checks.some((c) => /billingProfile\.maxPrice/.test(c)));
  assert.ok(checked.checks.some((c) => /No earlier launch of "train-z".*no DryRun/.test(c)));
  assert.equal(puts().length, 0);
  fake.requests.length = 0;
  await launcher().launch({ job, plan: planOf(job), userData: USER_DATA, checked });
  assert.equal(fake.requests.filter((r) => r.method === 'HEAD').length, 0, 'the container is not checked again');
  await launcher().stop(job);
});

test('console output: the VM\'s serial log through boot diagnostics (on in the scale set) and its signed link', async () => {
  const job = jobOf();
  const result = await launcher().launch({ job, plan: planOf(job), userData: USER_DATA });
  const body = puts()[0]!.body as { properties: { virtualMachineProfile: { diagnosticsProfile?: { bootDiagnostics?: { enabled?: boolean } } } } };
  assert.equal(body.properties.virtualMachineProfile.diagnosticsProfile?.bootDiagnostics?.enabled, true);
  const vm = result.status.instances[0]!;
  fake.serialOutput.set(vm.id, 'cloud-init: mlfinops: training started\nmlfinops: checkpoint step 100\n');
  assert.match(await launcher().consoleOutput(job, vm.id), /mlfinops: checkpoint step 100/);
  const post = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/retrieveBootDiagnosticsData'))!;
  assert.equal(post.path, `${SET_PATH}/virtualMachines/0/retrieveBootDiagnosticsData`);
  assert.equal(post.query.sasUriExpirationTimeInMinutes, '10');
  await launcher().stop(job);
});

test('live prices: a max price below the current Spot price (Azure Retail Prices API) is refused before anything is called; above it, the check says so', async () => {
  const retail = await startAzureRetailFake();
  try {
    const product = 'Virtual Machines NCasT4_v3 Series';
    const size = 'Standard_NC4as_T4_v3';
    const spotAt = (unitPrice: number) => retail.setItems([
      retailItem({ armSkuName: size, armRegionName: 'eastus', unitPrice: 0.526, skuName: 'NC4as T4 v3', productName: product }),
      retailItem({ armSkuName: size, armRegionName: 'eastus', unitPrice, skuName: 'NC4as T4 v3 Spot', productName: product }),
      retailItem({ armSkuName: size, armRegionName: 'eastus', unitPrice: 0.9, skuName: 'NC4as T4 v3 Spot', productName: `${product} Windows` }),
      retailItem({ armSkuName: size, armRegionName: 'westus2', unitPrice: 0.05, skuName: 'NC4as T4 v3 Spot', productName: product }),
    ]);
    const live = launcher({ retailPrices: { endpoint: retail.endpoint } });
    const job = jobOf(); // maxPricePerHour: 0.2

    // the Spot price is above the max price: refused, with the price, its source and the fix; nothing else was called
    spotAt(0.2630);
    await assert.rejects(live.preflight({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input')
      && /The max price \$0\.2000\/h of "train-z" is below the current Spot price of Standard_NC4as_T4_v3 in eastus, \$0\.2630\/h \(Azure Retail Prices API \(live, \d{4}-\d{2}-\d{2}\)\)/.test(e.message)
      && /nothing was created/.test(e.message) && /Raise maxPricePerHour to at least \$0\.2630\/h/.test(e.fix));
    assert.equal(fake.requests.length, 0, 'no Resource Manager or storage call');
    const query = new URL(retail.requests[0]!, retail.endpoint);
    assert.equal(query.searchParams.get('$filter'), `serviceName eq 'Virtual Machines' and armSkuName eq '${size}' and armRegionName eq 'eastus'`);
    // launch() refuses the same way, and creates nothing
    await assert.rejects(live.launch({ job, plan: planOf(job), userData: USER_DATA }), (e: unknown) => isFinOpsError(e, 'input') && /below the current Spot price/.test(e.message));
    assert.equal(puts().length, 0);

    // under the max price: the check is one of the lines the confirmation shows
    spotAt(0.1578);
    const checked = await live.preflight({ job, plan: planOf(job), userData: USER_DATA });
    assert.ok(checked.checks.some((c) => /^Current Spot price of Standard_NC4as_T4_v3 in eastus: \$0\.1578\/h \(Azure Retail Prices API \(live, .*\)\), under the max price \$0\.2000\/h/.test(c)), checked.checks.join('\n'));

    // the price API failing is a warning, not a refusal
    retail.failNext(400);
    const warned = await live.preflight({ job, plan: planOf(job), userData: USER_DATA });
    assert.ok(warned.checks.some((c) => /! The current Spot price of Standard_NC4as_T4_v3 in eastus could not be read \(.*HTTP 400/.test(c)), warned.checks.join('\n'));

    // live prices off: not read, and the check says how to turn them on
    retail.requests.length = 0;
    const off = await launcher().preflight({ job, plan: planOf(job), userData: USER_DATA });
    assert.ok(off.checks.some((c) => /not checked: live prices are off \(the mlFinops\.savings\.livePrices setting, or --live\)/.test(c)));
    assert.equal(retail.requests.length, 0);

    // the CLI: --live with the endpoint; refused with exit code 2 before any signed-in call
    spotAt(0.2630);
    const dir = mkdtempSync(join(tmpdir(), 'mlfinops-spot-az-live-'));
    mkdirSync(join(dir, '.finops/jobs'), { recursive: true });
    writeFileSync(join(dir, '.finops/jobs/train-z.yaml'), azureJob);
    fake.requests.length = 0;
    const cli = await runCli(['spot', 'launch', 'train-z', '--yes', '--live', '--azure-prices-endpoint', retail.endpoint, '--endpoint', fake.endpoint], { cwd: dir, env: { ...process.env, ...offlineEnv } });
    assert.equal(cli.code, 2, cli.err);
    assert.match(cli.err, /below the current Spot price of Standard_NC4as_T4_v3 in eastus, \$0\.2630\/h/);
    assert.equal(fake.requests.length, 0);
    // the environment variable names the endpoint too; a bad one is a usage error
    const viaEnv = await runCli(['spot', 'launch', 'train-z', '--yes', '--live', '--endpoint', fake.endpoint], { cwd: dir, env: { ...process.env, ...offlineEnv, MLFINOPS_AZURE_PRICES_ENDPOINT: retail.endpoint } });
    assert.match(viaEnv.err, /below the current Spot price/);
    const bad = await runCli(['spot', 'launch', 'train-z', '--yes', '--live', '--azure-prices-endpoint', 'prices.example'], { cwd: dir, env: { ...process.env, ...offlineEnv } });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--azure-prices-endpoint is an http\(s\) URL/);
  } finally {
    await retail.stop();
  }
});
