/**
 * The one error type of the product. Every failure a user can see is a FinOpsError with a reason and a fix;
 * callers branch on `reason` (and, where they need more, on `code`), never on message text. Only the providers'
 * error mappers (src/providers/<cloud>/errors.ts) read a library's error names and text, to choose the reason.
 *
 * - usage: the product is asked for something it cannot do as set up (a command-line mistake, a setting or a
 *   sign-in that is missing, a service that is not turned on).
 * - input: what was given is wrong (a malformed file, an invalid period, an unknown instance type, a table that
 *   does not exist, a query the source cannot answer).
 * - auth: the credentials have expired or were rejected.
 * - permission: signed in, but not allowed to do this.
 * - throttled: the service asks to slow down (retried automatically).
 * - unavailable: the service or the network is down, or did not answer in time.
 * - internal: the service answered something unexpected, or the product failed.
 */
export type FailureReason = 'usage' | 'input' | 'auth' | 'permission' | 'throttled' | 'unavailable' | 'internal';

/**
 * How a FinOpsError is recognised. Bundles loaded on demand (CLI subcommands) carry their own copy of this
 * module, so `instanceof` would fail across them; a symbol from the global registry does not.
 */
const BRAND = Symbol.for('mlFinops.FinOpsError');

interface FinOpsErrorOptions {
  /** What the user can do about it, in one sentence ("Run `aws sso login --profile ml`, then refresh."). */
  fix: string;
  /** A command line that fixes it (a sign-in), which the UI may offer to run in a terminal. */
  command?: string;
  /** How long the service asked to wait before trying again, in ms (throttled). */
  retryAfterMs?: number;
  /** A finer, machine-readable kind for callers that need it ('unknownInstanceType', 'unsupportedGrouping'). */
  code?: FailureCode;
  cause?: unknown;
}

/** Finer kinds some callers branch on. */
type FailureCode =
  /** The price catalogue does not know the instance type (the message names the closest ones). */
  | 'unknownInstanceType'
  /** The source cannot answer this grouping (a key it lacks, too many keys or rows); a coarser one may work. */
  | 'unsupportedGrouping'
  /** A mistake in the CLI's arguments: reported with the subcommand's usage. */
  | 'commandLine'
  /** A file is not a bill at all (its header matches no format): skipped when a folder or glob found it. */
  | 'notABill'
  /** The AWS account is not opted in to Compute Optimizer. */
  | 'notOptedIn';

export class FinOpsError extends Error {
  readonly [BRAND] = true;
  readonly reason: FailureReason;
  readonly fix: string;
  readonly command?: string;
  readonly retryAfterMs?: number;
  readonly code?: FailureCode;
  constructor(reason: FailureReason, message: string, options: FinOpsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FinOpsError';
    this.reason = reason;
    this.fix = options.fix;
    if (options.command !== undefined) this.command = options.command;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.code !== undefined) this.code = options.code;
  }
}

export function isFinOpsError(e: unknown, reason?: FailureReason): e is FinOpsError {
  return typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true
    && (reason === undefined || (e as FinOpsError).reason === reason);
}

/** Work the user (or a newer request) called off. Not a failure: nothing is reported. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

/** True for a cancellation: ours, or an AbortSignal's own AbortError. Checked by name, so it works across bundles. */
export function isCancelled(e: unknown): boolean {
  return e instanceof Error && (e.name === 'CancelledError' || e.name === 'AbortError');
}

/** Any failure as a FinOpsError: unexpected errors become `internal`. */
export function asFinOpsError(e: unknown): FinOpsError {
  if (isFinOpsError(e)) return e;
  return new FinOpsError('internal', e instanceof Error ? e.message : String(e), { fix: INTERNAL_FIX, cause: e });
}

/** The fix of a failure nobody foresaw. */
export const INTERNAL_FIX = 'The log ("ML FinOps" output channel, or the CLI\'s stderr) has the details; please report it if it persists.';

/** A one-line message for a user: the message and, when known, the fix. */
export function describeError(e: unknown): string {
  if (isFinOpsError(e)) return `${e.message} ${e.fix}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
