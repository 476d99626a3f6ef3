// @ts-check
// Benchmark: forecast accuracy by rolling-origin backtest on real and demo daily spend. Every series is cut at
// origins a week apart; each model forecasts the next 30 days from the days before the origin only. Printed side by
// side on the same origins: ML FinOps' forecast (model chosen per origin by its own backtest), seasonal naive, and
// statsmodels' ExponentialSmoothing (Holt-Winters, additive damped trend, weekly seasonality; Debian
// python3-statsmodels, skipped with a note when absent). Prints figures; it is not a test.
// Run: npm run bench:forecast [-- --horizon 30 --step 7]
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { forecastDaily, Z80, Z95 } from '../src/core/forecast/forecast.ts';
import { fitModel, stepDeviations } from '../src/core/forecast/models.ts';
import { CHARGE_KEYS, seriesFromRows } from '../src/core/forecast/series.ts';
import { FocusFileSource } from '../src/providers/focus/focusFileSource.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const HORIZON = arg('--horizon', 30);
const STEP = arg('--step', 7);
const FIRST_ORIGIN = 56;
const PYTHON = process.env.MLFINOPS_PYTHON ?? '/usr/bin/python3';
// statsmodels from apt (Debian python3-statsmodels), installed by the project's Python setup on a clean machine
if (!process.env.MLFINOPS_PYTHON) {
  const setup = spawnSync('bash', [path.join(root, 'scripts/setup-python.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (setup.status !== 0) console.error('bench:forecast: the Python setup failed; the statsmodels column may be missing');
}

/** @param {string} file */
function readSeries(file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const [date, cost] = l.split(',');
    return { date: String(date), cost: Number(cost) };
  });
}

/** The demo bill's daily EffectiveCost, through the product's own bill reader; one-off charges left out. */
async function demoSeries() {
  const source = new FocusFileSource({ paths: [path.join(root, 'demo/billing/demo-org.focus-1.2.csv.gz')], baseDir: root });
  try {
    const result = await source.query({ period: { start: '1970-01-01', end: '9999-12-31' }, granularity: 'daily', groupBy: [...CHARGE_KEYS], metric: 'EffectiveCost' });
    const [s] = seriesFromRows(result.rows, []);
    if (!s) throw new Error('the demo bill has no rows');
    return s.recurring;
  } finally {
    source.dispose();
  }
}

/**
 * @typedef {{ mean: number[]; lo80: number[]; hi80: number[]; lo95: number[]; hi95: number[] }} Band
 * @typedef {{ ape: number; n: number; in80: number; in95: number; ms: number }} Score
 */

/** @param {Score} s @param {number[]} actual @param {Band} band */
function score(s, actual, band) {
  actual.forEach((a, i) => {
    if (a !== 0) s.ape += Math.abs((a - band.mean[i]) / a);
    s.n++;
    if (a >= band.lo80[i] && a <= band.hi80[i]) s.in80++;
    if (a >= band.lo95[i] && a <= band.hi95[i]) s.in95++;
  });
}

const empty = () => ({ ape: 0, n: 0, in80: 0, in95: 0, ms: 0 });

/** @param {string} name @param {{ date: string; cost: number }[]} series */
function run(name, series) {
  const values = series.map((p) => p.cost);
  const origins = [];
  for (let o = FIRST_ORIGIN; o + HORIZON <= values.length; o += STEP) origins.push(o);
  /** @type {Record<string, Score>} */
  const scores = { ours: empty(), 'seasonal naive': empty() };
  /** @type {Record<string, number>} */
  const chosen = {};
  for (const o of origins) {
    const actual = values.slice(o, o + HORIZON);
    let t0 = performance.now();
    const f = forecastDaily(series.slice(0, o), { horizon: HORIZON });
    scores.ours.ms += performance.now() - t0;
    chosen[f.model] = (chosen[f.model] ?? 0) + 1;
    score(scores.ours, actual, {
      mean: f.points.map((p) => p.mean), lo80: f.points.map((p) => p.lo80), hi80: f.points.map((p) => p.hi80),
      lo95: f.points.map((p) => p.lo95), hi95: f.points.map((p) => p.hi95),
    });
    t0 = performance.now();
    const naive = fitModel('seasonal-naive', Float64Array.from(values.slice(0, o)));
    const mean = naive.mean(HORIZON);
    const sd = stepDeviations(naive, HORIZON);
    scores['seasonal naive'].ms += performance.now() - t0;
    score(scores['seasonal naive'], actual, {
      mean, lo80: mean.map((m, i) => m - Z80 * sd[i]), hi80: mean.map((m, i) => m + Z80 * sd[i]),
      lo95: mean.map((m, i) => m - Z95 * sd[i]), hi95: mean.map((m, i) => m + Z95 * sd[i]),
    });
  }
  let statsmodelsNote = '';
  const t0 = performance.now();
  const py = spawnSync(PYTHON, [path.join(root, 'bench/forecast_statsmodels.py')], {
    input: JSON.stringify({ values, origins, horizon: HORIZON, repetitions: 1000 }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (py.status === 0) {
    const out = JSON.parse(py.stdout);
    const key = `statsmodels ${out.version}`;
    scores[key] = empty();
    scores[key].ms = performance.now() - t0;
    for (const f of out.forecasts) score(scores[key], values.slice(f.origin, f.origin + HORIZON), f);
  } else {
    statsmodelsNote = `statsmodels skipped: ${(py.error?.message ?? py.stderr.trim().split('\n').at(-1) ?? 'failed')} (install Debian python3-statsmodels: sudo apt-get install -y python3-statsmodels)`;
  }
  console.log(`\n${name}: ${values.length} days (${series[0]?.date} – ${series.at(-1)?.date}), ${origins.length} origins a ${STEP}-day step apart, ${HORIZON} days ahead each (${origins.length * HORIZON} forecast days)`);
  console.log(`  ${'model'.padEnd(24)} ${'MAPE'.padStart(7)} ${'80 % cov.'.padStart(10)} ${'95 % cov.'.padStart(10)} ${'time'.padStart(9)}`);
  for (const [model, s] of Object.entries(scores)) {
    console.log(`  ${model.padEnd(24)} ${`${(100 * s.ape / s.n).toFixed(2)} %`.padStart(7)} ${`${(100 * s.in80 / s.n).toFixed(1)} %`.padStart(10)} ${`${(100 * s.in95 / s.n).toFixed(1)} %`.padStart(10)} ${`${(s.ms / 1000).toFixed(2)} s`.padStart(9)}`);
  }
  console.log(`  ours chose: ${Object.entries(chosen).map(([m, n]) => `${m} ${n}×`).join(', ')}`);
  if (statsmodelsNote) console.log(`  ${statsmodelsNote}`);
  return scores;
}

const data = path.join(root, '../shared/data/timeseries');
const sets = [
  ['mybinder.org GCP daily cost (real)', () => readSeries(path.join(data, 'mybinder_gcp.csv'))],
  ['mybinder.org staging project (real)', () => readSeries(path.join(data, 'mybinder_gcp_staging.csv'))],
  ['demo bill, daily EffectiveCost without one-off charges (synthetic)', demoSeries],
];
for (const [name, load] of /** @type {[string, () => any][]} */ (sets)) {
  const file = name.includes('mybinder') ? path.join(data, name.includes('staging') ? 'mybinder_gcp_staging.csv' : 'mybinder_gcp.csv') : '';
  if (file && !fs.existsSync(file)) {
    console.log(`\n${name}: skipped, ${file} not found (the shared data folder holds it)`);
    continue;
  }
  run(name, await load());
}
