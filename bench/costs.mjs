#!/usr/bin/env node
// @ts-check
// Speed of `mlfinops costs` on a 1 M-row FOCUS bill, cold from the CLI (a new process per run), on the
// Parquet and the CSV file, next to the same aggregation in pandas (the tool classic cost scripts use;
// it reads the CSV) and to the bare DuckDB query in-process. Aggregation: daily × ProviderName × one tag
// read from the JSON Tags column, EffectiveCost summed per currency.
//
//   node bench/costs.mjs [--runs 3] [--tag business_unit] [--rows 1000000]
//
// Needs: dist/cli.js (`node esbuild.mjs`; built when missing), the synthetic files (bench/generateFocus.mjs;
// generated when missing) and python3 with pandas (Debian: `apt-get install -y python3-pandas`).
// Goals: Parquet ≤ 1.0 s, CSV ≤ 3 s.
//
// Scale: `node bench/costs.mjs --scale 1M,10M,100M [--data DIR] [--runs 1]` times the same CLI query on synthetic
// FOCUS Parquet of each size (10 M rows and more as one Parquet file per million rows or per day, as exports split by
// billing period; generated into DIR when missing, default bench/data) and prints rows, files, size, wall time, peak memory
// (the process's VmHWM, DuckDB included) and seconds per million rows. Goal: linear, 100 M rows ≤ 30 s with ≤ 4 GiB.
// 100 M rows are about 2.7 GB of Parquet: generate them in a scratch folder and delete it afterwards.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    tag: { type: 'string', default: 'business_unit' },
    rows: { type: 'string', default: '1000000' },
    scale: { type: 'string' },
    data: { type: 'string', default: path.join(root, 'bench/data') },
  },
});
const runs = Math.max(1, Number(opts.runs));
if (opts.scale) {
  await scaleBench();
  process.exit(process.exitCode ?? 0);
}
const rows = Number(opts.rows);
const base = path.join(root, 'bench/data', `focus_1.0_synthetic_${rows % 1e6 === 0 ? `${rows / 1e6}M` : rows}`);
const files = { parquet: `${base}.parquet`, csv: `${base}.csv` };
const goals = { parquet: 1.0, csv: 3.0 };

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [options] */
function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  if (r.error) throw r.error;
  return r;
}

