// @ts-check
// Speed of the savings features (not a test; prints figures): the price catalogue's first load, the code lenses of a
// Terraform file (find the compute resources with the project's Terraform analysis, price them, format the line) on
// the demo and on every Terraform file of a corpus that declares compute resources, a full savings plan (14 days of
// hourly metrics, a schedule on the real calendar, every commitment), and a cold `mlfinops savings` process.
// Usage: node --import tsx bench/savings.mjs [corpus folder] [--runs N]
// Targets: lenses of one file ≤ 50 ms (p95); a savings plan ≤ 20 ms; a cold CLI run ≤ 1 s.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 20;
const corpus = path.resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? path.join(root, '../shared/data/terraform'));

const t0 = performance.now();
const { shippedCatalogue } = await import('../src/core/pricing/shippedCatalogue.ts');
const catalogue = shippedCatalogue();
const loadMs = performance.now() - t0;
const { findComputeResources } = await import('../src/features/savings/computeResources.ts');
const { lensTitle, summarize } = await import('../src/core/savings/report.ts');
const { planSavings } = await import('../src/core/savings/plan.ts');
const { parseSchedule } = await import('../src/core/savings/schedule.ts');
const month = { year: 2026, month: 3 };
const lensSchedule = parseSchedule('Mon-Fri 08:00-19:00 UTC');

const stats = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (/** @type {number} */ p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
};

/** @param {string} file @param {string} text */
function lenses(file, text) {
  /** @type {string[]} */
  const out = [];
  for (const r of findComputeResources(file, text)) {
    // what the lens provider does: the same plan as the report (default settings: 730 h, the Mon-Fri 08:00-19:00 schedule)
    try {
      const prices = catalogue.prices(r.priceAs, r.region);
      out.push(lensTitle(summarize(planSavings({ prices, candidates: [], hoursPerMonth: 730, month, schedule: lensSchedule }))));
    } catch { out.push('unknown'); }
  }
  return out;
}

console.log(`catalogue: ${catalogue.entries.length} instance types parsed and validated in ${loadMs.toFixed(1)} ms (first use, includes module load)`);

const demo = path.join(root, 'demo/infra/main.tf');
const demoText = fs.readFileSync(demo, 'utf8');
/** @type {number[]} */
const demoTimes = [];
/** @type {string[]} */
let demoLenses = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  demoLenses = lenses(demo, demoText);
  demoTimes.push(performance.now() - t);
}
console.log(`demo main.tf lenses (${demoLenses.length}): ${stats(demoTimes)}`);
console.log(`  ${demoLenses.join('\n  ')}`);

if (fs.existsSync(corpus)) {
  const files = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== '.terraform') walk(p); } else if (e.name.endsWith('.tf')) files.push(p);
    }
  })(corpus);
  const times = [];
  let withCompute = 0;
  let resources = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    if (!/resource\s+"(aws_instance|aws_launch_template|google_compute_instance|azurerm_\w*virtual_machine)/.test(text)) continue;
    withCompute++;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      resources = lenses(f, text).length;
      times.push(performance.now() - t);
    }
  }
  console.log(`corpus ${path.relative(root, corpus)}: ${files.length} .tf files, ${withCompute} declare compute resources; lenses per file: ${times.length ? stats(times) : 'none'} (last file: ${resources} lenses)`);
} else {
  console.log(`no corpus at ${corpus}: skipped the corpus figures`);
}

const prices = catalogue.prices('g5.4xlarge', 'us-east-1');
const candidates = catalogue.pricedIn('aws', 'us-east-1');
const start = Date.UTC(2026, 2, 1);
const cpu = Array.from({ length: 336 }, (_, i) => ({ timestamp: new Date(start + i * 3_600_000).toISOString(), value: 10 + (i % 7) }));
const gpu = cpu.map((p, i) => ({ ...p, value: 30 + (i % 11) }));
const schedule = parseSchedule('Mon-Fri 08:00-19:00 America/Los_Angeles');
const planTimes = [];
let options = 0;
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  options = planSavings({ prices, candidates, metrics: { cpu, gpu, gpuMemory: gpu }, schedule, month: { year: 2026, month: 3 }, hoursPerMonth: 730 }).options.length;
  planTimes.push(performance.now() - t);
}
console.log(`savings plan for g5.4xlarge (336 h of CPU/GPU/GPU memory, LA schedule in March 2026, ${options} options): ${stats(planTimes)}`);

const cli = path.join(root, 'dist/cli.js');
if (fs.existsSync(cli)) {
  const cliTimes = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'savings', '--instance-type', 'p3.2xlarge', '--format', 'json'], { encoding: 'utf8' });
    cliTimes.push(performance.now() - t);
    if (r.status !== 0) { console.log(`mlfinops savings failed: ${r.stderr}`); break; }
  }
  console.log(`cold \`mlfinops savings --instance-type p3.2xlarge --format json\` (dist/cli.js, ${(fs.statSync(cli).size / 1024 / 1024).toFixed(1)} MB): ${stats(cliTimes)}`);
} else {
  console.log('dist/cli.js not built: run `node esbuild.mjs` for the CLI figure');
}
