import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { applyOfflineEnv, startMoto, type Moto } from '../../support/moto';
import { startRecordingProxy, type RecordingProxy } from '../../support/fakes/recordingProxy';
import { startAzureFake, type AzureFake } from '../../support/fakes/azureArm';
import { startGcpFake, type GcpFake } from '../../support/fakes/gcp';
import { SourceRegistry, type SourceFactory } from '../../../src/providers/registry';
import { cloudSourceFactories, type CloudOverrides } from '../../../src/providers/cloudSources';
import { resolvePeriod, todayUtc } from '../../../src/core/period';
import { DiskCache } from '../../../src/providers/diskCache';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { parseSettings, type Settings } from '../../../src/core/settings';
import { FinOpsError } from '../../../src/core/errors';
import type { CostQuery } from '../../../src/core/cost/model';
import type { SourceState } from '../../../src/core/sources';

applyOfflineEnv();
const SUB = '2f1c0c51-3f7e-4a6b-9d51-0a8a6f0f1a11';
const PROJECT = 'ml-finops-billing';
const TABLE = `${PROJECT}.billing.gcp_billing_export_v1_0123AB_CDEF45_6789AB`;

let moto: Moto;
let proxy: RecordingProxy;
let azure: AzureFake;
let gcp: GcpFake;
let agent: Agent;
let scratch: string;

before(async () => {
  [moto, azure, gcp] = await Promise.all([startMoto(), startAzureFake(), startGcpFake()]);
  proxy = await startRecordingProxy(moto.endpoint);
  agent = new Agent({ ca: azure.ca });
  scratch = mkdtempSync(join(tmpdir(), 'mlfinops-registry-'));
});
after(async () => {
  agent?.destroy();
  await Promise.all([proxy?.stop(), moto?.stop(), azure?.stop(), gcp?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  azure.reset();
  gcp.reset();
});

function settings(raw: Record<string, unknown>): Settings {
  const { settings: s, problems } = parseSettings(raw as never);
  assert.deepEqual(problems, []);
  return s;
}

function overrides(): CloudOverrides {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3600_000 });
  return {
    aws: { credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, retry: { baseMs: 5 } },
    azure: { credential: { getToken: async () => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3600_000 }) }, agent, retry: { baseMs: 5 } },
    gcp: { authClient: auth, retry: { baseMs: 5 } },
  };
}

function allClouds(): Settings {
  return settings({
    'aws.enabled': true, 'aws.profile': 'ml', 'aws.region': 'us-west-2', 'aws.endpoint': proxy.endpoint,
    'azure.enabled': true, 'azure.scope': `/subscriptions/${SUB}`, 'azure.endpoint': azure.endpoint,
    'gcp.enabled': true, 'gcp.projectId': PROJECT, 'gcp.billingTable': TABLE, 'gcp.endpoint': gcp.endpoint,
  });
}

function registry(extra: SourceFactory[] = [], cacheDir?: string, trusted = true) {
  const meter = new RequestMeter();
  const cache = cacheDir ? new DiskCache({ dir: cacheDir, ttlMs: 3600_000 }) : undefined;
  const r = new SourceRegistry([...cloudSourceFactories(overrides()), ...extra], { log: { trace() {}, debug() {}, info() {}, warn() {}, error() {} }, meter, trusted, ...(cache ? { cache } : {}) });
  return { r, meter };
}

const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['ProviderName'], metric: 'EffectiveCost' };

