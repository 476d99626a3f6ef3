// @ts-check
import fs from 'node:fs';
import path from 'node:path';

export const title = 'Savings on the demo Terraform: code lenses price each GPU instance from the shipped catalogue; "Estimate Savings…" on the H100 pre-training node opens the report with every option and its sources, and the lens shows the same spot, 1-yr and best-saving figures as the report; Copy as Markdown (screenshot "savings-report"); typing a GPU name ("H100") lists the types on all three clouds with prices and keeps the text (screenshot "savings-gpu-search")';
export const workspace = 'demo';

/** The on-demand figure at 730 h from the shipped snapshot, read here without the product (whole dollars, as lenses show it). */
/** @param {'aws' | 'gcp' | 'azure'} cloud @param {string} type @param {string} region */
function snapshotOnDemand(cloud, type, region, count = 1) {
  const snapshot = JSON.parse(fs.readFileSync(new URL('../../../resources/pricing/gpu_ml_instance_prices.json', import.meta.url), 'utf8'));
  const entry = snapshot[cloud][type];
  const r = entry.regions[region];
  const karpenter = cloud === 'aws' && region === 'us-east-1' ? Object.entries(entry).find(([k]) => k.startsWith('karpenter_ondemand_us_east_1'))?.[1] : undefined;
  const month = Math.round((karpenter ?? r.ondemand) * 730 * 100) / 100;
  return `≈ $${Math.round(month * count).toLocaleString('en-US')}/mo on-demand${count > 1 ? ` for ${count} machines` : ''}`;
}

/** "$6,424.63" → "$6,425" (the lens's whole dollars) @param {string} cell */
const whole = (cell) => `$${Math.round(Number(cell.replace(/[$,\s]/g, ''))).toLocaleString('en-US')}`;

/**
 * Every row of the open quick pick, including those scrolled out of view (the list renders only what is on screen):
 * walks the list with the arrow keys and collects the rows rendered at each step.
 * @param {import('playwright-core').Page} page @param {import('playwright-core').Locator} list
 */
async function allPickerRows(page, list) {
  const seen = new Set(await list.allInnerTexts());
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('ArrowDown');
    for (const t of await list.allInnerTexts()) seen.add(t);
  }
  return [...seen];
}

