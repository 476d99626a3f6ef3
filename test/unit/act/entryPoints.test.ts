import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocationStore, type TreeSource } from '../../../src/core/allocation/store';
import { TreePresentation, type TreeNode } from '../../../src/features/resourcesTree/presentation';
import { reportHtml } from '../../../src/features/savings/reportHtml';
import { silentLogger } from '../../../src/core/ports';
import type { Resource } from '../../../src/core/sources';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { planSavings } from '../../../src/core/savings/plan';
import { buildReport } from '../../../src/core/savings/report';
import { parseSchedule } from '../../../src/core/savings/schedule';

/** Where "Schedule Shutdown…" is offered: running VMs in the Resources view, and the report's auto-shutdown row. */

test('Resources view: only a running VM with a size is schedulable', async () => {
  const vm = (id: string, state: string | undefined, size: string | undefined, type = 'ec2:instance'): Resource => ({
    provider: 'AWS', id, type, region: 'us-east-1', tags: { Team: 'ml', Project: 'llm' },
    ...(size ? { size } : {}), ...(state ? { attributes: { state } } : {}),
  });
  const resources = [
    vm('arn:aws:ec2:us-east-1:1:instance/i-0aaa1111', 'running', 'p3.2xlarge'),
    vm('arn:aws:ec2:us-east-1:1:instance/i-0bbb2222', 'stopped', 'p3.2xlarge'),
    vm('arn:aws:ec2:us-east-1:1:instance/i-0ccc3333', undefined, 'g5.xlarge'),
    vm('arn:aws:s3:::bucket', 'running', undefined, 's3'),
  ];
  const source: TreeSource = { id: 'aws', label: 'AWS', kind: 'aws', state: { kind: 'ok' }, resources: { id: 'aws', label: 'AWS', listResources: async () => resources } };
  const store = new AllocationStore(silentLogger);
  await store.load([source], { period: { start: '2026-01-01', end: '2026-02-01' }, metric: 'EffectiveCost', hierarchy: ['Team', 'Project'] });
  const view = new TreePresentation({ sources: [source], store, periodLabel: 'January', commands: { loadMore: 'l', fix: 'f', revealDeclaration: 'r' } });
  const leaves: TreeNode[] = [];
  const walk = (n?: TreeNode) => { for (const c of view.children(n)) { if (c.kind === 'resource') leaves.push(c); else walk(c); } };
  walk();
  const flags = Object.fromEntries(leaves.map((n) => [n.kind === 'resource' ? n.resourceId : '', /\bschedulable\b/.test(view.item(n).contextValue)]));
  assert.deepEqual(flags, {
    'arn:aws:ec2:us-east-1:1:instance/i-0aaa1111': true,
    'arn:aws:ec2:us-east-1:1:instance/i-0bbb2222': false,
    'arn:aws:ec2:us-east-1:1:instance/i-0ccc3333': false,
    'arn:aws:s3:::bucket': false,
  });
});

test('savings report: the auto-shutdown row links to Schedule Shutdown… with its schedule, only for a running VM', () => {
  const report = buildReport(planSavings({ prices: shippedCatalogue().prices('p3.2xlarge', 'us-east-1'), hoursPerMonth: 730, schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin'), month: { year: 2026, month: 12 } }));
  const base = { nonce: 'n', cspSource: 'c', copyCommand: 'command:copy', markdownCommand: 'command:md' };
  assert.ok(!reportHtml(report, base).includes('Schedule Shutdown…'));
  const html = reportHtml(report, { ...base, scheduleCommand: (s) => `command:mlFinops.scheduleShutdown?${encodeURIComponent(JSON.stringify([{ resourceId: 'i-0aaa1111', schedule: s }]))}` });
  const link = /<a class="act" href="([^"]+)"[^>]*>Schedule Shutdown…<\/a>/.exec(html);
  assert.ok(link, 'the row has the link');
  const args = JSON.parse(decodeURIComponent(link[1]!.replace('command:mlFinops.scheduleShutdown?', '').replace(/&quot;/g, '"').replace(/&amp;/g, '&'))) as [{ resourceId: string; schedule: string }];
  assert.deepEqual(args, [{ resourceId: 'i-0aaa1111', schedule: 'Mon-Fri 08:00-19:00 Europe/Berlin' }]);
  assert.equal((html.match(/Schedule Shutdown…<\/a>/g) ?? []).length, 1, 'one link, on the auto-shutdown row');
});
