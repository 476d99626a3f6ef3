// @ts-check
// UI tests: the packaged .vsix installed into code-server (real VS Code 1.139 workbench), Debian's chromium driven
// by playwright-core. Each test/e2e/steps/NN-name.mjs is one test; they run in file-name order, grouped by the
// workspace they need ('demo' = a fresh copy of demo/, 'empty' = an empty folder). Screenshots go to
// test-results/screenshots/ (git-ignored); `--update-docs` also copies the ones the README shows into docs/images/.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { profile, launchChromium, packageVsix, root, vscodeTestDir } from './lib/codeServer.mjs';

const shotsDir = path.join(root, 'test-results/screenshots');
const docsShots = ['overview', 'welcome', 'problems', 'tree', 'dashboard-light', 'dashboard-dark', 'budgets', 'savings-report', 'spot-plan', 'spot-jobs'];

/**
 * What every step gets: the page, and helpers that wait by polling a condition (never a fixed sleep).
 * @typedef {object} StepContext
 * @property {import('playwright-core').Page} page
 * @property {(text: string) => Promise<void>} palette runs a command by its palette title
 * @property {(name: string) => Promise<unknown>} shot saves test-results/screenshots/<name>.png
 * @property {() => Promise<import('playwright-core').Locator>} showView shows the ML FinOps side bar
 * @property {(relPath: string) => Promise<void>} openFile opens a workspace file with Quick Open
 * @property {typeof waitFor} waitFor
 * @property {(...args: unknown[]) => void} log
 * @property {string} workspaceDir
 * @property {string} home the HOME of code-server and its extension host (for files such as ~/.aws/credentials)
 * @property {string} machineSettings the server's machine settings.json (where machine-scoped settings such as endpoints live)
 * @property {string} serverUrl
 */
/** @typedef {{ title?: string; workspace?: 'demo' | 'empty'; default: (ctx: StepContext) => Promise<void> }} StepModule */

/**
 * Polls `probe` until it returns something truthy (and returns it), or fails after `timeoutMs`.
 * @template T
 * @param {() => T | Promise<T>} probe
 * @param {string} what what is waited for, for the error
 * @returns {Promise<NonNullable<T>>}
 */
