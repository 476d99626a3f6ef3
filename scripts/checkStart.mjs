// @ts-check
// Walks the README's first command as a new user does: runs `npm start` exactly as written (it installs what it
// needs on first use), waits for the address it prints, opens it in chromium, checks that ML FinOps is active on
// the demo workspace (its view container and the demo's cost in the Resources view), saves a screenshot, and
// stops `npm start` with Ctrl+C. Used by .ci/run; exits non-zero when any of that fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, root } from './lib/codeServer.mjs';

const timeoutMs = Number(process.env.MLFINOPS_START_TIMEOUT_MS || 20 * 60_000);
const child = spawn('npm', ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
/** @type {Promise<string>} */
const address = new Promise((resolve, reject) => {
  const onData = (/** @type {Buffer} */ d) => {
    process.stdout.write(d);
    output += d.toString();
    const m = output.match(/(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/);
    if (m) resolve(m[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (d) => process.stderr.write(d));
  child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before printing an address`)));
  setTimeout(() => reject(new Error(`npm start printed no address within ${timeoutMs / 1000} s`)), timeoutMs).unref();
});

/** Stops `npm start` the way a user does (Ctrl+C reaches the whole process group) and waits for it to end. */
function stop() {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve(undefined));
    try { process.kill(-(child.pid ?? 0), 'SIGINT'); } catch { resolve(undefined); }
    setTimeout(() => { try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { /* gone */ } }, 15_000).unref();
  });
}

let code = 0;
try {
  const url = await address;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    // the item, not its icon: a badge lies over the icon and takes the click
    await page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="ML FinOps"]') }).first().click({ timeout: 180_000 });
    // the Resources view shows the demo bill's cost: the product works on its demo with no account
    const demoRow = page.locator('.part.sidebar .monaco-list-row[aria-level="1"]', { hasText: 'Demo' }).first();
    await demoRow.waitFor({ timeout: 180_000 });
    const deadline = Date.now() + 180_000;
    while (!/\$[\d,]+\.\d\d/.test(await demoRow.innerText())) {
      if (Date.now() > deadline) throw new Error(`the demo source shows no cost: "${await demoRow.innerText()}"`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const shot = path.join(root, 'test-results/screenshots/npm-start.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    console.log(`\nnpm start: ML FinOps is active on the demo workspace and shows its costs (${shot})`);
  } finally {
    await browser.close();
  }
} catch (e) {
  console.error(`\nnpm start check failed: ${e instanceof Error ? e.message : String(e)}`);
  code = 1;
} finally {
  await stop();
}
process.exit(code);
