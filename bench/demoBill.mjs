// @ts-check
// The demo organisation's bill (not a test; prints figures): how long `npm run demo:generate` takes to build it, its
// size, and how fast the demo source answers the queries the views make on it (DuckDB over the shipped CSV.gz, the
// first query including DuckDB's start), next to the same queries over a Parquet copy made here for comparison.
// Usage: node --import tsx bench/demoBill.mjs [--runs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;

const t0 = performance.now();
const { generateDemo } = await import('../scripts/generateDemo.ts');
const loaded = performance.now() - t0;
/** @type {number[]} */
const times = [];
/** @type {ReturnType<typeof generateDemo> | undefined} */
let bill;
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  bill = generateDemo();
  times.push(performance.now() - t);
}
if (!bill) throw new Error('--runs must be at least 1');
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { DEMO_BILL, DEMO_PERIOD } = await import('../src/providers/demo/demoBill.ts');
const file = path.join(root, DEMO_BILL);
console.log(`generator: ${bill.rows.toLocaleString('en-US')} rows, ${(Buffer.byteLength(bill.csv) / 1e6).toFixed(1)} MB of CSV, ${(fs.statSync(file).size / 1e6).toFixed(2)} MB shipped (gzip); module load ${loaded.toFixed(0)} ms, generation median ${median(times).toFixed(0)} ms over ${runs} runs`);

const { FocusFileSource } = await import('../src/providers/focus/focusFileSource.ts');
const { DuckDbEngine } = await import('../src/providers/focus/duckdb.ts');
const { demoTagAliases } = await import('../src/providers/demo/demoSource.ts');
const engine = new DuckDbEngine();
/** @type {[string, import('../src/core/cost/model.ts').CostQuery][]} */
const queries = [
  ['daily by provider', { period: DEMO_PERIOD, granularity: 'daily', groupBy: ['ProviderName'], metric: 'EffectiveCost' }],
  ['by Team', { period: DEMO_PERIOD, granularity: 'total', groupBy: ['tag:Team'], metric: 'EffectiveCost' }],
  ['by resource, Team, Project', { period: DEMO_PERIOD, granularity: 'total', groupBy: ['ResourceId', 'tag:Team', 'tag:Project'], metric: 'EffectiveCost' }],
  ['by service', { period: DEMO_PERIOD, granularity: 'total', groupBy: ['ServiceName'], metric: 'EffectiveCost' }],
];
/** @param {string} label @param {string[]} paths */
async function measure(label, paths) {
  const source = new FocusFileSource({ paths, baseDir: root, engine, tagAliases: demoTagAliases() });
  const t = performance.now();
  await source.coverage();
  const first = performance.now() - t;
  const lines = [];
  for (const [name, q] of queries) {
    const ms = [];
    for (let i = 0; i < runs; i++) { const s = performance.now(); await source.query(q); ms.push(performance.now() - s); }
    lines.push(`${name} ${median(ms).toFixed(0)} ms`);
  }
  const s = performance.now();
  const resources = await source.listResources();
  console.log(`${label}: first query ${first.toFixed(0)} ms; medians: ${lines.join(', ')}; ${resources.length} resources listed in ${(performance.now() - s).toFixed(0)} ms`);
}
await measure('CSV.gz (shipped)', [file]);
const parquet = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-demo-')), 'demo.parquet');
await engine.query(`COPY (SELECT * FROM read_csv($1, all_varchar = true, header = true)) TO '${parquet.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`, [file]);
console.log(`Parquet copy (zstd, all text columns): ${(fs.statSync(parquet).size / 1e6).toFixed(2)} MB`);
await measure('Parquet', [parquet]);
engine.close();
fs.rmSync(path.dirname(parquet), { recursive: true, force: true });
