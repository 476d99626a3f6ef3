import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { catalogSku, startCatalogFake, type CatalogFake } from '../../support/fakes/gcpCloudCatalog';
import { applyOfflineEnv } from '../../support/moto';
import { GcpCatalogPrices, partPrices, skuSchema } from '../../../src/providers/gcp/catalog';
import { PriceResolver } from '../../../src/core/pricing/live';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
let fake: CatalogFake;
before(async () => { fake = await startCatalogFake(3); });
after(() => fake?.stop());
beforeEach(() => { fake.requests.length = 0; });

function fakeAuth(): OAuth2Client {
  const a = new OAuth2Client();
  a.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3_600_000 });
  return a;
}

const central = ['us-central1'];
const A2 = { core: 0.031611, ram: 0.004237, a100: 2.933908, a100_80: 3.92, spotCore: 0.00946, spotRam: 0.00127, spotA100: 1.6, c1Core: 0.019915, c1Ram: 0.002669, c1A100: 1.848362 };
function skus() {
  return [
    catalogSku({ id: 'A2C', description: 'A2 Instance Core running in Americas', resourceGroup: 'CPU', usageType: 'OnDemand', regions: central, usd: A2.core }),
    catalogSku({ id: 'A2R', description: 'A2 Instance Ram running in Americas', resourceGroup: 'RAM', usageType: 'OnDemand', regions: central, usd: A2.ram, usageUnit: 'GiBy.h' }),
    catalogSku({ id: 'A100', description: 'Nvidia Tesla A100 GPU running in Americas', resourceGroup: 'GPU', usageType: 'OnDemand', regions: central, usd: A2.a100 }),
    catalogSku({ id: 'A100-80', description: 'Nvidia A100 80GB GPU running in Americas', resourceGroup: 'GPU', usageType: 'OnDemand', regions: central, usd: A2.a100_80 }),
    catalogSku({ id: 'A2CS', description: 'Spot Preemptible A2 Instance Core running in Americas', resourceGroup: 'CPU', usageType: 'Preemptible', regions: central, usd: A2.spotCore }),
    catalogSku({ id: 'A2RS', description: 'Spot Preemptible A2 Instance Ram running in Americas', resourceGroup: 'RAM', usageType: 'Preemptible', regions: central, usd: A2.spotRam }),
    catalogSku({ id: 'A100S', description: 'Nvidia Tesla A100 GPU attached to Spot Preemptible VMs running in Americas', resourceGroup: 'GPU', usageType: 'Preemptible', regions: central, usd: A2.spotA100 }),
    catalogSku({ id: 'A2C1', description: 'Commitment v1: A2 Cpu in Americas for 1 Year', resourceGroup: 'CPU', usageType: 'Commit1Yr', regions: central, usd: A2.c1Core }),
    catalogSku({ id: 'A2R1', description: 'Commitment v1: A2 Ram in Americas for 1 Year', resourceGroup: 'RAM', usageType: 'Commit1Yr', regions: central, usd: A2.c1Ram }),
    catalogSku({ id: 'A1001', description: 'Commitment v1: Nvidia Tesla A100 GPU in Americas for 1 Year', resourceGroup: 'GPU', usageType: 'Commit1Yr', regions: central, usd: A2.c1A100 }),
    // decoys: another region, a custom machine, another series
    catalogSku({ id: 'A2C-EU', description: 'A2 Instance Core running in EMEA', resourceGroup: 'CPU', usageType: 'OnDemand', regions: ['europe-west4'], usd: 0.5 }),
    catalogSku({ id: 'A2CUST', description: 'A2 Custom Instance Core running in Americas', resourceGroup: 'CPU', usageType: 'OnDemand', regions: central, usd: 0.9 }),
    catalogSku({ id: 'N2C', description: 'N2 Instance Core running in Americas', resourceGroup: 'CPU', usageType: 'OnDemand', regions: central, usd: 0.7 }),
  ];
}

const source = (endpoint = fake.endpoint) => new GcpCatalogPrices({ projectId: 'ml-training-prod', endpoint, authClient: fakeAuth(), pageSize: 3, retry: { attempts: 1 } });

