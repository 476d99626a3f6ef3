import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocate, findGroup, groupPath, type AllocationGroup } from '../../../src/core/allocation/allocate';
import type { Resource } from '../../../src/core/sources';
import type { CostRow } from '../../../src/core/cost/model';
import { parseCsv } from '../../support/focusBill';

/** Small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(seed: number, n: number, keys: string[]): CostRow[] {
  const r = rng(seed);
  const values = ['alpha', 'beta', 'gamma', 'delta', ''];
  const rows: CostRow[] = [];
  for (let i = 0; i < n; i++) {
    const groups: Record<string, string | null> = { ResourceId: r() < 0.1 ? null : `res-${Math.floor(r() * n / 3)}` };
    for (const k of keys) {
      const x = r();
      groups[`tag:${k}`] = x < 0.2 ? null : values[Math.floor(x * values.length)]!;
    }
    rows.push({ groups, period: '2026-01-01', cost: Math.round(r() * 100000) / 100, currency: 'USD' });
  }
  return rows;
}

/** Walks every group of the tree. */
function* walk(g: AllocationGroup): Generator<AllocationGroup> {
  yield g;
  for (const c of g.groups) yield* walk(c);
}

test('group costs equal an independent sum by tag path; untagged collects missing and blank values', () => {
  const keys = ['Team', 'Project', 'Env'];
  const rows = randomRows(7, 3000, keys);
  const alloc = allocate({ hierarchy: keys, rows });
  // independent: sum by every prefix of the path
  const expected = new Map<string, { cost: number; ids: Set<string> }>();
  for (const row of rows) {
    const path = keys.map((k) => {
      const v = row.groups[`tag:${k}`];
      return v === null || v === undefined || v === '' ? '(untagged)' : v;
    });
    for (let d = 0; d <= keys.length; d++) {
      const id = path.slice(0, d).join('/');
      const e = expected.get(id) ?? { cost: 0, ids: new Set<string>() };
      e.cost += row.cost;
      e.ids.add(`${path.join('/')}#${row.groups.ResourceId ?? ''}`);
      expected.set(id, e);
    }
  }
  let seen = 0;
  for (const g of walk(alloc.root)) {
    const id = groupPath(alloc.root, g.id).map((p) => p.value ?? '(untagged)').join('/');
    const e = expected.get(id);
    assert.ok(e, `unexpected group ${id}`);
    assert.ok(Math.abs(g.cost - e.cost) < 1e-6, `${id}: ${g.cost} vs ${e.cost}`);
    assert.equal(g.resourceCount, e.ids.size, id);
    seen++;
    // children sorted by cost, shares of the parent
    for (let i = 1; i < g.groups.length; i++) assert.ok(g.groups[i - 1]!.cost >= g.groups[i]!.cost);
    for (let i = 1; i < g.leaves.length; i++) assert.ok((g.leaves[i - 1]!.cost ?? 0) >= (g.leaves[i]!.cost ?? 0));
    for (const c of g.groups) assert.ok(Math.abs(c.share! - c.cost / g.cost) < 1e-12);
    const childSum = g.groups.reduce((s, c) => s + c.cost, 0) + g.leaves.reduce((s, l) => s + (l.cost ?? 0), 0);
    assert.ok(Math.abs(childSum - g.cost) < 1e-6, `children of ${id} sum to the group`);
    if (g.depth < keys.length) assert.equal(g.leaves.length, 0); else assert.equal(g.groups.length, 0);
  }
  assert.equal(seen, expected.size);
  // the untagged KPI per level and overall
  const total = rows.reduce((s, r) => s + r.cost, 0);
  keys.forEach((k, i) => {
    const cost = rows.filter((r) => !r.groups[`tag:${k}`]).reduce((s, r) => s + r.cost, 0);
    assert.ok(Math.abs(alloc.untagged[i]!.cost - cost) < 1e-6);
    assert.ok(Math.abs(alloc.untagged[i]!.share! - cost / total) < 1e-12);
  });
  const unalloc = rows.filter((r) => keys.some((k) => !r.groups[`tag:${k}`])).reduce((s, r) => s + r.cost, 0);
  assert.ok(Math.abs(alloc.unallocated.cost - unalloc) < 1e-6);
});

