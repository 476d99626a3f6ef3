export const title = 'Savings on the demo Terraform: code lenses price each GPU instance; "Estimate Savings…" opens the report with every option and its sources; Copy as Markdown (screenshot "savings-report")';
export const workspace = 'demo';

export default async function ({ openFile, page, palette, shot, waitFor, log }) {
  await palette('View: Close All Editors');
  // open the demo's Terraform file
  await openFile('infra/main.tf');

  // the code lenses: $3.06/h × 730 h ≈ $2,234 a month for the p3.2xlarge trainer
  const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: 'on-demand' });
  await waitFor(async () => (await lenses.count()) >= 2, 'savings code lenses over the compute resources', 60_000);
  const lensTexts = await lenses.allInnerTexts();
  log(`lenses: ${lensTexts.join(' | ')}`);
  if (!lensTexts.some((t) => t.includes('≈ $2,234/mo on-demand · spot ≈ $'))) throw new Error(`no lens prices the p3.2xlarge: ${lensTexts.join(' | ')}`);

  // the command: pick the Terraform resource
  await palette('ML FinOps: Estimate Savings…');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'aws_instance.trainer' }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();

  // the report
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const h1 = frame.locator('h1');
  await waitFor(async () => (await h1.innerText().catch(() => '')) === 'Savings for p3.2xlarge in us-east-1 (AWS)', 'the report for the trainer', 60_000);
  const rows = await frame.locator('table tbody tr').allInnerTexts();
  log(`report rows: ${rows.length}`);
  for (const kind of ['Spot', 'Auto-shutdown', 'Not estimated']) {
    if (!rows.some((r) => r.toLowerCase().startsWith(kind.toLowerCase()))) throw new Error(`the report has no ${kind} row:\n${rows.join('\n')}`);
  }
  const sources = await frame.locator('ul.sources').innerText();
  if (!/captured \d{4}-\d{2}-\d{2}/.test(sources)) throw new Error(`the report's sources carry no capture date: ${sources}`);
  const subject = await frame.locator('.meta').innerText();
  if (!subject.includes('main.tf: aws_instance.trainer')) throw new Error(`the report does not name the resource: ${subject}`);

  // Copy as Markdown (a command link: the page runs no script)
  await frame.getByRole('link', { name: 'Copy as Markdown' }).click();
  await waitFor(async () => (await page.locator('.statusbar').innerText()).includes('Savings report copied as Markdown'), 'the copy confirmation in the status bar', 30_000);
  await shot('savings-report');
}
