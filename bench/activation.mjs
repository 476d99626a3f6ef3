// Activation benchmark (not a test): installs the packaged .vsix into code-server (real VS Code 1.139), opens the
// demo workspace in chromium RUNS times, and reads from the extension's own log how long activate() took, plus the
// time from page load until the ML FinOps view container appears. Also prints the size of dist/extension.js, which
// the extension host parses at activation.
import fs from 'node:fs';
import path from 'node:path';
import { profile, launchChromium, packageVsix, root, vscodeTestDir } from '../scripts/lib/codeServer.mjs';

const RUNS = Number(process.env.RUNS || 5);
const vsix = packageVsix();
const p = profile('bench-activation');
p.installVsix(vsix);
const server = await p.start();
const browser = await launchChromium();
const demo = path.join(vscodeTestDir, 'bench-demo');
fs.rmSync(demo, { recursive: true, force: true });
fs.cpSync(path.join(root, 'demo'), demo, { recursive: true });

function findLogs(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) findLogs(f, out);
    else if (e.name === 'ML FinOps.log') out.push(f);
  }
  return out;
}

const activate = [], visible = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const before = new Set(findLogs(path.join(p.userData, 'logs')));
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(demo)}`);
    await page.locator('.activitybar [aria-label^="ML FinOps"]').first().waitFor({ timeout: 120_000 });
    visible.push(Date.now() - t0);
    let ms;
    for (let tries = 0; tries < 600 && ms === undefined; tries++) {
      for (const f of findLogs(path.join(p.userData, 'logs')).filter((f) => !before.has(f))) {
        const m = fs.readFileSync(f, 'utf8').match(/activated in (\d+) ms/);
        if (m) ms = Number(m[1]);
      }
      if (ms === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    activate.push(ms ?? NaN);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
  p.cleanup();
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const size = fs.statSync(path.join(root, 'dist/extension.js')).size;
console.log(`dist/extension.js: ${(size / 1024).toFixed(0)} KiB (production build)`);
console.log(`activate() duration, ms (from the extension's log), ${RUNS} runs: ${activate.join(', ')} — median ${median(activate)}`);
console.log(`page load → ML FinOps view container visible, ms: ${visible.join(', ')} — median ${median(visible)}`);