test('group ids are stable across runs and row order, and findGroup returns them', () => {
  const keys = ['Team', 'Project'];
  const rows = randomRows(11, 500, keys);
  const a = allocate({ hierarchy: keys, rows });
  const b = allocate({ hierarchy: keys, rows: [...rows].reverse() });
  const idsA = [...walk(a.root)].map((g) => g.id).sort();
  const idsB = [...walk(b.root)].map((g) => g.id).sort();
  assert.deepEqual(idsA, idsB);
  for (const g of walk(a.root)) assert.equal(findGroup(a.root, g.id), g);
  assert.equal(findGroup(a.root, 'Team=nope'), undefined);
});

test('tag values with slashes, hashes and markup keep distinct ids', () => {
  const rows: CostRow[] = [
    { groups: { 'tag:Team': 'a/b', ResourceId: 'r1' }, period: '2026-01-01', cost: 1, currency: 'USD' },
    { groups: { 'tag:Team': 'a', ResourceId: 'r2' }, period: '2026-01-01', cost: 2, currency: 'USD' },
    { groups: { 'tag:Team': '<img src=x onerror=alert(1)>', ResourceId: 'r3' }, period: '2026-01-01', cost: 3, currency: 'USD' },
    { groups: { 'tag:Team': '\u2205', ResourceId: 'r4' }, period: '2026-01-01', cost: 4, currency: 'USD' },
    { groups: { 'tag:Team': null, ResourceId: 'r5' }, period: '2026-01-01', cost: 5, currency: 'USD' },
  ];
  const a = allocate({ hierarchy: ['Team'], rows });
  const ids = a.root.groups.map((g) => g.id);
  assert.equal(new Set(ids).size, 5);
  assert.deepEqual(a.root.groups.map((g) => g.value), [null, '\u2205', '<img src=x onerror=alert(1)>', 'a', 'a/b']);
});

const inventory: Resource[] = [
  { provider: 'AWS', id: 'arn:aws:ec2:us-east-1:1:instance/i-1', type: 'ec2:instance', region: 'us-east-1', tags: { Team: 'ml', Project: 'llm' } },
  { provider: 'AWS', id: 'arn:aws:ec2:us-east-1:1:instance/i-2', type: 'ec2:instance', region: 'us-east-1', tags: { team: 'ml' } },
  { provider: 'AWS', id: 'arn:aws:s3:::idle-bucket', type: 's3:bucket', tags: { Team: 'data', Project: 'lake' } },
];

test('the bill gives costs, the inventory gives detail; resources the bill did not charge cost 0', () => {
  const rows: CostRow[] = [
    { groups: { ResourceId: 'ARN:AWS:EC2:US-EAST-1:1:INSTANCE/I-1', 'tag:Team': 'ml', 'tag:Project': 'llm' }, period: '2026-01-01', cost: 10, currency: 'USD' },
    { groups: { ResourceId: 'arn:aws:ec2:us-east-1:1:instance/i-2', 'tag:Team': 'ml', 'tag:Project': null }, period: '2026-01-01', cost: 4, currency: 'USD' },
    { groups: { ResourceId: null, 'tag:Team': null, 'tag:Project': null }, period: '2026-01-01', cost: 1.5, currency: 'USD' },
  ];
  const a = allocate({ hierarchy: ['Team', 'Project'], rows, resources: inventory });
  assert.equal(a.total, 15.5);
  const ml = a.root.groups.find((g) => g.value === 'ml')!;
  assert.equal(ml.cost, 14);
  const llm = ml.groups.find((g) => g.value === 'llm')!;
  assert.equal(llm.leaves[0]!.resource?.type, 'ec2:instance');
  assert.equal(llm.leaves[0]!.cost, 10);
  const mlUntagged = ml.groups.find((g) => g.value === null)!;
  assert.equal(mlUntagged.leaves[0]!.resource?.id, 'arn:aws:ec2:us-east-1:1:instance/i-2');
  const lake = a.root.groups.find((g) => g.value === 'data')!.groups[0]!;
  assert.equal(lake.leaves[0]!.cost, 0);
  const charges = a.root.groups.find((g) => g.value === null)!.groups[0]!.leaves[0]!;
  assert.equal(charges.resourceId, null);
  assert.equal(charges.cost, 1.5);
});