/** Moves the cursor to the line declaring `resource "<type>" "<name>"` (lenses render only when on screen). */
/** @param {import('playwright-core').Page} page @param {(text: string) => Promise<void>} palette @param {string} file @param {string} type @param {string} name */
async function goToResource(page, palette, file, type, name) {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith(`resource "${type}" "${name}"`)) + 1;
  if (line < 1) throw new Error(`${file} declares no ${type}.${name}`);
  await palette('Go to Line/Column');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ openFile, page, palette, shot, waitFor, log, workspaceDir }) {
  await palette('View: Close All Editors');
  const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: 'on-demand' });

  // AWS: the detector-serving fleet's 6 × g5.2xlarge (count = 6), $1.212/h × 730 h each (lenses further down render when scrolled to)
  await openFile('infra/main.tf');
  await goToResource(page, palette, path.join(workspaceDir, 'infra/main.tf'), 'aws_instance', 'detector_serving');
  const g5 = snapshotOnDemand('aws', 'g5.2xlarge', 'us-east-1', 6);
  await waitFor(async () => (await lenses.allInnerTexts()).some((t) => t.startsWith(`${g5} · spot ≈ $`)), `the g5.2xlarge lens "${g5} · …"`, 60_000);
  log(`main.tf lenses: ${(await lenses.allInnerTexts()).filter(Boolean).join(' | ')}`);

  // Google Cloud: the a3-highgpu-8g (8 × H100) that pre-trains around the clock under a 1-year CUD
  await palette('View: Close All Editors');
  await openFile('infra/gcp.tf');
  await goToResource(page, palette, path.join(workspaceDir, 'infra/gcp.tf'), 'google_compute_instance', 'llm_pretrain');
  const a3 = snapshotOnDemand('gcp', 'a3-highgpu-8g', 'us-central1');
  /** @type {string} */
  let lens = '';
  await waitFor(async () => { lens = (await lenses.allInnerTexts()).find((t) => t.startsWith(`${a3} · `)) ?? ''; return lens !== ''; }, `the a3-highgpu-8g lens "${a3} · …"`, 60_000);
  log(`gcp.tf lens: ${lens}`);

  // the command: pick the Terraform resource
  await palette('ML FinOps: Estimate Savings…');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'google_compute_instance.llm_pretrain' }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();

  // the report
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const h1 = frame.locator('h1');
  await waitFor(async () => (await h1.innerText().catch(() => '')) === 'Savings for a3-highgpu-8g in us-central1 (Google Cloud)', 'the report for the pre-training node', 60_000);
  const rows = await frame.locator('table tbody tr').allInnerTexts();
  log(`report rows: ${rows.length}`);
  for (const kind of ['Reservation', 'Spot', 'Auto-shutdown', 'Not estimated']) {
    if (!rows.some((r) => r.toLowerCase().startsWith(kind.toLowerCase()))) throw new Error(`the report has no ${kind} row:\n${rows.join('\n')}`);
  }
  const sources = await frame.locator('ul.sources').innerText();
  if (!/captured \d{4}-\d{2}-\d{2}/.test(sources)) throw new Error(`the report's sources carry no capture date: ${sources}`);
  const subject = await frame.locator('.meta').innerText();
  if (!subject.includes('gcp.tf: google_compute_instance.llm_pretrain')) throw new Error(`the report does not name the resource: ${subject}`);

  // one resource, one set of figures: the lens's spot, 1-yr and best saving are the report's own rows
  const cells = async (/** @type {string} */ text) => frame.locator('table tbody tr', { hasText: text }).first().locator('td').allInnerTexts();
  const [spotCost] = await cells('Spot at');
  const [oneYearCost] = await cells('1-yr committed-use discount');
  const savings = await frame.locator('table tbody tr:not(.muted)').evaluateAll((trs) => trs
    .filter((tr) => !/combined/i.test(tr.querySelector('.kind')?.textContent ?? ''))
    .map((tr) => Number((tr.querySelectorAll('td')[1]?.textContent ?? '').replace(/[$,\s]/g, ''))));
  const best = Math.max(...savings.filter((x) => Number.isFinite(x)));
  const expected = `${a3} · spot ≈ ${whole(spotCost ?? '')} · 1-yr ≈ ${whole(oneYearCost ?? '')} · best saves ${whole(String(best))}/mo`;
  if (lens !== expected) throw new Error(`the lens and the report disagree:\n  lens   ${lens}\n  report ${expected}`);
  log(`lens = report: ${expected}`);
  const meta = await frame.locator('.meta').innerText();
  if (!/baseline 730 instance-hours a month/.test(meta)) throw new Error(`the report does not state its one baseline: ${meta}`);

  // Copy as Markdown (a command link: the page runs no script)
  await frame.getByRole('link', { name: 'Copy as Markdown' }).click();
  await waitFor(async () => (await page.locator('.statusbar').innerText()).includes('Savings report copied as Markdown'), 'the copy confirmation in the status bar', 30_000);
  await shot('savings-report');

  // GPU names: "H100" lists the H100 types of all three clouds with prices, in one picker
  await palette('View: Close All Editors');
  await palette('ML FinOps: Estimate Savings…');
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  // the palette's input is the picker's: type once the picker itself is shown (its title), or the first keys land in the palette
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Estimate Savings' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await waitFor(async () => (await input.getAttribute('placeholder'))?.includes('GPU (H100') ?? false, 'the picker\'s own input', 30_000);
  await input.pressSequentially('H100', { delay: 30 });
  await waitFor(async () => (await input.inputValue()) === 'H100', 'the typed "H100" in the picker', 30_000);
  const list = page.locator('.quick-input-list .monaco-list-row');
  for (const type of ['p5.48xlarge', 'a3-highgpu-8g', 'Standard_ND96isr_H100_v5']) {
    await waitFor(async () => (await allPickerRows(page, list)).some((t) => t.includes(type) && /\$\d[\d,.]*\/h/.test(t)), `"${type}" with its price in the H100 list`, 30_000);
  }
  log(`H100 rows: ${(await list.allInnerTexts()).slice(0, 6).map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
  await shot('savings-gpu-search');
  // the typed text is kept: closed and opened again, "H100" is still there
  await page.keyboard.press('Escape');
  await palette('ML FinOps: Estimate Savings…');
  await waitFor(async () => (await input.inputValue()) === 'H100', 'the typed "H100" kept when the picker opens again', 30_000);
  // "A100 80GB" lists the 80 GB A100s on each cloud; choosing one opens its report
  await input.fill('A100 80GB');
  for (const type of ['p4de.24xlarge', 'a2-ultragpu-1g', 'Standard_NC24ads_A100_v4']) {
    await waitFor(async () => (await allPickerRows(page, list)).some((t) => t.includes(type)), `"${type}" in the A100 80GB list`, 30_000);
  }
  if ((await allPickerRows(page, list)).some((t) => /\bp4d\.24xlarge\b/.test(t))) throw new Error('the 40 GB p4d.24xlarge is listed as an A100 80GB');
  // choose it with the keyboard, as the row may be scrolled out of view
  for (let i = 0; i < 40 && !((await page.locator('.quick-input-list .monaco-list-row.focused').innerText().catch(() => '')).includes('a2-ultragpu-1g')); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await waitFor(async () => (await h1.innerText().catch(() => '')) === 'Savings for a2-ultragpu-1g in us-central1 (Google Cloud)', 'the report for the chosen A100 80GB type', 60_000);
  const missing = await frame.locator('table tbody tr.muted').allInnerTexts();
  if (!missing.some((t) => /Committed-use discounts: .*lists no committed-use price for a2-ultragpu-1g/.test(t))) throw new Error(`no "not estimated" CUD row for a2-ultragpu:\n${missing.join('\n')}`);
}
