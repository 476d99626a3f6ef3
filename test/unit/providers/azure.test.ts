import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { applyOfflineEnv } from '../../support/moto';
import { startAzureFake, type AzureFake, type UsageRecord } from '../../support/fakes/azureArm';
import { CostManagementSource } from '../../../src/providers/azure/costManagement';
import { ResourceGraphInventory } from '../../../src/providers/azure/resourceGraph';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { isFinOpsError } from '../../../src/core/errors';
import type { CostQuery, CostRow } from '../../../src/core/cost/model';

applyOfflineEnv();
const SUB = '2f1c0c51-3f7e-4a6b-9d51-0a8a6f0f1a11';
const OTHER_SUB = '7d2b3a40-1111-4c4c-8e8e-123456789abc';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let fake: AzureFake;
let agent: Agent;
const scopesAsked: string[][] = [];
const credential: TokenCredential = {
  getToken: async (scopes) => {
    scopesAsked.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: 'fake-token', expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

before(async () => {
  fake = await startAzureFake();
  agent = new Agent({ ca: fake.ca });
});
after(async () => {
  agent?.destroy();
  await fake?.stop();
});
beforeEach(() => {
  fake.reset();
  scopesAsked.length = 0;
});

function records(): UsageRecord[] {
  let seed = 11;
  const next = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
  const out: UsageRecord[] = [];
  const days = ['2024-09-01', '2024-09-02', '2024-09-03', '2024-10-01'];
  const services = ['Virtual Machines', 'Azure Machine Learning', 'Storage'];
  const teams = ['vision', 'speech', undefined];
  for (const sub of [SUB, OTHER_SUB]) for (const date of days) for (const s of services) for (const team of teams) {
    const actual = Math.round(next() * 50000) / 100;
    out.push({
      date, subscriptionId: sub, dims: { ServiceName: s, ResourceLocation: 'eastus', ChargeType: 'Usage', PricingModel: s === 'Virtual Machines' && team === 'vision' ? 'Spot' : 'OnDemand' },
      tags: team ? { Team: team } : {}, actualCost: actual, amortizedCost: Math.round(actual * 90) / 100, currency: 'EUR',
    });
  }
  return out;
}

function source(extra: Partial<ConstructorParameters<typeof CostManagementSource>[0]> = {}) {
  return new CostManagementSource({ scope: `/subscriptions/${SUB}`, endpoint: fake.endpoint, tenantId: TENANT, credential, agent, retry: { baseMs: 5 }, ...extra });
}

/** The same aggregation, computed here from the fake's records. */
function expected(recs: UsageRecord[], q: CostQuery, tagKey = 'Team'): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of recs) {
    if (r.subscriptionId !== SUB || r.date < q.period.start || r.date >= q.period.end) continue;
    const period = q.granularity === 'daily' ? r.date : q.granularity === 'monthly' ? `${r.date.slice(0, 7)}-01` : q.period.start;
    const groups = q.groupBy.map((k) => (k === 'ServiceName' ? r.dims.ServiceName : k.startsWith('tag:') ? r.tags[tagKey] ?? null : k === 'PricingCategory' ? (r.dims.PricingModel === 'Spot' ? 'Dynamic' : 'Standard') : 'Microsoft'));
    const id = JSON.stringify([period, ...groups]);
    out.set(id, (out.get(id) ?? 0) + (q.metric === 'BilledCost' ? r.actualCost : r.amortizedCost));
  }
  return out;
}
function actual(rows: CostRow[], q: CostQuery): Map<string, number> {
  return new Map(rows.map((r) => [JSON.stringify([r.period, ...q.groupBy.map((k) => r.groups[k])]), r.cost]));
}
function assertSame(a: Map<string, number>, b: Map<string, number>) {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of a) assert.ok(Math.abs(v - b.get(k)!) < 1e-6, `${k}: ${v} vs ${b.get(k)}`);
}

