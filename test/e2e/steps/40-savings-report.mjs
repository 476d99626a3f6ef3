// @ts-check
import fs from 'node:fs';
import path from 'node:path';

export const title = 'Savings on the demo Terraform: code lenses price each GPU instance from the shipped catalogue; "Estimate Savings…" on the H100 pre-training node opens the report with every option and its sources; Copy as Markdown (screenshot "savings-report")';
export const workspace = 'demo';

/** Monthly figures at 730 h from the shipped snapshot, read here without the product (whole dollars, as lenses show them). */
/** @param {'aws' | 'gcp' | 'azure'} cloud @param {string} type @param {string} region */
function snapshotLens(cloud, type, region) {
  const snapshot = JSON.parse(fs.readFileSync(new URL('../../../resources/pricing/gpu_ml_instance_prices.json', import.meta.url), 'utf8'));
  const entry = snapshot[cloud][type];
  const r = entry.regions[region];
  const karpenter = cloud === 'aws' && region === 'us-east-1' ? Object.entries(entry).find(([k]) => k.startsWith('karpenter_ondemand_us_east_1'))?.[1] : undefined;
  const usd = (/** @type {number} */ hourly) => `$${Math.round(hourly * 730).toLocaleString('en-US')}`;
  const parts = [`≈ ${usd(karpenter ?? r.ondemand)}/mo on-demand`];
  if (cloud === 'gcp') parts.push(`spot ≈ ${usd(r.spot)}`, `1-yr ≈ ${usd(r.cud_1y_hourly)}`);
  return parts.join(' · ');
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

  // AWS: the detector-serving fleet's g5.2xlarge, $1.212/h × 730 h (lenses further down render when scrolled to)
  await openFile('infra/main.tf');
  await goToResource(page, palette, path.join(workspaceDir, 'infra/main.tf'), 'aws_instance', 'detector_serving');
  const g5 = snapshotLens('aws', 'g5.2xlarge', 'us-east-1');
  await waitFor(async () => (await lenses.allInnerTexts()).some((t) => t.startsWith(`${g5} · spot ≈ $`)), `the g5.2xlarge lens "${g5} · …"`, 60_000);
  log(`main.tf lenses: ${(await lenses.allInnerTexts()).filter(Boolean).join(' | ')}`);

  // Google Cloud: the a3-highgpu-8g (8 × H100) that pre-trains around the clock under a 1-year CUD
  await palette('View: Close All Editors');
  await openFile('infra/gcp.tf');
  await goToResource(page, palette, path.join(workspaceDir, 'infra/gcp.tf'), 'google_compute_instance', 'llm_pretrain');
  const a3 = snapshotLens('gcp', 'a3-highgpu-8g', 'us-central1');
  await waitFor(async () => (await lenses.allInnerTexts()).some((t) => t === a3), `the a3-highgpu-8g lens "${a3}"`, 60_000);
  log(`gcp.tf lenses: ${(await lenses.allInnerTexts()).join(' | ')}`);

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

  // Copy as Markdown (a command link: the page runs no script)
  await frame.getByRole('link', { name: 'Copy as Markdown' }).click();
  await waitFor(async () => (await page.locator('.statusbar').innerText()).includes('Savings report copied as Markdown'), 'the copy confirmation in the status bar', 30_000);
  await shot('savings-report');
}
