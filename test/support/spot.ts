import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { offlineEnv } from './moto';

/** The shipped files that run on a spot instance. */
export const spotDir = path.resolve(__dirname, '../../resources/spot');
export const bootstrapPath = path.join(spotDir, 'bootstrap.sh');
export const spotPythonPath = path.join(spotDir, 'python');
/** Debian's Python, where scripts/setup-python.sh installs torch, numpy, boto3 and azure-storage-blob. */
export const systemPython = '/usr/bin/python3';

export interface BootstrapRun {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** The exit code once it has exited. */
  exited: Promise<number>;
}

/** Runs bootstrap.sh as the instance's user data would, with the job file written to `dir/job.json`. */
export function runBootstrap(dir: string, job: Record<string, unknown>, env: Record<string, string> = {}): BootstrapRun {
  const jobFile = path.join(dir, 'job.json');
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn('sh', [bootstrapPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, ...offlineEnv, PYTHONPATH: '',
      MLFINOPS_JOB_FILE: jobFile, MLFINOPS_STATE_DIR: path.join(dir, 'state'),
      // nothing may reach a real metadata service: every endpoint points at a closed port unless a test sets it
      MLFINOPS_IMDS_ENDPOINT: 'http://127.0.0.1:9', MLFINOPS_GCE_METADATA_ENDPOINT: 'http://127.0.0.1:9',
      MLFINOPS_AZURE_EVENTS_ENDPOINT: 'http://127.0.0.1:9',
      ...env,
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  // a bootstrap that never ends would hang the suite: stopped (as the OS would stop it) after 10 minutes
  const guard = setTimeout(() => child.kill('SIGTERM'), 600_000);
  guard.unref();
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => { clearTimeout(guard); resolve(code ?? (signal ? 128 : 1)); }));
  return { child, output: () => out, exited };
}

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs` with `what`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50)); // poll again
  }
}

/** Runs Python code with Debian's python3 and the shipped package on PYTHONPATH; resolves with its output. */
export function runPython(code: string, env: Record<string, string> = {}, cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(systemPython, ['-c', code], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...offlineEnv, PYTHONPATH: spotPythonPath, ...env },
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (c) => resolve({ code: c ?? 1, out }));
  });
}
