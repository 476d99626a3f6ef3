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
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes shared by every subcommand. */
export const ExitCode = { ok: 0, findings: 1, usage: 2 } as const;

export class UsageError extends Error {}
