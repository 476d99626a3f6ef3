import type { CostMetric } from '../core/cost/model';
import { FinOpsError, type FailureReason } from '../core/errors';

/** What a CLI subcommand gets: its arguments and where to write. Exit code is the return value. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Subcommand {
  /** One line for `mlfinops --help`. */
  summary: string;
  /** Full usage for `mlfinops <cmd> --help` and usage errors. */
  usage: string;
  /** Returns ExitCode.ok or ExitCode.findings; every failure is thrown (a FinOpsError) and mapped in main.ts. */
  run(args: string[], io: CliIO): Promise<number>;
  /** True for a command with actions of its own (`mlfinops act tag`): it answers --help itself. */
  dispatches?: boolean;
  /** Such a command's usage for one of its actions, shown with a usage error. */
  usageOf?(action: string | undefined): Promise<string | undefined>;
}

/** `  name      summary` lines for a table of commands loaded on use (`mlfinops --help`, `mlfinops act --help`). */
export async function commandLines(commands: Readonly<Record<string, () => Promise<Subcommand>>>): Promise<string[]> {
  const entries = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, (await load()).summary] as const));
  const width = Math.max(8, ...entries.map(([n]) => n.length));
  return entries.map(([n, summary]) => `  ${n.padEnd(width)}  ${summary}`);
}

/** Exit codes shared by every subcommand. */
export const ExitCode = { ok: 0, findings: 1, usage: 2, failure: 3 } as const;

/** The exit code of each failure reason: 2 for what the user gave or set up, 3 for a cloud or service that failed. */
export const exitCodeOf: Record<FailureReason, number> = {
  usage: ExitCode.usage,
  input: ExitCode.usage,
  auth: ExitCode.failure,
  permission: ExitCode.failure,
  throttled: ExitCode.failure,
  unavailable: ExitCode.failure,
  internal: ExitCode.failure,
};

/** A mistake on the command line: reported with the subcommand's usage. */
export function usageError(message: string): FinOpsError {
  return new FinOpsError('usage', message, { fix: 'See the usage below.', code: 'commandLine' });
}

/**
 * Text safe to print on one terminal line: control characters (line breaks, escape sequences, C1 controls, Unicode
 * line separators and bidirectional overrides) written as `\u001b`-style escapes, so a file name or a value from a
 * file can neither forge a line of output nor drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** "a or b", "a, b or c": the choices of an option, as its usage error names them. */
function choices(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** The value of an option that takes one of a few words (`--format`, `--metric`), or a usage error naming them. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`--${flag} must be ${choices(allowed)} (got "${value}")`);
  return value as T;
}

/** The cost metrics of `--metric`, default first. */
export const METRIC_CHOICES: readonly CostMetric[] = ['EffectiveCost', 'BilledCost', 'ListCost'];

/**
 * The options the bill commands (costs, forecast, anomalies, report) share, for parseArgs: `--focus` (repeatable),
 * `--policy`, `--metric` and `--format` with the command's default format. (This module is loaded on every start:
 * it imports nothing heavy, so `--group-by` is parsed by each command.)
 */
export function billOptions(defaultFormat: string) {
  return {
    focus: { type: 'string', multiple: true },
    policy: { type: 'string' },
    metric: { type: 'string', default: 'EffectiveCost' },
    format: { type: 'string', default: defaultFormat },
  } as const;
}

/** `--focus PATH…`, required. */
export function requiredFocus(focus: string[] | undefined): string[] {
  if (!focus?.length) throw usageError('--focus PATH is required');
  return focus;
}

/** `--month YYYY-MM` (or another flag holding a month), when given. */
export function monthOption(value: string | undefined, flag = 'month'): string | undefined {
  if (value !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw usageError(`--${flag} must be written YYYY-MM (got "${value}")`);
  return value;
}

