// @ts-check
// Runs the extension-host suite (out/test/integration) inside real VS Code: code-server with the smoke-test
// driver, which honours the workbench `payload` (extensionDevelopmentPath / extensionTestsPath) exactly as
// @vscode/test-electron passes them, driven by Debian's chromium. Prints the mocha output; returns the counts.
import fs from 'node:fs';
import path from 'node:path';
import { profile, launchChromium, root, vscodeTestDir } from './lib/codeServer.mjs';

/** Settings of the untrusted run: workspace trust on, the folder opened in Restricted Mode without a prompt. */
const untrustedSettings = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/**
 * `untrusted`: the run in an untrusted workspace (Restricted Mode), which runs only the suites written for it
 * (test/integration/suite/untrusted*.test.ts); the other run leaves them out.
 * @param {{ grep?: string | undefined; untrusted?: boolean }} [options]
 */
export async function runIntegration({ grep, untrusted = false } = {}) {
  const entry = path.join(root, 'out/test/integration/index.js');
  if (!fs.existsSync(entry)) throw new Error('out/test/integration/index.js is missing: run `node esbuild.mjs` first');
  const runDir = path.join(vscodeTestDir, `run.${process.pid}`);
  const workspace = path.join(runDir, 'workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
  const resultFile = path.join(runDir, 'integration-result.json');
  fs.rmSync(resultFile, { force: true });

  const p = profile('integration', untrusted ? { settings: untrustedSettings } : {});
  const server = await p.start({
    smokeTestDriver: true, workspaceTrust: untrusted,
    extraEnv: { MLFINOPS_TEST_RESULT: resultFile, MLFINOPS_TEST_GREP: grep ?? '', MLFINOPS_TEST_ROOT: root, MLFINOPS_TEST_UNTRUSTED: untrusted ? '1' : '' },
  });
  const browser = await launchChromium();
  const started = Date.now();
  try {
    const host = new URL(server.url).host;
    const remote = (/** @type {string} */ p) => `vscode-remote://${host}${p}`;
    const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(entry)]];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const verbose = !!process.env.MLFINOPS_VERBOSE;
    /** @type {(code: number) => void} */
    let done = () => {};
    /** @type {Promise<number>} */
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (/** @type {unknown} */ _type, /** @type {unknown} */ args) => { if (verbose) console.log(...(Array.isArray(args) ? args : [args])); });
    await page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => done(code));
    page.on('console', (m) => {
      const t = m.text();
      if (verbose && t.includes('[Extension Host]')) console.log(t.replace(/%c/g, '').replace(/ color: [^ ]+/g, '').replace(/^\[Extension Host\] ?/, '  '));
    });
    await page.goto(url, { timeout: 180_000 }); // a loaded machine can take more than the default 30 s
    const limit = Number(process.env.MLFINOPS_INTEGRATION_TIMEOUT_MS || 20 * 60_000);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), limit).unref())]);
    const shots = path.join(root, 'test-results/screenshots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'integration-end.png') }).catch(() => {});
    console.log(`extension-host tests finished: exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (fs.existsSync(resultFile)) {
      const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      for (const t of r.results ?? []) console.log(`  ${t.ok ? '✔' : '✘'} ${t.title} (${t.ms} ms)`);
      for (const f of r.failures) console.log(`  FAILED ${f.title}\n    ${f.error.split('\n').slice(0, 6).join('\n    ')}`);
      return { passed: r.passed, failed: r.failed };
    }
    console.log(code === 'timeout' ? 'the extension-host suite timed out' : 'the extension-host suite did not report results (did the extension fail to load?)');
    return { passed: 0, failed: 1 };
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    p.cleanup();
    if (!process.env.MLFINOPS_KEEP_PROFILE) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // node scripts/runIntegration.mjs [--untrusted] [GREP]
  const cli = process.argv.slice(2);
  const r = await runIntegration({ grep: cli.find((a) => a !== '--untrusted'), untrusted: cli.includes('--untrusted') });
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.failed ? 1 : 0);
}
