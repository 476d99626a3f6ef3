import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { applyOfflineEnv } from '../../support/moto';
import { startGcpFake, type GcpFake, type QueryRequestBody } from '../../support/fakes/gcp';
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

const standardFields = ['billing_account_id', 'service', 'sku', 'usage_start_time', 'usage_end_time', 'project', 'labels', 'system_labels', 'location', 'cost', 'currency', 'usage', 'credits', 'invoice', 'cost_type'].map((name) => ({ name, type: name === 'cost' ? 'FLOAT' : 'STRING' }));

/** A small standard export: what BigQuery would aggregate. */
interface ExportRow { day: string; service: string; labels: Record<string, string>; projectLabels: Record<string, string>; cost: number; credits: number; currency: string }
function exportRows(): ExportRow[] {
  let seed = 5;
  const next = () => { seed = (seed * 69621) % 2147483647; return seed / 2147483647; };
  const rows: ExportRow[] = [];
  for (const day of ['2024-09-01', '2024-09-02', '2024-09-03']) for (const service of ['Compute Engine', 'Vertex AI', 'Cloud Storage']) for (const team of ['nlp', 'vision', undefined]) {
    const cost = Math.round(next() * 80000) / 100;
    rows.push({ day, service, labels: team ? { team } : {}, projectLabels: team === undefined && service === 'Vertex AI' ? { team: 'platform' } : {}, cost, credits: -Math.round(cost * 20) / 100, currency: 'USD' });
  }
  return rows;
}

function param(req: QueryRequestBody, name: string): string {
  const p = req.queryParameters?.find((x) => x.name === name);
  assert.ok(p, `parameter ${name}`);
  return p.parameterValue.value;
}

function source(extra: Partial<ConstructorParameters<typeof BigQueryCostSource>[0]> = {}) {
  return new BigQueryCostSource({ projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth(), table: TABLE, schema: 'auto', retry: { baseMs: 5 }, ...extra });
}

describe('GCP BigQuery billing export against the fake', () => {
  test('the standard export is aggregated in BigQuery with named parameters; results are paged back', async () => {
    fake.bigquery.tables.set(TABLE, standardFields);
    fake.bigquery.pageSize = 4;
    const data = exportRows();
    // BigQuery's part: run the aggregation the SQL describes, with the parameters it was sent.
    fake.bigquery.answer = (req) => {
      const tagKey = param(req, 'p0');
      const from = param(req, 'p1');
      const to = param(req, 'p2');
      const sums = new Map<string, number>();
      for (const r of data) {
        if (r.day < from || r.day >= to) continue;
        const team = r.labels[tagKey] ?? r.projectLabels[tagKey] ?? null;
        const k = JSON.stringify([r.service, team, r.day, r.currency]);
        sums.set(k, (sums.get(k) ?? 0) + r.cost + r.credits);
      }
      return {
        fields: [{ name: 'g0', type: 'STRING' }, { name: 'g1', type: 'STRING' }, { name: 'period', type: 'STRING' }, { name: 'currency', type: 'STRING' }, { name: 'cost', type: 'FLOAT' }],
        rows: [...sums].map(([k, v]) => [...(JSON.parse(k) as (string | null)[]), v]), totalBytesProcessed: 123456789,
      };
    };
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
    assert.match(body.query, /^SELECT service\.description AS g0, COALESCE\(\(SELECT l\.value FROM UNNEST\(labels\) AS l WHERE l\.key = @p0 LIMIT 1\), \(SELECT l\.value FROM UNNEST\(project\.labels\)/);
    assert.match(body.query, /SUM\(cost \+ IFNULL\(\(SELECT SUM\(c\.amount\) FROM UNNEST\(credits\) AS c\), 0\)\) AS cost/);
    assert.match(body.query, new RegExp(`FROM \`${TABLE.replace(/\./g, '\\.')}\``));
    assert.match(body.query, /WHERE usage_start_time >= TIMESTAMP\(@p1\) AND usage_start_time < TIMESTAMP\(@p2\)/);
    assert.match(body.query, /GROUP BY 1, 2, 3, 4/);
    assert.doesNotMatch(body.query, /2024-09|'team'/, 'values only as parameters');
    assert.equal(param(body, 'p0'), 'team', 'the policy key Team is the GCP label team');
    for (const r of fake.requests) assert.equal(r.authorization, 'Bearer fake-token');
    const pages = fake.requests.filter((r) => /\/queries\/job_/.test(r.path));
    assert.ok(pages.length >= 1 && pages.every((p) => p.query.pageToken), `later pages fetched with pageToken (${pages.length})`);

    const expected = new Map<string, number>();
    for (const r of data) {
      if (r.day >= '2024-09-03') continue;
      const k = JSON.stringify([r.day, r.service, r.labels.team ?? r.projectLabels.team ?? null]);
      expected.set(k, (expected.get(k) ?? 0) + r.cost + r.credits);
    }
    assert.equal(result.rows.length, expected.size);
    for (const row of result.rows) {
      const k = JSON.stringify([row.period, row.groups.ServiceName, row.groups['tag:Team']]);
      assert.ok(Math.abs(row.cost - expected.get(k)!) < 1e-6, k);
      assert.equal(row.currency, 'USD');
    }
    assert.equal(meter.count('gcp'), 1);
  });

  test('a FOCUS view is recognised by its columns and queried by FOCUS names', async () => {
    fake.bigquery.tables.set(FOCUS_VIEW, ['BilledCost', 'EffectiveCost', 'ListCost', 'ChargePeriodStart', 'BillingCurrency', 'ServiceName', 'Tags'].map((name) => ({ name, type: 'STRING' })));
    let seen: QueryRequestBody | undefined;
    fake.bigquery.answer = (req) => { seen = req; return { fields: [{ name: 'g0', type: 'STRING' }, { name: 'period', type: 'STRING' }, { name: 'currency', type: 'STRING' }, { name: 'cost', type: 'FLOAT' }], rows: [['Compute Engine', param(req, 'p0'), 'EUR', 42.5]] }; };
    const result = await source({ table: FOCUS_VIEW }).query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: ['ServiceName'], metric: 'ListCost', filters: [{ key: 'tag:Team', values: ['nlp', null] }] });
    assert.ok(seen);
    assert.match(seen.query, /SELECT ServiceName AS g0, @p0 AS period, BillingCurrency AS currency, SUM\(ListCost\) AS cost/);
    assert.match(seen.query, /\(\(SELECT t\.value FROM UNNEST\(Tags\) AS t WHERE t\.key = @p3 LIMIT 1\) IN \(@p4\) OR \(SELECT t\.value FROM UNNEST\(Tags\) AS t WHERE t\.key = @p5 LIMIT 1\) IS NULL\)/);
    assert.deepEqual(result.rows, [{ groups: { ServiceName: 'Compute Engine' }, period: '2024-09-01', cost: 42.5, currency: 'EUR' }]);
  });

  test('what the table cannot answer is refused before any query job', async () => {
    fake.bigquery.tables.set(TABLE, standardFields);
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
    fake.fail(403, { error: { code: 403, message: 'Access Denied: User does not have bigquery.jobs.create permission in project.', errors: [{ reason: 'accessDenied', message: 'Access Denied' }] } }, 'bigquery');
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
