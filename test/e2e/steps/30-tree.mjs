// @ts-check
import { demoFigures, parseMoney } from '../demoBill.mjs';

export const title = 'Resources view: the demo organisation grouped by Team → Project, with last month\'s costs equal to the bill; switching the grouping (README screenshot "tree")';
export const workspace = 'demo';

/**
 * Picks an entry of the view's title menu by its command title.
 * @param {import('playwright-core').Page} page @param {import('playwright-core').Locator} sidebar @param {string} name
 */
async function titleAction(page, sidebar, name) {
  // a container with one view shows the view's title actions in its own title bar; with several (Resources and
  // Spot Jobs) each pane header has its own, shown while the pointer is over it
  const header = sidebar.locator('.pane-header', { hasText: 'Resources' }).first();
  const paned = await header.isVisible().catch(() => false);
  if (paned) await header.hover();
  const scope = paned ? header : sidebar.locator('.composite.title').first();
  const button = scope.locator(`a.action-label[aria-label^="${name}"]`).first();
  if (await button.isVisible().catch(() => false)) { await button.click(); return; }
  // narrow sidebars fold title actions into the "…" menu
  await scope.locator('a.action-label[aria-label^="More Actions"]').first().click();
  await page.locator('.monaco-menu .action-label', { hasText: name }).first().click();
}

export { titleAction, widenSidebar };

/**
 * Filters the open quick pick to `label` and accepts the highlighted row.
 * @param {import('playwright-core').Page} page @param {import('playwright-core').Locator} input @param {string} label
 */
async function pickByTyping(page, input, label) {
  await input.fill(label);
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** Widens the sidebar so sources, costs and shares fit on one line. @param {import('playwright-core').Page} page */
async function widenSidebar(page) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= 480) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 520, y, { steps: 8 });
  await page.mouse.up();
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, showView, shot, waitFor, log, workspaceDir }) {
  // the demo workspace opens on the last full month of its bill
  const demo = demoFigures(workspaceDir);
  const month = demo.over(demo.periods.lastMonth);
  const sidebar = await showView();
  await widenSidebar(page);
  const tree = sidebar.getByRole('tree').first();
  await tree.waitFor({ timeout: 60_000 });
  const demoRow = tree.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Demo organisation (synthetic)' }).first();
  await demoRow.waitFor({ timeout: 120_000 });
  // the source row says what it cost over the period and its untagged share: the bill's own figures for last month
  await waitFor(async () => /\$[\d,]+\.\d\d · [\d.]+ % untagged/.test(await demoRow.innerText()), 'the demo organisation\'s total and untagged share', 120_000);
  const sourceText = (await demoRow.innerText()).replace(/\s+/g, ' ');
  log(`source row: ${sourceText}`);
  if (Math.abs(parseMoney(sourceText) - month.total) > 0.01) throw new Error(`the source shows ${parseMoney(sourceText)}, the bill's last month is ${month.total.toFixed(2)}`);
  const share = Number(/([\d.]+) % untagged/.exec(sourceText)?.[1]);
  if (Math.abs(share - month.untaggedShare * 100) > 0.051) throw new Error(`untagged ${share} %, the bill says ${(month.untaggedShare * 100).toFixed(2)} %`);
  await waitFor(async () => /Team → Project/.test((await sidebar.locator('.composite.title, .pane-header').allInnerTexts()).join(' ')), 'the view to say it groups by Team → Project', 30_000);

  // expand the source, then the most expensive team, then its first project
  if ((await demoRow.getAttribute('aria-expanded')) !== 'true') await demoRow.click();
  const groupRows = tree.locator('.monaco-list-row[aria-level="2"]');
  await waitFor(async () => (await groupRows.count()) > 2 && /\$/.test(await groupRows.first().innerText()), 'teams with costs', 120_000);
  const groups = await groupRows.allInnerTexts();
  log(`teams: ${groups.slice(0, 6).map((g) => g.replace(/\s+/g, ' ')).join(' | ')} …`);
  const costs = groups.map((g) => Number((/([-−]?)\$([\d,]+\.\d\d)/.exec(g) ?? []).slice(1).join('').replace(/,/g, '').replace('−', '-') || '0'));
  for (let i = 1; i < costs.length; i++) if (costs[i] > costs[i - 1] + 1e-9) throw new Error(`teams are not sorted by cost: ${costs.join(', ')}`);
  // each team's cost is the bill's
  const expectedTeams = [...month.byTeam].sort((a, b) => b[1] - a[1]);
  if (groups.length !== expectedTeams.length) throw new Error(`${groups.length} groups, the bill has ${expectedTeams.length} teams (with untagged)`);
  groups.forEach((g, i) => {
    const [team, cost] = expectedTeams[i];
    if (!g.startsWith(team ?? '(untagged)') || Math.abs(costs[i] - cost) > 0.01) throw new Error(`row ${i + 1} is "${g.replace(/\s+/g, ' ')}", the bill says ${team ?? '(untagged)'} ${cost.toFixed(2)}`);
  });
  await groupRows.first().click();
  const projectRows = tree.locator('.monaco-list-row[aria-level="3"]');
  await projectRows.first().waitFor({ timeout: 30_000 });
  await projectRows.first().click();
  await tree.locator('.monaco-list-row[aria-level="4"]').first().waitFor({ timeout: 30_000 });
  await shot('tree');

  // switch the grouping from the view's title bar: one level, by Project
  await titleAction(page, sidebar, 'Group Resources By');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  // pick by typing (a click can land while the list is still laying out)
  await pickByTyping(page, input, 'Custom');
  // the quick pick turns into an input box for the tag keys
  await waitFor(async () => !(await page.locator('.quick-input-list .monaco-list-row').first().isVisible()) && (await input.inputValue()) !== 'Custom', 'the tag-key input box', 30_000);
  await input.fill('Project');
  await page.keyboard.press('Enter');
  await waitFor(async () => /· Project$|· Project\b(?! →)/.test((await sidebar.locator('.composite.title, .pane-header').allInnerTexts()).join(' ')), 'the view to say it groups by Project', 30_000);
  const teamLabels = new Set(groups.map((g) => g.split('\n')[0]));
  await waitFor(async () => {
    const rows = await tree.locator('.monaco-list-row[aria-level="2"]').allInnerTexts();
    return rows.length > 2 && rows.filter((t) => !teamLabels.has(t.split('\n')[0])).length > rows.length / 2;
  }, 'projects instead of teams at the first level', 120_000);
  // and back to the team's hierarchy (.finops.yaml)
  await titleAction(page, sidebar, 'Group Resources By');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await pickByTyping(page, input, 'Reset');
  await waitFor(async () => /Team → Project/.test((await sidebar.locator('.composite.title, .pane-header').allInnerTexts()).join(' ')), 'the view back on Team → Project', 30_000);
}
