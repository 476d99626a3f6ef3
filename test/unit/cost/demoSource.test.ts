import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createDemoSource, DEMO_BILL, DEMO_PERIOD } from '../../../src/providers/demo/demoSource';
import { near, readCsv, sumBy } from './tinyCsv';

const root = path.resolve(__dirname, '../../..');

describe('demo source', () => {
  it('ships the FOCUS sample unchanged (the demo workspace holds the same bill)', () => {
    const shipped = zlib.gunzipSync(fs.readFileSync(path.join(root, DEMO_BILL)));
    const workspace = fs.readFileSync(path.join(root, 'demo/billing/focus_1.0_sample_1000.csv'));
    assert.ok(shipped.equals(workspace));
    // sha256 of FOCUS-Sample-Data FOCUS-1.0/focus_sample.csv @ adbdd17a (THIRD_PARTY_NOTICES.md)
    assert.equal(crypto.createHash('sha256').update(shipped).digest('hex'), 'e91e5ac7edf01ed2c9d926f37ef7dc1ae2aae97956fea8da6c9ee488b1c2839e');
  });

  it('answers cost queries and lists resources over the demo month', async () => {
    const demo = createDemoSource({ extensionRoot: root });
    try {
      assert.equal(demo.id, 'demo');
      assert.deepEqual(await demo.coverage(), DEMO_PERIOD);
      const result = await demo.query({ period: DEMO_PERIOD, granularity: 'monthly', groupBy: ['ServiceCategory'], metric: 'BilledCost' });
      const expected = sumBy(readCsv(path.join(root, DEMO_BILL)), (r) => r.ServiceCategory ?? 'null', (r) => Number(r.BilledCost ?? 0));
      assert.equal(result.rows.length, expected.size);
      for (const row of result.rows) assert.ok(near(row.cost, expected.get(row.groups.ServiceCategory ?? 'null')!));
      // The demo groups by the workspace policy's keys: Team is the sample's business_unit tag.
      const byTeam = await demo.query({ period: DEMO_PERIOD, granularity: 'total', groupBy: ['tag:Team'], metric: 'BilledCost' });
      const teams = sumBy(readCsv(path.join(root, DEMO_BILL)), (r) => String(r.Tags ? (JSON.parse(r.Tags) as Record<string, string>).business_unit ?? null : null), (r) => Number(r.BilledCost ?? 0));
      assert.equal(byTeam.rows.length, teams.size);
      for (const row of byTeam.rows) assert.ok(near(row.cost, teams.get(String(row.groups['tag:Team']))!));
      const resources = await demo.listResources();
      assert.ok(resources.length > 800);
      assert.ok(resources.every((r) => r.cost === undefined || JSON.stringify(r.cost.period) === JSON.stringify(DEMO_PERIOD)));
    } finally {
      demo.dispose();
    }
  });
});
