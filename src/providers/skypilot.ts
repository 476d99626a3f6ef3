import { accessSync, constants, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { FinOpsError } from '../core/errors';
import { shippedCatalogue } from '../core/pricing/shippedCatalogue';
import type { SpotJob } from '../core/spot/job';
import { skyPilotYaml } from '../core/spot/skypilot';
import { shQuote } from '../core/spot/userData';
import { resourcesRoot } from './spotLaunchers';

/**
 * SkyPilot on this machine: the task YAML of a job as `mlfinops spot export` and the editor's export both write it
 * (one function), and where the `sky` command is.
 */

/** How SkyPilot is installed (its docs: getting-started/installation). */
export const SKY_INSTALL = 'pip install -U "skypilot[aws,gcp,azure]"';
export const SKY_INSTALL_URL = 'https://docs.skypilot.co/en/latest/getting-started/installation.html';

/** The job as a SkyPilot task YAML, with the checkpoint package synced to the nodes when this build ships it. */
export function exportSkyPilotTask(job: SpotJob, jobFile: string, options: { anyCloud?: boolean } = {}): string {
  const packageDir = path.join(resourcesRoot(), 'spot', 'python');
  return skyPilotYaml(job, jobFile, {
    anyCloud: options.anyCloud ?? false, catalogue: shippedCatalogue(), ...(existsSync(packageDir) ? { checkpointPackageDir: packageDir } : {}),
  });
}

function isExecutableFile(file: string, windows: boolean): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (!windows) accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `sky` command to run: `configured` (the mlFinops.spot.skyPath setting) when given — a command name looked up on
 * PATH, or an absolute path — else `sky` on PATH. Throws FinOpsError('input') for a setting that names no executable
 * file, FinOpsError('unavailable') when SkyPilot is not installed, each with how to fix it.
 */
export function resolveSky(configured: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const windows = platform === 'win32';
  const name = configured.trim() || 'sky';
  const p = windows ? path.win32 : path.posix;
  if (p.isAbsolute(name)) {
    if (isExecutableFile(name, windows)) return name;
    throw new FinOpsError('input', `mlFinops.spot.skyPath is "${name}", which is not an executable file.`, {
      fix: 'Point it at the sky command of the Python environment SkyPilot is installed in (such as ~/.venvs/sky/bin/sky, written out in full), or clear it to use sky on PATH.',
    });
  }
  const extensions = windows ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(p.delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = p.join(dir, name + ext);
      if (isExecutableFile(candidate, windows)) return candidate;
    }
  }
  if (configured.trim()) {
    throw new FinOpsError('input', `mlFinops.spot.skyPath is "${name}", which is not on PATH.`, { fix: 'Set it to the full path of the sky command, or clear it to use sky on PATH.' });
  }
  throw new FinOpsError('unavailable', 'SkyPilot is not installed here: its sky command is not on PATH.', {
    fix: `Install SkyPilot (\`${SKY_INSTALL}\`, then \`sky check\`; see ${SKY_INSTALL_URL}) and reload the window, or set mlFinops.spot.skyPath to its sky command.`,
  });
}

/**
 * A command line for the terminal's shell (`shell`: its path, vscode.env.shell): PowerShell, cmd.exe, else a POSIX
 * shell. Every word is quoted for that shell, so a sky path with spaces or quotes runs as itself and nothing more.
 */
export function shellCommandLine(shell: string, program: string, args: readonly string[]): string {
  const base = shell.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  if (/^(pwsh|powershell)(\.exe)?$/.test(base)) return `& ${[program, ...args].map((w) => `'${w.replace(/'/g, "''")}'`).join(' ')}`;
  if (/^cmd(\.exe)?$/.test(base)) return [program, ...args].map((w) => (/^[\w.:\\/-]+$/.test(w) ? w : `"${w.replace(/"/g, '""')}"`)).join(' ');
  return [program, ...args].map((w) => (/^[\w.,:/=@+-]+$/.test(w) ? w : shQuote(w))).join(' ');
}
