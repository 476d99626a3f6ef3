// @ts-check
import fs from 'node:fs';
import path from 'node:path';

export const title = 'the demo workspace: tag problems in the editor, costs by team in the Resources view (README screenshot)';
export const workspace = 'demo';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, showView, shot, workspaceDir }) {
  await palette('View: Close All Editors');
  await palette('Go to File');
  await page.keyboard.type('main.tf');
  // Enter only once the typed name is the chosen row (before the list filters, a recently opened file is)
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'main.tf' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: 'main.tf' }).first().waitFor({ timeout: 30_000 });
  await page.locator('.editor-instance .view-lines', { hasText: 'resource' }).first().waitFor({ timeout: 30_000 });
  // scroll to the first resource with a problem and a savings lens
  const line = fs.readFileSync(path.join(workspaceDir, 'infra/main.tf'), 'utf8').split('\n').findIndex((l) => l.startsWith('resource "aws_instance" "notebook"')) + 1;
  if (line < 1) throw new Error('infra/main.tf declares no aws_instance.notebook');
  await palette('Go to Line/Column');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await palette('View: Focus Problems');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'missing required tags' }).first().waitFor({ timeout: 60_000 });
  const sidebar = await showView();
  const tree = sidebar.getByRole('tree').first();
  const demo = tree.getByRole('treeitem', { name: /Demo organisation \(synthetic\)/ }).first();
  await demo.waitFor({ timeout: 60_000 });
  if ((await demo.getAttribute('aria-expanded')) === 'false') await demo.click();
  await tree.getByRole('treeitem').nth(2).waitFor({ timeout: 60_000 });
  await shot('overview');
}
