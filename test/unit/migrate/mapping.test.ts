import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { nearestShape } from '../../../src/core/migrate/mapping';
import { estimateMigration, breakEvenMonth, geoOf } from '../../../src/core/migrate/estimate';
import { shippedTransferPrices } from '../../../src/core/migrate/shippedTransferPrices';
import { tieredCost } from '../../../src/core/migrate/transferPrices';
import { isFinOpsError } from '../../../src/core/errors';

const catalogue = shippedCatalogue();
const transfer = shippedTransferPrices();

function mapTo(type: string, target: 'aws' | 'gcp' | 'azure', region: string) {
  return nearestShape(catalogue.require(type).shape, catalogue.pricedIn(target, region), target);
}

test('p4d.24xlarge maps to a2-highgpu-8g: the same 8 × A100 40 GB, then the nearest vCPU and memory', () => {
  const m = mapTo('p4d.24xlarge', 'gcp', 'us-central1');
  assert.ok(m.kind === 'sameGpu', m.kind);
  assert.equal(m.prices.instanceType, 'a2-highgpu-8g');
  assert.equal(m.machines, 1);
  assert.match(m.explanation, /Same GPUs \(8 × NVIDIA A100 40 GB\)/);
});

test('g5.xlarge maps to g2-standard-4: Google Cloud sells no A10G, the L4 is nearest by GPU memory and throughput', () => {
  const m = mapTo('g5.xlarge', 'gcp', 'us-central1');
  assert.ok(m.kind === 'nearestGpu', m.kind);
  assert.equal(m.prices.instanceType, 'g2-standard-4');
  // 24 GiB for 24 GiB; 121 TFLOPS for 125: said so
  assert.match(m.explanation, /NVIDIA A10G is not sold on Google Cloud/);
  assert.match(m.explanation, /1 × NVIDIA L4 24 GiB, 121 TFLOPS for 1 × NVIDIA A10G 24 GiB, 125 TFLOPS/);
});

test('Standard_NC24ads_A100_v4 maps to a2-ultragpu-1g: the same single A100 80 GB', () => {
  const m = mapTo('Standard_NC24ads_A100_v4', 'gcp', 'us-central1');
  assert.ok(m.kind === 'sameGpu', m.kind);
  assert.equal(m.prices.instanceType, 'a2-ultragpu-1g');
});

test('the same GPU model in another count takes as many machines as hold the GPUs', () => {
  // p3.16xlarge: 8 × V100 16 GB; Azure sells the V100 16 GB in machines of 1, 2 and 4
  const m = mapTo('p3.16xlarge', 'azure', 'eastus');
  assert.ok(m.kind === 'sameGpuModel', m.kind);
  assert.equal(m.prices.shape.gpus, 4);
  assert.equal(m.machines, 2);
});

test('a machine without GPUs maps by vCPU and memory; a cloud with no such shape in the catalogue is said so', () => {
  const shape = { vcpu: 4, memoryGiB: 16, gpus: 0 };
  const gcp = nearestShape(shape, catalogue.pricedIn('gcp', 'us-central1'), 'gcp');
  assert.ok(gcp.kind === 'cpu', gcp.kind);
  assert.equal(gcp.prices.instanceType, 'n1-standard-4');
  const aws = nearestShape(shape, catalogue.pricedIn('aws', 'us-east-1'), 'aws');
  assert.ok(aws.kind === 'none');
  assert.match(aws.reason, /no AWS machine without GPUs/);
});

test('egress tiers: each rate applies to the GiB inside its own tier, hand-checked at the boundaries', () => {
  // Google Cloud us-central1: $0.12 for the first TiB, $0.11 to 10 TiB, $0.08 past it
  const at = (gib: number) => transfer.egressCost('gcp', 'us-central1', gib);
  const oneTiB = at(1024);
  assert.ok(oneTiB.kind === 'priced');
  assert.equal(oneTiB.cost.toFixed(2), (1024 * 0.12).toFixed(2)); // $122.88, all in the first tier
  assert.equal(oneTiB.charges.length, 1);
  const past = at(1025);
  assert.ok(past.kind === 'priced');
  assert.equal(past.cost.toFixed(2), (1024 * 0.12 + 0.11).toFixed(2)); // one GiB at the second tier's rate
  const twelve = at(12 * 1024);
  assert.ok(twelve.kind === 'priced');
  assert.equal(twelve.cost.toFixed(2), (1024 * 0.12 + 9 * 1024 * 0.11 + 2 * 1024 * 0.08).toFixed(2)); // $1,300.48
  // AWS (US East (Ohio)): the 10 TiB boundary
  const aws = transfer.egressCost('aws', 'us-east-2', 10 * 1024 + 100);
  assert.ok(aws.kind === 'priced');
  assert.equal(aws.cost.toFixed(2), (10 * 1024 * 0.09 + 100 * 0.085).toFixed(2));
  assert.match(aws.source.name, /skypilot/);
  assert.equal(tieredCost(0, [{ upToGiB: Infinity, perGiB: 1 }]).cost, 0);
  assert.throws(() => tieredCost(Number.NaN, [{ upToGiB: Infinity, perGiB: 1 }]), isFinOpsError);
});

