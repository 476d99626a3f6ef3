// @ts-check
import { demoFigures, parseMoney } from '../demoBill.mjs';
import { widenSidebar } from './30-tree.mjs';

export const title = 'Resources view: the small tail of a level folded into "N more under $X" (the bill\'s own count, threshold and sum), expanding it lists the folded rows, "(untagged)" stays in place';
export const workspace = 'demo';

const UNTAGGED = '(untagged)';

/** $5,123.45 → $5,200: up to two significant digits, rounded up (the threshold is 1 % of the parent, rounded so). */
function roundUp(/** @type {number} */ amount) {
  const step = 10 ** (Math.floor(Math.log10(amount)) - 1);
  return Math.round(Math.ceil(amount / step - 1e-9) * step * 100) / 100;
}

/**
 * Where the bill's last month folds, grouped as the view groups it (Team → Project → resource): the first level
 * (teams, then each team's projects, then each project's resources) with two or more children under 1 % of their
 * parent, "(untagged)" groups never counted as folded.
 * @param {import('../demoBill.mjs').DemoRow[]} rows
 */
function expectedFold(rows) {
  /** @type {Map<string | null, Map<string | null, Map<string | null, number>>>} */
  const tree = new Map();
  for (const r of rows) {
    const team = tree.get(r.team) ?? new Map(); tree.set(r.team, team);
    const project = team.get(r.project) ?? new Map(); team.set(r.project, project);
    project.set(r.resourceId, (project.get(r.resourceId) ?? 0) + r.effective);
  }
  const sum = (/** @type {Map<unknown, any>} */ m) => [...m.values()].reduce((s, v) => s + (v instanceof Map ? sum(v) : v), 0);
  /** @param {[string | null, number][]} children @param {number} parent @param {boolean} groups */
  const fold = (children, parent, groups) => {
    const under = roundUp(parent * 0.01);
    const folded = children.filter(([k, c]) => Math.abs(c) < under && !(groups && k === null));
    return folded.length >= 2 ? { under, folded } : undefined;
  };
  const total = sum(tree);
  const teams = [...tree].map(([k, v]) => /** @type {[string | null, number]} */ ([k, sum(v)]));
  const atTeams = fold(teams, total, true);
  if (atTeams) return { path: [], ...atTeams, groups: true, parent: total };
  for (const [team, projects] of tree) {
    const atProjects = fold([...projects].map(([k, v]) => [k, sum(v)]), sum(projects), true);
    if (atProjects) return { path: [team], ...atProjects, groups: true, parent: sum(projects) };
  }
  for (const [team, projects] of tree) {
    for (const [project, resources] of projects) {
      const atResources = fold([...resources], sum(resources), false);
      if (atResources) return { path: [team, project], ...atResources, groups: false, parent: sum(resources) };
    }
  }
  return undefined;
}

