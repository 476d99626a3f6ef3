export const title = 'Cost dashboard on the demo bill: charts, tables, theme colours (README screenshot "dashboard")';
export const workspace = 'demo';

export default async function ({ page, palette, shot, waitFor, log }) {
  // room for the dashboard: no bottom panel (an earlier step opened Problems)
  if (await page.locator('.part.panel').isVisible().catch(() => false)) {
    try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
  }
  await palette('ML FinOps: Open Cost Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const summary = frame.locator('#summary');
  await waitFor(async () => /\$[\d,]+\.\d\d · Last 30 days \(1 Sep – 30 Sep 2024\)/.test(await summary.innerText().catch(() => '')), 'the dashboard summary for the demo month', 120_000);
  log(`summary: ${await summary.innerText()}`);
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
  await card.getByRole('button', { name: 'Hide table' }).click();
  // the page takes its colours from the theme
  const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  if (!bg || bg === 'rgba(0, 0, 0, 0)') throw new Error('the page has no theme background');
  await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
  await shot('dashboard');
}
