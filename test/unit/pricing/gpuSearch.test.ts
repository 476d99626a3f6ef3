import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchByGpu } from '../../../src/core/pricing/catalogue';
import { parseGpuQuery } from '../../../src/core/pricing/gpuModels';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';

const cat = shippedCatalogue();
const types = (text: string, provider?: string) => (searchByGpu(cat, text)?.matches ?? []).filter((m) => !provider || m.provider === provider).map((m) => m.instanceType);

test('GPU names as people write them map to the catalogue\'s models', () => {
  assert.deepEqual(parseGpuQuery('H100')?.modelIds, ['h100', 'h100-mega', 'h100-nvl']);
  assert.deepEqual(parseGpuQuery('  nvidia h100 sxm ')?.modelIds, ['h100', 'h100-mega', 'h100-nvl']);
  assert.deepEqual(parseGpuQuery('A100 80GB')?.modelIds, ['a100-80gb']);
  assert.deepEqual(parseGpuQuery('a100-80g')?.modelIds, ['a100-80gb']);
  assert.deepEqual(parseGpuQuery('A100 40 GB')?.modelIds, ['a100']);
  assert.deepEqual(parseGpuQuery('A100')?.modelIds, ['a100', 'a100-80gb']);
  assert.deepEqual(parseGpuQuery('l4')?.modelIds, ['l4']);
  assert.deepEqual(parseGpuQuery('L40S')?.modelIds, ['l40s']);
  assert.deepEqual(parseGpuQuery('T4')?.modelIds, ['t4']);
  assert.deepEqual(parseGpuQuery('V100')?.modelIds, ['v100', 'v100-32gb']);
  assert.deepEqual(parseGpuQuery('V100 32GB')?.modelIds, ['v100-32gb']);
  assert.deepEqual(parseGpuQuery('A10G')?.modelIds, ['a10g', 'a10']);
  assert.equal(parseGpuQuery('A10G')?.text, 'A10G', 'the text as typed is kept');
  for (const t of ['', 'p3.2xlarge', 'a2-highgpu-1g', 'GPU', 'H1000', 'x'.repeat(100)]) assert.equal(parseGpuQuery(t), undefined, t);
});

test('H100, A100 80GB, L4, T4, V100 and A10G list the matching types on all three clouds, priced, with the clouds that have none named', () => {
  assert.deepEqual(types('H100', 'aws'), ['p5.4xlarge', 'p5.48xlarge']);
  assert.deepEqual(types('H100', 'gcp'), ['a3-highgpu-1g', 'a3-highgpu-2g', 'a3-highgpu-4g', 'a3-highgpu-8g', 'a3-megagpu-8g']);
  assert.ok(types('H100', 'azure').includes('Standard_ND96isr_H100_v5'));
  assert.deepEqual(types('A100 80GB', 'aws'), ['p4de.24xlarge']);
  assert.deepEqual(types('A100 80GB', 'gcp'), ['a2-ultragpu-1g', 'a2-ultragpu-2g', 'a2-ultragpu-4g', 'a2-ultragpu-8g']);
  assert.ok(types('A100 80GB', 'azure').includes('Standard_NC24ads_A100_v4'));
  assert.ok(!types('A100 80GB').includes('p4d.24xlarge'), 'the 40 GB p4d is not an 80 GB A100');
  assert.ok(types('L4', 'aws').includes('g6.xlarge') && types('L4', 'gcp').includes('g2-standard-4'));
  assert.ok(!types('L4').some((t) => t.startsWith('g6e')), 'an L40S is not an L4');
  assert.ok(types('T4', 'aws').includes('g4dn.xlarge') && types('T4', 'azure').includes('Standard_NC4as_T4_v3'));
  assert.ok(types('V100', 'aws').includes('p3.2xlarge') && types('V100', 'azure').includes('Standard_NC6s_v3'));
  assert.ok(types('A10G', 'aws').includes('g5.xlarge') && types('A10G', 'azure').includes('Standard_NC8ads_A10_v4'));

  const h100 = searchByGpu(cat, 'H100');
  assert.ok(h100);
  assert.deepEqual(h100.none, []);
  const p5 = h100.matches.find((m) => m.instanceType === 'p5.48xlarge');
  assert.equal(p5?.region, 'us-east-1');
  assert.equal(p5?.onDemandHourly, cat.prices('p5.48xlarge', 'us-east-1').onDemand.hourly);
  assert.equal(p5?.perGpuHourly, (p5?.onDemandHourly ?? 0) / 8);
  assert.match(p5?.source.capturedAt ?? '', /^\d{4}-\d{2}-\d{2}$/);
  // ordered by cloud, then GPU count, then price
  const order = h100.matches.map((m) => m.provider);
  assert.deepEqual(order, [...order].sort((a, b) => ['aws', 'gcp', 'azure'].indexOf(a) - ['aws', 'gcp', 'azure'].indexOf(b)));

  assert.match(searchByGpu(cat, 'L4')?.none.join(' ') ?? '', /^Azure: no L4 type in the price catalogue\.$/);
  assert.match(searchByGpu(cat, 'T4')?.none.join(' ') ?? '', /Google Cloud: T4 GPUs are attached to N1 machines/);
  assert.equal(searchByGpu(cat, 'not a gpu'), undefined);
});

test('a region is honoured where the type is priced there, else each cloud\'s default region', () => {
  const s = searchByGpu(cat, 'H100', { aws: 'eu-west-2', gcp: 'europe-west4' });
  assert.equal(s?.matches.find((m) => m.instanceType === 'p5.48xlarge')?.region, 'eu-west-2');
  assert.equal(s?.matches.find((m) => m.instanceType === 'a3-highgpu-8g')?.region, 'europe-west4');
  assert.equal(s?.matches.find((m) => m.instanceType === 'Standard_ND96isr_H100_v5')?.region, 'eastus');
});
