// @ts-check
export const title = 'the welcome view\'s "Configure Cloud Accounts" leads to the ML FinOps settings or account picker';
export const workspace = 'empty';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, showView, shot }) {
  const sidebar = await showView();
  await sidebar.locator('.welcome-view-content').getByRole('button', { name: 'Configure Cloud Accounts' }).click();
  // either the settings editor filtered to the extension, or the account quick pick
  const target = page.locator('.settings-editor .setting-item-category', { hasText: /Aws|Azure|Gcp|Cost/i })
    .or(page.locator('.quick-input-widget .monaco-list-row', { hasText: /AWS/ }));
  await target.first().waitFor({ state: 'visible', timeout: 30_000 });
  await shot('configure-accounts');
  await page.keyboard.press('Escape');
}
