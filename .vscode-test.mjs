// @ts-check
// The same extension-host suite under @vscode/test-cli / @vscode/test-electron, for machines with a network
// (they download VS Code). Run `npx vscode-test` after `npm run build`. Offline, `npm test` runs the suite in
// code-server instead (scripts/runIntegration.mjs).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/integration/*.test.js',
  workspaceFolder: './test/fixtures/workspace',
  version: '1.139.1',
  mocha: { ui: 'tdd', timeout: 60000 },
  env: { AWS_EC2_METADATA_DISABLED: 'true', METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9' },
});
