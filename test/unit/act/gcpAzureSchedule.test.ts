import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOfflineEnv } from '../../support/moto';
import { startVmScheduleFakes, type VmScheduleFakes } from '../../support/fakes/vmSchedules';
import { GcpVmScheduler } from '../../../src/providers/gcp/shutdownSchedule';
import { AzureVmScheduler } from '../../../src/providers/azure/shutdownSchedule';
import { applySchedule, prepareSchedule, undoAction } from '../../../src/core/act/scheduleAction';
import { scheduleSaving } from '../../../src/core/act/shutdownPlan';
import { emptyJournal, type Journal, type JournalStore, type VmScheduler } from '../../../src/core/act/journal';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
let fakes: VmScheduleFakes;
before(async () => { fakes = await startVmScheduleFakes(); });
after(async () => { await fakes.stop(); });

const SUB = '00000000-0000-0000-0000-0000000000aa';
const VM_ID = `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.Compute/virtualMachines/gpu-box`;
const SCHEDULE_ID = `/subscriptions/${SUB}/resourceGroups/ml/providers/Microsoft.DevTestLab/schedules/shutdown-computevm-gpu-box`;

beforeEach(() => {
  fakes.requests.length = 0;
  fakes.gcpVms.clear();
  fakes.gcpPolicies.clear();
  fakes.azureVms.clear();
  fakes.azureSchedules.clear();
  fakes.gcpVms.set('ml-prod-123/us-central1-a/trainer-1', { project: 'ml-prod-123', zone: 'us-central1-a', name: 'trainer-1', status: 'RUNNING', machineType: 'a2-highgpu-1g', labels: { team: 'nlp' }, resourcePolicies: [] });
  fakes.azureVms.set(VM_ID.toLowerCase(), { id: VM_ID, name: 'gpu-box', location: 'westeurope', vmSize: 'Standard_NC24ads_A100_v4', power: 'running', tags: { Team: 'cv' } });
});

function memoryStore(): JournalStore & { journal: Journal } {
  const store = { journal: emptyJournal(), where: 'memory', read: async () => structuredClone(store.journal), write: async (j: Journal) => { store.journal = structuredClone(j); } };
  return store;
}

const gcp = () => new GcpVmScheduler({ endpoint: fakes.endpoint, accessToken: 'test-token' });
const azure = () => new AzureVmScheduler({ endpoint: fakes.endpoint, tenantId: '', credential: { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) } });

function prepare(resource: string, schedule: string, provider: VmScheduler) {
  return prepareSchedule({
    resource, schedule, defaultTimeZone: 'UTC', scheduler: () => provider,
    saving: (facts, s) => scheduleSaving({ prices: shippedCatalogue().prices(facts.size, facts.ref.provider === 'azure' ? 'eastus' : facts.region), hoursPerMonth: 730, month: { year: 2026, month: 12 }, schedule: s }),
  });
}

const gcpState = () => ({ policies: [...fakes.gcpPolicies.keys()].sort(), attached: [...fakes.gcpVms.values()].map((v) => [v.name, [...v.resourcePolicies]]) });
const azureState = () => [...fakes.azureSchedules.entries()].map(([k, v]) => [k, structuredClone(v)]);
const writes = () => fakes.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/wait'));

describe('shutdown schedules on Google Cloud (Compute Engine fake with the documented shapes)', () => {
  test('creates an instance schedule policy in the region and attaches it; undo detaches and deletes it', async () => {
    const beforeState = gcpState();
    const store = memoryStore();
    const { plan, scheduler } = await prepare('//compute.googleapis.com/projects/ml-prod-123/zones/us-central1-a/instances/trainer-1', 'Mon-Fri 08:00-19:00 Europe/Berlin', gcp());
    assert.deepEqual(writes(), [], 'planning changes nothing');
    assert.equal(plan.facts.size, 'a2-highgpu-1g');
    const entry = await applySchedule(plan, scheduler, store);
    const [insert, attach] = writes();
    assert.equal(insert?.method, 'POST');
    assert.equal(insert?.path, '/compute/v1/projects/ml-prod-123/regions/us-central1/resourcePolicies');
    const body = insert?.body as { name: string; instanceSchedulePolicy: unknown };
    assert.deepEqual(body.instanceSchedulePolicy, { vmStartSchedule: { schedule: '0 8 * * 1-5' }, vmStopSchedule: { schedule: '0 19 * * 1-5' }, timeZone: 'Europe/Berlin' });
    assert.equal(attach?.path, '/compute/v1/projects/ml-prod-123/zones/us-central1-a/instances/trainer-1/addResourcePolicies');
    assert.match(((attach?.body as { resourcePolicies: string[] }).resourcePolicies[0]) ?? '', new RegExp(`/projects/ml-prod-123/regions/us-central1/resourcePolicies/${body.name}$`));
    assert.ok(fakes.requests.every((r) => r.authorization === 'Bearer test-token'));
    assert.equal(fakes.gcpVms.get('ml-prod-123/us-central1-a/trainer-1')?.resourcePolicies.length, 1);
    assert.deepEqual(fakes.gcpVms.get('ml-prod-123/us-central1-a/trainer-1')?.labels, { team: 'nlp' }, 'labels untouched');

    await undoAction(store, entry.id, () => scheduler);
    assert.deepEqual(gcpState(), beforeState);
  });

  test('a VM that already has an instance schedule is refused before anything changes', async () => {
    fakes.gcpPolicies.set('ml-prod-123/us-central1/office', { name: 'office', instanceSchedulePolicy: { vmStopSchedule: { schedule: '0 18 * * *' }, timeZone: 'UTC' } });
    fakes.gcpVms.get('ml-prod-123/us-central1-a/trainer-1')!.resourcePolicies.push('https://www.googleapis.com/compute/v1/projects/ml-prod-123/regions/us-central1/resourcePolicies/office');
    await assert.rejects(prepare('projects/ml-prod-123/zones/us-central1-a/instances/trainer-1', 'Mon-Fri 08:00-19:00 UTC', gcp()), (e: unknown) => isFinOpsError(e, 'input') && /only one/.test(e.message) && /remove-resource-policies/.test(e.fix));
    assert.deepEqual(writes(), []);
  });
});

