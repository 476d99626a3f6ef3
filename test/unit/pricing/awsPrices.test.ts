import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyOfflineEnv, motoBehind } from '../../support/moto';
import { ec2PriceDocument, startAwsPriceListFake } from '../../support/fakes/awsPriceList';
import { AwsPriceSource, parseEc2Product, priceListItemSchema } from '../../../src/providers/aws/prices';
import { PriceResolver } from '../../../src/core/pricing/live';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { DiskCache } from '../../../src/providers/diskCache';
import { isFinOpsError } from '../../../src/core/errors';
import { estimateCommitment } from '../../../src/core/savings/commitments';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const aws = motoBehind('prices', startAwsPriceListFake);
beforeEach(() => { aws.fake.requests.length = 0; });

/** The lesson's p3.2xlarge, priced the way the Price List documents it (hourly parts and upfront fees). */
function p3Documents() {
  return [
    ec2PriceDocument({
      instanceType: 'p3.2xlarge', regionCode: 'us-east-1', onDemand: 3.06,
      attributes: { vcpu: '8', memory: '61 GiB', gpu: '1', gpuMemory: '16 GiB' },
      reserved: [
        { lease: '1yr', offeringClass: 'standard', purchase: 'No Upfront', upfront: 0, hourly: 2.08 },
        { lease: '1yr', offeringClass: 'standard', purchase: 'All Upfront', upfront: 17870, hourly: 0 },
        { lease: '3yr', offeringClass: 'standard', purchase: 'Partial Upfront', upfront: 18000, hourly: 0.685 },
        { lease: '3yr', offeringClass: 'convertible', purchase: 'No Upfront', upfront: 0, hourly: 1.6 },
      ],
    }),
    ec2PriceDocument({ instanceType: 'p3.2xlarge', regionCode: 'us-east-1', onDemand: 4.07, operatingSystem: 'Windows' }),
    ec2PriceDocument({ instanceType: 'p3.2xlarge', regionCode: 'eu-west-1', onDemand: 3.305 }),
  ];
}

function source(endpoint = aws.fake.endpoint) {
  return new AwsPriceSource({ region: 'us-east-1', endpoint, profile: '', credentials, retry: { attempts: 1 } });
}

test('GetProducts documents are parsed into on-demand and RI terms: hourly part, upfront fee, effective rate', () => {
  const doc = priceListItemSchema.parse(p3Documents()[0]);
  const src = { name: 'x', capturedAt: '2026-11-28', live: true };
  const p = parseEc2Product(doc, src);
  assert.ok(p);
  assert.equal(p.onDemand, 3.06);
  assert.deepEqual(p.shape, { vcpu: 8, memoryGiB: 61, gpus: 1 });
  const all = p.commitments.find((c) => c.term === 1 && c.payment === 'allUpfront');
  assert.equal(all?.upfront, 17870);
  assert.ok(Math.abs((all?.effectiveHourly ?? 0) - 17870 / 8760) < 1e-12);
  const partial = p.commitments.find((c) => c.term === 3 && c.payment === 'partialUpfront');
  assert.ok(Math.abs((partial?.effectiveHourly ?? 0) - (18000 / 26280 + 0.685)) < 1e-12);
  assert.equal(p.commitments.find((c) => c.offering === 'convertible')?.hourly, 1.6);
});

