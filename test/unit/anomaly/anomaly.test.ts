import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANOMALY_DEFAULTS, detectAnomalies } from '../../../src/core/anomaly/detect';
import { anomalyEvents, scanAnomalies, type FoundAnomaly } from '../../../src/core/anomaly/scan';
import type { CostQuery, CostRow } from '../../../src/core/cost/model';
import { isFinOpsError } from '../../../src/core/errors';
import { addDays } from '../../../src/core/period';

/** A deterministic, roughly normal noise (a sum of three uniforms from an LCG), scaled to `sd`. */
function noiseOf(seed: number, sd: number): () => number {
  let s = seed;
  return () => {
    let sum = 0;
    for (let i = 0; i < 3; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      sum += s / 4294967296 - 0.5;
    }
    return 2 * sd * sum;
  };
}

/** 98 days from 2026-06-01 (a Monday): $1,000 on weekdays, $600 at weekends, noise of sd 15. */
function weekly(seed = 3): { date: string; cost: number }[] {
  const noise = noiseOf(seed, 15);
  return Array.from({ length: 98 }, (_, t) => ({ date: addDays('2026-06-01', t), cost: (t % 7 >= 5 ? 600 : 1000) + noise() }));
}

describe('anomaly detection', () => {
  it('finds a spike on both of its days, and nothing on the same series without it', () => {
    const series = weekly();
    const since = series[70]!.date;
    assert.deepEqual(detectAnomalies({}, series, { since }), [], 'noise alone is never an anomaly');
    series[80]!.cost += 3000;
    series[81]!.cost += 1500;
    const found = detectAnomalies({ 'tag:Team': 'recsys' }, series, { since });
    assert.deepEqual(found.map((a) => a.date), [series[80]!.date, series[81]!.date]);
    assert.ok(found.every((a) => a.direction === 'above' && a.actual > a.hi95));
    assert.ok(Math.abs(found[0]!.expected - (series[80]!.cost - 3000)) < 60, `expected near the usual day: ${found[0]!.expected}`);
    assert.notEqual(found[0]!.model, 'seasonal-naive');
  });

  it('the thresholds: a day 30 % above its band is reported only when the percentage allows it, never under the amount', () => {
    const series = weekly();
    const since = series[70]!.date;
    series[79]!.cost *= 1.3; // a Thursday: $1,300 against $1,000
    assert.deepEqual(detectAnomalies({}, series, { since }), [], `${ANOMALY_DEFAULTS.minPercent} % by default`);
    assert.deepEqual(detectAnomalies({}, series, { since, minPercent: 20 }).map((a) => a.date), [series[79]!.date]);
    assert.deepEqual(detectAnomalies({}, series, { since, minPercent: 20, minAmount: 500 }), [], 'under the minimum amount');
    // a group of a few dollars a day: its band is cents wide, yet a $3 jump is not worth a notification
    const tiny = weekly().map((d) => ({ date: d.date, cost: d.cost / 100 }));
    tiny[80]!.cost += 3;
    assert.deepEqual(detectAnomalies({}, tiny, { since }), []);
    assert.equal(detectAnomalies({}, tiny, { since, minAmount: 1, minPercent: 20 }).length, 1);
  });

  it('a team that trains in bursts: a burst like those of the four weeks before is not an anomaly, a larger one is', () => {
    const noise = noiseOf(11, 5);
    const series = Array.from({ length: 98 }, (_, t) => ({ date: addDays('2026-06-01', t), cost: 200 + noise() + ([9, 23, 37, 51, 65, 79].includes(t) ? 1500 : 0) }));
    const since = series[70]!.date;
    assert.deepEqual(detectAnomalies({}, series, { since }), [], 'the burst of day 79 is like that of day 65');
    series[93]!.cost += 4000;
    assert.deepEqual(detectAnomalies({}, series, { since }).map((a) => a.date), [series[93]!.date]);
  });

  it('a lasting step up is flagged on its first days, then learnt as the new level', () => {
    const series = weekly();
    for (let t = 75; t < 98; t++) series[t]!.cost *= 2;
    const found = detectAnomalies({}, series, { since: series[70]!.date });
    assert.ok(found.length >= 1 && found[0]!.date === series[75]!.date, JSON.stringify(found.map((a) => a.date)));
    assert.ok(found.length <= 7, `flagged ${found.length} of the 23 days at the new level`);
    assert.ok(found.every((a) => a.date < series[90]!.date));
  });

  it('spend that stops is reported only when asked (below the band)', () => {
    const series = weekly();
    series[80]!.cost = 0;
    const since = series[70]!.date;
    assert.deepEqual(detectAnomalies({}, series, { since }), []);
    const below = detectAnomalies({}, series, { since, includeBelow: true });
    assert.deepEqual(below.map((a) => [a.date, a.direction]), [[series[80]!.date, 'below']]);
  });

  it('refuses a negative or non-finite threshold with the fix', () => {
    for (const bad of [{ minAmount: -1 }, { minPercent: Number.NaN }]) {
      assert.throws(() => detectAnomalies({}, weekly(), { since: '2026-08-10', ...bad }), (e: unknown) => isFinOpsError(e, 'input') && /0 or more/.test((e as Error).message) && !!(e as { fix?: string }).fix);
    }
  });
});

