// @ts-check
export const title = '"Configure Cloud Accounts" lists AWS, Azure, Google Cloud and FOCUS file with their state, and says what is missing';
export const workspace = 'empty';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, shot, waitFor }) {
  await palette('ML FinOps: Configure Cloud Accounts');
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const rows = widget.locator('.monaco-list-row');
  await waitFor(async () => (await rows.count()) >= 4, 'four sources in the quick pick');
  const text = (await rows.allInnerTexts()).join('\n');
  for (const name of ['AWS', 'Azure', 'Google Cloud', 'FOCUS file']) {
    if (!text.includes(name)) throw new Error(`the quick pick does not list ${name}:\n${text}`);
  }
  // Nothing is configured in this workspace: every cloud says it is off and which setting turns it on.
  if (!/Off/.test(text) || !/mlFinops\.aws\.enabled/.test(text)) throw new Error(`the quick pick does not say what is missing:\n${text}`);
  await shot('cloud-accounts-pick');

  // Picking AWS offers to turn it on, with "Open Settings"; nothing breaks.
  await page.locator('.quick-input-widget input').fill('AWS');
  await page.keyboard.press('Enter');
  const toast = page.locator('.notification-list-item', { hasText: 'AWS is off' });
  await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
  const buttons = (await toast.first().locator('.monaco-button').allInnerTexts()).join('|');
  if (!buttons.includes('Turn On') || !buttons.includes('Open Settings')) throw new Error(`expected Turn On and Open Settings, got ${buttons}`);
  await shot('cloud-accounts-aws-off');
  await toast.first().hover();
  await toast.first().locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => page.keyboard.press('Escape'));
}
