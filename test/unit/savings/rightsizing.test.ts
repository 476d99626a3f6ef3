import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRightSizing } from '../../../src/core/savings/rightsizing';
import { percentile, seriesStats } from '../../../src/core/savings/stats';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { hourly } from './fixtures';

const cat = shippedCatalogue();
const near = (a: number, b: number, eps = 0.006) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const aws = cat.pricedIn('aws', 'us-east-1');
const gcp = cat.pricedIn('gcp', 'us-central1');
/** A series whose p99 (nearest rank) is `p99`: 98 % of the hours at `low`, the rest at `p99`. */
const series = (hours: number, low: number, p99: number) => hourly(hours, (i) => (i % 50 === 0 ? p99 : low));

test('percentiles are nearest-rank; invalid points are dropped; one value per hour', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
  assert.equal(percentile([5, 1, 3], 50), 3);
  const s = seriesStats([
    { timestamp: '2026-01-01T00:00:00Z', value: 10 }, { timestamp: '2026-01-01T00:30:00Z', value: 20 },
    { timestamp: '2026-01-01T01:00:00Z', value: Number.NaN }, { timestamp: 'not a date', value: 5 }, { timestamp: '2026-01-01T02:00:00Z', value: 140 },
  ]);
  assert.deepEqual(s, { hours: 1, average: 20, p99: 20, max: 20 });
  assert.equal(seriesStats([]), undefined);
});

test('empty and short series: insufficient data, no saving', () => {
  const current = cat.prices('g5.4xlarge', 'us-east-1');
  for (const cpu of [[], hourly(29, () => 5)]) {
    const e = estimateRightSizing({ current, candidates: aws, metrics: { cpu }, hoursPerMonth: 730 });
    assert.equal(e.status, 'insufficientData');
    assert.equal(e.monthlySaving, 0);
    assert.match(e.option, /Insufficient data/);
    assert.ok(e.assumptions.some((a) => /at least 30 hours/.test(a)));
  }
  const e30 = estimateRightSizing({ current, candidates: aws, metrics: { cpu: hourly(30, () => 5) }, hoursPerMonth: 730 });
  assert.equal(e30.status, 'ok');
});

test('a CPU-idle g5.4xlarge is right-sized to the cheapest g5 that keeps 20 % headroom over the p99, keeping its GPU', () => {
  const current = cat.prices('g5.4xlarge', 'us-east-1');
  // p99 14 % of 16 vCPU + 20 % = 2.69 vCPU → g5.xlarge (4 vCPU, 1 A10G)
  const e = estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 14) }, hoursPerMonth: 730 });
  assert.equal(e.status, 'ok');
  assert.equal(e.recommendedType, 'g5.xlarge');
  const target = cat.prices('g5.xlarge', 'us-east-1');
  near(e.monthlySaving, (current.onDemand.hourly - target.onDemand.hourly) * 730);
  near(e.monthlyCost, target.onDemand.hourly * 730);
  assert.equal(e.observed.cpu?.p99, 14);
  // p99 40 % → 7.68 vCPU → g5.2xlarge (8 vCPU)
  assert.equal(estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 40) }, hoursPerMonth: 730 }).recommendedType, 'g5.2xlarge');
  // 50 % → 9.6 vCPU: nothing cheaper than g5.4xlarge has ≥ 10 vCPU and an A10G
  const kept = estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 50) }, hoursPerMonth: 730 });
  assert.equal(kept.status, 'rightSized');
  assert.equal(kept.monthlySaving, 0);
});

test('GPU-bound sizing: a 4-GPU p3.8xlarge at 20 % GPU goes to the 1-GPU p3.2xlarge', () => {
  const current = cat.prices('p3.8xlarge', 'us-east-1');
  const e = estimateRightSizing({
    current, candidates: aws, hoursPerMonth: 730,
    metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory: series(336, 10, 20) },
  });
  assert.equal(e.recommendedType, 'p3.2xlarge');
  near(e.monthlySaving, (12.24 - 3.06) * 730);
  assert.ok(e.assumptions.some((a) => /Fewer GPUs/.test(a)));
  // GPU memory at 50 % on each of 4 GPUs (32 GiB in all) does not fit one 16 GiB V100
  const mem = estimateRightSizing({
    current, candidates: aws, hoursPerMonth: 730,
    metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory: series(336, 40, 50) },
  });
  assert.equal(mem.status, 'rightSized');
  // Without a GPU metric the GPU count is kept: nothing cheaper has 4 V100s
  const noGpu = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10) } });
  assert.equal(noGpu.status, 'rightSized');
  assert.ok(noGpu.assumptions.some((a) => /no GPU utilisation metric/.test(a)));
});

test('never down-sizes a saturated instance, whatever its CPU says', () => {
  const current = cat.prices('p3.8xlarge', 'us-east-1');
  const e = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 3, 5), gpu: series(336, 60, 90) } });
  assert.equal(e.status, 'saturated');
  assert.equal(e.monthlySaving, 0);
  assert.equal(e.recommendedType, undefined);
  assert.ok(e.assumptions.some((a) => /GPU utilisation p99 is 90\.0 %/.test(a)));
  const cpuBound = estimateRightSizing({ current: cat.prices('g5.4xlarge'), candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 50, 97) } });
  assert.equal(cpuBound.status, 'saturated');
  assert.ok(cpuBound.assumptions.some((a) => /larger/.test(a)));
});

test('a smaller GPU: A100 80 GB → A100 40 GB only when measured GPU memory fits with headroom', () => {
  const current = cat.prices('a2-ultragpu-1g', 'us-central1');
  const target = cat.prices('a2-highgpu-1g', 'us-central1');
  const e = estimateRightSizing({ current, candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70), gpuMemory: series(336, 20, 30) } });
  assert.equal(e.recommendedType, 'a2-highgpu-1g');
  near(e.monthlySaving, (current.onDemand.hourly - target.onDemand.hourly) * 730);
  assert.ok(e.assumptions.some((a) => /smaller GPU of the same architecture/.test(a)));
  // 30 % of 80 GiB = 24 GiB, +20 % = 28.8 ≤ 40; at 45 % (36 GiB → 43.2) it no longer fits
  const tooBig = estimateRightSizing({ current, candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70), gpuMemory: series(336, 20, 45) } });
  assert.equal(tooBig.status, 'rightSized');
  const unmeasured = estimateRightSizing({ current, candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70) } });
  assert.equal(unmeasured.status, 'rightSized');
});

test('a short GPU series is ignored with a note, the GPU count kept', () => {
  const current = cat.prices('g5.12xlarge', 'us-east-1');
  const e = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: hourly(12, () => 5) } });
  assert.ok(e.assumptions.some((a) => /GPU utilisation: only 12 hours/.test(a)));
  assert.ok(e.assumptions.some((a) => /4 × NVIDIA A10G kept/.test(a)));
  assert.equal(e.status, 'rightSized', 'no cheaper type has four A10Gs');
  assert.equal(e.observed.gpu, undefined);
});
