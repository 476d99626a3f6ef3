// @ts-check
import { parseMoney } from '../demoBill.mjs';

export const title = 'Budget panel on the demo organisation: a burn-down per budget with its forecast band and budget line, the status bar at risk (README screenshot "budgets")';
export const workspace = 'demo';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, shot, waitFor, log }) {
  if (await page.locator('.part.panel').isVisible().catch(() => false)) {
    try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
  }
  await palette('ML FinOps: Open Cost Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const card = frame.locator('#card-budget');
  // the panel may first show the report of the bill an earlier step used; poll until it is the demo's (worst first)
  await waitFor(async () => (await frame.locator('#budgets section.budget').count().catch(() => 0)) >= 2
    && /at risk|over budget/i.test(await frame.locator('#budgets section.budget').first().locator('.badge').innerText({ timeout: 2_000 }).catch(() => '')),
  'the budget panel with the demo budgets, worst (at risk) first', 180_000);
  // worst first: the demo has a budget at risk
  const nlp = frame.locator('#budgets section.budget').first();
  const name = await nlp.getAttribute('data-budget');
  const figures = await nlp.locator('.budget-figures').innerText();
  log(`${name}: ${figures}`);
  if (!(parseMoney(figures) > 0)) throw new Error(`budget ${name} shows no spend: ${figures}`);
  const status = await nlp.locator('.badge').innerText();
  if (!/at risk|over budget/i.test(status)) throw new Error(`the first budget (${name}) should be at risk on the demo bill, it says "${status}"`);
  const text = await nlp.innerText();
  if (!/Expected to cross the budget on|Crossed the budget on/.test(text)) throw new Error(`no crossing day: ${text}`);
  // the chart is drawn (a canvas with pixels), and its table alternative has one row per day of the period
  await waitFor(async () => (await nlp.locator('canvas').evaluate((c) => /** @type {HTMLCanvasElement} */ (c).width).catch(() => 0)) > 0, 'the burn-down canvas', 30_000);
  await nlp.getByRole('button', { name: 'Table' }).click();
  const rows = nlp.locator('table tbody tr');
  await waitFor(async () => (await rows.count()) >= 28, 'a row per day of the period in the burn-down table', 30_000);
  await nlp.getByRole('button', { name: 'Hide table' }).click();
  // the status bar names the budget at risk
  const statusBar = page.locator('.statusbar-item', { hasText: String(name) });
  await waitFor(async () => (await statusBar.count()) > 0, `the status bar naming ${name}`, 60_000);
  log(`status bar: ${await statusBar.first().innerText()}`);
  // the screenshot is of the budgets: the anomaly watcher's notifications (shown beside them) are cleared first
  await palette('Notifications: Clear All Notifications');
  await waitFor(async () => (await page.locator('.notification-toast').count()) === 0, 'no notification toast over the dashboard', 30_000);
  await card.scrollIntoViewIfNeeded();
  await shot('budgets');
}
