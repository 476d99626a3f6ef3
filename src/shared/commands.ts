/**
 * Every command the extension contributes, in one place. A unit test checks this map against
 * package.json both ways: no command is contributed without being registered, and none is registered unlisted.
 */
export const Commands = {
  showLogs: 'mlFinops.showLogs',
  openDemo: 'mlFinops.openDemo',
  configureAccounts: 'mlFinops.configureAccounts',
  refresh: 'mlFinops.refresh',
  openDashboard: 'mlFinops.openDashboard',
  switchHierarchy: 'mlFinops.switchHierarchy',
  selectPeriod: 'mlFinops.selectPeriod',
  copyResourceId: 'mlFinops.copyResourceId',
  openInConsole: 'mlFinops.openInConsole',
  revealDeclaration: 'mlFinops.revealDeclaration',
  filterDashboard: 'mlFinops.filterDashboard',
  exportDashboardCsv: 'mlFinops.exportDashboardCsv',
  fixSource: 'mlFinops.fixSource',
  loadMoreResources: 'mlFinops.loadMoreResources',
  checkTags: 'mlFinops.checkTags',
  estimateSavings: 'mlFinops.estimateSavings',
  estimateResourceSavings: 'mlFinops.estimateResourceSavings',
  copySavingsReport: 'mlFinops.copySavingsReport',
  openSavingsReportMarkdown: 'mlFinops.openSavingsReportMarkdown',
  createCloudBudget: 'mlFinops.createCloudBudget',
  importCloudBudgets: 'mlFinops.importCloudBudgets',
  unmuteAnomalyGroups: 'mlFinops.unmuteAnomalyGroups',
  showbackReport: 'mlFinops.showbackReport',
  copyShowbackMarkdown: 'mlFinops.copyShowbackMarkdown',
  exportShowbackCsv: 'mlFinops.exportShowbackCsv',
  estimateMigration: 'mlFinops.estimateMigration',
  estimateMigrationFromTree: 'mlFinops.estimateMigrationFromTree',
  launchSpotTraining: 'mlFinops.launchSpotTraining',
} as const;