test('a bill without resource ids leaves inventory resources without a cost', () => {
  const rows: CostRow[] = [{ groups: { 'tag:Team': 'ml', 'tag:Project': 'llm' }, period: '2026-01-01', cost: 10, currency: 'USD' }];
  const a = allocate({ hierarchy: ['Team', 'Project'], rows, resources: inventory });
  const data = a.root.groups.find((g) => g.value === 'data')!;
  assert.equal(data.costKnown, false);
  assert.equal(data.share, undefined);
  assert.equal(data.groups[0]!.leaves[0]!.cost, undefined);
  assert.equal(a.total, 10);
});

test('an inventory alone is grouped by its tags with its own (estimated) costs', () => {
  const resources: Resource[] = [
    { ...inventory[0]!, cost: { amount: 100, currency: 'USD', period: { start: '2026-01-01', end: '2026-02-01' } } },
    inventory[1]!,
    { ...inventory[2]!, cost: { amount: 30, currency: 'USD', period: { start: '2026-01-01', end: '2026-02-01' } } },
  ];
  const a = allocate({ hierarchy: ['Team'], resources });
  assert.equal(a.total, 130);
  assert.deepEqual(a.root.groups.map((g) => [g.value, g.cost, g.resourceCount]), [['ml', 100, 2], ['data', 30, 1]]);
  assert.deepEqual(a.untagged, [{ key: 'Team', cost: 0, share: 0 }]);
});

test('rows in a second currency are left out of the sums and reported', () => {
  const rows: CostRow[] = [
    { groups: { 'tag:Team': 'ml' }, period: '2026-01-01', cost: 100, currency: 'USD' },
    { groups: { 'tag:Team': 'ml' }, period: '2026-01-01', cost: 7, currency: 'EUR' },
  ];
  const a = allocate({ hierarchy: ['Team'], rows });
  assert.equal(a.currency, 'USD');
  assert.equal(a.total, 100);
  assert.deepEqual(a.excluded, [{ currency: 'EUR', cost: 7, rows: 1 }]);
});

// The real, anonymised FOCUS 1.0 sample, where the machine has it: the tree's numbers against a plain sum.
const sample = join(__dirname, '../../../../shared/data/focus/focus_1.0_sample_1000.csv');
test('on the real FOCUS sample, groups equal a plain sum of EffectiveCost by tag', { skip: !existsSync(sample) && 'FOCUS sample not on this machine' }, () => {
  const [header, ...records] = parseCsv(readFileSync(sample, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const keys = ['business_unit', 'application'];
  const rows: CostRow[] = records.filter((r) => r.length === header!.length).map((r) => {
    const tags: Record<string, string> = r[col('Tags')] && r[col('Tags')] !== 'NULL' ? JSON.parse(r[col('Tags')]!) : {};
    const groups: Record<string, string | null> = { ResourceId: r[col('ResourceId')] === 'NULL' ? null : r[col('ResourceId')]! };
    for (const k of keys) groups[`tag:${k}`] = tags[k] ?? null;
    return { groups, period: '2024-09-01', cost: Number(r[col('EffectiveCost')]), currency: r[col('BillingCurrency')]! };
  });
  const a = allocate({ hierarchy: keys, rows });
  const byBu = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += r.cost;
    const k = r.groups['tag:business_unit'] ?? '(untagged)';
    byBu.set(k, (byBu.get(k) ?? 0) + r.cost);
  }
  assert.ok(Math.abs(a.total - total) < 1e-6);
  assert.equal(a.root.groups.length, byBu.size);
  for (const g of a.root.groups) assert.ok(Math.abs(g.cost - byBu.get(g.value ?? '(untagged)')!) < 1e-6, String(g.value));
});
