import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectProvider, familyOf, normalizeRegion, PriceCatalogue } from '../../../src/core/pricing/catalogue';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { captureDate, splitEffectiveRate } from '../../../src/core/pricing/snapshot';
import { isFinOpsError } from '../../../src/core/errors';
import { notEstimated } from '../../../src/core/savings/report';

const root = join(__dirname, '../../..');
const snapshotPath = join(root, 'resources/pricing/gpu_ml_instance_prices.json');
const raw = JSON.parse(readFileSync(snapshotPath, 'utf8'));

test('the shipped snapshot reproduces every price of the shared pricing data (where present) and covers every region its sources price', (t) => {
  const c = shippedCatalogue();
  const regions = (cloud: 'aws' | 'gcp' | 'azure') => new Set(c.entries.filter((e) => e.provider === cloud).flatMap((e) => Object.keys(e.regions)));
  assert.equal(regions('aws').size, 29);
  assert.equal(regions('gcp').size, 40);
  for (const r of ['eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-south-1', 'sa-east-1']) assert.ok(regions('aws').has(r), r);
  for (const r of ['europe-west4', 'asia-southeast1', 'us-east4', 'australia-southeast1']) assert.ok(regions('gcp').has(r), r);
  assert.equal(c.prices('p4d.24xlarge', 'eu-central-1').onDemand.hourly, raw.aws['p4d.24xlarge'].regions['eu-central-1'].ondemand);
  assert.equal(c.prices('a3-highgpu-8g', 'europe-west1').onDemand.hourly, raw.gcp['a3-highgpu-8g'].regions['europe-west1'].ondemand);
  const shared = join(root, '../shared/data/pricing/gpu_ml_instance_prices.json');
  if (!existsSync(shared)) return t.skip('../shared/data not present');
  const old = JSON.parse(readFileSync(shared, 'utf8'));
  let compared = 0;
  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    for (const [type, entry] of Object.entries(old[cloud] as Record<string, { regions: Record<string, Record<string, unknown>> }>)) {
      for (const [region, prices] of Object.entries(entry.regions)) {
        assert.deepEqual(raw[cloud][type].regions[region], prices, `${cloud} ${type} ${region}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 200);
});

test('every priced type in the snapshot is in the catalogue, with its on-demand price per region', () => {
  const c = shippedCatalogue();
  for (const provider of ['aws', 'gcp', 'azure'] as const) {
    for (const [type, entry] of Object.entries(raw[provider] as Record<string, { regions: Record<string, { ondemand: number | null }> }>)) {
      const priced = Object.entries(entry.regions).filter(([, r]) => r.ondemand != null);
      if (priced.length === 0) { assert.equal(c.find(type), undefined, type); continue; }
      for (const [region, r] of priced) {
        const p = c.prices(type, region);
        assert.equal(p.provider, provider);
        if (!(provider === 'aws' && region === 'us-east-1')) assert.equal(p.onDemand.hourly, r.ondemand, `${type} ${region}`);
      }
    }
  }
});

test('capture dates come from each source and every price names its source', () => {
  const c = shippedCatalogue();
  const dates = c.sources.map((s) => s.capturedAt);
  const expected = Object.values(raw.sources as Record<string, { captured_at: string }>).map((s) => /(\d{4}-\d{2}-\d{2})/.exec(s.captured_at)?.[1] ?? 'unknown');
  assert.deepEqual(dates, expected);
  assert.ok(dates.includes('unknown'), 'the Azure capture date is unknown and must say so');
  for (const e of c.entries) {
    for (const region of Object.keys(e.regions)) {
      const p = c.prices(e.instanceType, region);
      assert.match(p.onDemand.source.name, /@ [0-9a-f]{7}\)$/);
      assert.equal(p.onDemand.source.live, false);
      for (const x of p.commitments) assert.ok(x.source.capturedAt);
    }
  }
  assert.equal(captureDate('2026-07-20T13:44:30Z (per file header)'), '2026-07-20');
  assert.equal(captureDate('unknown - commit date not visible'), 'unknown');
});

test('p3.2xlarge in us-east-1: $3.06/h on-demand from the newer Karpenter capture, spot from the ec2instances snapshot, V100 shape', () => {
  const p = shippedCatalogue().prices('p3.2xlarge', 'us-east-1');
  assert.equal(p.onDemand.hourly, raw.aws['p3.2xlarge'].karpenter_ondemand_us_east_1_2026_07_20);
  assert.equal(p.onDemand.hourly, 3.06);
  assert.match(p.onDemand.source.name, /Karpenter/);
  assert.equal(p.spot?.hourly, raw.aws['p3.2xlarge'].regions['us-east-1'].spot_avg);
  assert.equal(p.spot?.min, raw.aws['p3.2xlarge'].regions['us-east-1'].spot_min);
  assert.deepEqual({ vcpu: p.shape.vcpu, mem: p.shape.memoryGiB, gpus: p.shape.gpus, model: p.shape.gpuModelId, gmem: p.shape.gpuMemoryGiB }, { vcpu: 8, mem: 61, gpus: 1, model: 'v100', gmem: 16 });
  assert.equal(p.commitments.length, 0);
  assert.ok(notEstimated(p).some((n) => /^Reserved instances: the price snapshot lists no reserved-instance offer for p3\.2xlarge/.test(n)));
  const west = shippedCatalogue().prices('p3.2xlarge', 'eu-west-1');
  assert.equal(west.onDemand.hourly, raw.aws['p3.2xlarge'].regions['eu-west-1'].ondemand);
  assert.match(west.onDemand.source.name, /ec2instances/);
});

test('AWS reserved rates become RIs (and never savings plans) with upfront and hourly parts that add up to the effective rate', () => {
  const p = shippedCatalogue().prices('g5.xlarge', 'us-east-1');
  const rates = raw.aws['g5.xlarge'].regions['us-east-1'].reserved as Record<string, number>;
  const ri = p.commitments.filter((c) => c.kind === 'reservedInstance');
  assert.equal(ri.length, Object.keys(rates).length);
  for (const c of p.commitments) {
    const hours = c.term * 8760;
    assert.ok(Math.abs(c.upfront / hours + c.hourly - c.effectiveHourly) < 1e-9, `${c.kind} ${c.term} ${c.payment}`);
    const key = `yrTerm${c.term}${c.offering === 'standard' ? 'Standard' : 'Convertible'}.${c.payment}`;
    assert.equal(c.effectiveHourly, rates[key]);
  }
  // savings plans are not derived from RI rates: the source has none, so there are none
  assert.equal(p.commitments.filter((c) => c.kind === 'savingsPlan').length, 0);
  assert.deepEqual(splitEffectiveRate(2, 1, 'allUpfront'), { upfront: 17520, hourly: 0 });
  assert.deepEqual(splitEffectiveRate(2, 3, 'partialUpfront'), { upfront: 26280, hourly: 1 });
  assert.deepEqual(splitEffectiveRate(2, 1, 'noUpfront'), { upfront: 0, hourly: 2 });
});

test('GCP committed-use prices and GPU shapes; n1 notes say GPUs are extra', () => {
  const c = shippedCatalogue();
  const a2 = c.prices('a2-ultragpu-1g', 'us-central1');
  assert.equal(a2.shape.gpuModelId, 'a100-80gb');
  assert.equal(a2.shape.gpus, 1);
  assert.equal(raw.gcp['a2-ultragpu-1g'].regions['us-central1'].cud_1y_hourly, null);
  assert.deepEqual(a2.commitments, [], 'no CUD price in the source: none invented');
  const hg = c.prices('a2-highgpu-1g', 'us-central1');
  assert.deepEqual(hg.commitments.map((x) => [x.kind, x.term, x.payment, x.upfront, x.hourly]), [
    ['committedUse', 1, 'noUpfront', 0, raw.gcp['a2-highgpu-1g'].regions['us-central1'].cud_1y_hourly],
    ['committedUse', 3, 'noUpfront', 0, raw.gcp['a2-highgpu-1g'].regions['us-central1'].cud_3y_hourly],
  ]);
  assert.equal(c.prices('a2-highgpu-8g').shape.gpus, 8);
  assert.equal(c.prices('n1-standard-8').shape.gpus, 0);
  assert.ok(c.prices('n1-standard-8').notes.some((n) => /exclude attached GPUs/.test(n)));
  assert.equal(c.prices('a3-megagpu-8g', 'us-east4').shape.gpuModelId, 'h100-mega');
});

test('Azure: regions by display name, spot left out where the source did not capture it, corrected shapes', () => {
  const c = shippedCatalogue();
  const a100 = c.prices('Standard_NC24ads_A100_v4', 'East US');
  assert.equal(a100.region, 'eastus');
  assert.equal(a100.spot?.hourly, raw.azure.Standard_NC24ads_A100_v4.regions.eastus.spot);
  assert.equal(a100.commitments.length, 0);
  const h100 = c.prices('Standard_NC40ads_H100_v5', 'eastus');
  assert.equal(raw.azure.Standard_NC40ads_H100_v5.regions.eastus.spot, raw.azure.Standard_NC40ads_H100_v5.regions.eastus.ondemand);
  assert.equal(h100.spot, undefined);
  assert.equal(h100.shape.gpuMemoryGiB, 94);
  assert.equal(c.prices('Standard_ND96isr_H100_v5', 'eastus').shape.gpus, 8);
  assert.equal(c.prices('Standard_NC8ads_A10_v4', 'westus3').shape.gpus, null);
  assert.equal(c.find('Standard_ND40s_v3'), undefined, 'no priced region: left out');
  assert.equal(c.prices('trn1.2xlarge').shape.gpuModelId, 'trainium');
});

test('an unknown instance type fails with notFound naming the closest known types', () => {
  const c = shippedCatalogue();
  assert.throws(() => c.prices('p3.2xlarg'), (e: unknown) => {
    assert.ok(isFinOpsError(e, 'input'));
    assert.match(e.message, /Unknown instance type "p3\.2xlarg"\. Did you mean "p3\.2xlarge"/);
    assert.match(e.fix ?? '', /p3\.2xlarge/);
    return true;
  });
  assert.throws(() => c.prices('Standard_NC24ads_A100'), (e: unknown) => isFinOpsError(e, 'input') && /Standard_NC24ads_A100_v4/.test(e.message));
  assert.throws(() => c.prices('a2-highgpu-1'), (e: unknown) => isFinOpsError(e, 'input') && /"a2-highgpu-1g"/.test(e.message));
  assert.throws(() => c.prices('zz9-nothing'), (e: unknown) => isFinOpsError(e, 'input') && /Unknown instance type "zz9-nothing"/.test(e.message));
  assert.throws(() => c.prices('p3.2xlarge', 'ap-south-1'), (e: unknown) => isFinOpsError(e, 'input') && /captured 2026-07-20, 2025-11-30\) list none there\. It prices p3\.2xlarge in 12 regions: us-east-1, us-west-2, eu-west-1/.test(e.message));
  assert.equal(c.find('P3.2XLARGE')?.instanceType, 'p3.2xlarge');
});

test('a malformed snapshot is rejected with the path of the bad field', () => {
  const broken = structuredClone(raw);
  broken.aws['g5.xlarge'].vcpu = 'four';
  assert.throws(() => PriceCatalogue.fromSnapshot(broken), (e: unknown) => isFinOpsError(e, 'input') && /aws\.g5\.xlarge\.vcpu/.test(e.message));
  assert.throws(() => PriceCatalogue.fromSnapshot(null), (e: unknown) => isFinOpsError(e, 'input'));
});

test('providers, families and regions are recognised from names', () => {
  assert.equal(detectProvider('p3.2xlarge'), 'aws');
  assert.equal(detectProvider('ml.g5.xlarge'), 'aws');
  assert.equal(detectProvider('a2-highgpu-1g'), 'gcp');
  assert.equal(detectProvider('Standard_NC6s_v3'), 'azure');
  assert.equal(detectProvider('not a type'), undefined);
  assert.equal(familyOf('aws', 'g5.12xlarge'), 'g5');
  assert.equal(familyOf('gcp', 'a2-ultragpu-8g'), 'a2-ultragpu');
  assert.equal(familyOf('azure', 'Standard_NC24ads_A100_v4'), 'NCads_A100_v4');
  assert.equal(normalizeRegion('gcp', 'us-central1-a'), 'us-central1');
  assert.equal(normalizeRegion('aws', 'us-east-1b'), 'us-east-1');
  assert.equal(normalizeRegion('azure', 'West US 2'), 'westus2');
});