describe('anomaly scan over a cost source', () => {
  /** Daily rows of two teams; recsys's scale set jumps on 2026-08-20 and 21. */
  function rows(): CostRow[] {
    const out: CostRow[] = [];
    const noise = noiseOf(5, 10);
    for (let t = 0; t < 98; t++) {
      const day = addDays('2026-06-01', t);
      const weekend = t % 7 >= 5;
      for (const team of ['recsys', 'nlp']) {
        out.push({ groups: { 'tag:Team': team, ServiceName: 'Virtual Machines', ResourceId: `${team}-vm`, SkuId: 'vm', ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based' }, period: day, cost: (weekend ? 300 : 500) + noise(), currency: 'USD' });
      }
      const sweep = day === '2026-08-20' ? 6000 : day === '2026-08-21' ? 2500 : 0;
      if (sweep) out.push({ groups: { 'tag:Team': 'recsys', ServiceName: 'Virtual Machines', ResourceId: 'vmss-sweep', SkuId: 'nd96', ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based' }, period: day, cost: sweep, currency: 'USD' });
      // a one-off purchase is never examined
      if (day === '2026-08-25') out.push({ groups: { 'tag:Team': 'nlp', ServiceName: 'Virtual Machines', ResourceId: 'ri', SkuId: 'ri', ChargeCategory: 'Purchase', ChargeFrequency: 'One-Time' }, period: day, cost: 50_000, currency: 'USD' });
    }
    return out;
  }

  /** Answers a query from the rows above the way a cost source does: filtered, grouped by the asked keys. */
  function sourceOf(all: CostRow[]) {
    const asked: CostQuery[] = [];
    const query = async (q: CostQuery) => {
      asked.push(q);
      const sums = new Map<string, CostRow>();
      for (const r of all) {
        const day = r.period.slice(0, 10);
        if (day < q.period.start || day >= q.period.end) continue;
        if (!(q.filters ?? []).every((f) => f.values.includes(r.groups[f.key] ?? null))) continue;
        const groups: Record<string, string | null> = {};
        for (const k of q.groupBy) groups[k] = r.groups[k] ?? null;
        const id = JSON.stringify([day, groups]);
        const e = sums.get(id) ?? { groups, period: day, cost: 0, currency: r.currency };
        e.cost += r.cost;
        sums.set(id, e);
      }
      return { rows: [...sums.values()] };
    };
    return { query, asked };
  }

  it('finds the sweep under its team and its service, with the scale set first among the contributors, and merges them as one event', async () => {
    const { query, asked } = sourceOf(rows());
    const scan = await scanAnomalies(query, { keys: ['tag:Team', 'ServiceName'], metric: 'EffectiveCost', since: '2026-08-10', until: '2026-09-06' });
    assert.deepEqual(scan.anomalies.map((a) => [a.date, JSON.stringify(a.group)]), [
      ['2026-08-20', '{"ServiceName":"Virtual Machines"}'], ['2026-08-20', '{"tag:Team":"recsys"}'],
      ['2026-08-21', '{"ServiceName":"Virtual Machines"}'], ['2026-08-21', '{"tag:Team":"recsys"}'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!)).map((x) => x), 'the purchase of 25 August is not examined');
    const team = scan.anomalies.find((a) => a.key === 'tag:Team' && a.date === '2026-08-20')!;
    assert.equal(team.contributors[0]!.resourceId, 'vmss-sweep');
    assert.ok(Math.abs(team.contributors[0]!.increase - 6000) < 1e-6);
    assert.equal(team.currency, 'USD');
    assert.equal(asked[0]!.period.start, '2026-02-09', 'history: 182 days before the first day examined');
    const events = anomalyEvents(scan.anomalies, ['tag:Team', 'ServiceName']);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.groups, [{ 'tag:Team': 'recsys' }, { ServiceName: 'Virtual Machines' }], 'the team first (the first key)');
    assert.deepEqual([events[0]!.start, events[0]!.end], ['2026-08-20', '2026-08-21']);
    assert.deepEqual([events[0]!.peak.key, events[0]!.peak.date], ['tag:Team', '2026-08-20'], 'the figures quoted are the team\'s largest day');
  });

  it('days after the last billed day are not examined; a bad range is refused', async () => {
    const { query } = sourceOf(rows());
    const scan = await scanAnomalies(query, { keys: ['tag:Team'], metric: 'EffectiveCost', since: '2026-08-22', until: '2026-12-31' });
    assert.deepEqual(scan.anomalies, []);
    await assert.rejects(scanAnomalies(query, { keys: ['tag:Team'], metric: 'EffectiveCost', since: '2026-08-22', until: '2026-08-01' }), (e: unknown) => isFinOpsError(e, 'input'));
  });

  it('events: separate days of one group are separate events, newest first', () => {
    const a = (date: string, group: Record<string, string>, resourceId: string): FoundAnomaly => ({
      group, date, actual: 100, expected: 10, lo95: 0, hi95: 20, difference: 90, direction: 'above', model: 'holt-winters', key: Object.keys(group)[0] as 'tag:Team', currency: 'USD',
      contributors: [{ resourceId, skuId: null, cost: 90, usual: 0, increase: 90 }],
    });
    const events = anomalyEvents([a('2026-10-01', { 'tag:Team': 'x' }, 'r1'), a('2026-10-05', { 'tag:Team': 'x' }, 'r1'), a('2026-10-05', { ServiceName: 's' }, 'r2')], ['tag:Team', 'ServiceName']);
    assert.deepEqual(events.map((e) => [e.start, e.groups.length]), [['2026-10-05', 1], ['2026-10-05', 1], ['2026-10-01', 1]]);
  });
});
