// @ts-check
//
// Layers (arrows point at what may be imported; `npm run lint` enforces every line of this table):
//
//   src/extension.ts      the composition root: may import anything below and wires it together
//   src/features/<f>/     VS Code UI, one flat folder per feature → core, shared, platform, src/providers/*.ts
//                         (factories and the registry, never a cloud's folder), its own folder; never another feature
//   src/platform/         VS Code adapters and the services features share (settings, source registry, cost view,
//                         cancellation, sign-in) → core, shared, src/providers/*.ts
//   src/cli/              the mlfinops command → core, shared, providers (never a cloud's folder: factories build clients)
//   src/providers/<src>/  clouds, bill files, IaC, demo → core and other providers; never vscode
//   src/shared/           what the host and the webview page share (protocol, formatting) → shared and pure core modules;
//                         no vscode, no Node built-ins (it is bundled for the browser)
//   src/core/             the domain, pure → core only; never vscode
//   webview/<view>/       the page → its own folder and src/shared only
//
// No module may import one that imports it back (local/no-import-cycle), and a FinOpsError is recognised with
// isFinOpsError() (a brand that works across bundles), never with `instanceof`.
import tseslint from 'typescript-eslint';
import noImportCycle from './scripts/eslint/noImportCycle.mjs';

const LAYERS = 'providers|features|platform|cli|shared|extension';
const CLOUDS = 'aws|azure|gcp';

/**
 * no-restricted-imports for one layer: `vscode` when it runs in plain Node, and import paths by regular expression.
 * @param {string} message
 * @param {{ vscode?: boolean; node?: boolean; patterns?: string[] }} options
 * @returns {import('eslint').Linter.RulesRecord}
 */
function layer(message, { vscode = false, node = false, patterns = [] }) {
  return {
    'no-restricted-imports': ['error', {
      paths: vscode ? [{ name: 'vscode', message: `${message} (runs in plain Node or the browser: no vscode).` }] : [],
      patterns: [
        ...patterns.map((regex) => ({ regex, message })),
        ...(node ? [{ regex: '^node:', message: `${message} (bundled for the browser: no Node built-ins).` }] : []),
      ],
    }],
  };
}

const local = { plugins: { local: { rules: { 'no-import-cycle': noImportCycle } } } };

export default tseslint.config(
  { ignores: ['.tmp/**', 'dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'coverage/**', 'vsix/**', '**/*.js', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    ...local,
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'eqeqeq': ['error', 'smart'],
      'local/no-import-cycle': 'error',
      'no-restricted-syntax': ['error', {
        selector: "BinaryExpression[operator='instanceof'][right.name='FinOpsError']",
        message: 'Use isFinOpsError(e, reason): instanceof fails across bundles.',
      }],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // scripts, benchmarks and UI steps: plain ESM for Node, type-checked through JSDoc (tsconfig.scripts.json)
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', AbortController: 'readonly', performance: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: layer('src/core is the domain: it imports nothing of ours outside src/core', { vscode: true, patterns: [`^(\\.\\./)+(${LAYERS})(/|\\.|$)`] }),
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: layer('src/providers import src/core and other providers only', { vscode: true, patterns: [`^(\\.\\./)+(features|platform|cli|shared|extension)(/|\\.|$)`] }),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: layer('src/shared is bundled into the webview: it imports src/shared and pure src/core modules only', { vscode: true, node: true, patterns: [`^(\\.\\./)+(providers|features|platform|cli|extension)(/|\\.|$)`] }),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: layer('src/cli builds no cloud client and no VS Code UI: use the providers\' factories', { vscode: true, patterns: [`^(\\.\\./)+providers/(${CLOUDS})(/|$)`, '^(\\.\\./)+(features|platform|extension)(/|\\.|$)'] }),
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: layer('src/platform adapts VS Code for the features: it imports core, shared and the providers\' factories', { patterns: ['^(\\.\\./)+providers/[^/]+/', '^(\\.\\./)+(features|cli|extension)(/|\\.|$)'] }),
  },
  {
    files: ['src/features/**/*.ts'],
    rules: layer('A feature imports core, shared, platform and the providers\' factories (src/providers/*.ts), never another feature or a provider\'s folder; shared things are built in extension.ts and passed to register()', {
      patterns: ['^(\\.\\./)+providers/[^/]+/', '^\\.\\./(?!\\.\\.)[^/]+/', '^(\\.\\./)+(cli|extension)(/|\\.|$)'],
    }),
  },
  {
    files: ['webview/**/*.ts'],
    rules: layer('The webview imports its own folder and src/shared only', { vscode: true, node: true, patterns: ['^(\\.\\./)+src/(?!shared/)'] }),
  },
);
