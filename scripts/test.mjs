// @ts-check
// `npm test`: every test — unit (plain Node), extension host (real VS Code via code-server) and UI (the packaged
// .vsix in code-server, driven by Debian's chromium). Ends with one line "N passed, N failed" over all suites.
// Options: --only unit|node24|integration|e2e (repeatable; node24 = the unit suite again on Node 24), --grep TEXT (extension-host tests), --update-docs (copy the
// README screenshots into docs/images/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, vscodeTestDir, offlineEnv } from './lib/codeServer.mjs';

const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === '--only' ? [args[i + 1]] : []));
const wants = (/** @type {string} */ suite) => only.length === 0 || only.includes(suite);
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
/** @type {{ suite: string; passed: number; failed: number }[]} */
const totals = [];

/** @param {string} name */
function section(name) {
  console.log(`\n━━ ${name} ${'━'.repeat(Math.max(0, 70 - name.length))}`);
}

/** @param {string} dir @param {string} suffix */
function listTests(dir, suffix) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** The unit suite (plain Node) under `node`: this process's Node, or Node 24 from the VS Code harness's cache. */
function runUnit({ node = process.execPath, suite = 'unit' } = {}) {
  section(`${suite} tests (plain Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()})`);
  // the spot-training tests run a real PyTorch loop: Debian's python3-torch & co. (apt, first run only)
  const py = spawnSync('bash', [path.join(root, 'scripts/setup-python.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (py.status !== 0) throw new Error('setting up Python for the spot tests failed (see the messages above)');
  const files = listTests(path.join(root, 'test/unit'), '.test.ts');
  const tap = path.join(vscodeTestDir, `unit.${process.pid}.tap`);
  fs.mkdirSync(vscodeTestDir, { recursive: true });
  const r = spawnSync(node, [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, ...offlineEnv, MLFINOPS_TEST_ROOT: root } });
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(tap, { force: true });
  const count = (/** @type {string} */ k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const result = { suite, passed: count('pass'), failed: count('fail') + count('cancelled') };
  if (r.status !== 0 && result.failed === 0) result.failed = 1; // the runner itself failed
  return result;
}

function build() {
  section('build');
  const r = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed');
}

try {
  if (wants('unit')) totals.push(runUnit());
  // the supported LTS lines: the unit and CLI tests also run on Node 24 (installed for code-server anyway)
  if (wants('node24') && Number(process.versions.node.split('.')[0]) !== 24) {
    const { ensureCodeServer } = await import('./lib/codeServer.mjs');
    totals.push(runUnit({ node: path.join(ensureCodeServer().nodeBin, 'node'), suite: 'unit on Node 24' }));
  }
  if (wants('integration') || wants('e2e')) build();
  if (wants('integration')) {
    section('extension-host tests (real VS Code 1.139 in code-server)');
    const { runIntegration } = await import('./runIntegration.mjs');
    totals.push({ suite: 'extension host', ...(await runIntegration({ grep })) });
    if (!grep || /untrusted/i.test(grep)) {
      section('extension-host tests in an untrusted workspace (Restricted Mode)');
      totals.push({ suite: 'ext. host, untrusted', ...(await runIntegration({ grep, untrusted: true })) });
    }
  }
  if (wants('e2e')) {
    section('UI tests (.vsix in code-server, chromium + playwright-core)');
    const { runE2e } = await import('./runE2e.mjs');
    totals.push({ suite: 'UI', ...(await runE2e({ updateDocs: args.includes('--update-docs') })) });
  }
} catch (e) {
  console.error(`\n${e instanceof Error ? e.stack : e}`);
  totals.push({ suite: 'harness', passed: 0, failed: 1 });
}

section('summary');
for (const t of totals) console.log(`${t.suite.padEnd(16)} ${t.passed} passed, ${t.failed} failed`);
const passed = totals.reduce((s, t) => s + t.passed, 0);
const failed = totals.reduce((s, t) => s + t.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
