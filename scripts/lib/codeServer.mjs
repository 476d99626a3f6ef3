// @ts-check
// Real VS Code for tests and `npm start`: code-server 4.139.1 (= VS Code 1.139.1) installed on first use by
// scripts/setup-vscode.sh into a per-machine cache, started in its own process group on 127.0.0.1.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const vscodeTestDir = path.join(root, '.vscode-test');

/** Environment for anything that might build a cloud client: never reach a metadata server. */
export const offlineEnv = {
  AWS_EC2_METADATA_DISABLED: 'true',
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
};

export function ensureCodeServer() {
  const r = spawnSync('bash', [path.join(root, 'scripts/setup-vscode.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('setting up code-server failed (see the messages above)');
  const dir = fs.realpathSync(path.join(vscodeTestDir, 'code-server'));
  const nodeBin = fs.readFileSync(path.join(dir, 'node-bin-dir'), 'utf8').trim();
  return { bin: path.join(dir, 'cs/node_modules/.bin/code-server'), nodeBin };
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = /** @type {net.AddressInfo} */ (srv.address()); srv.close(() => resolve(port)); });
  });
}

/** User settings every test instance starts with: no AI features, no update checks, no startup editor. */
const baseSettings = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

/**
 * A code-server profile: its own HOME, user-data and extensions folders under .vscode-test/<name>.
 * Returns helpers to install a .vsix and to start / stop the server.
 */
/**
 * @param {string} name
 * @param {{ settings?: Record<string, unknown>; fresh?: boolean; persistent?: boolean }} [options]
 */
export function profile(name, { settings = {}, fresh = true, persistent = false } = {}) {
  const cs = ensureCodeServer();
  // test profiles are per process (two runs at once must not share state); `npm start` keeps one
  const dir = path.join(vscodeTestDir, persistent ? name : `${name}.${process.pid}`);
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
  const home = path.join(dir, 'home');
  const userData = path.join(dir, 'user-data');
  const extensions = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  const settingsFile = path.join(userData, 'User/settings.json');
  if (fresh || !fs.existsSync(settingsFile)) fs.writeFileSync(settingsFile, JSON.stringify({ ...baseSettings, ...settings }, null, 2));
  // VS Code puts unix sockets in TMPDIR: keep the path short
  const tmp = fs.mkdtempSync(path.join(os.tmpdir().length < 20 ? os.tmpdir() : '/tmp', 'mlf.'));
  const env = {
    ...process.env,
    ...offlineEnv,
    PATH: `${cs.nodeBin}:${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    TMPDIR: tmp,
    DONT_PROMPT_WSL_INSTALL: '1',
    // no extension marketplace: tests and the demo talk only to 127.0.0.1
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
  };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check'];

  return {
    dir, userData, extensions, env,
    /** @param {string} vsix */
    installVsix(vsix) {
      execFileSync(cs.bin, [...common, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    },
    /**
     * Starts code-server; resolves when /healthz answers.
     * `workspaceTrust`: keep VS Code's workspace trust (a folder then opens in Restricted Mode until trusted; pair it
     * with the profile setting security.workspace.trust.enabled); off by default, every folder trusted.
     * @param {{ port?: number; smokeTestDriver?: boolean; extraEnv?: Record<string, string>; log?: string; host?: string; workspaceTrust?: boolean }} [options]
     */
    async start({ port, smokeTestDriver = false, extraEnv = {}, log = path.join(dir, 'code-server.log'), host = '127.0.0.1', workspaceTrust = false } = {}) {
      port ??= await freePort();
      const args = [
        ...common, '--bind-addr', `${host}:${port}`, '--auth', 'none', ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override', '--disable-proxy',
        ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ];
      const out = fs.openSync(log, 'a');
      const child = spawn(cs.bin, args, { env: { ...env, ...extraEnv }, detached: true, stdio: ['ignore', out, out] });
      let exited = false;
      child.on('exit', () => { exited = true; });
      const url = `http://${host}:${port}`;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (exited) throw new Error(`code-server exited during start; see ${log}`);
        try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
        if (Date.now() > deadline) { stop(); throw new Error(`code-server did not answer within 120 s; see ${log}`); }
        await new Promise((r) => setTimeout(r, 200));
      }
      function stop() {
        if (exited) return Promise.resolve();
        const pid = child.pid ?? 0;
        return /** @type {Promise<void>} */ (new Promise((resolve) => {
          child.once('exit', () => resolve());
          try { process.kill(-pid, 'SIGTERM'); } catch { resolve(); }
          setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
        }));
      }
      return { url, port, stop, pid: child.pid };
    },
    cleanup() {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!persistent && !process.env.MLFINOPS_KEEP_PROFILE) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's chromium, launched the way that works on a closed network. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!executablePath) throw new Error('chromium not found: run scripts/setup-vscode.sh (installs Debian chromium)');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-sandbox'],
  });
}

/**
 * Packages the extension for this machine's platform as .vscode-test/ml-finops.vsix: the production build and the
 * same packer as `npm run package`, without its type-check and lint (the tests' own package, never a release).
 */
export async function packageVsix() {
  const { hostTarget, packTarget, productionBuild } = await import('../package.mjs');
  productionBuild();
  return packTarget(hostTarget(), path.join(vscodeTestDir, 'ml-finops.vsix'));
}
