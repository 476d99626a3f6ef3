// @ts-check
// Benchmark: first render of the cost dashboard page with 2 years of daily data × 50 series, in Debian's
// chromium (playwright-core), on a static page of the built webview (dist/webview) served from 127.0.0.1.
// Prints figures; it is not a test. Run: node --import tsx bench/dashboard.mjs [--runs 7]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { dashboardHtml } from '../src/features/costDashboard/html.ts';
import { createNonce } from '../src/platform/webviewHtml.ts';
import { dashboardDataSchema } from '../src/shared/protocol.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const DAYS = 730;
const SERIES = 50;
const TARGET_MS = 500;

if (!fs.existsSync(path.join(root, 'dist/webview/dashboard.js'))) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
}

/** @param {number} seed */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

function makeData() {
  const r = rng(42);
  const start = Date.UTC(2024, 0, 1);
  const dates = Array.from({ length: DAYS }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
  const series = Array.from({ length: SERIES }, (_, s) => {
    const base = 50 + r() * 2000 / (s + 1);
    const values = dates.map((_, i) => Math.round(base * (0.7 + 0.6 * r()) * (1 + 0.3 * Math.sin(i / 7)) * 100) / 100);
    return { value: `series-${String(s).padStart(2, '0')}`, total: values.reduce((a, b) => a + b, 0), values };
  });
  const total = series.reduce((a, s) => a + s.total, 0);
  const items = (/** @type {string} */ prefix, /** @type {number} */ n) => {
    /** @type {{ kind: string; value: string | null; cost: number; share: number; count: number }[]} */
    const list = Array.from({ length: n }, (_, i) => ({ kind: 'value', value: `${prefix}-${i}`, cost: total / (i + 2) / 3, share: 1 / (i + 2) / 3, count: 1 }));
    list.push({ kind: 'untagged', value: null, cost: total * 0.05, share: 0.05, count: 1 });
    list.push({ kind: 'other', value: null, cost: total * 0.1, share: 0.1, count: 37 });
    return list;
  };
  const data = {
    generatedAt: new Date().toISOString(),
    currency: 'USD',
    period: { choice: { preset: 'custom', custom: { start: dates[0], end: '2025-12-31' } }, start: dates[0], end: '2025-12-31', label: 'Custom period (1 Jan 2024 – 30 Dec 2025)' },
    metric: 'EffectiveCost',
    filters: [],
    hierarchy: ['Team', 'Project'],
    total,
    daily: { key: 'ProviderName', dates, series },
    breakdowns: [
      { id: 'level1', title: 'Cost by Team', key: 'tag:Team', items: items('team', 10) },
      { id: 'level2', title: 'Cost by Project', key: 'tag:Project', items: items('project', 10) },
      { id: 'service', title: 'Cost by service', key: 'ServiceName', items: items('service', 10) },
    ],
    movers: Array.from({ length: 10 }, (_, i) => ({ dimension: 'Service', key: 'ServiceName', value: `service-${i}`, previous: 1000, current: 1000 + (i % 2 ? -1 : 1) * (500 - i * 40), delta: (i % 2 ? -1 : 1) * (500 - i * 40), change: (i % 2 ? -1 : 1) * (500 - i * 40) / 1000 })),
    moversEnd: '2025-12-30',
    untagged: [{ key: 'Team', cost: total * 0.05, share: 0.05 }, { key: 'Project', cost: total * 0.12, share: 0.12 }],
    recommendations: [],
    budget: null,
    options: { providers: series.map((s) => s.value), services: Array.from({ length: 30 }, (_, i) => `service-${i}`), tagKeys: ['Team', 'Project'] },
    sources: [{ label: 'Benchmark data', state: 'ok', fetchedAt: new Date().toISOString() }],
    warnings: [],
  };
  dashboardDataSchema.parse(data); // exactly what the host sends
  return data;
}

/** @typedef {{ __bench: { ready: number; posted: number; drawn: number } }} BenchWindow what the stub records in the page */

const data = JSON.stringify(makeData());
const nonce = createNonce();
const stub = `
window.__bench = { ready: 0, posted: 0, drawn: 0 };
window.acquireVsCodeApi = () => ({
  getState: () => undefined, setState: () => {},
  postMessage: async (m) => {
    if (m.type !== 'ready') return;
    window.__bench.ready = performance.now();
    const data = await (await fetch('/data.json')).json();
    window.__bench.posted = performance.now();
    window.postMessage({ type: 'data', data }, '*');
    const waitDrawn = () => {
      const ids = ['daily', 'level1', 'level2', 'service', 'movers'];
      if (ids.every((id) => document.getElementById('chart-' + id)?.dataset.hit)) {
        requestAnimationFrame(() => requestAnimationFrame(() => { window.__bench.drawn = performance.now(); }));
      } else setTimeout(waitDrawn, 0);
    };
    setTimeout(waitDrawn, 0);
  },
});`;

const port = () => /** @type {import('node:net').AddressInfo} */ (server.address()).port;
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const origin = `http://127.0.0.1:${port()}`;
  if (url.pathname === '/') {
    const html = dashboardHtml({ cspSource: origin, nonce, scriptUri: '/dist/dashboard.js', styleUri: '/dist/dashboard.css' })
      .replace('<script nonce=', `<script nonce="${nonce}" src="/stub.js"></script>\n<script nonce=`)
      .replace("script-src 'nonce-", `connect-src ${origin}; script-src 'nonce-`);
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  } else if (url.pathname === '/stub.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(stub);
  else if (url.pathname === '/favicon.ico') res.writeHead(204).end();
  else if (url.pathname === '/data.json') res.writeHead(200, { 'content-type': 'application/json' }).end(data);
  else if (url.pathname.startsWith('/dist/')) {
    const file = path.join(root, 'dist/webview', path.basename(url.pathname));
    if (!fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(fs.readFileSync(file));
  } else res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
const base = `http://127.0.0.1:${port()}/`;

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (process.env.KEEP) { console.log(base); await new Promise(() => {}); } // keeps the page served, for profiling
const browser = await chromium.launch({ executablePath, headless: true, args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-sandbox', '--disable-background-networking'] });
/** @type {number[]} */
const render = [];
/** @type {number[]} */
const load = [];
/** @type {string[]} */
const errors = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(base);
    await page.waitForFunction(() => /** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__bench.drawn > 0, null, { timeout: 30_000 });
    const b = await page.evaluate(() => /** @type {BenchWindow} */ (/** @type {unknown} */ (window)).__bench);
    if (i > 0) { render.push(b.drawn - b.posted); load.push(b.drawn); } // the first run warms the disk cache
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const median = (/** @type {number[]} */ a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const bundle = fs.statSync(path.join(root, 'dist/webview/dashboard.js')).size;
console.log(`dashboard first render, ${DAYS} days × ${SERIES} series (${DAYS * SERIES} points), chromium ${browser.version?.() ?? ''}`);
console.log(`  bundle dist/webview/dashboard.js: ${(bundle / 1024).toFixed(0)} KiB`);
console.log(`  machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (figures scale with other work on the machine)`);
console.log(`  data message → all charts painted: median ${median(render).toFixed(0)} ms, min ${Math.min(...render).toFixed(0)} ms, max ${Math.max(...render).toFixed(0)} ms over ${runs} runs (target ≤ ${TARGET_MS} ms)`);
console.log(`  page navigation → all charts painted: median ${median(load).toFixed(0)} ms, max ${Math.max(...load).toFixed(0)} ms`);
if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
console.log(median(render) <= TARGET_MS ? '  within target' : '  OVER TARGET');