describe('Azure Cost Management Query against the HTTPS fake', () => {
  test('groups by a dimension and TagKey, follows nextLink with the same body, and carries the currency', async () => {
    fake.usage.push(...records());
    fake.pageSize.query = 4;
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['ServiceName', 'tag:Team'], metric: 'BilledCost' };
    const meter = new RequestMeter();
    const result = await source({ meter }).query(q);

    const sent = fake.requests;
    assert.ok(sent.length >= 3, `paged (${sent.length} requests)`);
    assert.equal(sent[0]!.path, `/subscriptions/${SUB}/providers/Microsoft.CostManagement/query`);
    assert.ok(sent[0]!.query['api-version']);
    assert.equal(sent[0]!.query.$skiptoken, undefined);
    for (const r of sent) {
      assert.equal(r.method, 'POST');
      assert.equal(r.authorization, 'Bearer fake-token', 'the bearer token is sent on every page');
      assert.deepEqual(r.body, sent[0]!.body, 'every page repeats the query body');
    }
    for (const r of sent.slice(1)) assert.ok(r.query.$skiptoken, 'later pages come from nextLink');
    assert.deepEqual(sent[0]!.body, {
      type: 'ActualCost', timeframe: 'Custom',
      timePeriod: { from: '2024-09-01T00:00:00.000Z', to: '2024-09-30T23:59:59.000Z' },
      dataset: { granularity: 'Daily', aggregation: { totalCost: { name: 'Cost', function: 'Sum' } }, grouping: [{ type: 'Dimension', name: 'ServiceName' }, { type: 'TagKey', name: 'Team' }] },
    });
    assert.deepEqual(scopesAsked[0], [`${fake.endpoint}/.default`]);
    assertSame(actual(result.rows, q), expected(fake.usage, q));
    assert.ok(result.rows.every((r) => r.currency === 'EUR'));
    assert.equal(meter.count('azure'), sent.length);
  });

  test('EffectiveCost is AmortizedCost; monthly rows are summed from days; total asks for no granularity', async () => {
    fake.usage.push(...records());
    const monthly: CostQuery = { period: { start: '2024-09-01', end: '2024-11-01' }, granularity: 'monthly', groupBy: ['PricingCategory', 'ProviderName'], metric: 'EffectiveCost' };
    const m = await source().query(monthly);
    const body = fake.requests[0]!.body as { type: string; dataset: { grouping: unknown; granularity?: string } };
    assert.equal(body.type, 'AmortizedCost');
    assert.deepEqual(body.dataset.grouping, [{ type: 'Dimension', name: 'PricingModel' }]);
    assertSame(actual(m.rows, monthly), expected(fake.usage, monthly));

    const total: CostQuery = { ...monthly, granularity: 'total', groupBy: ['tag:Team'] };
    const t = await source().query(total);
    assert.equal((fake.requests[1]!.body as { dataset: { granularity?: string } }).dataset.granularity, undefined);
    assertSame(actual(t.rows, total), expected(fake.usage, total));
  });

  test('429 waits for the Retry-After the service names before asking again', async () => {
    fake.usage.push(...records());
    fake.throttle(1, { 'retry-after': '1' });
    fake.throttle(1, { 'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '1' });
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-09-02' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' };
    const result = await source({ retry: { baseMs: 10 } }).query(q);
    assert.equal(fake.requests.length, 3);
    assert.ok(fake.requests[1]!.at - fake.requests[0]!.at >= 1000, `waited ${fake.requests[1]!.at - fake.requests[0]!.at} ms after Retry-After: 1`);
    assert.ok(fake.requests[2]!.at - fake.requests[1]!.at >= 1000, 'the Cost Management QPU retry-after header is honoured too');
    assertSame(actual(result.rows, q), expected(fake.usage, q));
  });

  test('throttling that outlasts the retries is reported as throttled', async () => {
    fake.throttle(3, { 'retry-after': '0' });
    await assert.rejects(source({ retry: { attempts: 3, baseMs: 1 } }).query({ period: { start: '2024-09-01', end: '2024-09-02' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' }),
      (e) => isFinOpsError(e, 'throttled'));
    assert.equal(fake.requests.length, 3);
  });

  test('403 names the role, 401 names the tenant and `az login --tenant`, 404 names the scope', async () => {
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-09-02' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' };
    fake.fail(403, { error: { code: 'RBACAccessDenied', message: 'The client does not have authorization to perform action.' } });
    await assert.rejects(source().query(q), (e) => isFinOpsError(e, 'permission') && /Cost Management Reader/.test(e.fix ?? '') && /Microsoft\.CostManagement\/query\/action/.test(e.message));
    fake.fail(401, { error: { code: 'ExpiredAuthenticationToken', message: 'The access token expiry UTC time is earlier than current UTC time.' } });
    await assert.rejects(source().query(q), (e) => isFinOpsError(e, 'auth') && e.message.includes(TENANT) && (e.fix ?? '').includes(`az login --tenant ${TENANT}`));
    fake.fail(404, { error: { code: 'SubscriptionNotFound', message: 'The subscription could not be found.' } });
    await assert.rejects(source().query(q), (e) => isFinOpsError(e, 'input') && e.message.includes(SUB));
  });

  test('credential failures: no sign-in is notConfigured, an expired one is authExpired; nothing is sent', async () => {
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-09-02' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' };
    const unavailable: TokenCredential = { getToken: async () => { throw new CredentialUnavailableError('DefaultAzureCredential: no credential in the chain provided a token. Azure CLI: Please run az login.'); } };
    await assert.rejects(source({ credential: unavailable, retry: { attempts: 1 } }).query(q), (e) => isFinOpsError(e, 'usage') && (e.fix ?? '').includes('az login'));
    const expired: TokenCredential = { getToken: async () => { throw new AuthenticationRequiredError({ scopes: ['https://management.azure.com/.default'], message: 'AADSTS700082: The refresh token has expired due to inactivity.' }); } };
    await assert.rejects(source({ credential: expired, retry: { attempts: 1 } }).query(q), (e) => isFinOpsError(e, 'auth') && e.message.includes(TENANT));
    assert.equal(fake.requests.length, 0);
  });

  test('untagged spend can be filtered when the tag is grouped; otherwise the query is refused before sending', async () => {
    fake.usage.push(...records());
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost', filters: [{ key: 'tag:Team', values: [null] }] };
    const result = await source().query(q);
    assert.deepEqual(result.rows.map((r) => r.groups['tag:Team']), [null]);
    assert.ok(Math.abs(result.rows[0]!.cost - expected(fake.usage, q).get(JSON.stringify(['2024-09-01', null]))!) < 1e-6);
    fake.requests.length = 0;
    await assert.rejects(source().query({ ...q, groupBy: [] }), (e) => isFinOpsError(e, 'input'));
    await assert.rejects(source().query({ ...q, metric: 'ListCost' }), (e) => isFinOpsError(e, 'input'));
    assert.equal(fake.requests.length, 0);
  });

  test('tag and dimension filters are sent as an `and` of `In` comparisons', async () => {
    fake.usage.push(...records());
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['ServiceName'], metric: 'BilledCost', filters: [{ key: 'tag:Team', values: ['vision'] }, { key: 'PricingCategory', values: ['Dynamic'] }] };
    const result = await source().query(q);
    assert.deepEqual((fake.requests[0]!.body as { dataset: { filter: unknown } }).dataset.filter, { and: [
      { tags: { name: 'Team', operator: 'In', values: ['vision'] } },
      { dimensions: { name: 'PricingModel', operator: 'In', values: ['Spot'] } },
    ] });
    const want = fake.usage.filter((r) => r.subscriptionId === SUB && r.date < '2024-10-01' && r.tags.Team === 'vision' && r.dims.PricingModel === 'Spot').reduce((s, r) => s + r.actualCost, 0);
    assert.deepEqual(result.rows.map((r) => r.groups.ServiceName), ['Virtual Machines']);
    assert.ok(Math.abs(result.rows[0]!.cost - want) < 1e-6);
  });

  test('a nextLink to another host is not followed: the bearer token stays with Azure Resource Manager', async () => {
    fake.usage.push(...records());
    fake.pageSize.query = 2;
    fake.nextLinkOrigin = 'https://127.0.0.2:1';
    await assert.rejects(source().query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['ServiceName'], metric: 'BilledCost' }), (e) => isFinOpsError(e, 'internal') && /not followed/.test(e.message));
    assert.equal(fake.requests.length, 1);
  });

  test('a scope that is not a Cost Management scope is refused with the fix', () => {
    assert.throws(() => source({ scope: '/not/a-scope' }), (e) => isFinOpsError(e, 'input') && /mlFinops\.azure\.scope/.test(e.fix ?? ''));
  });
});

