import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDemoSource } from '../../../src/providers/demo/demoSource';
import { DEMO_BILL, DEMO_COVERAGE, DEMO_LABEL, DEMO_PERIOD } from '../../../src/providers/demo/demoBill';
import { REAL_SAMPLE } from '../../../src/providers/demo/demoBill';
import { near, readCsv, sumBy } from './tinyCsv';

const root = path.resolve(__dirname, '../../..');
const bill = readCsv(path.join(root, DEMO_BILL));
const num = (v: string | null | undefined): number => Number(v ?? 0);
/** The demo's convention, read independently: policy keys as tags on AWS and Azure, lowercase labels on Google Cloud. */
const tag = (r: Record<string, string | null>, key: string): string | null => {
  const tags = r.Tags ? (JSON.parse(r.Tags) as Record<string, string>) : {};
  return (r.ProviderName === 'Google Cloud' ? tags[key.toLowerCase()] : tags[key]) ?? null;
};
const day = (r: Record<string, string | null>): string => r.ChargePeriodStart!.slice(0, 10);

describe('demo source', () => {
  it('keeps the real FOCUS sample unchanged as the second, real-data example', () => {
    const sample = fs.readFileSync(path.join(root, REAL_SAMPLE));
    // sha256 of FOCUS-Sample-Data FOCUS-1.0/focus_sample.csv @ adbdd17a (THIRD_PARTY_NOTICES.md)
    assert.equal(crypto.createHash('sha256').update(sample).digest('hex'), 'e91e5ac7edf01ed2c9d926f37ef7dc1ae2aae97956fea8da6c9ee488b1c2839e');
    assert.ok(fs.existsSync(path.join(path.dirname(path.join(root, REAL_SAMPLE)), 'LICENSE-FOCUS-Sample-Data.md')));
  });

  it('covers whole months up to the demo\'s "today", and opens on the last full month', () => {
    const days = bill.map(day).sort();
    const last = days[days.length - 1]!;
    assert.deepEqual({ start: days[0], end: new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) }, DEMO_COVERAGE);
    assert.equal(days[0]!.slice(8), '01', 'the bill starts on the first of a month');
    const lastMonthStart = new Date(Date.UTC(Number(last.slice(0, 4)), Number(last.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
    assert.deepEqual(DEMO_PERIOD, { start: lastMonthStart, end: `${last.slice(0, 7)}-01` });
    // "Last month" and "Month to date", counted back from the last day, are never empty
    assert.ok(bill.filter((r) => day(r) >= DEMO_PERIOD.start && day(r) < DEMO_PERIOD.end).reduce((s, r) => s + num(r.EffectiveCost), 0) > 10_000);
    assert.ok(Number(last.slice(8)) >= 10, 'the month to date holds more than a few days');
    assert.ok(bill.filter((r) => day(r) >= `${last.slice(0, 7)}-01`).reduce((s, r) => s + num(r.EffectiveCost), 0) > 10_000);
    // the demo workspace's views open on that month
    const settings = JSON.parse(fs.readFileSync(path.join(root, 'demo/.vscode/settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(settings['mlFinops.demo.enabled'], true);
    assert.equal(settings['mlFinops.cost.period'], 'lastMonth');
  });

  it('answers cost queries and lists resources, equal to an independent reading of the bill', async () => {
    const demo = createDemoSource({ extensionRoot: root });
    try {
      assert.equal(demo.id, 'demo');
      assert.equal(demo.label, DEMO_LABEL);
      assert.match(demo.label, /synthetic/);
      assert.deepEqual(await demo.coverage(), DEMO_COVERAGE);
      const all = await demo.query({ period: DEMO_COVERAGE, granularity: 'monthly', groupBy: ['ServiceCategory'], metric: 'BilledCost' });
      const expected = sumBy(bill, (r) => `${r.ServiceCategory}|${day(r).slice(0, 7)}-01`, (r) => num(r.BilledCost));
      assert.equal(all.rows.length, expected.size);
      for (const row of all.rows) assert.ok(near(row.cost, expected.get(`${row.groups.ServiceCategory}|${row.period}`)!, 1e-9), `${row.groups.ServiceCategory} ${row.period}`);
      // Team is the tag on AWS and Azure and the label `team` on Google Cloud, with or without a workspace policy
      const month = bill.filter((r) => day(r) >= DEMO_PERIOD.start && day(r) < DEMO_PERIOD.end);
      const byTeam = await demo.query({ period: DEMO_PERIOD, granularity: 'total', groupBy: ['tag:Team'], metric: 'EffectiveCost' });
      const teams = sumBy(month, (r) => String(tag(r, 'Team')), (r) => num(r.EffectiveCost));
      assert.deepEqual(byTeam.rows.map((r) => String(r.groups['tag:Team'])).sort(), [...teams.keys()].sort());
      for (const row of byTeam.rows) assert.ok(near(row.cost, teams.get(String(row.groups['tag:Team']))!, 1e-9), String(row.groups['tag:Team']));
      const byCostCenter = await demo.query({ period: DEMO_PERIOD, granularity: 'total', groupBy: ['tag:CostCenter'], metric: 'EffectiveCost' });
      const centers = sumBy(month, (r) => String(r.ProviderName === 'Google Cloud' ? (r.Tags ? (JSON.parse(r.Tags) as Record<string, string>).cost_center ?? null : null) : tag(r, 'CostCenter')), (r) => num(r.EffectiveCost));
      for (const row of byCostCenter.rows) assert.ok(near(row.cost, centers.get(String(row.groups['tag:CostCenter']))!, 1e-9), String(row.groups['tag:CostCenter']));
      const resources = await demo.listResources();
      // the resources the bill charges in the demo month (training nodes of other months are not listed)
      assert.equal(resources.length, new Set(month.map((r) => r.ResourceId).filter((id) => id)).size);
      assert.ok(resources.every((r) => r.cost === undefined || JSON.stringify(r.cost.period) === JSON.stringify(DEMO_PERIOD)));
      const pretrain = resources.find((r) => r.name === 'llm-pretrain-0')!;
      assert.equal(pretrain.id, '//compute.googleapis.com/projects/ml-training-prod/zones/us-central1-a/instances/llm-pretrain-0');
      assert.ok(near(pretrain.cost!.amount, month.filter((r) => r.ResourceId === pretrain.id).reduce((s, r) => s + num(r.EffectiveCost), 0), 1e-9));
    } finally {
      demo.dispose();
    }
  });
});