describe('shutdown schedules on Azure (Resource Manager fake with the documented DevTest Labs shapes)', () => {
  test('PUTs shutdown-computevm-<vm> (ComputeVmShutdownTask, daily HHmm, Windows zone); undo deletes it', async () => {
    const store = memoryStore();
    const { plan, scheduler } = await prepare(VM_ID, 'Mon-Fri 08:00-19:00 Europe/Berlin', azure());
    assert.deepEqual(writes(), [], 'planning changes nothing');
    assert.equal(plan.facts.state, 'VM running');
    assert.match(plan.documents[0]!.content, /Start-AzVM -ResourceGroupName ml -Name gpu-box/);
    const entry = await applySchedule(plan, scheduler, store);
    const [put] = writes();
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.path, SCHEDULE_ID);
    assert.equal(put?.query['api-version'], '2018-09-15');
    assert.deepEqual(put?.body, {
      location: 'westeurope',
      tags: { ManagedBy: 'ml-finops', 'ml-finops-schedule': 'Mon-Fri 08:00-19:00 Europe/Berlin' },
      properties: { status: 'Enabled', taskType: 'ComputeVmShutdownTask', dailyRecurrence: { time: '1900' }, timeZoneId: 'W. Europe Standard Time', notificationSettings: { status: 'Disabled', timeInMinutes: 30 }, targetResourceId: VM_ID },
    });
    assert.equal(fakes.azureSchedules.size, 1);
    await undoAction(store, entry.id, () => scheduler);
    assert.deepEqual(azureState(), []);
  });

  test('over an existing auto-shutdown: the plan says Replace, and undo PUTs the old one back', async () => {
    const old = { location: 'westeurope', tags: { owner: 'ops' }, properties: { status: 'Enabled', taskType: 'ComputeVmShutdownTask', dailyRecurrence: { time: '2200' }, timeZoneId: 'UTC', notificationSettings: { status: 'Disabled', timeInMinutes: 30 }, targetResourceId: VM_ID } };
    const seed = await fetch(`${fakes.endpoint}${SCHEDULE_ID}?api-version=2018-09-15`, { method: 'PUT', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: JSON.stringify(old) });
    assert.equal(seed.status, 201);
    const beforeProps = structuredClone((fakes.azureSchedules.get(SCHEDULE_ID.toLowerCase()) as { properties: Record<string, unknown> }).properties);
    fakes.requests.length = 0;
    const store = memoryStore();
    const { plan, scheduler } = await prepare(VM_ID, 'Mon-Fri 08:00-19:00 Europe/Berlin', azure());
    assert.ok(plan.changes[0]?.kind === 'azureShutdown' && plan.changes[0].exists);
    const entry = await applySchedule(plan, scheduler, store);
    assert.equal((fakes.azureSchedules.get(SCHEDULE_ID.toLowerCase()) as { properties: { dailyRecurrence: { time: string } } }).properties.dailyRecurrence.time, '1900');
    await undoAction(store, entry.id, () => scheduler);
    const restored = fakes.azureSchedules.get(SCHEDULE_ID.toLowerCase()) as { tags: unknown; properties: Record<string, unknown> };
    const strip = (p: Record<string, unknown>) => { const { createdDate: _c, uniqueIdentifier: _u, ...rest } = p; void _c; void _u; return rest; };
    assert.deepEqual(restored.tags, { owner: 'ops' });
    assert.deepEqual(strip(restored.properties), strip(beforeProps));
  });

  test('a deallocated VM is refused; a zone without a Windows id names the fix', async () => {
    fakes.azureVms.get(VM_ID.toLowerCase())!.power = 'deallocated';
    await assert.rejects(prepare(VM_ID, 'Mon-Fri 08:00-19:00 Europe/Berlin', azure()), (e: unknown) => isFinOpsError(e, 'input') && /not running/.test(e.message));
    fakes.azureVms.get(VM_ID.toLowerCase())!.power = 'running';
    await assert.rejects(prepare(VM_ID, 'Mon-Fri 08:00-19:00 Pacific/Chatham', azure()), (e: unknown) => isFinOpsError(e, 'input') && /Windows time zone/.test(e.message));
    assert.deepEqual(writes(), []);
  });
});
