// @ts-check
export const title = 'Opening demo/infra/main.tf shows its tagging mistakes in the Problems panel, from source "ML FinOps"';
export const workspace = 'demo';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ openFile, page, palette, shot, waitFor, log }) {
  // open the demo's Terraform file with Quick Open
  await openFile('infra/main.tf');

  // show the Problems panel
  try {
    await palette('Problems: Focus on Problems View');
  } catch {
    log('palette entry not found; using Ctrl+Shift+M');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
  }
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ state: 'visible', timeout: 30_000 });
  const rows = panel.locator('.monaco-list-row');
  // the open file is checked at once; the other files (gcp.tf's label problems) when the workspace scan has run
  const expected = ['aws_instance.notebook is missing required tags', 'aws_s3_bucket.checkpoints is missing required tags', 'label key "Team"', '"prod"'];
  let text = '';
  await waitFor(async () => {
    text = (await rows.allInnerTexts()).join('\n');
    return expected.every((e) => text.includes(e));
  }, 'the demo\'s tagging mistakes in the Problems panel', 60_000).catch(() => {
    throw new Error(`the Problems panel does not show ${expected.filter((e) => !text.includes(e)).join(', ')}:\n${text}`);
  });
  if (!text.includes('ML FinOps')) throw new Error(`the problems do not name their source "ML FinOps":\n${text}`);
  // select the first problem: the editor reveals the resource with its squiggle
  await rows.filter({ hasText: 'aws_instance.notebook' }).first().click();
  await waitFor(async () => /\(\d+ selected\)/.test(await page.locator('.statusbar').innerText()), 'the editor to select the first problem');
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 30_000 });
  await shot('problems');
}