if (!fs.existsSync(path.join(root, 'dist/cli.js'))) {
  console.log('dist/cli.js missing: building (node esbuild.mjs)…');
  if (sh(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
if (!fs.existsSync(files.parquet) || !fs.existsSync(files.csv)) {
  console.log(`${path.relative(root, base)}.{csv,parquet} missing: generating (node bench/generateFocus.mjs --rows ${rows})…`);
  if (sh(process.execPath, [path.join(root, 'bench/generateFocus.mjs'), '--rows', String(rows)], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}

const pandasScript = `
import json, sys, pandas as pd
path, tag = sys.argv[1], sys.argv[2]
df = pd.read_csv(path, usecols=['ChargePeriodStart', 'ProviderName', 'Tags', 'EffectiveCost', 'BillingCurrency'],
                 na_values=['NULL'], keep_default_na=False, dtype={'ProviderName': str, 'Tags': str, 'BillingCurrency': str})
def tag_value(s):
    if not isinstance(s, str) or not s:
        return None
    try:
        v = json.loads(s).get(tag)
    except ValueError:
        return None
    return None if v is None else str(v)
df['tag'] = df['Tags'].map(tag_value)
df['period'] = pd.to_datetime(df['ChargePeriodStart'], format='%Y-%m-%d %H:%M:%S').dt.strftime('%Y-%m-%d')
out = df.groupby(['period', 'ProviderName', 'tag', 'BillingCurrency'], dropna=False)['EffectiveCost'].sum().reset_index()
print(json.dumps({'rows': len(out), 'total': float(out['EffectiveCost'].sum())}))
`;
function findPython() {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { py, version: r.stdout.trim() };
  }
  return undefined;
}

/** Best and median of a list of seconds. @param {number[]} times */
function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

/** @template T @param {() => T | Promise<T>} fn */
async function timed(fn) {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, result };
}

/** @param {string} file @returns {{ rows: number; total: number }} */
function cli(file) {
  const r = sh(process.execPath, [path.join(root, 'dist/cli.js'), 'costs', '--focus', file, '--group-by', `ProviderName,tag:${opts.tag}`, '--granularity', 'daily', '--format', 'json'], { cwd: root });
  if (r.status !== 0) throw new Error(`mlfinops costs failed: ${r.stderr}`);
  const out = JSON.parse(String(r.stdout));
  return { rows: out.length, total: out.reduce((/** @type {number} */ s, /** @type {{ cost: number }} */ x) => s + x.cost, 0) };
}

/** The bare DuckDB query in this process (a new instance each run; the module stays loaded). */
/** @param {string} file @param {'parquet' | 'csv'} format */
async function duckdbAlone(file, format) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const reader = format === 'parquet' ? 'read_parquet($1)' : "read_csv($1, header = true, nullstr = 'NULL')";
  const sql = `SELECT CAST(ChargePeriodStart AS DATE) AS d, ProviderName, json_extract_string(Tags, $2) AS t, BillingCurrency, sum(EffectiveCost) AS c
               FROM ${reader} GROUP BY ALL`;
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const r = (await con.runAndReadAll(sql, [file, `$.${opts.tag}`])).getRowObjectsJS();
  con.closeSync();
  db.closeSync();
  return { rows: r.length, total: r.reduce((/** @type {number} */ s, x) => s + Number(x.c ?? 0), 0) };
}

/** @param {string} py @returns {{ rows: number; total: number }} */
function pandas(py) {
  const r = sh(py, ['-c', pandasScript, files.csv, opts.tag]);
  if (r.status !== 0) throw new Error(`pandas failed: ${r.stderr}`);
  return JSON.parse(String(r.stdout));
}

const mb = (/** @type {string} */ f) => `${(fs.statSync(f).size / 1e6).toFixed(0)} MB`;
console.log(`FOCUS 1.0 synthetic bill, ${rows.toLocaleString('en-US')} rows, 44 columns: Parquet ${mb(files.parquet)}, CSV ${mb(files.csv)}`);
console.log(`Aggregation: daily × ProviderName × tag:${opts.tag} (JSON Tags), EffectiveCost per currency; best and median of ${runs} cold runs, round robin`);
console.log(`Machine: ${process.platform}-${process.arch}, ${(await import('node:os')).cpus().length} CPUs, Node ${process.version}\n`);

// Read both files once so every contender starts with the same warm page cache.
for (const f of Object.values(files)) fs.readFileSync(f);

const python = findPython();
if (!python) console.log('pandas not found: install it to compare (Debian: apt-get install -y python3-pandas).\n');
const contenders = [
  { name: 'mlfinops costs (CLI), Parquet', goal: goals.parquet, run: () => cli(files.parquet) },
  { name: 'mlfinops costs (CLI), CSV', goal: goals.csv, run: () => cli(files.csv) },
  { name: 'DuckDB SQL alone, Parquet', run: () => duckdbAlone(files.parquet, 'parquet') },
  { name: 'DuckDB SQL alone, CSV', run: () => duckdbAlone(files.csv, 'csv') },
  ...(python ? [{ name: `pandas ${python.version} (python), CSV`, run: () => pandas(python.py) }] : []),
];
// Round robin: every contender runs once per round, so a change in machine load hits all of them alike.
/** @type {number[][]} */
const times = contenders.map(() => []);
/** @type {{ rows: number; total: number }[]} */
const answers = [];
for (let round = 0; round < runs; round++) {
  for (const [i, c] of contenders.entries()) {
    const { seconds, result } = await timed(c.run);
    times[i]?.push(seconds);
    answers[i] = result;
  }
}
const results = contenders.map((c, i) => ({ name: c.name, goal: c.goal, ...stats(times[i] ?? []), result: answers[i] }));
const loadavg = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`(load average after the runs: ${loadavg})\n`);

const pad = (/** @type {unknown} */ s, /** @type {number} */ n) => String(s).padEnd(n);
console.log(`${pad('', 36)}${pad('best s', 9)}${pad('median s', 10)}${pad('groups', 8)}${pad('total EffectiveCost', 21)}goal`);
for (const r of results) {
  const goal = r.goal === undefined ? '' : `≤ ${r.goal.toFixed(1)} s ${r.median <= r.goal ? 'met' : 'MISSED'}`;
  console.log(`${pad(r.name, 36)}${pad(r.best.toFixed(2), 9)}${pad(r.median.toFixed(2), 10)}${pad(r.result.rows, 8)}${pad(r.result.total.toFixed(4), 21)}${goal}`);
}
const pandasRun = results.find((r) => r.name.startsWith('pandas'));
if (pandasRun) {
  console.log('');
  for (const r of results.slice(0, 2)) console.log(`pandas on the CSV / ${r.name}: ${(pandasRun.median / r.median).toFixed(1)}× (median)`);
}
const [first] = results;
const disagree = results.filter((r) => r.result.rows !== first.result.rows || Math.abs(r.result.total - first.result.total) > 1e-6 * Math.max(1, Math.abs(first.result.total)));
if (disagree.length) {
  console.log(`\nRESULTS DIFFER: ${disagree.map((r) => r.name).join(', ')} disagree with ${first.name}`);
  process.exitCode = 1;
} else {
  console.log(`\nAll contenders agree: ${first.result.rows} groups, total ${first.result.total.toFixed(4)}.`);
}

/**
 * Runs a command, polling its peak resident memory (VmHWM) until it exits.
 * @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{ status: number | null; stdout: string; stderr: string; seconds: number; peak: number }>}
 */
function measured(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout?.on('data', (d) => { stdout += d; });
    child.stderr?.on('data', (d) => { stderr += d; });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch { /* exited */ }
    }, 20);
    child.on('error', (e) => { clearInterval(poll); reject(e); });
    child.on('exit', (status) => {
      clearInterval(poll);
      resolve({ status, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9, peak });
    });
  });
}

