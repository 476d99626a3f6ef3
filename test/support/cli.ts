import { main } from '../../src/cli/main';

/** What one `mlfinops` run printed and returned. */
export interface CliRun { code: number; out: string; err: string }

/** Runs `mlfinops <args…>` in this process (the same main() the binary runs), capturing stdout and stderr. */
export async function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main([...args], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, cwd: options.cwd, env: options.env ?? {} });
  return { code, out, err };
}
