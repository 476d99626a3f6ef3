import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { retailItem, startAzureRetailFake, type AzureRetailFake } from '../../support/fakes/azureRetailPrices';
import { AzureRetailPrices } from '../../../src/providers/azure/retailPrices';
import { PriceResolver } from '../../../src/core/pricing/live';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { isFinOpsError } from '../../../src/core/errors';
import { planSavings } from '../../../src/core/savings/plan';

let fake: AzureRetailFake;
before(async () => { fake = await startAzureRetailFake(3); });
after(() => fake?.stop());
beforeEach(() => { fake.requests.length = 0; });

const sku = 'Standard_NC24ads_A100_v4';
const product = 'Virtual Machines NCads A100 v4 Series';
function items() {
  return [
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 3.673, skuName: 'NC24ads A100 v4', productName: product }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 6.9, skuName: 'NC24ads A100 v4', productName: `${product} Windows` }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 0.444433, skuName: 'NC24ads A100 v4 Spot', productName: product }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 0.7346, skuName: 'NC24ads A100 v4 Low Priority', productName: product }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 20000, skuName: 'NC24ads A100 v4', productName: product, type: 'Reservation', reservationTerm: '1 Year' }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 42000, skuName: 'NC24ads A100 v4', productName: product, type: 'Reservation', reservationTerm: '3 Years' }),
    retailItem({ armSkuName: sku, armRegionName: 'eastus', unitPrice: 2.9, skuName: 'NC24ads A100 v4', productName: product, type: 'DevTestConsumption' }),
    retailItem({ armSkuName: sku, armRegionName: 'westus2', unitPrice: 3.673, skuName: 'NC24ads A100 v4', productName: product }),
  ];
}

test('Azure Retail Prices: Linux pay-as-you-go, Spot and 1-/3-year reservations, over several pages', async () => {
  fake.setItems(items());
  const src = new AzureRetailPrices({ endpoint: fake.endpoint });
  const p = await src.getPrices(sku, 'eastus', shippedCatalogue().prices(sku, 'eastus'));
  assert.ok(p);
  assert.equal(p.onDemand.hourly, 3.673);
  assert.equal(p.spot?.hourly, 0.444433);
  assert.equal(p.onDemand.source.name, 'Azure Retail Prices API');
  assert.equal(p.onDemand.source.live, true);
  const one = p.commitments.find((c) => c.term === 1 && c.payment === 'allUpfront');
  assert.equal(one?.upfront, 20000);
  assert.ok(Math.abs((one?.effectiveHourly ?? 0) - 20000 / 8760) < 1e-12);
  assert.ok(Math.abs((p.commitments.find((c) => c.term === 3 && c.payment === 'noUpfront')?.hourly ?? 0) - 42000 / 26280) < 1e-12);
  assert.equal(p.shape.gpuModelId, 'a100-80gb');
  assert.ok(p.notes.some((n) => /effective from 2026-06-01/.test(n)));
  // 7 eastus items at 3 per page → 3 requests, each carrying the documented filter
  assert.equal(fake.requests.length, 3);
  const first = new URL(fake.requests[0]!, fake.endpoint);
  assert.equal(first.searchParams.get('api-version'), '2023-01-01-preview');
  assert.equal(first.searchParams.get('$filter'), `serviceName eq 'Virtual Machines' and armSkuName eq '${sku}' and armRegionName eq 'eastus'`);
  // the savings the reservations give at 730 h a month
  const plan = planSavings({ prices: p, hoursPerMonth: 730, month: { year: 2026, month: 4 } });
  const r1 = plan.options.find((o) => o.kind === 'reservation' && o.option.startsWith('1-yr') && /all upfront/.test(o.option));
  assert.ok(r1);
  assert.ok(Math.abs(r1.savingFraction - (1 - 20000 / 8760 / 3.673)) < 1e-4);
});

test('throttling is retried after Retry-After; a size not sold in the region is undefined; bad endpoints are named', async () => {
  fake.setItems(items());
  fake.failNext(429, 0);
  const waits: number[] = [];
  const src = new AzureRetailPrices({ endpoint: fake.endpoint, retry: { sleep: async (ms) => { waits.push(ms); }, random: () => 0 } });
  const p = await src.getPrices(sku, 'eastus', undefined);
  assert.equal(p?.onDemand.hourly, 3.673);
  assert.equal(waits.length, 1);
  assert.equal(await src.getPrices(sku, 'northeurope', undefined), undefined);
  await assert.rejects(new AzureRetailPrices({ endpoint: 'http://127.0.0.1:9', retry: { attempts: 1 } }).items(sku, 'eastus'), (e: unknown) => isFinOpsError(e, 'unavailable') && /127\.0\.0\.1:9/.test(e.message));
  fake.failNext(500);
  await assert.rejects(new AzureRetailPrices({ endpoint: fake.endpoint, retry: { attempts: 1 } }).items(sku, 'eastus'), (e: unknown) => isFinOpsError(e, 'unavailable'));
});

test('through the resolver: the snapshot answers when the API is down, saying so', async () => {
  const resolver = new PriceResolver(shippedCatalogue(), [new AzureRetailPrices({ endpoint: 'http://127.0.0.1:9', retry: { attempts: 1 } })]);
  const r = await resolver.resolve(sku, 'East US', { live: true });
  assert.equal(r.prices.onDemand.source.live, false);
  assert.match(r.warnings[0] ?? '', /Live prices unavailable \(Could not reach the Azure Retail Prices API/);
  fake.setItems(items());
  const live = await new PriceResolver(shippedCatalogue(), [new AzureRetailPrices({ endpoint: fake.endpoint })]).resolve(sku, 'East US', { live: true });
  assert.equal(live.prices.onDemand.source.live, true);
  assert.equal(live.prices.region, 'eastus');
});
