import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRightSizing } from '../../../src/core/savings/rightsizing';
import { percentile, seriesStats } from '../../../src/core/savings/stats';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { gpuModelById } from '../../../src/core/pricing/gpuModels';
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

/** `hours` of 5-minute points: `low` everywhere, and one 5-minute `spike` in each hour where `spikeEvery(i)`. */
const fiveMinute = (hours: number, low: number, spike: number, spikeEvery: (hour: number) => boolean) => hourly(hours * 12, (i) => (i % 12 === 6 && spikeEvery(Math.floor(i / 12)) ? spike : low), Date.UTC(2026, 1, 2)).map((p, i) => ({ ...p, timestamp: new Date(Date.UTC(2026, 1, 2) + i * 300_000).toISOString() }));

test('GPU memory keeps each hour\'s peak, other series one value per hour', () => {
  const points = [{ timestamp: '2026-01-01T00:05:00Z', value: 70 }, { timestamp: '2026-01-01T00:10:00Z', value: 10 }];
  assert.deepEqual(seriesStats(points, true), { hours: 1, average: 70, p99: 70, max: 70 });
  assert.deepEqual(seriesStats(points), { hours: 1, average: 10, p99: 10, max: 10 });
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
  const e30 = estimateRightSizing({ current, candidates: aws, metrics: { cpu: hourly(30, () => 5), memory: hourly(30, () => 10) }, hoursPerMonth: 730 });
  assert.equal(e30.status, 'ok');
});

test('a CPU-idle g5.4xlarge is right-sized to the cheapest g5 that keeps 20 % headroom over CPU and host-memory p99, keeping its GPU', () => {
  const current = cat.prices('g5.4xlarge', 'us-east-1');
  const memory = series(336, 10, 20); // 20 % of 64 GiB + 20 % = 15.4 GiB
  // p99 14 % of 16 vCPU + 20 % = 2.69 vCPU → g5.xlarge (4 vCPU, 16 GiB, 1 A10G)
  const e = estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 14), memory }, hoursPerMonth: 730 });
  assert.equal(e.status, 'ok');
  assert.equal(e.recommendedType, 'g5.xlarge');
  const target = cat.prices('g5.xlarge', 'us-east-1');
  near(e.monthlySaving, (current.onDemand.hourly - target.onDemand.hourly) * 730);
  near(e.monthlyCost, target.onDemand.hourly * 730);
  assert.equal(e.observed.cpu?.p99, 14);
  // p99 40 % → 7.68 vCPU → g5.2xlarge (8 vCPU)
  assert.equal(estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 40), memory }, hoursPerMonth: 730 }).recommendedType, 'g5.2xlarge');
  // 50 % → 9.6 vCPU: nothing cheaper than g5.4xlarge has ≥ 10 vCPU and an A10G
  const kept = estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 50), memory }, hoursPerMonth: 730 });
  assert.equal(kept.status, 'rightSized');
  assert.equal(kept.monthlySaving, 0);
});

test('without a host-memory metric the host memory is never reduced, and the report says how to publish it', () => {
  const current = cat.prices('g5.4xlarge', 'us-east-1');
  const e = estimateRightSizing({ current, candidates: aws, metrics: { cpu: series(336, 10, 14) }, hoursPerMonth: 730 });
  assert.equal(e.status, 'rightSized', 'every cheaper g5 has less than 64 GiB');
  assert.ok(e.assumptions.some((a) => /64 GiB host memory kept \(not measured: publish mem_used_percent/.test(a)), e.assumptions.join('\n'));
  // a larger-memory sibling with fewer vCPUs would be allowed: every candidate that is chosen keeps ≥ 64 GiB
  for (const type of ['p3.8xlarge', 'g6.12xlarge', 'g4dn.12xlarge']) {
    const cur = cat.prices(type, 'us-east-1');
    const r = estimateRightSizing({ current: cur, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 2, 4), gpu: series(336, 2, 4), gpuMemory: series(336, 2, 4) } });
    if (r.recommendedType) assert.ok(cat.prices(r.recommendedType, 'us-east-1').shape.memoryGiB >= cur.shape.memoryGiB, `${type} → ${r.recommendedType}`);
  }
});

