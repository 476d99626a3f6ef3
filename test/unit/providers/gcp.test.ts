import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { applyOfflineEnv } from '../../support/moto';
import { answerFromWarehouse, startGcpFake, type GcpFake, type QueryRequestBody } from '../../support/fakes/gcp';
import { bigQueryFields, EXPORT_COLUMNS, FixtureWarehouse, focusViewColumns } from '../../support/warehouse';
import { compareAnswer, expectedAnswer, exportReader, exportRows, focusReader, focusRows } from '../../support/warehouseFixtures';
import { defaultTagAliases } from '../../../src/core/cost/tags';
import { BigQueryCostSource } from '../../../src/providers/gcp/bigQueryCosts';
import { AssetInventory } from '../../../src/providers/gcp/assetInventory';
import { findBillingExportTables, listBillingAccounts, listBillingProjects } from '../../../src/providers/gcp/billingSetup';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { isFinOpsError } from '../../../src/core/errors';
import type { CostQuery } from '../../../src/core/cost/model';

applyOfflineEnv();
const PROJECT = 'ml-finops-billing';
const TABLE = `${PROJECT}.billing_export.gcp_billing_export_v1_0123AB_CDEF45_6789AB`;
const FOCUS_VIEW = `${PROJECT}.billing_export.focus_v1`;

function fakeAuth(): OAuth2Client {
  const a = new OAuth2Client();
  a.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3600_000 });
  return a;
}

let fake: GcpFake;
before(async () => { fake = await startGcpFake(); });
after(async () => { await fake?.stop(); });
beforeEach(() => { fake.reset(); });

const standardFields = bigQueryFields(EXPORT_COLUMNS);

function param(req: QueryRequestBody, name: string): string {
  const p = req.queryParameters?.find((x) => x.name === name);
  assert.ok(p, `parameter ${name}`);
  return p.parameterValue.value;
}

function source(extra: Partial<ConstructorParameters<typeof BigQueryCostSource>[0]> = {}) {
  return new BigQueryCostSource({ projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth(), table: TABLE, schema: 'auto', retry: { baseMs: 5 }, ...extra });
}

// BigQuery's part, for real: the SQL each request carries runs over these rows (test/support/warehouse.ts).
const warehouse = new FixtureWarehouse();
const rows = exportRows();
const focus = focusRows();
before(async () => {
  await warehouse.load({ table: TABLE }, EXPORT_COLUMNS, rows);
  await warehouse.load({ table: FOCUS_VIEW }, focusViewColumns(), focus.map((r) => ({ ...r, Tags: Object.entries(r.Tags).map(([key, value]) => ({ key, value })) })));
});
after(() => warehouse.close());

function costs(result: { rows: { groups: Record<string, string | null>; period: string; currency: string; cost: number }[] }, keys: string[]) {
  return result.rows.map((r) => ({ groups: keys.map((k) => r.groups[k] ?? null), period: r.period, currency: r.currency, cost: r.cost })).sort(compareAnswer);
}
function near(got: ReturnType<typeof costs>, want: ReturnType<typeof costs>) {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    assert.deepEqual({ ...g, cost: 0 }, { ...want[i]!, cost: 0 });
    assert.ok(Math.abs(g.cost - want[i]!.cost) < 1e-6, `${JSON.stringify(g)} vs ${want[i]!.cost}`);
  });
}

