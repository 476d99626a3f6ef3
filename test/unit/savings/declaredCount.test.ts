import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { planSavings } from '../../../src/core/savings/plan';
import { estimateDeclared, forInstances } from '../../../src/core/savings/declared';
import { lensTitle, summarize } from '../../../src/core/savings/report';
import { findComputeResources } from '../../../src/features/savings/computeResources';
import { IacResourceSource } from '../../../src/providers/iac/resourceSource';
import { lessonP3 } from './fixtures';

const TF = `
variable "n" { default = 3 }
variable "later" {}
locals { zones = { a = "us-east-1a", b = "us-east-1b" } }
provider "aws" { region = "us-east-1" }

resource "aws_instance" "six" {
  count         = 6
  instance_type = "g5.xlarge"
}
resource "aws_instance" "by_var" {
  count         = var.n
  instance_type = "g5.xlarge"
}
resource "aws_instance" "by_map" {
  for_each      = { a = 1, b = 2, c = 3, d = 4 }
  instance_type = "g5.xlarge"
}
resource "aws_instance" "by_set" {
  for_each      = toset(["x", "y", "x"])
  instance_type = "g5.xlarge"
}
resource "aws_instance" "by_local" {
  for_each      = local.zones
  instance_type = "g5.xlarge"
}
resource "aws_instance" "unknown" {
  count         = var.later
  instance_type = "g5.xlarge"
}
resource "aws_instance" "from_data" {
  for_each      = data.aws_subnets.all.ids
  instance_type = "g5.xlarge"
}
resource "aws_instance" "none" {
  count         = 0
  instance_type = "g5.xlarge"
}
resource "aws_instance" "one" {
  instance_type = "g5.xlarge"
}
`;

const WANT: Record<string, number | 'unknown' | undefined> = {
  'aws_instance.six': 6, 'aws_instance.by_var': 3, 'aws_instance.by_map': 4, 'aws_instance.by_set': 2, 'aws_instance.by_local': 2,
  'aws_instance.unknown': 'unknown', 'aws_instance.from_data': 'unknown', 'aws_instance.none': 0, 'aws_instance.one': undefined,
};

test('count and for_each: a literal, a variable with a default, a literal map or set, a local; unknown when they cannot be known', () => {
  const found = new Map(findComputeResources('/w/main.tf', TF).map((r) => [r.address, r.instances]));
  assert.deepEqual(Object.fromEntries(found), WANT);
});

test('the IaC-only rows estimate every machine a block declares: 6 × the one-machine month for count = 6, one for an unknown count', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'count-'));
  try {
    writeFileSync(join(dir, 'main.tf'), TF);
    const resources = await new IacResourceSource(() => [dir], () => ({ hoursPerMonth: 730, awsRegion: 'us-east-1' })).listResources();
    const byId = new Map(resources.map((r) => [r.id, r]));
    const one = byId.get('aws_instance.one')!.cost!;
    const hourly = shippedCatalogue().prices('g5.xlarge', 'us-east-1').onDemand.hourly;
    assert.equal(one.amount, Math.round(hourly * 730 * 100) / 100);
    assert.equal(one.estimate?.instances, undefined);
    for (const [id, instances] of Object.entries(WANT)) {
      const cost = byId.get(id)!.cost!;
      assert.equal(cost.estimate?.instances, instances, id);
      const n = typeof instances === 'number' ? instances : 1;
      assert.equal(cost.amount, Math.round(one.amount * n * 100) / 100, `${id}: ${n} machine(s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one function scales a machine\'s month: the estimate\'s total and the code lens agree', () => {
  assert.deepEqual(forInstances(2233.8, 6), { amount: 13402.8, perInstance: false, count: 6 });
  assert.deepEqual(forInstances(2233.8, 'unknown'), { amount: 2233.8, perInstance: true, count: undefined });
  assert.deepEqual(forInstances(2233.8, undefined), { amount: 2233.8, perInstance: false, count: 1 });
  const e = estimateDeclared(shippedCatalogue(), { provider: 'aws', type: 'aws_instance', size: 'p3.2xlarge', region: 'us-east-1', instances: 6 }, { hoursPerMonth: 730, awsRegion: 'us-east-1' })!;
  assert.equal(e.total, forInstances(e.monthly, 6).amount);
  assert.equal(e.count, 6);

  const lesson = { ...lessonP3(), spot: { hourly: 0.918, source: lessonP3().onDemand.source } };
  const calm = summarize(planSavings({ prices: lesson, hoursPerMonth: 730, month: { year: 2026, month: 4 }, spot: { interruptionsPerHour: 0, checkpointWriteHours: 0 } }));
  // $3.06 × 730 = $2,233.80 a machine: $13,402.80 for six
  assert.equal(lensTitle(calm), '≈ $2,234/mo on-demand · spot ≈ $670 · 1-yr ≈ $1,518 · best saves $1,564/mo');
  assert.equal(lensTitle(calm, 6), '≈ $13,403/mo on-demand for 6 machines · spot ≈ $4,021 · 1-yr ≈ $9,110 · best saves $9,382/mo');
  assert.equal(lensTitle(calm, 'unknown'), '≈ $2,234/mo on-demand per instance · spot ≈ $670 · 1-yr ≈ $1,518 · best saves $1,564/mo');
  assert.equal(lensTitle(calm, 1), lensTitle(calm));
});
