import { commandLines, ExitCode, usageError, type CliIO, type Subcommand } from './io';

/**
 * `mlfinops act <action>`: changes to running resources, each behind `--yes`. One line per action here; each action
 * is its own module under src/cli/act/ exporting a Subcommand (summary, usage, run), loaded on use.
 */
const actions: Record<string, () => Promise<Subcommand>> = {
  tag: async () => (await import('./act/tag')).default,
  schedule: async () => (await import('./act/schedule')).default,
  undo: async () => (await import('./act/undo')).default,
};

function actionLoader(name: string | undefined): (() => Promise<Subcommand>) | undefined {
  return name !== undefined && Object.prototype.hasOwnProperty.call(actions, name) ? actions[name] : undefined;
}

const SHORT_USAGE = `Usage: mlfinops act <action> [options]

Act on running cloud resources. Without --yes an action prints its plan and changes nothing.
\`mlfinops act --help\` lists the actions, \`mlfinops act <action> --help\` gives an action's options.`;

async function fullUsage(): Promise<string> {
  return [
    'Usage: mlfinops act <action> [options]',
    '',
    'Act on running cloud resources. Without --yes an action prints its plan and changes nothing.',
    '',
    'Actions:',
    ...await commandLines(actions),
    '',
    '`mlfinops act <action> --help` gives an action\'s options and exit codes.',
  ].join('\n');
}

const act: Subcommand = {
  summary: 'act on running resources (tag, schedule, undo): prints the plan, --yes applies it',
  usage: SHORT_USAGE,
  dispatches: true,
  async usageOf(name) {
    const load = actionLoader(name);
    return load ? (await load()).usage : fullUsage();
  },
  async run(args: string[], io: CliIO): Promise<number> {
    const [name, ...rest] = args;
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      (name === undefined ? io.stderr : io.stdout)(`${await fullUsage()}\n`);
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const load = actionLoader(name);
    if (!load) throw usageError(`unknown action "${name}" (one of: ${Object.keys(actions).join(', ')})`);
    const action = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${action.usage}\n`);
      return ExitCode.ok;
    }
    return action.run(rest, io);
  },
};

export default act;