describe('GCP BigQuery billing export against the fake', () => {
  test('the standard export is aggregated in BigQuery with named parameters; results are paged back', async () => {
    fake.bigquery.tables.set(TABLE, standardFields);
    fake.bigquery.pageSize = 4;
    fake.bigquery.answer = answerFromWarehouse(warehouse);
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-09-03' }, granularity: 'daily', groupBy: ['ServiceName', 'tag:Team'], metric: 'EffectiveCost' };
    const meter = new RequestMeter();
    const result = await source({ meter }).query(q);

    const tableGet = fake.requests.find((r) => r.path.endsWith('/tables/gcp_billing_export_v1_0123AB_CDEF45_6789AB'));
    assert.ok(tableGet, 'the schema is read once to recognise the export');
    const jobs = fake.requests.filter((r) => r.path === `/bigquery/v2/projects/${PROJECT}/queries` && r.method === 'POST');
    assert.equal(jobs.length, 1);
    const body = jobs[0]!.body as QueryRequestBody;
    assert.equal(body.useLegacySql, false);
    assert.equal(body.parameterMode?.toUpperCase(), 'NAMED');
    assert.doesNotMatch(body.query, /2024-09|'team'/, 'values only as parameters');
    assert.equal(param(body, 'p0'), 'team', 'the policy key Team is the GCP label team');
    for (const r of fake.requests) assert.equal(r.authorization, 'Bearer fake-token');
    const pages = fake.requests.filter((r) => /\/queries\/job_/.test(r.path));
    assert.ok(pages.length >= 1 && pages.every((p) => p.query.pageToken), `later pages fetched with pageToken (${pages.length})`);
    near(costs(result, q.groupBy), expectedAnswer(rows, exportReader((k) => defaultTagAliases(k, 'gcp')), q));
    assert.ok(result.rows.length > 4, 'several pages of rows');
    assert.equal(meter.count('gcp'), 1);
  });

  test('a FOCUS view is recognised by its columns and queried by FOCUS names', async () => {
    fake.bigquery.tables.set(FOCUS_VIEW, bigQueryFields(focusViewColumns()));
    fake.bigquery.answer = answerFromWarehouse(warehouse);
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['ServiceName'], metric: 'ListCost', filters: [{ key: 'tag:Team', values: ['vision', null] }] };
    const result = await source({ table: FOCUS_VIEW }).query(q);
    near(costs(result, q.groupBy), expectedAnswer(focus, focusReader((k) => defaultTagAliases(k, 'gcp')), q));
    assert.ok(result.rows.length > 0);
  });

  test('an invalid query is BigQuery\'s 400 invalidQuery, named as such', async () => {
    fake.bigquery.tables.set(TABLE, standardFields);
    fake.bigquery.answer = answerFromWarehouse({ run: () => Promise.reject(new Error('Unrecognized name: cost_typo')) });
    await assert.rejects(source({ retry: { attempts: 1 } }).query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' }),
      (e) => isFinOpsError(e) && /cost_typo|invalid/i.test(e.message));
  });

  test('what the table cannot answer is refused before any query job', async () => {
    fake.bigquery.tables.set(TABLE, standardFields.filter((f) => f.name !== 'cost_at_list'));
    await assert.rejects(source().query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'ListCost' }), (e) => isFinOpsError(e, 'input') && /ListCost/.test(e.message));
    await assert.rejects(source().query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['ResourceId'], metric: 'BilledCost' }), (e) => isFinOpsError(e, 'input') && /ResourceId/.test(e.message));
    await assert.rejects(source().query({ period: { start: '2024-09-31', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' }), (e) => isFinOpsError(e, 'input'));
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/queries')).length, 0);
    fake.bigquery.tables.set(`${PROJECT}.other.not_billing`, [{ name: 'x', type: 'STRING' }]);
    await assert.rejects(source({ table: `${PROJECT}.other.not_billing` }).query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' }), (e) => isFinOpsError(e, 'input') && /neither/.test(e.message));
  });

  test('errors: a missing table, access denied (naming the roles), rate limits retried, expired sign-in', async () => {
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost' };
    await assert.rejects(source().query(q), (e) => isFinOpsError(e, 'input') && /mlFinops\.gcp\.billingTable/.test(e.fix ?? ''));
    fake.bigquery.tables.set(TABLE, standardFields);
    fake.fail(403, { error: { code: 403, message: 'Access Denied: User does not have bigquery.jobs.create permission in project.', errors: [{ reason: 'permission', message: 'Access Denied' }] } }, 'bigquery');
    await assert.rejects(source({ retry: { attempts: 1 } }).query(q), (e) => isFinOpsError(e, 'permission') && /BigQuery Job User/.test(e.fix ?? '') && /BigQuery Data Viewer/.test(e.fix ?? ''));
    fake.fail(403, { error: { code: 403, message: 'Exceeded rate limits: too many concurrent queries', errors: [{ reason: 'rateLimitExceeded', message: 'rate' }] } }, 'bigquery');
    fake.bigquery.answer = () => ({ fields: [{ name: 'period', type: 'STRING' }, { name: 'currency', type: 'STRING' }, { name: 'cost', type: 'FLOAT' }], rows: [['2024-09-01', 'USD', 7]] });
    const r = await source().query(q);
    assert.equal(r.rows[0]!.cost, 7, 'retried after the rate limit');
    fake.fail(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, 'bigquery');
    await assert.rejects(source({ retry: { attempts: 1 } }).query(q), (e) => isFinOpsError(e, 'auth') && /gcloud auth application-default login/.test(e.fix ?? ''));
  });

  test('a dry run says how many bytes the query would scan', async () => {
    fake.bigquery.tables.set(TABLE, standardFields);
    fake.bigquery.answer = (req) => ({ fields: [], rows: [], totalBytesProcessed: req.dryRun ? 987654 : 0 });
    const bytes = await source().dryRun({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: ['tag:Team'], metric: 'BilledCost' });
    assert.equal(bytes, 987654);
    const insert = fake.requests.find((r) => r.path.endsWith('/jobs'));
    assert.equal((insert?.body as { configuration: { dryRun: boolean } }).configuration.dryRun, true);
  });
});

describe('GCP Cloud Asset inventory against the fake', () => {
  test('pages searchAllResources; machine types, spot and labels come through', async () => {
    const instance = (name: string, labels: Record<string, string>, machineType: string, model: string) => ({
      name: `//compute.googleapis.com/projects/${PROJECT}/zones/us-central1-a/instances/${name}`, assetType: 'compute.googleapis.com/Instance',
      project: 'projects/123456', displayName: name, location: 'us-central1-a', labels, state: 'RUNNING',
      versionedResources: [{ version: 'v1', resource: { machineType: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/us-central1-a/machineTypes/${machineType}`, scheduling: { provisioningModel: model } } }],
    });
    fake.asset.results = [
      instance('trainer-1', { team: 'nlp' }, 'a2-highgpu-1g', 'SPOT'),
      instance('trainer-2', {}, 'a3-highgpu-8g', 'STANDARD'),
      { name: `//storage.googleapis.com/${PROJECT}-datasets`, assetType: 'storage.googleapis.com/Bucket', project: 'projects/123456', displayName: `${PROJECT}-datasets`, location: 'us', labels: { team: 'vision' } },
    ];
    fake.asset.pageSize = 2;
    const inventory = new AssetInventory({ projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth(), scope: '', pageSize: 2, retry: { baseMs: 5 } });
    const resources = await inventory.listResources();
    const calls = fake.requests.filter((r) => r.path.endsWith(':searchAllResources'));
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.path, `/v1/projects/${PROJECT}:searchAllResources`);
    assert.equal(calls[0]!.query.pageToken, undefined);
    assert.equal(calls[1]!.query.pageToken, '2');
    assert.match(calls[0]!.query.readMask ?? '', /versionedResources/);
    assert.equal(calls[0]!.authorization, 'Bearer fake-token');
    assert.deepEqual(resources.map((r) => [r.name, r.size ?? null, r.attributes?.lifecycle ?? null, r.region, r.tags.team ?? null]), [
      ['trainer-1', 'a2-highgpu-1g', 'spot', 'us-central1', 'nlp'],
      ['trainer-2', 'a3-highgpu-8g', 'on-demand', 'us-central1', null],
      [`${PROJECT}-datasets`, null, null, 'us', 'vision'],
    ]);
    assert.equal(resources[0]!.provider, 'Google Cloud');
    assert.equal(resources[0]!.attributes?.zone, 'us-central1-a');
  });

  test('permission denied names the Cloud Asset Viewer role; a bad scope is refused', async () => {
    fake.fail(403, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } }, 'asset');
    const inventory = new AssetInventory({ projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth(), scope: 'organizations/1234', retry: { attempts: 1 } });
    await assert.rejects(inventory.listResources(), (e) => isFinOpsError(e, 'permission') && /cloudasset\.viewer/.test(e.fix ?? ''));
    assert.equal(fake.requests[0]!.path, '/v1/organizations/1234:searchAllResources');
    assert.throws(() => new AssetInventory({ projectId: PROJECT, endpoint: fake.endpoint, scope: 'org/1' }), (e) => isFinOpsError(e, 'input'));
  });
});

describe('GCP setup: billing accounts, projects and export tables', () => {
  test('lists billing accounts and their projects (paged), and finds export tables', async () => {
    fake.billing.pageSize = 1;
    fake.billing.accounts = [
      { name: 'billingAccounts/0123AB-CDEF45-6789AB', displayName: 'ML research', open: true },
      { name: 'billingAccounts/0AAAAA-BBBBBB-CCCCCC', displayName: 'Old', open: false },
    ];
    fake.billing.projects.set('0123AB-CDEF45-6789AB', [
      { name: 'projects/ml-train/billingInfo', projectId: 'ml-train', billingAccountName: 'billingAccounts/0123AB-CDEF45-6789AB', billingEnabled: true },
      { name: 'projects/ml-serve/billingInfo', projectId: 'ml-serve', billingAccountName: 'billingAccounts/0123AB-CDEF45-6789AB', billingEnabled: true },
    ]);
    const options = { projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth() };
    const accounts = await listBillingAccounts(options);
    assert.deepEqual(accounts.map((a) => [a.id, a.displayName, a.open]), [['0123AB-CDEF45-6789AB', 'ML research', true], ['0AAAAA-BBBBBB-CCCCCC', 'Old', false]]);
    assert.equal(fake.requests.filter((r) => r.path === '/v1/billingAccounts').length, 2, 'paged');
    const projects = await listBillingProjects(options, '0123AB-CDEF45-6789AB');
    assert.deepEqual(projects.map((p) => p.projectId), ['ml-train', 'ml-serve']);
    await assert.rejects(listBillingProjects(options, '../etc'), (e) => isFinOpsError(e, 'input'));

    fake.bigquery.tables.set(TABLE, standardFields);
    fake.bigquery.tables.set(`${PROJECT}.billing_export.gcp_billing_export_resource_v1_0123AB_CDEF45_6789AB`, standardFields);
    fake.bigquery.tables.set(`${PROJECT}.billing_export.cloud_pricing_export`, standardFields);
    fake.bigquery.tables.set(`${PROJECT}.analytics.events`, standardFields);
    const tables = await findBillingExportTables(options);
    assert.deepEqual(tables.sort((a, b) => a.table.localeCompare(b.table)), [
      { table: `${PROJECT}.billing_export.gcp_billing_export_resource_v1_0123AB_CDEF45_6789AB`, kind: 'detailed' },
      { table: TABLE, kind: 'standard' },
    ]);
  });
});
