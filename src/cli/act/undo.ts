import { parseArgs } from 'node:util';
import { undoAction } from '../../core/act/scheduleAction';
import { vmSchedulerFor } from '../../providers/vmSchedulers';
import { ExitCode, printable, usageError, type CliIO, type Subcommand } from '../io';
import { cloudOptions, cloudOptionsUsage, fileJournal, schedulerOptions } from './journalFile';

const usage = `Usage: mlfinops act undo [ID] [options]

Undoes an action recorded in .finops/actions.json (the newest when no ID is given): deletes what it created and
puts back what it changed (tag values, or their absence; earlier schedules). \`mlfinops act undo --list\` lists them.

Options:
  --list                    list the recorded actions, newest last
${cloudOptionsUsage}

Exit codes: 0 undone (or listed), 2 nothing to undo or an unknown ID, 3 a failed cloud call.`;

const command: Subcommand = {
  summary: 'undo a recorded action (the newest, or the ID given): restores exactly what was there',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: { list: { type: 'boolean' }, ...cloudOptions }, allowPositionals: true, strict: true });
    if (positionals.length > 1) throw usageError('Give at most one action id.');
    const store = fileJournal(io.cwd);
    if (values.list) {
      const { entries } = await store.read();
      io.stdout(entries.length ? `${entries.map((e) => printable(`${e.id}  ${e.createdAt}  ${e.summary}`)).join('\n')}\n` : `No actions recorded in ${store.where}.\n`);
      return ExitCode.ok;
    }
    const options = schedulerOptions(values, io);
    const entry = await undoAction(store, positionals[0], (e) => vmSchedulerFor(e.provider, options));
    io.stdout(`${printable(`Undone ${entry.id}: ${entry.summary}`)} — ${entry.steps.length} change${entry.steps.length === 1 ? '' : 's'} put back.\n`);
    return ExitCode.ok;
  },
};

export default command;
