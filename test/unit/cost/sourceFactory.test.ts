import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { parseSettings, type Settings } from '../../../src/core/settings';
import { silentLogger } from '../../../src/core/ports';
import { demoSourceFactory } from '../../../src/providers/demo/demoSource';
import { DuckDbEngine } from '../../../src/providers/focus/duckdb';
import { focusSourceFactory } from '../../../src/providers/focus/sourceFactory';
import type { SourceContext, SourceEntry } from '../../../src/providers/registry';

const root = path.resolve(__dirname, '../../..');
const engine = new DuckDbEngine();
after(() => engine.close());
const ctx: SourceContext = { log: silentLogger, meter: new RequestMeter(), trusted: true };
const settings = (raw: Partial<Record<keyof Settings, unknown>>) => parseSettings(raw).settings;

describe('source factories', () => {
  it('FOCUS files: none configured, relative paths without a folder, and a working source', async () => {
    const factory = focusSourceFactory({ baseDir: () => root, engine });
    assert.deepEqual(factory.create(settings({}), ctx), []);
    const noFolder = focusSourceFactory({ baseDir: () => undefined, engine }).create(settings({ 'focus.files': ['demo/billing/real-sample'] }), ctx);
    assert.equal(noFolder.length, 1);
    assert.ok('notConfigured' in noFolder[0]! && noFolder[0].fix.includes('demo/billing/real-sample'));
    const [entry] = factory.create(settings({ 'focus.files': ['demo/billing/real-sample'] }), ctx) as SourceEntry[];
    assert.equal(entry!.id, 'focus');
    assert.equal(await entry!.check!(undefined, entry!.cost), '1 file: FOCUS 1.0 CSV; 2024-09-01 to 2024-10-01 (exclusive).');
    const result = await entry!.cost!.query({ period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'total', groupBy: [], metric: 'BilledCost' });
    assert.equal(result.rows.length, 1);
  });

  it('the demo bill shows while mlFinops.demo.enabled is on', async () => {
    const factory = demoSourceFactory({ extensionRoot: root, engine });
    const [demo] = factory.create(settings({ 'demo.enabled': true }), ctx) as SourceEntry[];
    assert.equal(demo?.id, 'demo');
    assert.equal(demo?.label, 'Demo organisation (synthetic)');
    assert.equal(await demo!.check!(undefined, demo!.cost), '1 file: FOCUS 1.2 CSV; 2026-05-01 to 2026-11-16 (exclusive).');
    assert.deepEqual(factory.create(settings({ 'demo.enabled': false }), ctx), []);
    assert.equal(factory.create(settings({ 'demo.enabled': true, 'focus.files': ['bill.csv'], 'aws.enabled': true }), ctx).length, 1);
  });
});