/** The tree's focused row: level, label (first line) and the rest of its text. @param {import('playwright-core').Locator} tree */
async function focused(tree) {
  const row = tree.locator('.monaco-list-row.focused').first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  const label = (await row.locator('.label-name').first().innerText()).trim();
  const description = (await row.locator('.label-description').first().innerText().catch(() => '')).trim();
  return { index: await row.getAttribute('data-index'), level: Number(await row.getAttribute('aria-level')), label, description, expanded: await row.getAttribute('aria-expanded') };
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, showView, shot, waitFor, log, workspaceDir }) {
  const demo = demoFigures(workspaceDir);
  const month = demo.over(demo.periods.lastMonth);
  const want = expectedFold(month.rows);
  if (!want) throw new Error('the demo bill has no level to fold last month: the test needs one');
  const sidebar = await showView();
  await widenSidebar(page);
  // the Resources pane's tree (the container also holds Spot Jobs)
  const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Resources' }) }).first();
  const tree = (await pane.isVisible().catch(() => false)) ? pane.getByRole('tree').first() : sidebar.getByRole('tree').first();
  const source = tree.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Demo organisation (synthetic)' }).first();
  await waitFor(async () => /\$[\d,]+\.\d\d/.test(await source.innerText().catch(() => '')), 'the demo organisation with its total', 120_000);
  // "(untagged)" is a team of its own, shown in place like any other
  await source.click();
  if ((await source.getAttribute('aria-expanded')) !== 'true') await page.keyboard.press('ArrowRight');
  await waitFor(async () => (await tree.locator('.monaco-list-row[aria-level="2"] .label-name').allInnerTexts()).some((t) => t.trim() === UNTAGGED), 'the (untagged) team in place', 60_000);

  /** Moves the focus down until a row at `level` labelled `label` (or matching it) is focused. */
  const walkTo = async (/** @type {number} */ level, /** @type {string | RegExp} */ label) => {
    for (let i = 0; i < 200; i++) {
      const before = await focused(tree);
      await page.keyboard.press('ArrowDown');
      const now = await waitFor(async () => { const f = await focused(tree); return f.index !== before.index ? f : undefined; }, 'the focus to move down', 10_000);
      if (now.level < level) break;
      if (now.level === level && (typeof label === 'string' ? now.label === label : label.test(now.label))) return now;
    }
    throw new Error(`no row "${label}" at level ${level} where the bill puts it`);
  };
  const expand = async () => {
    const f = await focused(tree);
    if (f.expanded !== 'true') await page.keyboard.press('ArrowRight');
    await waitFor(async () => (await focused(tree)).expanded === 'true', `"${f.label}" expanded`, 30_000);
  };
  await expand();
  let level = 2;
  for (const name of want.path) {
    await walkTo(level, name ?? UNTAGGED);
    await expand();
    level += 1;
  }
  const fold = await walkTo(level, /^\d[\d,]* more under /);
  log(`fold: ${fold.label} · ${fold.description} (under ${want.path.map((p) => p ?? UNTAGGED).join(' → ') || 'the source'})`);
  const m = /^([\d,]+) more under \$([\d,.]+)(\/mo)?$/.exec(fold.label);
  if (!m) throw new Error(`the fold row reads "${fold.label}"`);
  const foldedCost = want.folded.reduce((s, [, c]) => s + c, 0);
  if (Number(m[1]?.replace(/,/g, '')) !== want.folded.length) throw new Error(`"${fold.label}": the bill folds ${want.folded.length}`);
  if (Number(m[2]?.replace(/,/g, '')) !== want.under) throw new Error(`"${fold.label}": the bill's threshold is $${want.under}`);
  if (Math.abs(parseMoney(fold.description) - foldedCost) > 0.01) throw new Error(`the fold row says ${fold.description}, the folded rows cost ${foldedCost.toFixed(2)}`);
  const share = Number(/([\d.]+) %/.exec(fold.description)?.[1]);
  if (Math.abs(share - (foldedCost / want.parent) * 100) > 0.051) throw new Error(`the fold row's share is ${share} %, the bill says ${(foldedCost / want.parent * 100).toFixed(2)} %`);
  await expand();
  // the folded rows, one level down, each under the threshold
  /** @type {{ label: string; cost: number }[]} */
  const inside = [];
  for (let i = 0; i < want.folded.length; i++) {
    const before = await focused(tree);
    await page.keyboard.press('ArrowDown');
    const row = await waitFor(async () => { const f = await focused(tree); return f.index !== before.index ? f : undefined; }, 'the next folded row', 10_000);
    if (row.level !== level + 1) throw new Error(`row ${i + 1} inside the fold is at level ${row.level}: "${row.label}"`);
    inside.push({ label: row.label, cost: parseMoney(row.description) });
  }
  const after = await focused(tree);
  await page.keyboard.press('ArrowDown');
  const next = await waitFor(async () => { const f = await focused(tree); return f.index !== after.index ? f : undefined; }, 'the row after the fold', 10_000).catch(() => undefined);
  if (next && next.level > level) throw new Error(`more rows inside the fold than the bill folds: "${next.label}"`);
  log(`inside: ${inside.map((r) => `${r.label} $${r.cost.toFixed(2)}`).join(' | ')}`);
  for (const r of inside) {
    if (!(Math.abs(r.cost) < want.under)) throw new Error(`"${r.label}" ($${r.cost}) is inside the fold but not under $${want.under}`);
    if (r.label === UNTAGGED) throw new Error('"(untagged)" was folded');
  }
  const costs = inside.map((r) => r.cost);
  for (let i = 1; i < costs.length; i++) if (costs[i] > costs[i - 1] + 1e-9) throw new Error(`the folded rows are not sorted by cost: ${costs.join(', ')}`);
  const wantCosts = want.folded.map(([, c]) => Math.round(c * 100) / 100).sort((a, b) => b - a);
  if (costs.join() !== wantCosts.join()) throw new Error(`the folded rows cost ${costs.join(', ')}, the bill's ${wantCosts.join(', ')}`);
  await shot('tree-folded');
}
