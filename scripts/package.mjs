// @ts-check
// `npm run package [-- --target linux-x64 …]`: one .vsix per platform in vsix/, each carrying only its own DuckDB
// binding (the native library is 60–70 MB; a universal package would either miss the user's platform or carry all
// of them). It runs the checks and the production build once (`npm run vscode:prepublish`: type-check, lint,
// esbuild), then packs each target with vsce. Bindings for other platforms are fetched with `npm pack` from the npm
// registry, the same version as the one npm installed here, and kept in the cache folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target → the DuckDB binding package it needs, and whether the loader needs detect-libc (Linux). */
export const TARGETS = /** @type {const} */ ({
  'linux-x64': { binding: 'node-bindings-linux-x64', libc: true },
  'linux-arm64': { binding: 'node-bindings-linux-arm64', libc: true },
  'alpine-x64': { binding: 'node-bindings-linux-x64-musl', libc: true },
  'alpine-arm64': { binding: 'node-bindings-linux-arm64-musl', libc: true },
  'darwin-x64': { binding: 'node-bindings-darwin-x64', libc: false },
  'darwin-arm64': { binding: 'node-bindings-darwin-arm64', libc: false },
  'win32-x64': { binding: 'node-bindings-win32-x64', libc: false },
  'win32-arm64': { binding: 'node-bindings-win32-arm64', libc: false },
});
/** @typedef {keyof typeof TARGETS} Target */

/** The target of the machine this runs on (the one the UI tests install). */
export function hostTarget() {
  let musl = false;
  try {
    musl = process.platform === 'linux' && require('detect-libc').familySync() === 'musl';
  } catch {
    // glibc
  }
  const name = `${musl ? 'alpine' : process.platform}-${process.arch}`;
  if (!(name in TARGETS)) throw new Error(`no DuckDB binding for ${name}`);
  return /** @type {Target} */ (name);
}

function bindingVersion() {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@duckdb/node-bindings/package.json'), 'utf8')).version;
}

function cacheDir() {
  return path.join(process.env.MLFINOPS_CACHE || path.join(os.homedir(), '.cache', 'ml-finops'), 'duckdb-bindings', bindingVersion());
}

/**
 * The unpacked package of a DuckDB binding: the one npm installed here, or `npm pack` from the registry (once;
 * written to a temporary folder first, so an interrupted download leaves nothing behind).
 * @param {string} binding
 */
function bindingDir(binding) {
  const installed = path.join(root, 'node_modules/@duckdb', binding);
  if (fs.existsSync(path.join(installed, 'package.json')) && JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version === bindingVersion()) return installed;
  const target = path.join(cacheDir(), binding);
  if (fs.existsSync(path.join(target, 'package.json'))) return target;
  fs.mkdirSync(cacheDir(), { recursive: true });
  const temp = fs.mkdtempSync(path.join(cacheDir(), `.${binding}-`));
  try {
    console.log(`[package] fetching @duckdb/${binding}@${bindingVersion()} (npm pack)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const tgz = execFileSync(npm, ['pack', `@duckdb/${binding}@${bindingVersion()}`, '--silent', '--pack-destination', temp], { cwd: temp, encoding: 'utf8' }).trim().split('\n').pop() ?? '';
    execFileSync('tar', ['-xzf', path.join(temp, tgz), '-C', temp]);
    fs.renameSync(path.join(temp, 'package'), target);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

/**
 * dist/node_modules for one target: the loader, the target's binding and (on Linux) detect-libc, nothing else.
 * @param {Target} target
 */
export function stageNativePackages(target) {
  const modules = path.join(root, 'dist/node_modules');
  fs.rmSync(modules, { recursive: true, force: true });
  const copy = (/** @type {string} */ from, /** @type {string} */ name) => fs.cpSync(from, path.join(modules, name), { recursive: true, dereference: true });
  copy(path.join(root, 'node_modules/@duckdb/node-bindings'), '@duckdb/node-bindings');
  copy(bindingDir(TARGETS[target].binding), `@duckdb/${TARGETS[target].binding}`);
  if (TARGETS[target].libc) copy(path.join(root, 'node_modules/detect-libc'), 'detect-libc');
}

/**
 * Checks what a package holds: exactly one DuckDB binding, the target's, and every LEGAL.txt file a bundle links to.
 * @param {Target} target
 * @param {string[]} files paths inside the package ("extension/dist/…")
 */
function checkContents(target, files) {
  const bindings = [...new Set(files.map((f) => /extension\/dist\/node_modules\/@duckdb\/(node-bindings-[\w-]+)\//.exec(f)?.[1]).filter(Boolean))];
  if (bindings.length !== 1 || bindings[0] !== TARGETS[target].binding) throw new Error(`${target}: the package holds the bindings ${bindings.join(', ') || 'none'}, not only ${TARGETS[target].binding}`);
  for (const f of files.filter((x) => /^extension\/dist\/(webview\/)?[\w-]+\.js$/.test(x))) {
    const text = fs.readFileSync(path.join(root, f.slice('extension/'.length)), 'utf8');
    for (const m of text.matchAll(/For license information please see ([\w.-]+\.LEGAL\.txt)/g)) {
      const legal = path.posix.join(path.posix.dirname(f), m[1] ?? '');
      if (!files.includes(legal)) throw new Error(`${target}: ${f} links to ${legal}, which the package does not ship`);
    }
  }
}

/**
 * Packs the current production build for one target (the build must exist: see `main`).
 * @param {Target} target
 * @param {string} out the .vsix path
 */
export async function packTarget(target, out) {
  stageNativePackages(target);
  // vsce's own packer, without its prepublish step: the checks and the build ran once before the first target
  const packer = '@vscode/vsce/out/package';
  /** @type {{ pack(options: object): Promise<{ files: { path: string }[] }> }} */
  const { pack } = require(packer);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const { files } = await pack({ cwd: root, packagePath: out, target, dependencies: false, rewriteRelativeLinks: false });
  checkContents(target, files.map((/** @type {{ path: string }} */ f) => f.path));
  return out;
}

/** The production build without the checks, for the UI tests' own package (never a release). */
export function productionBuild() {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
}

async function main() {
  const args = process.argv.slice(2);
  const asked = args.flatMap((a, i) => (a === '--target' ? [args[i + 1] ?? ''] : []));
  const unknown = asked.filter((t) => !(t in TARGETS));
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')}; targets: ${Object.keys(TARGETS).join(', ')}`);
  const targets = /** @type {Target[]} */ (asked.length ? asked : Object.keys(TARGETS));
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'vscode:prepublish'], { cwd: root, stdio: 'inherit' });
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  try {
    for (const target of targets) {
      const out = await packTarget(target, path.join(root, 'vsix', `ml-finops-${target}-${version}.vsix`));
      console.log(`[package] ${path.relative(root, out)}: ${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MiB`);
    }
  } finally {
    stageNativePackages(hostTarget());
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`[package] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
