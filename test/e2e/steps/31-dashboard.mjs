// @ts-check
import { demoFigures, parseMoney, periodRange } from '../demoBill.mjs';

export const title = 'Cost dashboard on the demo organisation: last month\'s total equal to the bill, charts, tables, theme colours';
export const workspace = 'demo';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, shot, waitFor, log, workspaceDir }) {
  const demo = demoFigures(workspaceDir);
  const month = demo.over(demo.periods.lastMonth);
  // room for the dashboard: no bottom panel (an earlier step opened Problems)
  if (await page.locator('.part.panel').isVisible().catch(() => false)) {
    try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
  }
  await palette('ML FinOps: Open Cost Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const summary = frame.locator('#summary');
  const label = `Last month (${periodRange(demo.periods.lastMonth)})`;
  await waitFor(async () => (await summary.innerText().catch(() => '')).includes(` · ${label}`), `the dashboard summary for ${label}`, 120_000);
  const text = await summary.innerText();
  log(`summary: ${text}`);
  if (Math.abs(parseMoney(text) - month.total) > 0.01) throw new Error(`the dashboard shows ${parseMoney(text)}, the bill's last month is ${month.total.toFixed(2)}`);
  for (const id of ['daily', 'level1', 'level2', 'service']) {
    await waitFor(async () => !!(await frame.locator(`#chart-${id}`).getAttribute('data-hit').catch(() => null)), `chart ${id} drawn`, 30_000);
  }
  // every chart has a table alternative
  const card = frame.locator('#card-level1');
  await card.getByRole('button', { name: 'Table' }).click();
  const rows = card.locator('table tbody tr');
  await waitFor(async () => (await rows.count()) > 1, 'the table of the first level', 30_000);
  const first = await rows.first().innerText();
  if (!/\$[\d,]+\.\d\d/.test(first)) throw new Error(`the table shows no money: ${first}`);
  // the biggest team first, at the bill's figure
  const [topTeam, topCost] = [...month.byTeam].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  if (!topTeam || !first.startsWith(topTeam) || Math.abs(parseMoney(first) - topCost) > 0.01) throw new Error(`the first row is "${first}", the bill says ${topTeam} ${topCost.toFixed(2)}`);
  await card.getByRole('button', { name: 'Hide table' }).click();
  // the page takes its colours from the theme
  const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  if (!bg || bg === 'rgba(0, 0, 0, 0)') throw new Error('the page has no theme background');
  await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
  await shot('dashboard');
}