test('live AWS prices through the Price List aws.fake and moto’s spot history, with their sources and today’s date', async () => {
  aws.fake.setProducts(p3Documents());
  const p = await source().getPrices('p3.2xlarge', 'us-east-1', shippedCatalogue().prices('p3.2xlarge', 'us-east-1'));
  assert.ok(p);
  assert.equal(p.onDemand.hourly, 3.06, 'the Linux product, not the Windows one');
  assert.equal(p.onDemand.source.name, 'AWS Price List API (GetProducts)');
  assert.equal(p.onDemand.source.live, true);
  assert.match(p.onDemand.source.capturedAt, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(p.shape.gpuModelId, 'v100', 'shape from the catalogue');
  // moto offers no p3.2xlarge spot capacity in us-east-1: the snapshot's spot price stays, and the notes say so
  assert.equal(p.spot?.source.live, false);
  assert.ok(p.notes.some((n) => /No live spot history/.test(n)));
  // the Price List's EC2 offer has RIs, not Savings Plans rates: no savings plan is made up from an RI
  assert.ok(p.commitments.some((c) => c.kind === 'reservedInstance' && c.term === 3));
  assert.equal(p.commitments.some((c) => c.kind === 'savingsPlan'), false);
  const get = aws.fake.requests.find((r) => r.operation === 'GetProducts')?.body as { ServiceCode: string; Filters: Array<{ Field: string; Value: string }> };
  assert.equal(get.ServiceCode, 'AmazonEC2');
  assert.deepEqual(Object.fromEntries(get.Filters.map((f) => [f.Field, f.Value])), {
    instanceType: 'p3.2xlarge', regionCode: 'us-east-1', operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used',
  });
  assert.ok(aws.fake.requests.some((r) => r.operation === 'DescribeSpotPriceHistory'));
  // The lesson's figures with the live 1-yr RI: 32 %
  const ri = p.commitments.find((c) => c.kind === 'reservedInstance' && c.term === 1 && c.payment === 'noUpfront');
  assert.ok(ri);
  const e = estimateCommitment({ instanceType: 'p3.2xlarge', onDemandHourly: p.onDemand.hourly, onDemandSource: p.onDemand.source, usageHoursPerMonth: 730, commitment: ri });
  assert.equal(Math.round(e.savingFraction * 100), 32);
  assert.deepEqual(e.sources.map((s) => s.name), ['AWS Price List API (GetProducts)'], 'one source, named once');
});

test('spot prices from EC2 DescribeSpotPriceHistory (moto): averaged over zones, dated today', async () => {
  aws.fake.setProducts([ec2PriceDocument({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', onDemand: 1.006, attributes: { vcpu: '4', memory: '16 GiB', gpu: '1' } })]);
  const history = await source().getSpotHistory('g5.xlarge', 'us-east-1');
  // moto answers one fixed price per availability zone that offers the type
  assert.ok(history && history.zones >= 2);
  assert.deepEqual([history.average, history.min, history.max], [0.00001, 0.00001, 0.00001]);
  const p = await source().getPrices('g5.xlarge', 'us-east-1', undefined);
  assert.ok(p?.spot);
  assert.equal(p.spot.hourly, 0.00001);
  assert.equal(p.spot.source.live, true);
  assert.match(p.spot.source.name, new RegExp(`DescribeSpotPriceHistory \\(${history.points} prices in ${history.zones} zones, 7 days\\)`));
  assert.deepEqual([p.shape.vcpu, p.shape.memoryGiB, p.shape.gpus], [4, 16, 1], 'shape from the Price List when the snapshot has none');
  assert.equal(await source().getSpotHistory('p3.2xlarge', 'us-east-1'), undefined);
});

test('GetProducts is paged with NextToken', async () => {
  aws.fake.setProducts(Array.from({ length: 150 }, (_, i) => ec2PriceDocument({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', onDemand: i === 149 ? 1.006 : 0, attributes: { vcpu: '4' } })));
  const items = await source().getProducts('g5.xlarge', 'us-east-1');
  assert.equal(items.length, 150);
  assert.equal(aws.fake.requests.filter((r) => r.operation === 'GetProducts').length, 2);
});

test('the resolver caches live prices on disk, falls back to the snapshot with a reason, and keeps unknown types an error', async () => {
  aws.fake.setProducts(p3Documents());
  const cache = new DiskCache({ dir: join(aws.dir, 'cache'), ttlMs: 24 * 3_600_000 });
  const resolver = new PriceResolver(shippedCatalogue(), [source()], cache);
  const first = await resolver.resolve('p3.2xlarge', 'us-east-1', { live: true });
  assert.equal(first.prices.onDemand.source.live, true);
  const calls = aws.fake.requests.length;
  const second = await resolver.resolve('p3.2xlarge', 'us-east-1', { live: true });
  assert.equal(aws.fake.requests.length, calls, 'served from the cache');
  assert.deepEqual(second.prices, first.prices);
  const off = await resolver.resolve('p3.2xlarge', 'us-east-1', { live: false });
  assert.equal(off.prices.onDemand.source.live, false);

  aws.fake.failNext(400, 'AccessDeniedException', 'User is not authorized to perform pricing:GetProducts');
  const denied = await new PriceResolver(shippedCatalogue(), [source()]).resolve('g5.xlarge', 'us-east-1', { live: true });
  assert.equal(denied.prices.onDemand.source.live, false);
  assert.match(denied.warnings[0] ?? '', /Live prices unavailable \(AWS denied pricing:GetProducts/);
  assert.match(denied.warnings[0] ?? '', /snapshot captured \d{4}-\d{2}-\d{2}/);

  const down = await new PriceResolver(shippedCatalogue(), [source('http://127.0.0.1:9')]).resolve('g5.xlarge', 'us-east-1', { live: true });
  assert.match(down.warnings[0] ?? '', /Could not reach the endpoint/);

  aws.fake.setProducts([]);
  await assert.rejects(new PriceResolver(shippedCatalogue(), [source()]).resolve('p3.2xlarg', 'us-east-1', { live: true }), (e: unknown) => isFinOpsError(e, 'input') && /p3\.2xlarge/.test(e.message));
  // a type outside the snapshot but on the Price List is priced live
  aws.fake.setProducts([ec2PriceDocument({ instanceType: 'p4de.24xlarge', regionCode: 'us-east-1', onDemand: 40.96, attributes: { vcpu: '96', memory: '1,152 GiB', gpu: '8', gpuModel: 'NVIDIA A100 80GB' } })]);
  const p4de = await new PriceResolver(shippedCatalogue(), [source()]).resolve('p4de.24xlarge', 'us-east-1', { live: true });
  assert.equal(p4de.prices.onDemand.hourly, 40.96);
  assert.deepEqual([p4de.prices.shape.gpus, p4de.prices.shape.memoryGiB, p4de.prices.shape.gpuModelId], [8, 1152, 'a100-80gb']);
});
