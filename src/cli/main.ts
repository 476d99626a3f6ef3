import { asFinOpsError, describeError } from '../core/errors';
import { redact } from '../core/redact';
import { commandLines, ExitCode, exitCodeOf, usageError, type CliIO, type Subcommand } from './io';
import { version } from '../../package.json';

/** Subcommands, loaded on use. Each later feature adds one line here. */
const subcommands: Record<string, () => Promise<Subcommand>> = {
  lint: async () => (await import('./lint')).default,
  costs: async () => (await import('./costs')).default,
  savings: async () => (await import('./savings')).default,
  migrate: async () => (await import('./migrate')).default,
  spot: async () => (await import('./spot')).default,
  forecast: async () => (await import('./forecast')).default,
  budgets: async () => (await import('./budgets')).default,
  anomalies: async () => (await import('./anomalies')).default,
  report: async () => (await import('./report')).default,
  act: async () => (await import('./act')).default,
};

/** The top-level usage, with each subcommand's one-line summary. */
async function usage(): Promise<string> {
  return [
    'Usage: mlfinops <command> [options]',
    '',
    'ML FinOps on the command line: the same engine as the VS Code extension, for CI and terminals.',
    '',
    'Commands:',
    ...await commandLines(subcommands),
    '',
    'Options:',
    '  -h, --help     show this help (`mlfinops <command> --help` for a command)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] && subcommands[rest[0]]) return main([rest[0], '--help'], io);
    const text = await usage();
    (first === undefined ? io.stderr : io.stdout)(text);
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${version}\n`);
    return ExitCode.ok;
  }
  const load = subcommands[first];
  if (!load) {
    io.stderr(`mlfinops: unknown command "${first}"\n\n${await usage()}`);
    return ExitCode.usage;
  }
  const cmd = await load();
  if (!cmd.dispatches && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(`${cmd.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    // the one place a failure becomes an exit code: 2 for what the user gave, 3 for a cloud or service that failed
    const error = isParseArgsError(e) ? usageError(e.message) : asFinOpsError(e);
    // errors can quote what a service or a file said: credentials in it never reach the terminal or a CI log
    const name = cmd.dispatches && rest[0] && !rest[0].startsWith('-') ? `${first} ${rest[0]}` : first;
    const usageText = cmd.dispatches ? await cmd.usageOf?.(rest[0]) ?? cmd.usage : cmd.usage;
    if (error.code === 'commandLine') io.stderr(`mlfinops ${name}: ${redact(error.message)}\n\n${usageText}\n`);
    else io.stderr(`mlfinops ${name}: ${redact(describeError(error))}\n`);
    return exitCodeOf[error.reason];
  }
}

/** node:util parseArgs rejects unknown options and missing values with these codes. */
function isParseArgsError(e: unknown): e is TypeError {
  return e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS');
}

/** The Node.js LTS lines ML FinOps supports; older ones are past end of life (Node 20 ended in April 2026). */
export const SUPPORTED_NODE_MAJORS = [22, 24] as const;

/** A one-line warning when this Node.js is older than every supported line, else undefined. */
export function nodeSupportWarning(nodeVersion: string): string | undefined {
  const major = Number(nodeVersion.replace(/^v/, '').split('.')[0]);
  if (!Number.isFinite(major) || major >= SUPPORTED_NODE_MAJORS[0]) return undefined;
  return `mlfinops: Node.js ${nodeVersion} is past end of life; ML FinOps supports Node.js ${SUPPORTED_NODE_MAJORS.join(' and ')} (LTS). It may still work, but upgrade Node.js.\n`;
}

/**
 * A writer to stdout or stderr that goes quiet once the reader has gone (`mlfinops costs | head`): EPIPE is not a
 * failure of the command, so it is not reported and what is left to print is dropped; the command still finishes
 * (cleaning up) and exits with its own code. Any other write error is thrown as before.
 */
export function quietOnClosedPipe(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

if (require.main === module) {
  const stdout = quietOnClosedPipe(process.stdout);
  const stderr = quietOnClosedPipe(process.stderr);
  const warning = nodeSupportWarning(process.version);
  if (warning) stderr(warning);
  main(process.argv.slice(2), {
    stdout,
    stderr,
    cwd: process.cwd(),
    env: process.env,
  }).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      stderr(`mlfinops: ${redact(describeError(asFinOpsError(e)))}\n`);
      process.exitCode = exitCodeOf[asFinOpsError(e).reason];
    },
  );
}
