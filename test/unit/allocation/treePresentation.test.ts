import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocationStore, queryAllocation, type TreeSource } from '../../../src/core/allocation/store';
import { TreePresentation, PAGE_SIZE, md, viewState, type ResourceNative, type TreeNode } from '../../../src/features/resourcesTree/presentation';
import { comparisonLines, type NativeRecommendation } from '../../../src/core/savings/native';
import { FinOpsError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/ports';
import type { CostQuery, CostResult, CostRow } from '../../../src/core/cost/model';
import type { Resource } from '../../../src/core/sources';

const params = { period: { start: '2026-01-01', end: '2026-02-01' }, metric: 'EffectiveCost' as const, hierarchy: ['Team', 'Project'] };
const commands = { loadMore: 'loadMore', fix: 'fix', revealDeclaration: 'reveal' };

function costSource(rows: CostRow[], log: CostQuery[] = []): TreeSource['cost'] {
  return {
    id: 'c', label: 'c',
    async query(q: CostQuery): Promise<CostResult> {
      log.push(q);
      return { query: q, rows, source: 'test', fetchedAt: '2026-02-01T00:00:00Z' };
    },
  };
}

function bigTeam(n: number): { rows: CostRow[]; resources: Resource[] } {
  const rows: CostRow[] = [];
  const resources: Resource[] = [];
  for (let i = 0; i < n; i++) {
    const id = `arn:aws:ec2:us-east-1:1:instance/i-${i}`;
    resources.push({ provider: 'AWS', id, type: 'ec2:instance', region: 'us-east-1', tags: { Team: 'ml', Project: 'llm' } });
    rows.push({ groups: { ResourceId: id, 'tag:Team': 'ml', 'tag:Project': 'llm' }, period: '2026-01-01', cost: n - i, currency: 'USD' });
  }
  return { rows, resources };
}

test('a failing source sits next to a working one, with its message and a Fix… item', async () => {
  const { rows, resources } = bigTeam(3);
  const ok: TreeSource = { id: 'ok', label: 'Working', kind: 'focus', state: { kind: 'ok' }, cost: costSource(rows), resources: { id: 'ok', label: 'ok', listResources: async () => resources } };
  const bad: TreeSource = {
    id: 'bad', label: 'Broken file', kind: 'focus', state: { kind: 'ok' },
    cost: { id: 'bad', label: 'bad', query: async () => { throw new FinOpsError('input', 'bill.csv does not exist.', { fix: 'Fix the path in mlFinops.focus.files.' }); } },
  };
  const store = new AllocationStore(silentLogger);
  await store.load([ok, bad], params);
  const view = new TreePresentation({ sources: [ok, bad], store, periodLabel: 'January', commands });
  assert.equal(viewState([ok, bad], (id) => store.snapshot(id)), 'ok');
  const [okNode, badNode] = view.children();
  assert.equal(view.item(okNode!).description, '$6.00 · 0.0 % untagged');
  const badItem = view.item(badNode!);
  assert.equal(badItem.description, 'error');
  assert.equal(badItem.contextValue, 'source failing');
  const kids = view.children(badNode).map((n) => view.item(n));
  assert.deepEqual(kids.map((k) => k.label), ['bill.csv does not exist.', 'Fix…']);
  assert.equal(kids[1]!.description, 'Fix the path in mlFinops.focus.files.');
  assert.deepEqual(kids[1]!.command, { command: 'fix', title: 'Fix…', arguments: ['bad'] });
  // only failing sources: the view is empty and says which welcome to show
  assert.equal(viewState([bad], (id) => store.snapshot(id)), 'error');
  const expired: TreeSource = { id: 'x', label: 'AWS', kind: 'aws', state: { kind: 'authExpired', message: 'The SSO session expired.', fix: 'Run `aws sso login --profile ml`.' } };
  assert.equal(viewState([expired], () => undefined), 'signedOut');
  assert.equal(viewState([], () => undefined), 'noSource');
});

test('big groups list a page of resources, then "Load more" (inside the fold when they are all small)', async () => {
  const n = PAGE_SIZE * 2 + 50;
  const { rows, resources } = bigTeam(n);
  const src: TreeSource = { id: 's', label: 'Big', kind: 'aws', state: { kind: 'ok' }, cost: costSource(rows), resources: { id: 's', label: 's', listResources: async () => resources } };
  const store = new AllocationStore(silentLogger);
  await store.load([src], params);
  const view = new TreePresentation({ sources: [src], store, periodLabel: 'January', commands });
  const team = view.children(view.children()[0])[0]!;
  const project = view.children(team)[0]!;
  // costs n … 1: every one is under 1 % of the project's n(n+1)/2, so all sit behind one fold node
  const [fold, ...rest] = view.children(project);
  assert.equal(rest.length, 0);
  assert.equal(fold!.kind, 'fold');
  assert.equal(view.item(fold!).label, `${n} more under $1,100`);
  let page = view.children(fold);
  assert.equal(page.length, PAGE_SIZE + 1);
  const more = page[PAGE_SIZE]! as Extract<TreeNode, { kind: 'loadMore' }>;
  assert.equal(more.kind, 'loadMore');
  assert.equal(view.item(more).description, `${n - PAGE_SIZE} more`);
  view.loadMore(more.groupNodeId);
  page = view.children(fold);
  assert.equal(page.length, PAGE_SIZE * 2 + 1);
  view.loadMore(more.groupNodeId);
  page = view.children(fold);
  assert.equal(page.length, n);
  // most expensive first
  assert.equal(view.item(page[0]!).label, 'i-0');
});

test('children are sorted by cost; each shows its cost and share of the parent; small ones fold, "(untagged)" never does', async () => {
  const row = (team: string | null, id: string, cost: number): CostRow => ({ groups: { ResourceId: id, 'tag:Team': team, 'tag:Project': 'p' }, period: '2026-01-01', cost, currency: 'USD' });
  const rows = [row('a', 'r1', 600), row('b', 'r2', 300), row('c', 'r3', 95), row(null, 'r4', 2), row('d', 'r5', 1.5), row('e', 'r6', 1.5)];
  const src: TreeSource = { id: 's', label: 'S', kind: 'focus', state: { kind: 'ok' }, cost: costSource(rows) };
  const store = new AllocationStore(silentLogger);
  await store.load([src], params);
  const view = new TreePresentation({ sources: [src], store, periodLabel: 'January', commands, locale: 'en-US' });
  const top = view.children(view.children()[0]);
  const items = top.map((n) => view.item(n));
  // 1 % of $1,000 is $10: d and e fold; (untagged) at $2 stays in place
  assert.deepEqual(items.map((i) => i.label), ['a', 'b', 'c', '(untagged)', '2 more under $10']);
  assert.deepEqual(items.map((i) => i.description), ['$600.00 · 60.0 %', '$300.00 · 30.0 %', '$95.00 · 9.5 %', '$2.00 · 0.2 %', '$3.00 · 0.3 %']);
  const fold = top[4]!;
  assert.equal(fold.kind, 'fold');
  assert.equal(view.item(fold).collapsible, 'collapsed');
  assert.deepEqual(view.children(fold).map((n) => view.item(n).label), ['d', 'e']);
  // a resource row: cost · share of its group · kind
  const leaf = view.children(view.children(top[0])[0])[0]!;
  assert.equal(view.item(leaf).description, '$600.00 · 100.0 %');
});
test('tooltips escape Markdown and HTML from tag values and ids', async () => {
  const evil = '<img src=x onerror=alert(1)> | **bold** [link](http://x)';
  const id = 'arn:aws:ec2:us-east-1:1:instance/i-`x`';
  const rows: CostRow[] = [{ groups: { ResourceId: id, 'tag:Team': evil, 'tag:Project': null }, period: '2026-01-01', cost: 5, currency: 'USD' }];
  const resources: Resource[] = [{ provider: 'AWS', id, type: 'ec2:instance', tags: { Team: evil, 'a|b': 'c' } }];
  const src: TreeSource = { id: 's', label: 'S', kind: 'aws', state: { kind: 'ok' }, cost: costSource(rows), resources: { id: 's', label: 's', listResources: async () => resources } };
  const store = new AllocationStore(silentLogger);
  await store.load([src], params);
  const view = new TreePresentation({ sources: [src], store, periodLabel: 'January', commands });
  const team = view.children(view.children()[0])[0]!;
  const teamItem = view.item(team);
  assert.equal(teamItem.label, evil, 'labels are plain text (VS Code renders them as text)');
  assert.ok(!teamItem.tooltip!.includes('<img'), teamItem.tooltip);
  const leaf = view.children(view.children(team)[0])[0]!;
  const tip = view.item(leaf).tooltip!;
  assert.ok(!/<img|\]\(http/.test(tip), tip);
  assert.ok(tip.includes('a\\|b'), 'pipes in keys do not break the table');
  assert.ok(tip.includes(md(evil)));
  assert.equal(md('<b>'), '&lt;b&gt;');
});

test('a source that cannot group by resource is asked by tag only', async () => {
  const asked: CostQuery[] = [];
  const src = {
    id: 'ce', label: 'Cost Explorer',
    async query(q: CostQuery): Promise<CostResult> {
      asked.push(q);
      if (q.groupBy.includes('ResourceId')) throw new FinOpsError('input', 'Cost Explorer groups by resource only for the last 14 days.', { fix: 'Group by tag.', code: 'unsupportedGrouping' });
      return { query: q, rows: [], source: 'ce', fetchedAt: '2026-02-01T00:00:00Z' };
    },
  };
  await queryAllocation(src, params);
  assert.deepEqual(asked.map((q) => q.groupBy), [['ResourceId', 'tag:Team', 'tag:Project'], ['tag:Team', 'tag:Project']]);
});

test('an answer from an older load never replaces a newer one', async () => {
  let release: (() => void) | undefined;
  const slowRows: CostRow[] = [{ groups: { 'tag:Team': 'old' }, period: '2026-01-01', cost: 1, currency: 'USD' }];
  const fastRows: CostRow[] = [{ groups: { 'tag:Team': 'new' }, period: '2026-01-01', cost: 1, currency: 'USD' }];
  let calls = 0;
  const src: TreeSource = {
    id: 's', label: 'S', kind: 'focus', state: { kind: 'ok' },
    cost: {
      id: 's', label: 's',
      async query(q: CostQuery): Promise<CostResult> {
        calls += 1;
        if (calls === 1) await new Promise<void>((r) => { release = r; });
        return { query: q, rows: calls === 1 ? slowRows : fastRows, source: 's', fetchedAt: '' };
      },
    },
  };
  const store = new AllocationStore(silentLogger);
  const first = store.load([src], params);
  const second = store.load([src], { ...params, hierarchy: ['Team'] }, { refresh: true });
  await second;
  release?.();
  await first;
  const snap = store.snapshot('s');
  assert.equal(snap?.kind, 'ready');
  assert.deepEqual(snap.kind === 'ready' ? snap.allocation.root.groups.map((g) => g.value) : [], ['new']);
});

test('a source without costs is listed only once it finds resources (the welcome view stays for empty workspaces)', async () => {
  let found: Resource[] = [];
  const iac: TreeSource = { id: 'iac', label: 'Infrastructure as code', kind: 'iac', state: { kind: 'ok' }, resources: { id: 'iac', label: 'iac', listResources: async () => found } };
  const store = new AllocationStore(silentLogger);
  assert.equal(viewState([iac], (id) => store.snapshot(id)), 'noSource', 'before loading');
  await store.load([iac], params);
  assert.equal(viewState([iac], (id) => store.snapshot(id)), 'noSource', 'nothing declared');
  assert.deepEqual(new TreePresentation({ sources: [iac], store, periodLabel: 'January', commands }).children(), []);
  found = [{ provider: 'AWS', id: 'aws_instance.gpu', type: 'aws_instance', tags: { Team: 'ml' } }];
  await store.load([iac], params, { refresh: true });
  assert.equal(viewState([iac], (id) => store.snapshot(id)), 'ok');
  const view = new TreePresentation({ sources: [iac], store, periodLabel: 'January', commands });
  assert.equal(view.item(view.children()[0]!).description, '1 resource');
});

test('a resource the clouds\' own recommenders have something for expands to each recommendation, ours beside it with the report\'s reasons', async () => {
  const id = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc';
  const rows: CostRow[] = [{ groups: { ResourceId: id, 'tag:Team': 'ml', 'tag:Project': 'llm' }, period: '2026-01-01', cost: 900, currency: 'USD' }];
  const resources: Resource[] = [{ provider: 'AWS', id, type: 'ec2:instance', name: 'trainer', size: 'p3.8xlarge', region: 'us-east-1', tags: { Team: 'ml', Project: 'llm' } }];
  const src: TreeSource = { id: 's', label: 'S', kind: 'aws', state: { kind: 'ok' }, cost: costSource(rows), resources: { id: 's', label: 's', listResources: async () => resources } };
  const store = new AllocationStore(silentLogger);
  await store.load([src], params);
  const recommendation: NativeRecommendation = {
    provider: 'aws', source: 'AWS Compute Optimizer', resourceId: id, resourceName: 'trainer (i-0abc)', action: 'rightsize', currentType: 'p3.8xlarge', recommendedType: 'g5.2xlarge',
    monthlySaving: 8000, currency: 'USD', lookbackDays: 14, metrics: ['CPU', 'GPU', 'network'], priceBasis: 'public on-demand prices', refreshedAt: '2026-11-30T06:00:00Z', details: ['Overprovisioned'],
  };
  const comparison = { agree: false, reasons: ['Type: AWS Compute Optimizer recommends g5.2xlarge; ours recommends p3.2xlarge.', 'Lookback: AWS Compute Optimizer looked at 14 days; ours asked for 2 days.'] };
  let native: ResourceNative | undefined = { rows: [{ recommendation }], pending: true };
  const ctx = { sources: [src], store, periodLabel: 'January', commands: { ...commands, openNative: 'open' }, locale: 'en-US', native: (rid: string) => (rid === id ? native : undefined) };
  const view = new TreePresentation(ctx);
  const leaf = view.children(view.children(view.children(view.children()[0])[0])[0])[0]!;
  assert.equal(leaf.kind, 'resource');
  assert.equal(view.item(leaf).collapsible, 'collapsed');
  assert.match(view.item(leaf).tooltip!, /The clouds' own recommenders/);
  const [child, ...more] = view.children(leaf);
  assert.equal(more.length, 0);
  let item = view.item(child!);
  assert.equal(item.label, 'AWS Compute Optimizer: trainer (i-0abc) p3.8xlarge → g5.2xlarge saves $8,000.00/mo');
  assert.equal(item.description, 'AWS Compute Optimizer, refreshed 2026-11-30 · ours: estimating…');
  assert.deepEqual(item.command, { command: 'open', title: 'Estimate Savings', arguments: [child] });
  assert.equal(view.resolve(child!).leaf?.resourceId, id, 'the row resolves to its resource (Estimate Savings opens its report)');
  // ours arrives: the row says they differ and why, in the report's words
  native = { rows: [{ recommendation, comparison }], ours: 'Ours: Right-size p3.8xlarge → p3.2xlarge saves $6,701.40/mo (AWS Price List, 2026-11-20).' };
  item = view.item(child!);
  assert.equal(item.description, 'AWS Compute Optimizer, refreshed 2026-11-30 · differs from ours (type, lookback)');
  assert.equal(item.iconColor, 'editorWarning.foreground');
  for (const line of [native.ours!, ...comparisonLines(comparison)]) assert.ok(item.tooltip!.includes(md(line)), line);
  assert.match(item.tooltip!, /Priced on public on\\-demand prices; 14\\-day lookback; weighs CPU, GPU, network\\\./);
  native = { rows: [{ recommendation, comparison: { agree: true, reasons: [] } }], ours: 'Ours: …' };
  assert.match(view.item(child!).description!, / · agrees with ours$/);
  // without a recommendation the resource is a leaf again
  native = undefined;
  assert.equal(view.item(leaf).collapsible, 'none');
  assert.deepEqual(view.children(leaf), []);
});
