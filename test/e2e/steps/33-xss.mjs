// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { titleAction } from './30-tree.mjs';

export const title = 'Security: tag values such as <img onerror> and </script><script> render as text in the tree and the dashboard; nothing executes';
export const workspace = 'demo';

const IMG = '<img src=x onerror="document.body.dataset.pwned=\'img\'">';
const SCRIPT = '</script><script>document.body.dataset.pwned=\'script\'</script>';
const SVG = '"><svg onload="document.body.dataset.pwned=\'svg\'">';

const HEADER = ['AvailabilityZone', 'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart', 'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart', 'CommitmentDiscountCategory', 'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountStatus', 'CommitmentDiscountType', 'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory', 'Id', 'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags'];

/** @param {string | null} v */
function csvCell(v) {
  if (v === null) return 'NULL';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A small FOCUS 1.0 bill whose tag values, resource name and service name are markup. */
function hostileBill() {
  /** @type {string[]} */
  const rows = [];
  const tagsets = [{ Team: IMG, Project: SCRIPT }, { Team: SCRIPT, Project: IMG }, { Team: 'safe-team', Project: SVG }];
  for (let d = 1; d <= 20; d++) {
    tagsets.forEach((tags, i) => {
      const day = String(d).padStart(2, '0');
      const cost = (10 + i * 7 + d).toFixed(2);
      const row = Object.fromEntries(HEADER.map((h) => [h, null]));
      Object.assign(row, {
        BilledCost: cost, EffectiveCost: cost, ListCost: cost, BillingCurrency: 'USD', BillingAccountId: '111122223333',
        ChargePeriodStart: `2024-09-${day} 00:00:00`, ChargePeriodEnd: `2024-09-${day} 01:00:00`,
        BillingPeriodStart: '2024-09-01 00:00:00', BillingPeriodEnd: '2024-10-01 00:00:00', ChargeCategory: 'Usage',
        ProviderName: 'AWS', PublisherName: 'AWS', InvoiceIssuerName: 'AWS', RegionId: 'us-east-1',
        ResourceId: `arn:aws:ec2:us-east-1:111122223333:instance/i-0000000000000000${i}`, ResourceName: i === 0 ? '<b onmouseover=alert(1)>gpu</b>' : `gpu-${i}`,
        ResourceType: 'Instance', ServiceName: i === 2 ? SVG : 'Amazon Elastic Compute Cloud', ServiceCategory: 'Compute',
        Id: `${d}-${i}`, Tags: JSON.stringify(tags),
      });
      rows.push(HEADER.map((h) => csvCell(row[h])).join(','));
    });
  }
  return `${HEADER.map((h) => `"${h}"`).join(',')}\n${rows.join('\n')}\n`;
}

/** @param {string} workspaceDir @param {Record<string, unknown>} patch */
function setSettings(workspaceDir, patch) {
  const file = path.join(workspaceDir, '.vscode/settings.json');
  const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const [k, v] of Object.entries(patch)) { if (v === undefined) delete current[k]; else current[k] = v; }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(current, null, 2));
}

/** @param {string} where @param {{ evaluate<R>(fn: () => R): Promise<R> }} target */
async function noExecution(where, target) {
  const report = await target.evaluate(() => ({
    pwned: document.body.dataset.pwned ?? null,
    injected: document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onmouseover], [onload]').length,
    scripts: [...document.scripts].filter((s) => /pwned/.test(s.textContent ?? '')).length,
  }));
  if (report.pwned || report.injected || report.scripts) throw new Error(`${where}: markup from the bill was interpreted: ${JSON.stringify(report)}`);
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, showView, waitFor, log, workspaceDir }) {
  /** @type {string[]} */
  const executed = [];
  page.on('console', (m) => { if (/pwned|alert/i.test(m.text()) && !/Refused/.test(m.text())) executed.push(m.text()); });
  page.on('dialog', (d) => { executed.push(`dialog: ${d.message()}`); void d.dismiss(); });
  fs.mkdirSync(path.join(workspaceDir, 'xss'), { recursive: true });
  fs.writeFileSync(path.join(workspaceDir, 'xss/bill.csv'), hostileBill());
  // the hostile bill holds 20 days of September 2024: look at its last 30 days (the demo workspace opens on last month)
  setSettings(workspaceDir, { 'mlFinops.demo.enabled': false, 'mlFinops.focus.files': ['xss/bill.csv'], 'mlFinops.resources.hierarchy': ['Team', 'Project'], 'mlFinops.cost.period': 'last30Days' });
  try {
    // the tree: the view's own hierarchy choice (if any) goes back to Team → Project from the settings
    const sidebar = await showView();
    await titleAction(page, sidebar, 'Group Resources By');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    const resetRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Reset' }).first();
    if (await resetRow.count()) await resetRow.click(); else await page.keyboard.press('Escape');
    const tree = sidebar.getByRole('tree').first();
    const source = tree.locator('.monaco-list-row', { hasText: 'bill.csv' }).first();
    await source.waitFor({ timeout: 120_000 });
    await waitFor(async () => /\$/.test(await source.innerText()), 'the hostile bill to load', 120_000);
    if ((await source.getAttribute('aria-expanded')) !== 'true') await source.click();
    const imgRow = tree.locator('.monaco-list-row[aria-level="2"]', { hasText: '<img src=x onerror=' }).first();
    await imgRow.waitFor({ timeout: 60_000 });
    const scriptRow = tree.locator('.monaco-list-row[aria-level="2"]', { hasText: '</script><script>' }).first();
    await scriptRow.waitFor({ timeout: 60_000 });
    log(`tree rows: ${(await tree.locator('.monaco-list-row[aria-level="2"]').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
    // the Markdown tooltip of a group shows the value as text
    await imgRow.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Team' }).first();
    if (await hover.isVisible({ timeout: 10_000 }).catch(() => false)) {
      const html = await hover.innerHTML();
      if (/<img|<script|<svg/i.test(html)) throw new Error(`the tooltip renders markup: ${html.slice(0, 300)}`);
    }
    await noExecution('workbench', page.locator('body'));

    // the dashboard: the same values in a table, in a select and on the canvas only as pixels
    await palette('ML FinOps: Open Cost Dashboard');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await waitFor(async () => /\$/.test(await frame.locator('#summary').innerText().catch(() => '')) && (await frame.locator('#card-level1 h2').innerText()) === 'Cost by Team', 'the dashboard on the hostile bill', 120_000);
    const card = frame.locator('#card-level1');
    await card.getByRole('button', { name: 'Table' }).click();
    const cells = card.locator('table tbody th');
    await waitFor(async () => (await cells.count()) >= 2, 'the team table', 30_000);
    const texts = await cells.allInnerTexts();
    log(`team table: ${texts.join(' | ')}`);
    if (!texts.includes(IMG) || !texts.includes(SCRIPT)) throw new Error(`the table does not show the values verbatim: ${texts.join(' | ')}`);
    const service = await frame.locator('#service option').allInnerTexts();
    if (!service.includes(SVG)) throw new Error(`the service filter does not list the value verbatim: ${service.join(' | ')}`);
    await noExecution('dashboard', frame.locator('body'));
    if (executed.length) throw new Error(`something executed: ${executed.join(' | ')}`);
  } finally {
    setSettings(workspaceDir, { 'mlFinops.demo.enabled': true, 'mlFinops.focus.files': undefined, 'mlFinops.resources.hierarchy': undefined, 'mlFinops.cost.period': 'lastMonth' });
  }
}