async function scaleBench() {
  const sizes = (opts.scale ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
    if (!m) throw new Error(`--scale takes sizes such as 1M,10M,100M (got ${s})`);
    return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1));
  });
  if (!fs.existsSync(path.join(root, 'dist/cli.js'))) {
    if (sh(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  }
  const label = (/** @type {number} */ n) => (n % 1e6 === 0 ? `${n / 1e6}M` : String(n));
  /** @type {{ n: number; files: number; bytes: number; best: number; median: number; peak: number; answer: { groups: number; total: number }; note: string }[]} */
  const results = [];
  const cli = (/** @type {string} */ target) => measured(process.execPath, [path.join(root, 'dist/cli.js'), 'costs', '--focus', target, '--group-by', `ProviderName,tag:${opts.tag}`, '--granularity', 'daily', '--format', 'json'], { cwd: root });
  // the fixed cost of a cold run (Node, the CLI bundle, DuckDB, one tiny file), to tell query time from start-up
  const tiny = path.join(opts.data, 'focus_1.0_synthetic_1000.parquet');
  if (!fs.existsSync(tiny) && sh(process.execPath, [path.join(root, 'bench/generateFocus.mjs'), '--rows', '1000', '--formats', 'parquet', '--out', opts.data], { cwd: root }).status !== 0) process.exit(1);
  const startups = [];
  for (let r = 0; r < Math.max(3, runs); r++) startups.push((await cli(tiny)).seconds);
  const startup = stats(startups).median;
  for (const n of sizes) {
    // about a million rows per file, each file a span of whole days (92 days in all)
    const parts = n >= 10e6 ? Math.min(92, Math.round(n / 1e6)) : 1;
    const target = path.join(opts.data, `focus_1.0_synthetic_${label(n)}${parts > 1 ? '.parts' : '.parquet'}`);
    if (!fs.existsSync(target)) {
      console.log(`${target} missing: generating ${n.toLocaleString('en-US')} rows in ${parts} file(s)…`);
      const g = sh(process.execPath, [path.join(root, 'bench/generateFocus.mjs'), '--rows', String(n), '--formats', 'parquet', '--parts', String(parts), '--out', opts.data, '--threads', '2', '--memory-limit', '3GB'], { cwd: root, stdio: 'inherit' });
      if (g.status !== 0) process.exit(1);
    }
    const files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).map((f) => path.join(target, f)) : [target];
    const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
    const times = [];
    let peak = 0;
    let answer = { groups: 0, total: 0 };
    let note = '';
    for (let r = 0; r < runs; r++) {
      const run = await cli(target);
      if (run.status !== 0) throw new Error(`mlfinops costs failed on ${target}: ${run.stderr}`);
      times.push(run.seconds);
      peak = Math.max(peak, run.peak);
      /** @type {{ cost: number }[]} */
      const out = JSON.parse(run.stdout);
      answer = { groups: out.length, total: out.reduce((s, x) => s + x.cost, 0) };
      note = run.stderr.split('\n').find((l) => /query the export where it lies/.test(l)) ?? '';
    }
    results.push({ n, files: files.length, bytes, ...stats(times), peak, answer, note });
    console.log(`${label(n)}: ${stats(times).median.toFixed(2)} s, peak ${(peak / 2 ** 20).toFixed(0)} MiB, ${answer.groups} groups`);
  }
  const loadavg = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\nmlfinops costs --group-by ProviderName,tag:${opts.tag} --granularity daily --format json, cold (a new process per run), median of ${runs}`);
  console.log(`Machine: ${process.platform}-${process.arch}, ${(await import('node:os')).cpus().length} CPUs, Node ${process.version}; load average after the runs: ${loadavg}`);
  console.log(`Start-up (a 1,000-row file): ${startup.toFixed(2)} s; "query s per M rows" is (time − start-up) / millions of rows\n`);
  const pad = (/** @type {unknown} */ s, /** @type {number} */ w) => String(s).padEnd(w);
  console.log(`${pad('rows', 14)}${pad('files', 7)}${pad('Parquet', 10)}${pad('time s', 9)}${pad('best s', 9)}${pad('peak memory', 13)}${pad('query s per M rows', 20)}${pad('groups', 8)}warehouse note`);
  for (const r of results) {
    console.log(`${pad(r.n.toLocaleString('en-US'), 14)}${pad(r.files, 7)}${pad(`${(r.bytes / 1e9).toFixed(2)} GB`, 10)}${pad(r.median.toFixed(2), 9)}${pad(r.best.toFixed(2), 9)}${pad(`${(r.peak / 2 ** 20).toFixed(0)} MiB`, 13)}${pad(((r.median - startup) / (r.n / 1e6)).toFixed(3), 20)}${pad(r.answer.groups, 8)}${r.note ? 'yes' : 'no'}`);
  }
  const big = results.find((r) => r.n >= 100e6);
  if (big) {
    const ok = big.median <= 30 && big.peak <= 4 * 2 ** 30;
    console.log(`\n100 M rows: ${big.median.toFixed(1)} s, ${(big.peak / 2 ** 30).toFixed(2)} GiB peak: goal (≤ 30 s, ≤ 4 GiB) ${ok ? 'met' : 'MISSED'}; the CLI ${big.note ? 'points at the warehouse path' : 'DOES NOT point at the warehouse path'}.`);
    if (!ok || !big.note) process.exitCode = 1;
  }
}
