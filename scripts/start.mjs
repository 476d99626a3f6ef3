// @ts-check
// `npm start`: builds the extension and opens it in real VS Code on a fresh copy of the embedded demo workspace
// (demo/: a Terraform project with tagging mistakes and a real FOCUS bill) — no cloud account needed.
// Uses the `code` command when VS Code is installed; otherwise code-server (VS Code 1.139 in the browser) on
// 127.0.0.1, installed on first use into a cache folder. Options: --port N, --code-server (skip `code`),
// --smoke (start, check the extension activates in chromium, save a screenshot, stop).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { profile, packageVsix, launchChromium, root, vscodeTestDir } from './lib/codeServer.mjs';

const args = process.argv.slice(2);
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : Number(process.env.PORT || 0) || undefined;
const smoke = args.includes('--smoke');

const demo = path.join(vscodeTestDir, 'demo-workspace');
fs.rmSync(demo, { recursive: true, force: true });
fs.mkdirSync(vscodeTestDir, { recursive: true });
fs.cpSync(path.join(root, 'demo'), demo, { recursive: true });

const hasCode = !args.includes('--code-server') && !smoke && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  const b = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
  console.log(`Opening VS Code with ML FinOps (development build) on ${demo}`);
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, demo], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

console.log('Building and packaging the extension…');
const vsix = await packageVsix();
const p = profile('start', { fresh: false, persistent: true });
p.installVsix(vsix);
const server = await p.start({ port: portArg, host: '127.0.0.1' });
const url = `${server.url}/?folder=${encodeURIComponent(demo)}`;
const stop = async () => { await server.stop(); p.cleanup(); };
process.on('SIGINT', () => void stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));

if (smoke) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.locator('.activitybar [aria-label^="ML FinOps"]').first().waitFor({ timeout: 120_000 });
    const shot = path.join(root, 'test-results/screenshots/npm-start.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    console.log(`npm start smoke check: ML FinOps is active on the demo workspace (${shot})`);
  } finally {
    await browser.close();
    await stop();
  }
  process.exit(0);
}

console.log(`\nML FinOps is running in VS Code (code-server) on the demo workspace:\n\n    ${url}\n\nOpen that address in a browser. Press Ctrl+C to stop.`);
if (process.env.DISPLAY) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
