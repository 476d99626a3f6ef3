// @ts-check
// Benchmark: the Resources view's first level on a 50,000-resource inventory, after the inventory and the
// bill's per-resource costs have been read (the cached model is built, then the source's children and their
// items). Plain Node over the same code the view runs (no vscode). Prints figures; it is not a test.
// Run: node --import tsx bench/tree.mjs [--resources 50000] [--runs 7]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { AllocationStore } from '../src/core/allocation/store.ts';
import { TreePresentation } from '../src/features/resourcesTree/presentation.ts';
import { silentLogger } from '../src/core/ports.ts';

const arg = (/** @type {string} */ name, /** @type {number} */ def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const N = arg('--resources', 50_000);
const runs = arg('--runs', 7);
const TARGET_MS = 200;

/** @param {number} seed */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

/** A big account: 12 teams, 80 projects, some tags missing, GPU and storage types across regions. */
function makeInventory() {
  const r = rng(7);
  const teams = ['ml-platform', 'research', 'vision', 'nlp', 'speech', 'recsys', 'data-eng', 'infra', 'ads', 'search', 'robotics', 'safety'];
  const types = ['ec2:instance', 's3:bucket', 'sagemaker:training-job', 'ec2:volume', 'eks:cluster', 'sagemaker:endpoint'];
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1'];
  /** @type {import('../src/core/sources.ts').Resource[]} */
  const resources = [];
  /** @type {import('../src/core/cost/model.ts').CostRow[]} */
  const rows = [];
  for (let i = 0; i < N; i++) {
    const team = r() < 0.15 ? undefined : teams[Math.floor(r() * teams.length)];
    const project = r() < 0.25 ? undefined : `project-${Math.floor(r() * 80)}`;
    const type = types[Math.floor(r() * types.length)];
    const region = regions[Math.floor(r() * regions.length)];
    const id = `arn:aws:${type.split(':')[0]}:${region}:123456789012:${type.split(':')[1]}/res-${i.toString(16).padStart(8, '0')}`;
    /** @type {Record<string, string>} */
    const tags = { Environment: r() < 0.5 ? 'production' : 'dev', Owner: `user${i % 300}@example.com` };
    if (team) tags.Team = team;
    if (project) tags.Project = project;
    resources.push({ provider: 'AWS', id, type, region, name: `res-${i}`, tags });
    const cost = Math.round(r() ** 3 * 20000 * 100) / 100;
    rows.push({ groups: { ResourceId: id, 'tag:Team': team ?? null, 'tag:Project': project ?? null }, period: '2026-01-01', cost, currency: 'USD' });
  }
  return { resources, rows };
}

const { resources, rows } = makeInventory();
const period = { start: '2026-01-01', end: '2026-01-31' };
/** @type {import('../src/core/allocation/store.ts').TreeSource} */
const source = {
  id: 'bench', label: 'Benchmark account', kind: 'aws', state: { kind: 'ok' },
  cost: { id: 'bench', label: 'Benchmark account', query: async (/** @type {import('../src/core/cost/model.ts').CostQuery} */ q) => ({ query: q, rows, source: 'bench', fetchedAt: new Date().toISOString() }) },
  resources: { id: 'bench', label: 'Benchmark account', listResources: async () => resources },
};

/** @type {{ build: number; firstLevel: number; total: number; expand: number; groups: number; projects: number }[]} */
const figures = [];
for (let i = 0; i < runs + 1; i++) {
  const store = new AllocationStore(silentLogger);
  const t0 = performance.now();
  await store.load([source], { period, metric: 'EffectiveCost', hierarchy: ['Team', 'Project'] });
  const t1 = performance.now();
  const view = new TreePresentation({
    sources: [source], store, periodLabel: 'Last 30 days (1 – 30 Jan 2026)', locale: 'en-US',
    commands: { loadMore: 'loadMore', fix: 'fix', revealDeclaration: 'reveal' },
  });
  const top = view.children();
  const items = top.map((n) => view.item(n));
  const first = view.children(top[0]);
  for (const n of first) items.push(view.item(n));
  const t2 = performance.now();
  // one level deeper, to show the cost of expanding a team (lazy; not part of the first level)
  const projects = view.children(first.find((n) => n.kind === 'group'));
  for (const n of projects) view.item(n);
  const t3 = performance.now();
  if (i > 0) figures.push({ build: t1 - t0, firstLevel: t2 - t1, total: t2 - t0, expand: t3 - t2, groups: first.length, projects: projects.length });
}
const median = (/** @type {'build' | 'firstLevel' | 'total' | 'expand'} */ k) => [...figures.map((f) => f[k])].sort((a, b) => a - b)[Math.floor(figures.length / 2)];
console.log(`Resources view, ${N.toLocaleString('en-US')} resources, hierarchy Team → Project (${figures[0].groups} team groups), ${runs} runs`);
console.log(`  build the cached model (join bill and inventory, group, sort): median ${median('build').toFixed(1)} ms`);
console.log(`  first level (source + team groups as tree items):              median ${median('firstLevel').toFixed(1)} ms`);
console.log(`  model + first level after load:                                median ${median('total').toFixed(1)} ms, min ${Math.min(...figures.map((f) => f.total)).toFixed(1)} ms (target ≤ ${TARGET_MS} ms)`);
console.log(`  machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
console.log(`  expanding one team (${figures[0].projects} project groups):                          median ${median('expand').toFixed(1)} ms`);
console.log(median('total') <= TARGET_MS ? '  within target' : '  OVER TARGET');
