// @ts-check
export const title = 'the ML FinOps view container shows the welcome view with its three actions';
export const workspace = 'empty';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ showView, shot }) {
  const sidebar = await showView();
  // the Resources view's welcome (the Spot Jobs view below it has its own)
  const welcome = sidebar.locator('.welcome-view-content', { hasText: 'ML FinOps shows what your GPUs cost' }).first();
  await welcome.waitFor({ timeout: 60_000 });
  for (const label of ['Open the Demo Workspace', 'Configure Cloud Accounts', 'Show Logs']) {
    await welcome.getByRole('button', { name: label }).waitFor();
  }
  await shot('welcome');
}
