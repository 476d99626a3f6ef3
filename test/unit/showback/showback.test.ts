import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apportion, buildShowback, showbackCsv, showbackHtml, signedCents, stageOf } from '../../../src/core/showback/report';
import { detectAnomalies, parseSince, topContributors } from '../../../src/core/anomaly/detect';
import type { CostRow } from '../../../src/core/cost/model';
import { addDays } from '../../../src/core/period';

test('apportion: parts add up to the total exactly, the remainder cent by cent, ties by name', () => {
  const split = apportion(100, [{ key: 'b', weight: 1 }, { key: 'a', weight: 1 }, { key: 'c', weight: 1 }]);
  assert.deepEqual([...split].sort(), [['a', 34], ['b', 33], ['c', 33]]);
  assert.deepEqual([...apportion(-100, [{ key: 'x', weight: 1 }, { key: 'y', weight: 2 }])].sort(), [['x', -33], ['y', -67]]);
  assert.deepEqual([...apportion(7, [{ key: 'x', weight: 0 }, { key: 'y', weight: 0 }])].sort(), [['x', 4], ['y', 3]], 'no weight: even');
  for (let seed = 1; seed < 200; seed++) {
    const weights = Array.from({ length: 1 + (seed % 7) }, (_, i) => ({ key: `t${i}`, weight: ((seed * 7919 * (i + 3)) % 1000) / 7 }));
    const total = (seed * 104729) % 1_000_000 - 300_000;
    const parts = apportion(total, weights);
    assert.equal([...parts.values()].reduce((a, b) => a + b, 0), total);
  }
  const signed = signedCents(1000, [{ key: 'a', amount: 3.333 }, { key: 'b', amount: 3.333 }, { key: 'c', amount: 3.334 }]);
  assert.equal([...signed.values()].reduce((a, b) => a + b, 0), 1000);
});

test('showback: shared and untagged cost allocated proportionally or evenly, totals exact to the cent', () => {
  const row = (team: string | null, project: string | null, stage: string | null, category: string, cost: number): CostRow => ({
    groups: { 'tag:Team': team, 'tag:Project': project, 'tag:Stage': stage, ServiceCategory: category }, period: '2026-10-01', cost, currency: 'USD',
  });
  const rows = [
    row('nlp', 'llm', 'training', 'Compute', 1000.005), row('nlp', 'chat', 'serving', 'Compute', 200.333),
    row('vision', 'det', null, 'Storage', 99.999), row('vision', null, null, 'Networking', 0.337),
    row(null, null, null, 'Networking', 100.01), row('shared', null, null, 'Compute', 50), row(null, null, null, 'Compute', -13.25),
  ];
  const total = Math.round(rows.reduce((s, r) => s + r.cost, 0) * 100);
  for (const allocation of ['proportional', 'even', 'none'] as const) {
    const r = buildShowback({ month: '2026-10', currency: 'USD', by: 'tag:Team', rows, projectKey: 'tag:Project', stageKey: 'tag:Stage', settings: { allocation, shared: ['shared'] } });
    const sum = r.teams.reduce((s, t) => s + t.totalCents, 0) + (allocation === 'none' ? r.poolCents : 0);
    assert.equal(sum, total, allocation);
    assert.equal(r.poolCents, 13676);
    for (const t of r.teams) {
      assert.equal(t.projects.reduce((s, p) => s + p.cents, 0), t.directCents);
      assert.equal(t.stages.reduce((s, p) => s + p.cents, 0), t.directCents);
    }
    if (allocation === 'even') assert.deepEqual(r.teams.map((t) => t.allocatedCents).sort(), [6838, 6838]);
    if (allocation === 'none') assert.ok(r.teams.every((t) => t.allocatedCents === 0));
  }
  const p = buildShowback({ month: '2026-10', currency: 'USD', by: 'tag:Team', rows, projectKey: 'tag:Project', stageKey: 'tag:Stage', settings: { allocation: 'proportional', shared: ['shared'] } });
  const nlp = p.teams.find((t) => t.team === 'nlp')!;
  assert.ok(nlp.allocatedCents > 10 * p.teams.find((t) => t.team === 'vision')!.allocatedCents);
  assert.deepEqual(nlp.stages.map((s) => s.stage), ['training', 'inference']);
  assert.deepEqual(p.teams.find((t) => t.team === 'vision')!.stages.map((s) => s.stage), ['storage', 'data transfer']);
  assert.match(showbackCsv(p), /^team,kind,name,cost,currency\r\nnlp,total,,/);
  assert.doesNotMatch(showbackHtml({ ...p, teams: [{ ...nlp, team: '<script>' }] }), /<script>/);
  // the project's one CSV writer: a team or project named like a formula stays text in a spreadsheet
  const hostile = showbackCsv({ ...p, teams: [{ ...nlp, team: '=HYPERLINK("http://x")', projects: [{ name: '+1', cents: 5 }] }] });
  assert.match(hostile, /^"'=HYPERLINK\(""http:\/\/x""\)",total,,/m);
  assert.match(hostile, /,project,'\+1,0\.05,/);
  assert.equal(stageOf('Fine-tune', 'Compute'), 'training');
  assert.equal(stageOf(null, 'Storage'), 'storage');
  assert.equal(stageOf('ci', 'Compute'), 'other');
});

test('anomalies: a spike outside the 95 % band is found, on both days of a two-day spike, with what grew', () => {
  let seed = 7;
  const noise = (): number => {
    // a sum of three uniforms (deterministic), roughly normal with sd 3
    let s = 0;
    for (let i = 0; i < 3; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      s += seed / 4294967296 - 0.5;
    }
    return 6 * s;
  };
  const series = Array.from({ length: 70 }, (_, t) => ({ date: addDays('2026-08-03', t), cost: 100 + (t % 7 >= 5 ? -20 : 5) + noise() }));
  series[63]!.cost += 400;
  series[64]!.cost += 300;
  const found = detectAnomalies({ 'tag:Team': 'recsys' }, series, { since: series[56]!.date });
  assert.deepEqual(found.map((a) => a.date), [series[63]!.date, series[64]!.date]);
  assert.ok(found[0]!.difference > 350 && found[0]!.direction === 'above');
  assert.ok(found[0]!.actual > found[0]!.hi95);
  assert.deepEqual(detectAnomalies({}, series.slice(0, 15), { since: series[10]!.date }), [], 'too little history');
  assert.equal(parseSince('14d', '2026-11-15'), '2026-11-02');
  const rows: CostRow[] = [];
  for (let d = 0; d < 8; d++) {
    const day = addDays('2026-10-07', d);
    rows.push({ groups: { ResourceId: 'vm-a', SkuId: 's1' }, period: day, cost: d === 7 ? 500 : 10, currency: 'USD' });
    rows.push({ groups: { ResourceId: 'vm-b', SkuId: 's1' }, period: day, cost: 20, currency: 'USD' });
  }
  const top = topContributors(rows, '2026-10-14', 7);
  assert.deepEqual(top.map((c) => [c.resourceId, c.increase]), [['vm-a', 490]]);
});