test('egress for a region the shipped prices do not cover is "not estimated" with the reason', () => {
  const r = transfer.egressCost('aws', 'us-east-1', 100);
  assert.equal(r.kind, 'notEstimated');
  assert.ok(r.kind === 'notEstimated');
  assert.match(r.reason, /cover AWS in us-east-2 only, not us-east-1/);
  const s = transfer.storagePrice('aws', 'us-east-1');
  assert.ok(s.kind === 'notEstimated');
  assert.match(s.reason, /no AWS object storage prices/);
});

test('a migration estimate: re-priced options, one-off transfer, monthly difference and break-even month, hand-checked', () => {
  const a2 = catalogue.prices('a2-highgpu-8g', 'us-central1');
  const est = estimateMigration({
    target: 'aws', targetRegion: 'us-east-1', basis: 'October 2026',
    compute: [{ id: 'vm-1', name: 'trainer', provider: 'gcp', region: 'us-central1', instanceType: 'a2-highgpu-8g', hoursPerMonth: 730, currentMonthlyCost: a2.onDemand.hourly * 730 }],
    storage: [{ id: 'bucket', name: 'ckpt', provider: 'gcp', region: 'us-central1', storedGiB: 2048, currentMonthlyCost: 2048 * 0.02 }],
  }, catalogue, transfer);
  const line = est.compute[0]!;
  assert.equal(line.match?.instanceType, 'p4d.24xlarge');
  const p4d = catalogue.prices('p4d.24xlarge', 'us-east-1');
  const od = line.options.onDemand;
  assert.ok(od.kind === 'priced');
  assert.equal(od.monthly.toFixed(2), (p4d.onDemand.hourly * 730).toFixed(2));
  assert.ok(line.options.spot.kind === 'priced');
  assert.ok(line.options.commit1y.kind === 'priced' && line.options.commit3y.kind === 'priced');
  // storage on AWS is not in the snapshot: not estimated, and left out of both sides
  assert.equal(est.storage[0]!.target.kind, 'notEstimated');
  assert.equal(est.comparedCurrentMonthly.toFixed(2), (a2.onDemand.hourly * 730).toFixed(2));
  // the one-off: 2 TiB out of us-central1 = 1,024 × $0.12 + 1,024 × $0.11 = $235.52
  assert.equal(est.oneOffTransfer.toFixed(2), '235.52');
  const onDemand = est.totals.find((t) => t.option === 'onDemand')!;
  assert.equal(onDemand.monthlyDifference.toFixed(2), ((p4d.onDemand.hourly - a2.onDemand.hourly) * 730).toFixed(2));
  const saving = -onDemand.monthlyDifference;
  assert.equal(onDemand.breakEvenMonth, saving > 0 ? Math.ceil(235.52 / saving) : null);
  assert.ok(est.notes.some((n) => /ckpt \(the shipped price snapshot has no AWS object storage prices\)/.test(n)));
  assert.ok(est.sources.length >= 2);
});

test('break-even: the first month whose cumulative saving covers the one-off cost; never without a saving', () => {
  assert.equal(breakEvenMonth(1000, 300), 4);
  assert.equal(breakEvenMonth(900, 300), 3);
  assert.equal(breakEvenMonth(0, 10), 1);
  assert.equal(breakEvenMonth(100, 0), null);
  assert.equal(breakEvenMonth(100, -5), null);
});

test('the target region follows the selection\'s continent unless one is asked for; an unpriced one is refused', () => {
  assert.equal(geoOf('aws', 'eu-west-1'), 'eu');
  assert.equal(geoOf('azure', 'westeurope'), 'eu');
  assert.equal(geoOf('gcp', 'us-east4'), 'na');
  const est = estimateMigration({
    target: 'gcp', basis: 'test',
    compute: [{ id: 'i-1', provider: 'aws', region: 'eu-west-1', instanceType: 'g5.xlarge', hoursPerMonth: 100, currentMonthlyCost: 100 }],
    storage: [],
  }, catalogue, transfer);
  // the catalogue's most widely priced Google Cloud region in Europe (which one depends on the shipped snapshot)
  assert.equal(geoOf('gcp', est.targetRegion), 'eu');
  assert.ok(catalogue.entries.some((e) => e.provider === 'gcp' && est.targetRegion in e.regions), est.targetRegion);
  assert.throws(() => estimateMigration({ target: 'gcp', targetRegion: 'mars-north1', basis: 't', compute: est.compute.map((c) => c.workload), storage: [] }, catalogue, transfer),
    (e: unknown) => isFinOpsError(e) && e.reason === 'input' && /us-central1/.test(e.fix));
  assert.throws(() => estimateMigration({ target: 'gcp', basis: 't', compute: [], storage: [] }, catalogue, transfer), isFinOpsError);
});
