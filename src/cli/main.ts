import { ExitCode, UsageError, type CliIO, type Subcommand } from './io';
import { version } from '../../package.json';

/** Subcommands, loaded on use. Each later feature adds one line here. */
const subcommands: Record<string, () => Promise<Subcommand>> = {
};

function usage(): string {
  const names = Object.keys(subcommands);
  const width = Math.max(8, ...names.map((n) => n.length));
  return [
    'Usage: mlfinops <command> [options]',
    '',
    'ML FinOps on the command line: the same engine as the VS Code extension, for CI and terminals.',
    '',
    'Commands:',
    ...(names.length ? names.map((n) => `  ${n.padEnd(width)}  (see mlfinops ${n} --help)`) : ['  (none yet)']),
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] && subcommands[rest[0]]) return main([rest[0], '--help'], io);
    const text = await fullUsage();
    (first === undefined ? io.stderr : io.stdout)(text);
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${version}\n`);
    return ExitCode.ok;
  }
  const load = subcommands[first];
  if (!load) {
    io.stderr(`mlfinops: unknown command "${first}"\n\n${await fullUsage()}`);
    return ExitCode.usage;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${cmd.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`mlfinops ${first}: ${e.message}\n\n${cmd.usage}\n`);
      return ExitCode.usage;
    }
    throw e;
  }
}

async function fullUsage(): Promise<string> {
  const lines = usage().split('\n');
  for (const [name, load] of Object.entries(subcommands)) {
    const i = lines.findIndex((l) => l.startsWith(`  ${name} `));
    if (i >= 0) lines[i] = `  ${name.padEnd(10)}  ${(await load()).summary}`;
  }
  return lines.join('\n');
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  }).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`mlfinops: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = ExitCode.usage;
    },
  );
}