async function waitFor(probe, what, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last;
  for (;;) {
    try { const v = await probe(); if (v) return /** @type {NonNullable<T>} */ (v); } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** @param {string} kind */
function prepareWorkspace(kind) {
  const dir = path.join(vscodeTestDir, `run.${process.pid}`, kind);
  fs.rmSync(dir, { recursive: true, force: true });
  if (kind === 'demo') fs.cpSync(path.join(root, 'demo'), dir, { recursive: true });
  else fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** @param {{ filter?: string | undefined; updateDocs?: boolean; vsix?: string }} [options] */
export async function runE2e({ filter, updateDocs = false, vsix } = {}) {
  const stepsDir = path.join(root, 'test/e2e/steps');
  // a filter of several parts (`36-,37-`) runs the steps whose names contain any of them
  const files = fs.readdirSync(stepsDir).filter((f) => f.endsWith('.mjs') && (!filter || filter.split(',').some((part) => f.includes(part)))).sort();
  const steps = [];
  for (const f of files) {
    /** @type {StepModule} */
    const mod = await import(pathToFileURL(path.join(stepsDir, f)).href);
    steps.push({ file: f, title: mod.title ?? f, workspace: mod.workspace ?? 'demo', run: mod.default });
  }
  fs.mkdirSync(shotsDir, { recursive: true });
  vsix ??= await packageVsix();
  const p = profile('e2e');
  p.installVsix(vsix);
  const server = await p.start();
  const browser = await launchChromium();
  let passed = 0, failed = 0;
  try {
    const order = [...new Set(steps.map((s) => s.workspace))];
    for (const workspace of order) {
      const workspaceDir = prepareWorkspace(workspace);
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const t0 = Date.now();
      const log = (/** @type {unknown[]} */ ...a) => console.log(`    [+${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
      // a loaded machine can take more than the default 30 s to serve the workbench
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspaceDir)}`, { timeout: 180_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      // the extension is active once its view container is in the activity bar
      await page.locator('.activitybar [aria-label^="ML FinOps"]').first().waitFor({ timeout: 120_000 });
      const palette = async (/** @type {string} */ text) => {
        // the palette closes when something else takes focus (a webview re-rendering after a resize, a view
        // appearing): open it again until the command is typed into it
        for (let attempt = 1; ; attempt++) {
          try {
            await page.keyboard.press('Escape');
            await page.keyboard.press('F1');
            const input = page.locator('.quick-input-widget input[type="text"], .quick-input-widget .quick-input-box input').first();
            await input.waitFor({ state: 'visible', timeout: 30_000 });
            await input.fill('>' + text, { timeout: 10_000 });
            await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 30_000 });
            await page.keyboard.press('Enter');
            return;
          } catch (e) {
            if (attempt >= 3) throw e;
          }
        }
      };
      const shot = async (/** @type {string} */ name) => page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
      /** Opens a workspace file with Quick Open and waits for its editor tab. */
      const openFile = async (/** @type {string} */ relPath) => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input').first();
        await input.waitFor({ state: 'visible', timeout: 30_000 });
        await input.fill(relPath);
        const name = path.basename(relPath);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
      };
      /** Shows the ML FinOps side bar (clicking its activity-bar icon again would hide it). */
      const showView = async () => {
        const title = page.locator('.part.sidebar .composite.title', { hasText: /ML FinOps/i });
        // the item, not its icon: the badge (the anomaly count) lies over the icon and takes the click
        if (!(await title.isVisible())) await page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="ML FinOps"]') }).first().click();
        await title.waitFor({ state: 'visible', timeout: 30_000 });
        return page.locator('.part.sidebar');
      };
      console.log(`  workspace: ${workspace}`);
      for (const step of steps.filter((s) => s.workspace === workspace)) {
        const started = Date.now();
        try {
          await step.run({ page, palette, shot, showView, openFile, waitFor, log, workspaceDir, home: p.env.HOME, machineSettings: path.join(p.userData, 'Machine/settings.json'), serverUrl: server.url });
          passed += 1;
          console.log(`    ✔ ${step.title} (${Date.now() - started} ms)`);
        } catch (e) {
          failed += 1;
          console.log(`    ✘ ${step.title}\n      ${String(e instanceof Error ? e.stack : e).split('\n').slice(0, 16).join('\n      ')}`);
          await shot(`FAILED-${path.basename(step.file, '.mjs')}`).catch(() => {});
          // what holds the page when a step fails: inert containers, open dialogs, the focused element
          const state = await page.evaluate(() => {
            /** @param {Element} el */
            const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 3).join('.')}` : ''}`;
            return {
              inert: Array.from(document.querySelectorAll('[inert]')).map(name).slice(0, 8),
              dialogs: Array.from(document.querySelectorAll('dialog[open], .monaco-dialog-box, [role="dialog"]')).map((el) => `${name(el)}: ${(el.textContent ?? '').slice(0, 160)}`).slice(0, 5),
              focused: document.activeElement ? name(document.activeElement) : 'none',
              visibility: document.visibilityState,
              hasFocus: document.hasFocus(),
            };
          }, undefined).catch((/** @type {unknown} */ err) => ({ error: String(err) }));
          console.log(`      page state: ${JSON.stringify(state)}; pages: ${context.pages().map((p) => p.url().slice(0, 80)).join(', ')}`);
        }
      }
      await context.close();
    }
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    p.cleanup();
    if (!process.env.MLFINOPS_KEEP_PROFILE) fs.rmSync(path.join(vscodeTestDir, `run.${process.pid}`), { recursive: true, force: true });
  }
  if (updateDocs) {
    const docs = path.join(root, 'docs/images');
    fs.mkdirSync(docs, { recursive: true });
    for (const name of docsShots) {
      const src = path.join(shotsDir, `${name}.png`);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(docs, `${name}.png`));
    }
  }
  return { passed, failed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const r = await runE2e({ updateDocs: args.includes('--update-docs'), filter: args.find((a) => !a.startsWith('--')) });
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.failed ? 1 : 0);
}
