// @ts-check
import fs from 'node:fs';
import path from 'node:path';

export const title = 'Cost dashboard: a click on a chart filters it; Export CSV writes the file';
export const workspace = 'demo';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, waitFor, log, workspaceDir }) {
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const summary = frame.locator('#summary');
  if (!(await summary.isVisible().catch(() => false))) await palette('ML FinOps: Open Cost Dashboard');
  await waitFor(async () => /\$/.test(await summary.innerText().catch(() => '')), 'the dashboard', 120_000);
  const before = await summary.innerText();

  // click the largest bar of "Cost by service" (a doughnut slice) — where the page says it is drawn
  const canvas = frame.locator('#chart-service');
  const hit = await waitFor(async () => canvas.getAttribute('data-hit'), 'the service chart', 30_000);
  const [x, y] = hit.split(',').map(Number);
  await canvas.click({ position: { x, y } });
  const chip = frame.locator('#chips .chip').first();
  await chip.waitFor({ timeout: 60_000 });
  const chipText = await chip.innerText();
  log(`filter: ${chipText.replace(/\s+/g, ' ')}`);
  if (!/^ServiceName?: |^Service: /.test(chipText)) throw new Error(`unexpected filter chip: ${chipText}`);
  await waitFor(async () => (await summary.innerText()) !== before, 'the totals to follow the filter', 60_000);
  log(`filtered: ${await summary.innerText()}`);
  // the service select reflects the filter too
  const selected = await frame.locator('#service').evaluate((/** @type {HTMLSelectElement} */ s) => s.options[s.selectedIndex]?.text ?? '');
  if (!chipText.includes(selected)) throw new Error(`the service filter shows "${selected}", the chip "${chipText}"`);

  // Export CSV of the first level: the host's save dialog (the simple dialog in the web workbench) proposes a file in
  // the workspace folder; accept it
  const exported = () => fs.readdirSync(workspaceDir).filter((f) => /^ml-finops-level1-.*\.csv$/.test(f));
  for (const f of exported()) fs.rmSync(path.join(workspaceDir, f));
  const card = frame.locator('#card-level1');
  await card.locator('button[data-action="csv"]').click();
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await waitFor(async () => /ml-finops-level1-.*\.csv$/.test(await input.inputValue()), 'the proposed file name', 30_000);
  log(`save dialog proposes: ${await input.inputValue()}`);
  await page.keyboard.press('Enter');
  // the simple dialog may still ask to confirm with its OK button
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first();
  const name = await waitFor(async () => {
    const [f] = exported();
    if (f && fs.statSync(path.join(workspaceDir, f)).size > 0) return f;
    if (await ok.isVisible().catch(() => false)) await ok.click({ force: true, timeout: 2_000 }).catch(() => {});
    return undefined;
  }, 'the CSV file to be written', 60_000);
  const target = path.join(workspaceDir, name);
  const text = fs.readFileSync(target, 'utf8');
  log(`exported: ${text.split('\r\n').slice(0, 3).join(' / ')}`);
  if (!/^[^\r\n]+,Cost \(USD\),Share\r\n/.test(text)) throw new Error(`unexpected CSV header: ${text.slice(0, 80)}`);

  // clear the filter for the next steps
  await frame.locator('#clearFilters').click();
  await waitFor(async () => (await frame.locator('#chips .chip').count()) === 0, 'the filters to clear', 30_000);
}
