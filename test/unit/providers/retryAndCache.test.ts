import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { abortableSleep, backoffDelay, parseRetryAfter, throttled, withRetry } from '../../../src/core/retry';
import { DiskCache } from '../../../src/providers/diskCache';
import { stableHash, stableStringify } from '../../../src/core/cache/stableHash';
import { RequestMeter } from '../../../src/core/cache/requestMeter';
import { CachedCostSource } from '../../../src/providers/cachedCostSource';
import { FinOpsError, isCancelled, isFinOpsError } from '../../../src/core/errors';
import type { CostQuery, CostResult } from '../../../src/core/cost/model';
import type { CostSource } from '../../../src/core/sources';

describe('retry with backoff and jitter', () => {
  test('the backoff ceiling doubles up to the cap; the wait is a random point below it', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 100, 1000, () => 0.999999)), [99, 199, 399, 799, 999, 999]);
    assert.equal(backoffDelay(3, 100, 1000, () => 0), 0);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(4, 100, 1000, Math.random);
      assert.ok(d >= 0 && d < 800);
    }
  });

  test('Retry-After as seconds, as an HTTP date, or in ms', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter('250', 0, 'ms'), 250);
    const now = Date.parse('2024-09-01T00:00:00Z');
    assert.equal(parseRetryAfter('Sun, 01 Sep 2024 00:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  test('retries throttled and unavailable failures, not others; waits at least what the server asked', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls === 1) throw throttled('slow down', { retryAfterMs: 1500 });
      if (calls === 2) throw new FinOpsError('unavailable', '503', { fix: 'Try again.' });
      return 'done';
    }, { baseMs: 100, random: () => 0.5, sleep: async (ms) => { waits.push(ms); } });
    assert.equal(value, 'done');
    assert.equal(calls, 3);
    assert.ok(waits[0]! >= 1500 && waits[0]! < 1600, `Retry-After floor with a little jitter (${waits[0]})`);
    assert.equal(waits[1], 100, 'second attempt: half of the 200 ms ceiling');

    let denied = 0;
    await assert.rejects(withRetry(async () => { denied++; throw new FinOpsError('permission', 'no', { fix: 'Ask for access.' }); }, { sleep: async () => {} }), (e) => isFinOpsError(e, 'permission'));
    assert.equal(denied, 1);

    let slowed = 0;
    await assert.rejects(withRetry(async () => { slowed++; throw throttled('x'); }, { attempts: 3, sleep: async () => {} }), (e) => isFinOpsError(e, 'throttled'));
    assert.equal(slowed, 3);

    let long = 0;
    await assert.rejects(withRetry(async () => { long++; throw throttled('x', { retryAfterMs: 3_600_000 }); }, { sleep: async () => {} }), (e) => isFinOpsError(e, 'throttled'));
    assert.equal(long, 1, 'a Retry-After of an hour is reported, not waited for');
  });

  test('cancelling during a backoff stops at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const work = withRetry(async () => { throw throttled('x', { retryAfterMs: 30_000 }); }, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(work, (e) => isCancelled(e));
    assert.ok(Date.now() - started < 5000);
    await assert.rejects(abortableSleep(10, AbortSignal.abort()), (e) => isCancelled(e));
  });
});

