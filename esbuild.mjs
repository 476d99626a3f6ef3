// Builds: the extension (node/cjs, vscode external), the CLI, the webview (browser/iife) and the
// extension-host test suite. `--production` minifies and drops source maps; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);

/** Files the bundles load at run time, copied next to dist/ (none today; native bindings are below). */
const assets = [
];
/**
 * Native packages kept out of the bundle and copied to dist/node_modules so the .vsix carries them:
 * DuckDB's loader, every platform binding npm installed here (a platform-specific .vsix carries its own),
 * and detect-libc, which the loader uses to choose the musl or glibc build on Linux.
 */
const duckdbBindings = fs.existsSync(path.join(root, 'node_modules/@duckdb'))
  ? fs.readdirSync(path.join(root, 'node_modules/@duckdb')).filter((d) => d.startsWith('node-bindings-')).map((d) => `@duckdb/${d}`)
  : [];
const nativePackages = ['@duckdb/node-bindings', ...duckdbBindings, 'detect-libc'];

function copyAssets() {
  for (const [from, to] of assets) {
    const src = path.join(root, from);
    if (!fs.existsSync(src)) continue;
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    fs.copyFileSync(src, path.join(root, to));
  }
  for (const pkg of nativePackages) {
    const src = path.join(root, 'node_modules', pkg);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(root, 'dist/node_modules', pkg), { recursive: true, dereference: true });
  }
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
};

const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', ...nativePackages],
  loader: { '.wasm': 'file' },
  // several SDKs ship ESM with import.meta.url; give it a CommonJS value
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const integrationTests = fs.existsSync(path.join(root, 'test/integration/suite'))
  ? fs.readdirSync(path.join(root, 'test/integration/suite')).filter((f) => f.endsWith('.ts')).map((f) => `test/integration/suite/${f}`)
  : [];

// The CLI loads only the subcommand it runs: dist/cli.js is the registry, each src/cli/<name>.ts is its own bundle
// dist/cli-<name>.js (required on use), and io.ts is shared (one UsageError class). Loading every SDK on each start
// cost a cold `mlfinops lint` about a quarter of a second.
const cliDir = path.join(root, 'src/cli');
const cliModules = fs.readdirSync(cliDir).filter((f) => f.endsWith('.ts') && f !== 'main.ts').map((f) => f.slice(0, -3));
const cliSplit = {
  name: 'cli-split',
  setup(build) {
    build.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) => {
      const name = args.path.slice(2);
      if (path.dirname(args.importer) !== cliDir || !cliModules.includes(name)) return undefined;
      if (name !== 'io' && path.basename(args.importer) !== 'main.ts') return undefined;
      return { path: name, namespace: 'cli-split' };
    });
    // a stand-in module that requires the separate bundle at run time
    build.onLoad({ filter: /.*/, namespace: 'cli-split' }, (args) => ({ contents: `module.exports = require('./cli-${args.path}.js');`, loader: 'js' }));
    build.onResolve({ filter: /^\.\/cli-[\w-]+\.js$/, namespace: 'cli-split' }, (args) => ({ path: args.path, external: true }));
  },
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  {
    ...nodeCommon,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    plugins: [cliSplit],
    banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  },
  {
    ...nodeCommon,
    entryPoints: Object.fromEntries(cliModules.map((m) => [`cli-${m}`, `src/cli/${m}.ts`])),
    outdir: 'dist',
    plugins: [cliSplit],
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: fs.existsSync(path.join(root, 'webview/dashboard/main.ts')) ? { dashboard: 'webview/dashboard/main.ts' } : {},
    outdir: 'dist/webview',
  },
  ...(production ? [] : [{
    ...nodeCommon,
    external: [...nodeCommon.external, 'mocha'],
    entryPoints: integrationTests,
    outdir: 'out/test/integration',
  }]),
].filter((b) => Object.keys(b.entryPoints).length > 0);

copyAssets();
if (watch) {
  const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  fs.rmSync(path.join(root, 'out/test/integration'), { recursive: true, force: true });
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}