test('GPU-bound sizing: a 4-GPU p3.8xlarge at 20 % GPU goes to the 1-GPU p3.2xlarge when GPU and host memory fit', () => {
  const current = cat.prices('p3.8xlarge', 'us-east-1');
  const memory = series(336, 10, 15); // 15 % of 244 GiB + 20 % = 43.9 GiB ≤ 61
  const e = estimateRightSizing({
    current, candidates: aws, hoursPerMonth: 730,
    // GPU memory peak 20 % of 15.78 GiB usable × 4 GPUs = 12.6 GiB, + 20 % = 15.1 GiB ≤ one V100's 15.78
    metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory: series(336, 10, 20), memory },
  });
  assert.equal(e.recommendedType, 'p3.2xlarge');
  near(e.monthlySaving, (12.24 - 3.06) * 730);
  assert.ok(e.assumptions.some((a) => /Fewer GPUs/.test(a)));
  // GPU memory at 50 % on each of 4 GPUs (31.6 GiB in all) does not fit one V100
  const mem = estimateRightSizing({
    current, candidates: aws, hoursPerMonth: 730,
    metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory: series(336, 40, 50), memory },
  });
  assert.equal(mem.status, 'rightSized');
  // Without a GPU utilisation metric the GPU count is kept: nothing cheaper has 4 V100s
  const noGpu = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), memory } });
  assert.equal(noGpu.status, 'rightSized');
  assert.ok(noGpu.assumptions.some((a) => /no GPU utilisation metric/.test(a)));
});

test('without a GPU-memory metric neither the GPU count nor the GPU memory is reduced, and the report says how to publish it', () => {
  const memory = series(336, 5, 10);
  // 4 × V100 at 20 % utilisation would fit one V100 by utilisation alone
  const p3 = estimateRightSizing({ current: cat.prices('p3.8xlarge', 'us-east-1'), candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), memory } });
  assert.equal(p3.status, 'rightSized');
  assert.ok(p3.assumptions.some((a) => /GPU count and GPU memory kept \(GPU memory was not measured.*nvidia_smi_memory_used and nvidia_smi_memory_total/.test(a)), p3.assumptions.join('\n'));
  // an A100 80 GB is not swapped for a 40 GB one
  const a2 = estimateRightSizing({ current: cat.prices('a2-ultragpu-1g', 'us-central1'), candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70), memory } });
  assert.equal(a2.status, 'rightSized');
  // a same-GPU smaller host is still allowed: g5.4xlarge (1 A10G) → g5.xlarge keeps the one A10G
  const g5 = estimateRightSizing({ current: cat.prices('g5.4xlarge', 'us-east-1'), candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: series(336, 50, 60), memory: series(336, 5, 20) } });
  assert.equal(g5.recommendedType, 'g5.xlarge');
});

test('GPU memory is sized by its 5-minute peak, not the hourly average: a short spike keeps the GPUs', () => {
  const current = cat.prices('p3.8xlarge', 'us-east-1');
  const memory = series(336, 10, 15);
  // 5-minute maxima: 10 % almost always, 60 % for five minutes once a day. Hourly averages would read ≈ 14 %.
  const gpuMemory = fiveMinute(336, 10, 60, (h) => h % 24 === 3);
  const e = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory, memory } });
  assert.equal(e.observed.gpuMemory?.max, 60);
  assert.equal(e.status, 'rightSized', e.assumptions.join('\n'));
  // 60 % of 15.78 GiB × 4 = 37.9 GiB, + 20 % = 45.4 GiB: more than one or two V100s hold
  assert.ok(e.assumptions.some((a) => /≥ 45\.4 GiB GPU memory in all \(peak 60\.0 % of 15\.78 GiB usable/.test(a)), e.assumptions.join('\n'));
  // the same spike averaged over its hour (≈ 14 %) would have let it shrink to one GPU
  const averaged = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: series(336, 15, 20), gpuMemory: hourly(336, () => 10 + 50 / 12), memory } });
  assert.equal(averaged.recommendedType, 'p3.2xlarge');
});