describe('disk cache', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mlfinops-cache-'));

  test('a stable hash ignores key order but not values or array order', () => {
    assert.equal(stableHash({ a: 1, b: { c: [1, 2], d: 'x' } }), stableHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    assert.notEqual(stableHash({ a: 1 }), stableHash({ a: 2 }));
    assert.notEqual(stableHash({ a: [1, 2] }), stableHash({ a: [2, 1] }));
    assert.equal(stableStringify({ b: undefined, a: 1 }), '{"a":1}');
  });

  test('entries are fresh for the TTL, stale after it or before a refresh mark; bad files are ignored', async () => {
    const d = dir();
    let now = 1_000_000;
    const cache = new DiskCache({ dir: d, ttlMs: 1000, now: () => now });
    const schema = z.object({ n: z.number() });
    await cache.set('ns', { q: 1 }, { n: 42 });
    assert.deepEqual((await cache.get('ns', { q: 1 }, schema))?.value, { n: 42 });
    assert.equal(await cache.get('ns', { q: 2 }, schema), undefined);
    assert.equal(await cache.get('other', { q: 1 }, schema), undefined);
    assert.equal(await cache.get('ns', { q: 1 }, schema, now + 1), undefined, 'stored before the refresh mark');
    now += 999;
    assert.ok(await cache.get('ns', { q: 1 }, schema));
    now += 1;
    assert.equal(await cache.get('ns', { q: 1 }, schema), undefined, 'expired');

    await cache.set('ns', { q: 3 }, { n: 'not a number' });
    assert.equal(await cache.get('ns', { q: 3 }, schema), undefined, 'wrong shape is ignored');
    const files = readdirSync(join(d, 'ns'));
    assert.ok(files.every((f) => f.endsWith('.json')), 'no temporary files left behind');
    writeFileSync(join(d, 'ns', `${stableHash({ q: 4 })}.json`), '{ not json');
    assert.equal(await cache.get('ns', { q: 4 }, schema), undefined);

    await cache.clear('ns');
    now -= 1000;
    assert.equal(await cache.get('ns', { q: 1 }, schema), undefined);
    const off = new DiskCache({ dir: d, ttlMs: 0 });
    await off.set('ns', { q: 1 }, { n: 1 });
    assert.equal(await off.get('ns', { q: 1 }, schema), undefined, 'TTL 0 turns caching off');
    rmSync(d, { recursive: true, force: true });
  });

  test('identical queries at the same time share one request; filters in another order are the same query', async () => {
    const d = dir();
    let calls = 0;
    const inner: CostSource = {
      id: 'fake', label: 'Fake',
      query: async (query: CostQuery): Promise<CostResult> => {
        calls++;
        await new Promise((r) => setImmediate(r));
        return { query, rows: [{ groups: {}, period: query.period.start, cost: calls, currency: 'USD' }], source: 'fake', fetchedAt: new Date().toISOString() };
      },
    };
    const cached = new CachedCostSource(inner, new DiskCache({ dir: d, ttlMs: 60_000 }), { account: 'a' });
    const q: CostQuery = { period: { start: '2024-09-01', end: '2024-10-01' }, granularity: 'daily', groupBy: [], metric: 'BilledCost', filters: [{ key: 'tag:Team', values: ['b', 'a'] }, { key: 'RegionId', values: ['x'] }] };
    const [a, b] = await Promise.all([cached.query(q), cached.query(q)]);
    assert.equal(calls, 1);
    assert.deepEqual(a.rows, b.rows);
    const c = await cached.query({ ...q, filters: [{ key: 'RegionId', values: ['x'] }, { key: 'tag:Team', values: ['a', 'b'] }] });
    assert.equal(calls, 1);
    assert.equal(c.fromCache, true);
    cached.invalidate();
    await new Promise((r) => setTimeout(r, 2));
    await cached.query(q);
    assert.equal(calls, 2, 'invalidate() makes earlier entries stale');
    rmSync(d, { recursive: true, force: true });
  });

  test('the request meter counts per source and API', () => {
    const lines: string[] = [];
    const meter = new RequestMeter({ trace() {}, debug() {}, info: (m) => lines.push(m), warn() {}, error() {} });
    meter.record({ source: 'aws', api: 'Cost Explorer GetCostAndUsage', requests: 2, unitPriceUsd: 0.01 });
    meter.record({ source: 'aws', api: 'Cost Explorer GetCostAndUsage', requests: 1, unitPriceUsd: 0.01 });
    meter.record({ source: 'gcp', api: 'BigQuery query', requests: 1, detail: '1.0 MB processed' });
    assert.equal(meter.count('aws'), 3);
    assert.equal(meter.count('gcp', 'BigQuery query'), 1);
    assert.equal(meter.total(), 4);
    assert.match(lines[1]!, /1 billable request \(USD 0\.01; USD 0\.03 this session\), 3 this session/);
  });
});
