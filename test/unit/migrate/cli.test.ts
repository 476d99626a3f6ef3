import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../../support/cli';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';

let scratch: string;
const header = ['ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory', 'BilledCost', 'EffectiveCost', 'BillingCurrency', 'ProviderName', 'RegionId', 'ResourceId', 'ResourceName', 'ServiceCategory', 'ServiceName', 'ConsumedQuantity', 'ConsumedUnit', 'SkuPriceDetails', 'Tags'];
const csv = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
function row(day: string, cost: number, provider: string, region: string, id: string, name: string, category: string, quantity: number, unit: string, details: object | null, tags: object): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return [`${day}T00:00:00Z`, next.toISOString().replace('.000', ''), 'Usage', String(cost), String(cost), 'USD', provider, region, id, name, category,
    category === 'Compute' ? 'Amazon Elastic Compute Cloud' : 'Amazon Simple Storage Service', String(quantity), unit, details ? JSON.stringify(details) : '', JSON.stringify(tags)].map(csv).join(',');
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mlfinops-migrate-'));
  const vision = { Team: 'vision' };
  writeFileSync(join(scratch, 'bill.csv'), [header.join(','),
    row('2026-10-01', 100.6, 'AWS', 'us-east-2', 'i-0a', 'detector-serving', 'Compute', 100, 'Hours', { InstanceType: 'g5.xlarge' }, vision),
    row('2026-10-02', 100.6, 'AWS', 'us-east-2', 'i-0a', 'detector-serving', 'Compute', 100, 'Hours', { InstanceType: 'g5.xlarge' }, vision),
    // 10,340 GiB on average over October: 10 TiB and 100 GiB, just past AWS's first egress tier
    row('2026-10-01', 100, 'AWS', 'us-east-2', 'detector-ckpt', 'detector-ckpt', 'Storage', 5000, 'GB-Month', null, vision),
    row('2026-10-02', 137.82, 'AWS', 'us-east-2', 'detector-ckpt', 'detector-ckpt', 'Storage', 5340, 'GB-Month', null, vision),
    row('2026-10-03', 500, 'AWS', 'us-east-2', 'i-0b', 'nlp-trainer', 'Compute', 24, 'Hours', { InstanceType: 'p4d.24xlarge' }, { Team: 'nlp' }),
    // November is not whole: the default month is October
    row('2026-11-01', 50.3, 'AWS', 'us-east-2', 'i-0a', 'detector-serving', 'Compute', 50, 'Hours', { InstanceType: 'g5.xlarge' }, vision),
  ].join('\n') + '\n');
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]): Promise<CliRun> => runCli(['migrate', ...args], { cwd: scratch, env: {} });

test('mlfinops migrate --format json: the selection re-priced on Google Cloud, transfer past a tier boundary, break-even, hand-checked', async () => {
  const r = await run('--from-focus', 'bill.csv', '--resources', 'tag:Team=vision', '--to', 'gcp', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const e = JSON.parse(r.out);
  assert.equal(e.basis, 'October 2026');
  assert.equal(e.targetRegion, 'us-central1');
  assert.equal(e.compute.length, 1); // the nlp trainer is not selected
  const c = e.compute[0];
  assert.equal(c.to.instanceType, 'g2-standard-4');
  assert.equal(c.to.match, 'nearestGpu');
  assert.equal(c.hoursPerMonth, 200);
  const g2 = shippedCatalogue().prices('g2-standard-4', 'us-central1');
  assert.equal(c.options.onDemand.monthly, Math.round(200 * g2.onDemand.hourly * 100) / 100);
  assert.equal(e.storage[0].storedGiB, 10340);
  assert.equal(e.storage[0].target.monthly, 206.8); // 10,340 GiB × $0.02
  // 10,240 GiB × $0.09 + 100 GiB × $0.085 = $930.10
  assert.equal(e.oneOffTransfer, 930.1);
  assert.deepEqual(e.transfer[0].tiers.map((t: { perGiB: number; cost: number }) => [t.perGiB, t.cost]), [[0.09, 921.6], [0.085, 8.5]]);
  const od = e.totals.find((t: { option: string }) => t.option === 'onDemand');
  const current = 201.2 + 237.82;
  assert.equal(e.comparedCurrentMonthly, current);
  const target = 200 * g2.onDemand.hourly + 206.8;
  assert.equal(od.targetMonthly, Math.round(target * 100) / 100);
  assert.equal(od.monthlyDifference, Math.round((target - current) * 100) / 100);
  assert.equal(od.breakEvenMonth, current > target ? Math.ceil(930.1 / (current - target)) : null);
  assert.ok(e.sources.some((s: { name: string }) => /skypilot/.test(s.name)));
});

test('mlfinops migrate --format markdown: the estimate and a checklist filled with the resources', async () => {
  const r = await run('--from-focus', 'bill.csv', '--resources', 'tag:Team=vision', '--to', 'gcp', '--format', 'markdown');
  assert.equal(r.code, 0, r.err);
  for (const heading of ['## Summary', '## Compute', '## Storage', '## One-off data transfer', '## Migration checklist', '### Data transfer plan', '### IAM', '### Networking', '### GPU quotas on Google Cloud', '### Images and containers', '### DNS', '### Rollback plan', '## Sources']) {
    assert.ok(r.out.includes(heading), heading);
  }
  assert.match(r.out, /Copy `detector-ckpt` \(10,340 GiB\) from AWS us-east-2 to Cloud Storage in us-central1/);
  assert.match(r.out, /1 × NVIDIA L4 in us-central1/);
  assert.match(r.out, /`detector-serving` → g2-standard-4/);
  assert.match(r.out, /NVIDIA A10G is not sold on Google Cloud/);
});

test('mlfinops migrate table; bad selectors, targets and months are usage errors naming the fix', async () => {
  const table = await run('--from-focus', 'bill.csv', '--resources', 'all', '--to', 'azure');
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /Moving to Azure \(eastus\): October 2026/);
  assert.match(table.out, /nlp-trainer\s+p4d\.24xlarge\s+Standard_ND96asr_v4/);
  const bad = await run('--from-focus', 'bill.csv', '--resources', 'Team', '--to', 'gcp');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /"Team" is not KEY=VALUE/);
  const cloud = await run('--from-focus', 'bill.csv', '--resources', 'all', '--to', 'oci');
  assert.equal(cloud.code, 2);
  assert.match(cloud.err, /--to must be gcp, azure or aws/);
  const empty = await run('--from-focus', 'bill.csv', '--resources', 'tag:Team=nobody', '--to', 'gcp');
  assert.equal(empty.code, 2);
  assert.match(empty.err, /holds no compute or storage resource/);
  const month = await run('--from-focus', 'bill.csv', '--resources', 'all', '--to', 'gcp', '--month', '2026-13');
  assert.equal(month.code, 2);
});