test('a machine type is priced from its series’ core, RAM and GPU SKUs in the region', () => {
  const parsed = skus().map((s) => skuSchema.parse(s));
  const parts = partPrices(parsed, 'a2', 'us-central1', 'a100');
  assert.deepEqual(parts.OnDemand, { core: A2.core, ram: A2.ram, gpu: A2.a100 });
  assert.equal(partPrices(parsed, 'a2', 'us-central1', 'a100-80gb').OnDemand?.gpu, A2.a100_80);
  assert.equal(partPrices(parsed, 'a2', 'europe-west4', 'a100').OnDemand?.core, 0.5);
});

test('live GCP prices through CloudCatalogClient (REST) against the catalog fake: on-demand, spot, 1-yr commitment', async () => {
  fake.setSkus('6F81-5844-456A', skus());
  const base = shippedCatalogue().prices('a2-highgpu-1g', 'us-central1');
  const p = await source().getPrices('a2-highgpu-1g', 'us-central1', base);
  assert.ok(p);
  const expected = 12 * A2.core + 85 * A2.ram + A2.a100;
  assert.ok(Math.abs(p.onDemand.hourly - expected) < 1e-9);
  // The snapshot (a compilation of the same catalog) agrees to the cent
  assert.ok(Math.abs(p.onDemand.hourly - base.onDemand.hourly) < 0.01, `${p.onDemand.hourly} vs ${base.onDemand.hourly}`);
  assert.ok(Math.abs((p.spot?.hourly ?? 0) - (12 * A2.spotCore + 85 * A2.spotRam + A2.spotA100)) < 1e-9);
  const c1 = p.commitments.find((c) => c.term === 1);
  assert.ok(c1 && Math.abs(c1.hourly - (12 * A2.c1Core + 85 * A2.c1Ram + A2.c1A100)) < 1e-9);
  assert.equal(p.commitments.find((c) => c.term === 3), undefined, 'no 3-yr SKUs in the fake');
  assert.equal(p.onDemand.source.name, 'Cloud Billing Catalog API (Compute Engine SKUs)');
  assert.equal(p.onDemand.source.live, true);
  assert.ok(p.notes.some((n) => /SKU prices effective from 2026-11-20/.test(n)));
  // 13 SKUs at 3 per page → 5 pages, each authorised with the client's token
  const skuRequests = fake.requests.filter((r) => r.path === '/v1/services/6F81-5844-456A/skus');
  assert.equal(skuRequests.length, 5);
  assert.ok(skuRequests.every((r) => r.authorization === 'Bearer fake-token' && r.query.currencyCode === 'USD'));
});

test('the SKU list is read once per session; a type without a shape or SKUs is not priced; errors are typed', async () => {
  fake.setSkus('6F81-5844-456A', skus());
  const src = source();
  await src.getPrices('a2-highgpu-1g', 'us-central1', shippedCatalogue().prices('a2-highgpu-1g', 'us-central1'));
  const n = fake.requests.length;
  assert.equal(await src.getPrices('a2-highgpu-1g', 'europe-west4', shippedCatalogue().prices('a2-highgpu-1g', 'europe-west4')), undefined, 'no RAM / GPU SKU there');
  assert.equal(fake.requests.length, n);
  assert.equal(await src.getPrices('a9-unknown-1g', 'us-central1', undefined), undefined);
  fake.failNext(403, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } });
  await assert.rejects(source().listComputeSkus(), (e: unknown) => isFinOpsError(e, 'permission'));
  fake.failNext(403, { error: { code: 403, message: 'Cloud Billing API has not been used in project ml-training-prod before or it is disabled.', status: 'PERMISSION_DENIED' } });
  await assert.rejects(source().listComputeSkus(), (e: unknown) => isFinOpsError(e) && /not enabled/.test(e.message));
  const r = await new PriceResolver(shippedCatalogue(), [source('http://127.0.0.1:9')]).resolve('a2-highgpu-1g', 'us-central1-a', { live: true });
  assert.equal(r.prices.onDemand.source.live, false);
  assert.equal(r.prices.region, 'us-central1');
  assert.match(r.warnings[0] ?? '', /Live prices unavailable/);
});
