import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { scratch } from './scratch';

/** Environment every test that builds a cloud client runs with: nothing may reach a metadata server. */
export const offlineEnv = {
  AWS_EC2_METADATA_DISABLED: 'true',
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
} as const;

export function applyOfflineEnv(): void {
  Object.assign(process.env, offlineEnv);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** How often startMoto() polls the server while it starts. */
const POLL_MS = 100;

export interface Moto {
  endpoint: string;
  port: number;
  /** POST /moto-api/reset: forget every resource, metric and seeded result. */
  reset(): Promise<void>;
  /** Seeds Cost Explorer GetCostAndUsage answers (moto returns them in order, one per request). */
  seedCostAndUsage(results: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Python that has moto: MOTO_PYTHON, else `python3` on PATH, else pyenv's shim. (Inside code-server the
 * extension host's PATH comes from a login shell of the test HOME, which may not set up pyenv.)
 */
function motoPython(): string {
  const candidates = [
    process.env.MOTO_PYTHON,
    'python3',
    process.env.PYENV_ROOT && join(process.env.PYENV_ROOT, 'shims', 'python3'),
    '/root/.pyenv/shims/python3',
    '/usr/local/bin/python3',
  ].filter((c): c is string => !!c && (c === 'python3' || existsSync(c)));
  for (const c of candidates) {
    if (spawnSync(c, ['-c', 'import moto'], { stdio: 'ignore' }).status === 0) return c;
  }
  return 'python3';
}

/** Starts moto's server (the Python package preinstalled on the machine) on 127.0.0.1 and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(motoPython(), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...offlineEnv },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`moto exited before answering: ${stderr}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/data.json`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) { child.kill(); throw new Error(`moto did not start within 60 s: ${stderr}`); }
    await new Promise((r) => setTimeout(r, POLL_MS)); // poll again
  }
  const post = async (path: string, body?: unknown) => {
    const r = await fetch(`${endpoint}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`moto ${path}: HTTP ${r.status} ${await r.text()}`);
  };
  return {
    endpoint,
    port,
    reset: () => post('/moto-api/reset'),
    seedCostAndUsage: (results) => post('/moto-api/static/ce/cost-and-usage-results', { results }),
    stop: () => new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * For one test file: moto, an HTTP fake in front of it (one that records requests or answers what moto lacks) and
 * a scratch folder; started before the file's tests, stopped after them.
 */
export function motoBehind<F extends { stop(): Promise<void> }>(prefix: string, startFake: (motoEndpoint: string) => Promise<F>): { readonly moto: Moto; readonly fake: F; readonly dir: string } {
  let moto: Moto | undefined;
  let fake: F | undefined;
  const files = scratch(prefix);
  before(async () => {
    moto = await startMoto();
    fake = await startFake(moto.endpoint);
  });
  after(async () => {
    await fake?.stop();
    await moto?.stop();
  });
  return {
    get moto() { return moto!; },
    get fake() { return fake!; },
    get dir() { return files.dir; },
  };
}
