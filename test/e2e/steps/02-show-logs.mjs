// @ts-check
export const title = '"ML FinOps: Show Logs" from the palette opens the ML FinOps log channel';
export const workspace = 'empty';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, shot }) {
  await palette('ML FinOps: Show Logs');
  const panel = page.locator('.part.panel');
  await panel.waitFor({ state: 'visible', timeout: 30_000 });
  // the log channel's contents are shown in the output editor (spaces render as non-breaking spaces)
  await panel.locator('.view-lines', { hasText: /ML\s+FinOps\s+[\d.]+\s+activated/ }).first().waitFor({ timeout: 30_000 });
  await shot('show-logs');
}