describe('Azure Resource Graph inventory against the HTTPS fake', () => {
  function vm(i: number, sub: string, extra: Partial<{ tags: Record<string, string>; priority: string; size: string; rg: string }> = {}) {
    const rg = extra.rg ?? 'ml-training';
    return {
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/gpu${i}`, name: `gpu${i}`,
      type: 'Microsoft.Compute/virtualMachines', location: 'eastus', resourceGroup: rg, subscriptionId: sub,
      ...(extra.tags ? { tags: extra.tags } : {}),
      properties: { hardwareProfile: { vmSize: extra.size ?? 'Standard_NC24ads_A100_v4' }, ...(extra.priority ? { priority: extra.priority } : {}), extended: { instanceView: { powerState: { code: 'PowerState/running' } } } },
    };
  }

  test('pages with $skipToken over the scope subscription; sizes, spot priority and tags are mapped', async () => {
    fake.resources.push(
      vm(1, SUB, { tags: { Team: 'vision' }, priority: 'Spot' }), vm(2, SUB, { tags: { Team: 'speech' } }), vm(3, SUB), vm(4, SUB, { size: 'Standard_ND96asr_v4', rg: 'research' }),
      { id: `/subscriptions/${SUB}/resourceGroups/ml-training/providers/Microsoft.Storage/storageAccounts/data1`, name: 'data1', type: 'Microsoft.Storage/storageAccounts', location: 'eastus', resourceGroup: 'ml-training', subscriptionId: SUB, tags: { Team: 'vision' }, sku: { name: 'Standard_LRS' } },
      vm(9, OTHER_SUB, { tags: { Team: 'other' } }),
    );
    const inventory = new ResourceGraphInventory({ scope: `/subscriptions/${SUB}`, endpoint: fake.endpoint, tenantId: '', credential, agent, pageSize: 2 });
    const resources = await inventory.listResources();
    assert.equal(fake.requests.length, 3, '5 resources in pages of 2');
    for (const r of fake.requests) {
      assert.equal(r.path, '/providers/Microsoft.ResourceGraph/resources');
      assert.equal(r.authorization, 'Bearer fake-token');
      const body = r.body as { subscriptions: string[]; query: string; options: Record<string, unknown> };
      assert.deepEqual(body.subscriptions, [SUB]);
      assert.match(body.query, /^Resources\n\| project id, name, type, location/);
      assert.equal(body.options.resultFormat, 'objectArray');
      assert.equal(body.options.$top, 2);
    }
    assert.equal((fake.requests[0]!.body as { options: Record<string, unknown> }).options.$skipToken, undefined);
    assert.ok((fake.requests[1]!.body as { options: Record<string, unknown> }).options.$skipToken);
    assert.deepEqual(resources.map((r) => r.name), ['gpu1', 'gpu2', 'gpu3', 'gpu4', 'data1']);
    const gpu1 = resources[0]!;
    assert.equal(gpu1.provider, 'Microsoft');
    assert.equal(gpu1.type, 'microsoft.compute/virtualmachines');
    assert.equal(gpu1.size, 'Standard_NC24ads_A100_v4');
    assert.equal(gpu1.attributes?.lifecycle, 'spot');
    assert.equal(gpu1.attributes?.state, 'running');
    assert.deepEqual(gpu1.tags, { Team: 'vision' });
    assert.deepEqual(resources[2]!.tags, {});
    assert.equal(resources[4]!.size, 'Standard_LRS');
  });

  test('a resource-group scope narrows the query; 429 is retried after Retry-After', async () => {
    fake.resources.push(vm(1, SUB), vm(2, SUB, { rg: 'research' }));
    fake.throttle(1, { 'retry-after': '1' }, 'graph');
    const inventory = new ResourceGraphInventory({ scope: `/subscriptions/${SUB}/resourceGroups/research`, endpoint: fake.endpoint, tenantId: '', credential, agent, retry: { baseMs: 10 } });
    const resources = await inventory.listResources();
    assert.deepEqual(resources.map((r) => r.name), ['gpu2']);
    assert.equal(fake.requests.length, 2);
    assert.ok(fake.requests[1]!.at - fake.requests[0]!.at >= 1000);
    assert.match((fake.requests[1]!.body as { query: string }).query, /where resourceGroup =~ 'research'/);
  });

  test('403 from Resource Graph names the Reader role', async () => {
    fake.fail(403, { error: { code: 'AuthorizationFailed', message: 'no access' } }, 'graph');
    const inventory = new ResourceGraphInventory({ scope: `/subscriptions/${SUB}`, endpoint: fake.endpoint, tenantId: '', credential, agent });
    await assert.rejects(inventory.listResources(), (e) => isFinOpsError(e, 'permission') && /"Reader"/.test(e.fix ?? ''));
  });
});
