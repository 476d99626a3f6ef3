// @ts-check
// Activation benchmark (not a test): prints
//  - the size of every bundle in dist/ (production build) and of the .vsix for this platform;
//  - how long Node takes to load dist/extension.js (the code VS Code loads before it calls activate()), in fresh
//    processes, with `vscode` answered by an inert stand-in (only the load is timed, nothing is called);
//  - activate()'s own duration, read from the extension's log, in real VS Code (code-server 1.139) on the demo
//    workspace, RUNS times, and the time from page load until the ML FinOps view container shows;
//  - whether the extension activates at all in an empty workspace (it should not: nothing there is for it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { profile, launchChromium, packageVsix, root, vscodeTestDir } from '../scripts/lib/codeServer.mjs';

const RUNS = Number(process.env.RUNS || 5);
const LOAD_RUNS = Number(process.env.LOAD_RUNS || 10);
/** How long an empty workspace is watched for an activation. */
const EMPTY_WAIT_MS = 15_000;

/** @param {number[]} a */
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
/** @param {number} bytes */
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

const vsix = await packageVsix();

// bundle sizes
for (const dir of ['dist', 'dist/webview']) {
  for (const f of fs.readdirSync(path.join(root, dir)).filter((x) => x.endsWith('.js')).sort()) {
    console.log(`${path.join(dir, f).padEnd(28)} ${kib(fs.statSync(path.join(root, dir, f)).size).padStart(10)}`);
  }
}
console.log(`${path.relative(root, vsix)}: ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(1)} MiB`);

// loading the bundle in plain Node: a stand-in `vscode` whose every property is another stand-in
const loader = `
const Module = require('module');
const load = Module._load;
const handler = { get: (_t, p) => (p === Symbol.toPrimitive ? () => 0 : p === 'then' ? undefined : stub()), apply: () => stub(), construct: () => stub(), getPrototypeOf: () => proto };
function stub() { return new Proxy(function () {}, handler); }
const proto = new Proxy({}, { get: () => stub() });
Module._load = function (request, ...rest) { return request === 'vscode' ? stub() : load.call(this, request, ...rest); };
const t0 = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
const loads = [];
for (let i = 0; i < LOAD_RUNS; i++) {
  const r = spawnSync(process.execPath, ['-e', loader, path.join(root, 'dist/extension.js')], { encoding: 'utf8' });
  loads.push(Number(r.stdout));
}
console.log(`loading dist/extension.js in Node, ms, ${LOAD_RUNS} fresh processes: ${loads.map((x) => x.toFixed(0)).join(', ')} — median ${median(loads).toFixed(0)}`);

const p = profile('bench-activation');
p.installVsix(vsix);
const server = await p.start();
const browser = await launchChromium();
const demo = path.join(vscodeTestDir, 'bench-demo');
const empty = path.join(vscodeTestDir, 'bench-empty');
fs.rmSync(demo, { recursive: true, force: true });
fs.cpSync(path.join(root, 'demo'), demo, { recursive: true });
fs.rmSync(empty, { recursive: true, force: true });
fs.mkdirSync(empty, { recursive: true });

/** @param {string} dir @param {string[]} [out] @returns {string[]} */
function findLogs(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) findLogs(f, out);
    else if (e.name === 'ML FinOps.log') out.push(f);
  }
  return out;
}

/** The "activated in N ms" of a log written since `before`, polling up to `timeoutMs`. @param {Set<string>} before @param {number} timeoutMs */
async function activation(before, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of findLogs(path.join(p.userData, 'logs')).filter((x) => !before.has(x))) {
      const m = fs.readFileSync(f, 'utf8').match(/activated in (\d+) ms/);
      if (m) return Number(m[1]);
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const activate = [], visible = [];
let emptyActivated;
try {
  for (let i = 0; i < RUNS; i++) {
    const before = new Set(findLogs(path.join(p.userData, 'logs')));
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(demo)}`);
    await page.locator('.activitybar [aria-label^="ML FinOps"]').first().waitFor({ timeout: 120_000 });
    visible.push(Date.now() - t0);
    activate.push((await activation(before, 60_000)) ?? NaN);
    await ctx.close();
  }
  // an empty folder: the workbench loads, the view is not opened, no command runs
  const before = new Set(findLogs(path.join(p.userData, 'logs')));
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?folder=${encodeURIComponent(empty)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  emptyActivated = (await activation(before, EMPTY_WAIT_MS)) !== undefined;
  await ctx.close();
} finally {
  await browser.close();
  await server.stop();
  p.cleanup();
}
console.log(`activate() duration, ms (from the extension's log), ${RUNS} runs on the demo workspace: ${activate.join(', ')} — median ${median(activate)}`);
console.log(`page load → ML FinOps view container visible, ms: ${visible.join(', ')} — median ${median(visible)}`);
console.log(`empty workspace: ${emptyActivated ? 'activated' : `not activated within ${EMPTY_WAIT_MS / 1000} s`}`);
