// @ts-check
export const title = 'the ML FinOps view container shows the welcome view with its three actions';
export const workspace = 'empty';

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ showView, shot }) {
  const sidebar = await showView();
  const welcome = sidebar.locator('.welcome-view-content');
  await welcome.waitFor({ timeout: 60_000 });
  await welcome.getByText('ML FinOps shows what your GPUs cost', { exact: false }).waitFor();
  for (const label of ['Open the Demo Workspace', 'Configure Cloud Accounts', 'Show Logs']) {
    await welcome.getByRole('button', { name: label }).waitFor();
  }
  await shot('welcome');
}
