export const title = 'the demo workspace opens with the extension active (README screenshot)';
export const workspace = 'demo';

export default async function ({ page, palette, showView, shot }) {
  await palette('Go to File');
  await page.keyboard.type('main.tf');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'main.tf' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .view-lines', { hasText: 'resource' }).first().waitFor({ timeout: 30_000 });
  await showView();
  await shot('overview');
}