async function seedAll(): Promise<void> {
  await moto.seedCostAndUsage([{ ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-10-01' }, Total: { AmortizedCost: { Amount: '1000.5', Unit: 'USD' } }, Groups: [] }] }]);
  azure.usage.push({ date: '2024-09-10', subscriptionId: SUB, dims: {}, tags: {}, actualCost: 300, amortizedCost: 250, currency: 'EUR' });
  gcp.bigquery.tables.set(TABLE, ['usage_start_time', 'cost', 'currency', 'credits', 'labels', 'project', 'service', 'location'].map((name) => ({ name, type: 'STRING' })));
  gcp.bigquery.answer = (req) => ({ fields: [{ name: 'g0', type: 'STRING' }, { name: 'period', type: 'STRING' }, { name: 'currency', type: 'STRING' }, { name: 'cost', type: 'FLOAT' }], rows: req.query.includes('SUM(') ? [['Google Cloud', '2024-09-01', 'USD', 77.25]] : [] });
}

describe('source registry', () => {
  test('with nothing configured every cloud says what to turn on, and nothing is called', async () => {
    const { r } = registry();
    r.configure(settings({}));
    assert.deepEqual(r.current(), [], 'sources the user has not turned on are not listed in the views');
    const all = r.all();
    assert.deepEqual(all.map((s) => [s.id, s.state.kind, s.enabled]), [['aws', 'notConfigured', false], ['azure', 'notConfigured', false], ['gcp', 'notConfigured', false]]);
    assert.match((all[0]!.state as { fix: string }).fix, /mlFinops\.aws\.enabled/);
    assert.deepEqual(await r.queryCosts(q), []);
    assert.deepEqual(await r.listResources(), []);
    assert.equal((await r.check('azure')).kind, 'notConfigured');
  });

  test('turned on but incomplete: each source names the missing setting; an untrusted workspace makes no calls', () => {
    const { r } = registry();
    r.configure(settings({ 'aws.enabled': true, 'aws.costSource': 'athena', 'aws.athena.database': 'cur', 'azure.enabled': true, 'gcp.enabled': true }));
    const fixes = Object.fromEntries(r.current().map((s) => [s.id, (s.state as { fix?: string }).fix ?? '']));
    assert.match(fixes.aws!, /mlFinops\.aws\.athena\.table/);
    assert.doesNotMatch(fixes.aws!, /athena\.database/);
    assert.match(fixes.azure!, /mlFinops\.azure\.scope/);
    assert.match(fixes.gcp!, /mlFinops\.gcp\.projectId/);
    const untrusted = registry([], undefined, false).r;
    untrusted.configure(allClouds());
    assert.ok(untrusted.current().every((s) => s.state.kind === 'notConfigured' && /not trusted/.test((s.state as { fix: string }).fix)));
    assert.ok(untrusted.current().every((s) => !s.cost && !s.resources));
  });

  test('one failing source never hides the others; states follow each call', async () => {
    await seedAll();
    azure.fail(403, { error: { code: 'RBACAccessDenied', message: 'denied' } }, 'query');
    const { r } = registry();
    r.configure(allClouds());
    const seen: string[] = [];
    r.onDidChange(() => seen.push(r.current().map((s) => `${s.id}:${s.state.kind}`).join(',')));
    const outcomes = await r.queryCosts(q);
    assert.deepEqual(outcomes.map((o) => [o.id, o.ok]), [['aws', true], ['azure', false], ['gcp', true]]);
    const aws = outcomes[0]!;
    const az = outcomes[1]!;
    const g = outcomes[2]!;
    assert.ok(aws.ok && g.ok && !az.ok);
    assert.deepEqual(aws.value.rows.map((x) => [x.groups.ProviderName, x.cost, x.currency]), [['AWS', 1000.5, 'USD']]);
    assert.deepEqual(g.value.rows.map((x) => [x.groups.ProviderName, x.cost]), [['Google Cloud', 77.25]]);
    assert.equal(az.error.reason, 'permission');
    assert.ok(seen.some((line) => line.includes('aws:loading')), 'sources show loading while they work');
    const states = Object.fromEntries(r.current().map((s) => [s.id, s.state]));
    assert.equal(states.aws!.kind, 'ok');
    assert.equal(states.gcp!.kind, 'ok');
    assert.equal(states.azure!.kind, 'error');
    assert.match((states.azure as Extract<SourceState, { kind: 'error' }>).fix ?? '', /Cost Management Reader/);
    // The next successful call clears the error.
    const again = await r.queryCosts(q);
    assert.ok(again[1]!.ok);
    assert.equal(r.state('azure')!.kind, 'ok');
  });

  test('the registry caches cloud cost answers: an identical query within the TTL makes 0 Cost Explorer requests; refresh asks again', async () => {
    await seedAll();
    await moto.seedCostAndUsage([{ ResultsByTime: [{ TimePeriod: { Start: '2024-09-01', End: '2024-10-01' }, Total: { AmortizedCost: { Amount: '1200', Unit: 'USD' } }, Groups: [] }] }]);
    const { r, meter } = registry([], join(scratch, 'cache-a'));
    r.configure(allClouds());
    const first = await r.queryCosts(q);
    assert.equal(proxy.of('GetCostAndUsage').length, 1);
    const second = await r.queryCosts(q);
    assert.equal(proxy.of('GetCostAndUsage').length, 1, 'no second Cost Explorer request');
    assert.equal(meter.count('aws'), 1);
    const awsSecond = second[0]!;
    assert.ok(awsSecond.ok && awsSecond.value.fromCache);
    assert.deepEqual(awsSecond.ok && awsSecond.value.rows, first[0]!.ok && first[0]!.value.rows);
    r.refresh();
    const third = await r.queryCosts(q);
    assert.equal(proxy.of('GetCostAndUsage').length, 2, 'refresh bypasses the cache');
    assert.ok(third[0]!.ok && !third[0]!.value.fromCache);
  });

  test('the connection test proves sign-in and each API, or names what is missing', async () => {
    await seedAll();
    await moto.reset();
    const mtd = resolvePeriod({ preset: 'monthToDate' }, todayUtc());
    await moto.seedCostAndUsage([{ ResultsByTime: [{ TimePeriod: { Start: mtd.start, End: mtd.end }, Total: { AmortizedCost: { Amount: '1234.5', Unit: 'USD' } }, Groups: [] }] }]);
    const { r } = registry();
    r.configure(allClouds());
    const aws = await r.check('aws');
    assert.equal(aws.kind, 'ok');
    assert.match((aws as { detail: string }).detail, /profile "ml".*Cost Explorer answered: USD 1,234\.50 month to date/);
    assert.ok(proxy.of('GetResources').length >= 1 && proxy.of('DescribeInstances').length >= 1);
    azure.fail(401, { error: { code: 'ExpiredAuthenticationToken', message: 'expired' } }, 'graph');
    const az = await r.check('azure');
    assert.equal(az.kind, 'authExpired');
    assert.match((az as { fix: string }).fix, /az login/);
    assert.equal(r.state('azure')!.kind, 'authExpired');
    const g = await r.check('gcp');
    assert.equal(g.kind, 'ok');
    assert.match((g as { detail: string }).detail, /billing export .* is readable/);
    assert.ok(gcp.requests.some((x) => x.path.endsWith('/jobs') && (x.body as { configuration: { dryRun: boolean } }).configuration.dryRun), 'a dry run, not a billed query');
  });

  test('other kinds of source plug in by interface; a factory that throws is one broken source', async () => {
    const focus: SourceFactory = {
      kind: 'focus',
      create: () => [{ id: 'focus', kind: 'focus', label: 'FOCUS file demo.csv', cost: { id: 'focus', label: 'FOCUS file demo.csv', query: async (query) => ({ query, rows: [{ groups: { ProviderName: 'Oracle' }, period: '2024-09-01', cost: 5, currency: 'USD' }], source: 'demo.csv', fetchedAt: new Date().toISOString() }) } }],
    };
    const broken: SourceFactory = { kind: 'iac', create: () => { throw new FinOpsError('input', 'The policy file is not YAML.', { fix: 'Fix .finops.yaml line 3.' }); } };
    const { r } = registry([focus, broken]);
    r.configure(settings({}));
    const outcomes = await r.queryCosts(q);
    assert.deepEqual(outcomes.map((o) => [o.id, o.ok]), [['focus', true]]);
    const iac = r.current().find((s) => s.id === 'iac');
    assert.equal(iac?.state.kind, 'notConfigured');
    assert.match((iac!.state as { fix: string }).fix, /\.finops\.yaml line 3/);
  });

  test('the policy tag aliases decide the cloud tag names (GCP labels are lower case by default)', async () => {
    gcp.bigquery.tables.set(TABLE, ['usage_start_time', 'cost', 'currency', 'credits', 'labels', 'project'].map((name) => ({ name, type: 'STRING' })));
    const keys: string[] = [];
    gcp.bigquery.answer = (req) => { keys.push(req.queryParameters![0]!.parameterValue.value); return { fields: [], rows: [] }; };
    const { r } = registry();
    r.configure(allClouds());
    await r.queryCosts({ ...q, groupBy: ['tag:CostCenter'] });
    assert.deepEqual(keys, ['cost_center']);
    const withPolicy = new SourceRegistry(cloudSourceFactories(overrides()), { log: { trace() {}, debug() {}, info() {}, warn() {}, error() {} }, meter: new RequestMeter(), trusted: true, tagAliases: (key, cloud) => (cloud === 'gcp' ? ['cc'] : [key]) });
    withPolicy.configure(allClouds());
    await withPolicy.queryCosts({ ...q, groupBy: ['tag:CostCenter'] });
    assert.deepEqual(keys, ['cost_center', 'cc']);
  });
});
