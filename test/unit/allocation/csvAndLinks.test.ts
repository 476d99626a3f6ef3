import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv } from '../../../src/core/allocation/csv';
import { consoleUrl } from '../../../src/core/allocation/consoleLinks';
import { formatMoney, formatPercent, formatAge, formatChange } from '../../../src/shared/format';

test('CSV quotes separators and neutralises formulas', () => {
  const csv = toCsv(['Team', 'Cost'], [['a,b', 1.5], ['say "hi"', -2], ['=HYPERLINK("x")', null], ['line\nbreak', Infinity]]);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'Team,Cost');
  assert.equal(lines[1], '"a,b",1.5');
  assert.equal(lines[2], '"say ""hi""",-2');
  assert.equal(lines[3], '"\'=HYPERLINK(""x"")",');
  assert.equal(lines[4], '"line\nbreak",');
});

test('console links per provider', () => {
  assert.equal(consoleUrl('AWS', 'arn:aws:ec2:us-west-2:123456789012:instance/i-0abc'), 'https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2#InstanceDetails:instanceId=i-0abc');
  assert.equal(consoleUrl('AWS', 'i-0123456789abcdef0', 'eu-west-1'), 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0');
  assert.equal(consoleUrl('AWS', 'arn:aws:s3:::my-bucket', 'us-east-1'), 'https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1');
  assert.equal(consoleUrl('AWS', 'arn:aws:sagemaker:us-east-1:1:training-job/llm-ft'), 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/llm-ft');
  assert.equal(consoleUrl('AWS', 'arn:aws-cn:ec2:cn-north-1:1:instance/i-1'), 'https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1#InstanceDetails:instanceId=i-1');
  assert.equal(consoleUrl('AWS', 'arn:ats:sqs:us-test-2:1:q'), undefined, 'unknown partition');
  assert.equal(consoleUrl('Microsoft', '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1'),
    'https://portal.azure.com/#@/resource/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1');
  assert.equal(consoleUrl('Google Cloud', '//compute.googleapis.com/projects/p1/zones/us-central1-a/instances/gpu-1'),
    'https://console.cloud.google.com/compute/instancesDetail/zones/us-central1-a/instances/gpu-1?project=p1');
  assert.equal(consoleUrl('Google Cloud', '//storage.googleapis.com/ckpts'), 'https://console.cloud.google.com/storage/browser/ckpts');
  assert.equal(consoleUrl('Google Cloud', '//container.googleapis.com/projects/p1/locations/us-central1/clusters/train'),
    'https://console.cloud.google.com/kubernetes/clusters/details/us-central1/train/details?project=p1');
  assert.equal(consoleUrl('Infrastructure as code', 'aws_instance.web'), undefined);
});

test('numbers for people', () => {
  assert.equal(formatMoney(12345.678, 'USD', 'en-US'), '$12,345.68');
  assert.equal(formatMoney(0.0001, 'USD', 'en-US'), '< $0.01');
  assert.equal(formatMoney(0, 'EUR', 'en-US'), '€0.00');
  assert.equal(formatMoney(3, 'XYZ1', 'en-US'), '3.00 XYZ1');
  assert.equal(formatPercent(0.1234, 'en-US'), '12.3 %');
  assert.equal(formatPercent(undefined), '—');
  assert.equal(formatChange(-0.5, 'en-US'), '−50.0 %');
  assert.equal(formatChange(undefined), 'new');
  const now = new Date('2026-01-01T12:00:00Z');
  assert.equal(formatAge('2026-01-01T10:00:00Z', now), '2 h ago');
  assert.equal(formatAge('2026-01-01T11:59:30Z', now), 'just now');
  assert.equal(formatAge('2025-12-28T12:00:00Z', now), '4 d ago');
});

test('one CSV writer: mlfinops costs --format csv neutralises spreadsheet formulas as the dashboard export does', async () => {
  const { costRowsAsCsv } = await import('../../../src/core/cost/format');
  const { toCsv } = await import('../../../src/core/allocation/csv');
  const values = ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', ' padded ', 'plain'];
  const result = {
    query: { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total' as const, groupBy: ['tag:Team' as const], metric: 'EffectiveCost' as const },
    rows: values.map((v, i) => ({ groups: { 'tag:Team': v }, period: '2024-09-01', cost: -i, currency: 'USD' })),
  };
  const csv = costRowsAsCsv(result as never);
  assert.equal(csv, toCsv(['tag:Team', 'period', 'cost', 'currency'], values.map((v, i) => [v, '2024-09-01', -i, 'USD'])));
  const cells = csv.split('\r\n').slice(1, -1).map((l) => l.replace(/^"/, ''));
  for (const c of cells.slice(0, 6)) assert.ok(c.startsWith("'"), c);
  assert.ok(csv.includes('" padded "'));
  assert.ok(csv.includes(',-7,USD'), 'numbers are never prefixed');
});
