export const title = 'Resources view: the demo bill grouped by tag, with costs; switching the grouping (README screenshot "tree")';
export const workspace = 'demo';

/** Picks an entry of the view's title menu by its command title. */
async function titleAction(page, sidebar, name) {
  // a container with one view shows the view's title actions in its own title bar; else in the pane header
  const button = sidebar.locator(`.composite.title a.action-label[aria-label^="${name}"], .pane-header a.action-label[aria-label^="${name}"]`).first();
  if (await button.isVisible().catch(() => false)) { await button.click(); return; }
  // narrow sidebars fold title actions into the "…" menu
  await sidebar.locator('.composite.title a.action-label[aria-label^="More Actions"], .pane-header a.action-label[aria-label^="More Actions"]').first().click();
  await page.locator('.monaco-menu .action-label', { hasText: name }).first().click();
}

export { titleAction };

export default async function ({ page, showView, shot, waitFor, log }) {
  const sidebar = await showView();
  const tree = sidebar.getByRole('tree').first();
  await tree.waitFor({ timeout: 60_000 });
  const demoRow = tree.locator('.monaco-list-row', { hasText: 'Demo bill' }).first();
  await demoRow.waitFor({ timeout: 120_000 });
  // the source row says what it cost over the period and its untagged share
  await waitFor(async () => /\$[\d,]+\.\d\d · [\d.]+ % untagged/.test(await demoRow.innerText()), 'the demo bill\'s total and untagged share', 120_000);
  log(`source row: ${(await demoRow.innerText()).replace(/\s+/g, ' ')}`);

  // group by the bill's own tags with the view's title action
  await titleAction(page, sidebar, 'Group Resources By');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Custom…' }).first().click();
  await input.fill('business_unit, application');
  await page.keyboard.press('Enter');
  await waitFor(async () => /business_unit → application/.test((await sidebar.locator('.composite.title, .pane-header').allInnerTexts()).join(' ')), 'the view to say it groups by business_unit → application', 30_000);

  // expand the source (if needed), then the most expensive business unit, then its first application
  if ((await demoRow.getAttribute('aria-expanded')) !== 'true') await demoRow.click();
  const groupRows = tree.locator('.monaco-list-row[aria-level="2"]');
  await waitFor(async () => (await groupRows.count()) > 2 && /\$/.test(await groupRows.first().innerText()), 'business units with costs', 120_000);
  const groups = await groupRows.allInnerTexts();
  log(`business units: ${groups.map((g) => g.replace(/\s+/g, ' ')).join(' | ')}`);
  if (!groups.some((g) => g.includes('(untagged)'))) throw new Error('no "(untagged)" group');
  const costs = groups.map((g) => Number((/\$([\d,]+\.\d\d)/.exec(g)?.[1] ?? '0').replace(/,/g, '')));
  for (let i = 1; i < costs.length; i++) if (costs[i] > costs[i - 1]) throw new Error(`groups are not sorted by cost: ${costs.join(', ')}`);
  await groupRows.first().click();
  const appRows = tree.locator('.monaco-list-row[aria-level="3"]');
  await appRows.first().waitFor({ timeout: 30_000 });
  await appRows.first().click();
  await tree.locator('.monaco-list-row[aria-level="4"]').first().waitFor({ timeout: 30_000 });
  await shot('tree');
}
