// @ts-check
// Builds: the extension (node/cjs, vscode external), the CLI, the webview (browser/iife) and the extension-host
// test suite. `--production` minifies and drops source maps; `--watch` rebuilds on change.
//
// What loads when: dist/extension.js holds the product and what activation needs (zod, yaml). Each cloud's SDKs
// are a bundle of their own (dist/sdk-aws.js, sdk-azure.js, sdk-gcp.js, sdk-gcp-compute.js), and so is DuckDB's JavaScript
// (dist/duckdb.js): the product imports them with `await import()`, and the first such import loads the bundle.
// They hold third-party code only, so no class of ours exists twice (FinOpsError is recognised by a brand anyway).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * Native packages kept out of the bundle and copied to dist/node_modules: DuckDB's loader, the platform binding
 * npm installed here (scripts/package.mjs puts each target's own binding in its .vsix), and detect-libc, which the
 * loader uses to choose the musl or glibc build on Linux.
 */
const duckdbBindings = fs.existsSync(path.join(root, 'node_modules/@duckdb'))
  ? fs.readdirSync(path.join(root, 'node_modules/@duckdb')).filter((d) => d.startsWith('node-bindings-')).map((d) => `@duckdb/${d}`)
  : [];
const nativePackages = ['@duckdb/node-bindings', ...duckdbBindings, 'detect-libc'];

/** The lazily loaded bundles and the packages each one holds (every cloud SDK the product depends on). */
const dependencies = Object.keys(pkg.dependencies ?? {});
/** @type {Record<string, string[]>} */
const lazyBundles = {
  'sdk-aws': dependencies.filter((d) => d.startsWith('@aws-sdk/')),
  'sdk-azure': dependencies.filter((d) => d.startsWith('@azure/')),
  // Compute Engine's client is 30 MB of generated code and protos: a bundle of its own, so the cost sources' Google
  // SDKs (BigQuery, Cloud Asset, Billing) load in a tenth of the time; only a spot launch on Google Cloud loads it.
  'sdk-gcp': dependencies.filter((d) => (d.startsWith('@google-cloud/') && d !== '@google-cloud/compute') || d === 'google-auth-library'),
  'sdk-gcp-compute': dependencies.filter((d) => d === '@google-cloud/compute'),
  duckdb: ['@duckdb/node-api'],
};
/** @type {Map<string, string>} package → bundle */
const bundleOf = new Map(Object.entries(lazyBundles).flatMap(([bundle, packages]) => packages.map((p) => [p, bundle])));

/**
 * In the product's bundles, `await import('<sdk package>')` becomes a require of the package's lazy bundle; a
 * static import of one is a build error (it would load the SDK at activation).
 * @type {esbuild.Plugin}
 */
const lazyImports = {
  name: 'lazy-imports',
  setup(build) {
    build.onResolve({ filter: /^(@(aws-sdk|azure|google-cloud|duckdb)\/|google-auth-library$)/ }, (args) => {
      const bundle = bundleOf.get(args.path);
      if (!bundle || !args.importer.startsWith(path.join(root, 'src'))) return undefined;
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.path} is loaded on demand: import it with \`await import('${args.path}')\` (or \`import type\`), not statically.` }] };
      }
      return { path: args.path, namespace: 'lazy-import' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-import' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${bundleOf.get(args.path)}.js`)})[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/[\w-]+\.js$/, namespace: 'lazy-import' }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The entry of a lazy bundle: an object with one getter per package, so a package is evaluated when first used.
 * @type {esbuild.Plugin}
 */
const lazyEntries = {
  name: 'lazy-entries',
  setup(build) {
    build.onResolve({ filter: /^lazy-bundle:/ }, (args) => ({ path: args.path.slice('lazy-bundle:'.length), namespace: 'lazy-bundle' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-bundle' }, (args) => ({
      contents: `module.exports = {\n${(lazyBundles[args.path] ?? []).map((p) => `  get ${JSON.stringify(p)}() { return require(${JSON.stringify(p)}); },`).join('\n')}\n};\n`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// The CLI loads only the subcommand it runs: dist/cli.js is the registry, each src/cli/<name>.ts is its own bundle
// dist/cli-<name>.js (required on use), and io.ts is shared. Loading every SDK on each start cost a cold
// `mlfinops lint` about a quarter of a second.
const cliDir = path.join(root, 'src/cli');
const cliModules = fs.readdirSync(cliDir).filter((f) => f.endsWith('.ts') && f !== 'main.ts').map((f) => f.slice(0, -3));
/** @type {esbuild.Plugin} */
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

/**
 * The page is bundled for the browser and trusts its host: it must not carry the schema library (the host
 * validates what the page sends), nor anything of Node.
 * @type {esbuild.Plugin}
 */
const pageGuard = {
  name: 'page-guard',
  setup(build) {
    build.onResolve({ filter: /^(zod|zod\/.*|node:.*|vscode)$/ }, (args) => ({
      errors: [{ text: `${args.path} is imported by the dashboard page (from ${path.relative(root, args.importer)}): the page imports types only from src/shared/protocol.ts.` }],
    }));
  },
};

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'linked',
};

/** @type {esbuild.BuildOptions} */
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

/** @type {esbuild.BuildOptions[]} */
const allBuilds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [lazyImports] },
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
    plugins: [cliSplit, lazyImports],
  },
  {
    ...nodeCommon,
    entryPoints: Object.fromEntries(Object.keys(lazyBundles).map((b) => [b, `lazy-bundle:${b}`])),
    outdir: 'dist',
    plugins: [lazyEntries],
    // minified, yet with their class names: Google's REST transport (proto3-json-serializer) recognises an int64 by
    // `constructor.name === 'Long'`, and without the name no request with an int64 field (a disk size) can be sent
    keepNames: true,
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: fs.existsSync(path.join(root, 'webview/dashboard/main.ts')) ? { dashboard: 'webview/dashboard/main.ts' } : {},
    outdir: 'dist/webview',
    plugins: [pageGuard],
  },
  ...(production ? [] : [{
    ...nodeCommon,
    external: [...(nodeCommon.external ?? []), 'mocha'],
    entryPoints: integrationTests,
    outdir: 'out/test/integration',
    plugins: [lazyImports],
  }]),
];
const builds = allBuilds.filter((b) => Object.keys(b.entryPoints ?? {}).length > 0);

function copyNativePackages() {
  fs.rmSync(path.join(root, 'dist/node_modules'), { recursive: true, force: true });
  for (const name of nativePackages) {
    const src = path.join(root, 'node_modules', name);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(root, 'dist/node_modules', name), { recursive: true, dereference: true });
  }
}

copyNativePackages();
if (watch) {
  const ctxs = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  fs.rmSync(path.join(root, 'out/test/integration'), { recursive: true, force: true });
  // stale bundles of an earlier layout must not ship
  for (const dir of ['dist', 'dist/webview']) {
    for (const f of fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir)) : []) {
      if (/\.(js|css|map|LEGAL\.txt)$/.test(f)) fs.rmSync(path.join(root, dir, f));
    }
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}
