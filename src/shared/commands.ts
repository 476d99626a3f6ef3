/**
 * Every command the extension contributes, in one place. A unit test checks this map against
 * package.json both ways: no command is contributed without being registered, and none is registered unlisted.
 */
export const Commands = {
  showLogs: 'mlFinops.showLogs',
  openDemo: 'mlFinops.openDemo',
  configureAccounts: 'mlFinops.configureAccounts',
  refresh: 'mlFinops.refresh',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