test('usable GPU memory: an A10G or L4 holds 22.35 GiB, not 24', () => {
  assert.equal(gpuModelById('a10g')?.usableGiB, 22.35);
  assert.equal(gpuModelById('l4')?.usableGiB, 22.35);
  for (const id of ['t4', 'v100', 'a100', 'a100-80gb', 'h100', 'l40s']) {
    const m = gpuModelById(id);
    assert.ok(m && m.usableGiB < m.memoryGiB, id);
  }
  // g6.12xlarge (4 × L4): a 21 % peak on each is 4 × 22.35 × 0.21 = 18.8 GiB, + 20 % = 22.5 GiB: more than one L4 holds
  const current = cat.prices('g6.12xlarge', 'us-east-1');
  const e = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 2, 4), gpu: series(336, 5, 10), gpuMemory: series(336, 10, 21), memory: series(336, 2, 5) } });
  assert.notEqual(cat.prices(e.recommendedType ?? 'g6.12xlarge', 'us-east-1').shape.gpus, 1, e.assumptions.join('\n'));
  assert.ok(e.assumptions.some((a) => /of 22\.35 GiB usable/.test(a)));
  // 20 % peak: 21.5 GiB with headroom fits one L4
  const fits = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 2, 4), gpu: series(336, 5, 10), gpuMemory: series(336, 10, 20), memory: series(336, 2, 5) } });
  assert.equal(cat.prices(fits.recommendedType ?? 'g6.12xlarge', 'us-east-1').shape.gpus, 1, fits.assumptions.join('\n'));
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
  // one 5-minute GPU-memory peak at 90 % saturates it, though the hourly p99 is low
  const peak = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 3, 5), gpuMemory: fiveMinute(336, 10, 90, (h) => h === 100) } });
  assert.equal(peak.status, 'saturated');
  assert.ok(peak.assumptions.some((a) => /GPU memory peak is 90\.0 %/.test(a)));
});

test('a smaller GPU: A100 80 GB → A100 40 GB only when the measured GPU memory peak fits with headroom', () => {
  const current = cat.prices('a2-ultragpu-1g', 'us-central1');
  const target = cat.prices('a2-highgpu-1g', 'us-central1');
  const memory = series(336, 20, 30); // 30 % of 170 GiB + 20 % = 61 GiB ≤ 85
  const e = estimateRightSizing({ current, candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70), gpuMemory: series(336, 20, 30), memory } });
  assert.equal(e.recommendedType, 'a2-highgpu-1g');
  near(e.monthlySaving, (current.onDemand.hourly - target.onDemand.hourly) * 730);
  assert.ok(e.assumptions.some((a) => /smaller GPU of the same architecture/.test(a)));
  // 30 % of 79.15 GiB = 23.7 GiB, +20 % = 28.5 ≤ 39.59; at 45 % (35.6 GiB → 42.7) it no longer fits
  const tooBig = estimateRightSizing({ current, candidates: gcp, hoursPerMonth: 730, metrics: { cpu: series(336, 20, 40), gpu: series(336, 50, 70), gpuMemory: series(336, 20, 45), memory } });
  assert.equal(tooBig.status, 'rightSized');
});

test('a short GPU series is ignored with a note, the GPU count kept', () => {
  const current = cat.prices('g5.12xlarge', 'us-east-1');
  const e = estimateRightSizing({ current, candidates: aws, hoursPerMonth: 730, metrics: { cpu: series(336, 5, 10), gpu: hourly(12, () => 5) } });
  assert.ok(e.assumptions.some((a) => /GPU utilisation: only 12 hours/.test(a)));
  assert.ok(e.assumptions.some((a) => /4 × NVIDIA A10G kept/.test(a)));
  assert.equal(e.status, 'rightSized', 'no cheaper type has four A10Gs');
  assert.equal(e.observed.gpu, undefined);
});
