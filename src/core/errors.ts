/** Typed failure reasons. Callers branch on `reason`, never on message text. */
export type FailureReason =
  | 'notConfigured'
  | 'authExpired'
  | 'accessDenied'
  | 'throttled'
  | 'notFound'
  | 'invalidInput'
  | 'unavailable'
  | 'cancelled'
  | 'internal';

export class FinOpsError extends Error {
  readonly reason: FailureReason;
  /** What the user can do about it, in one sentence ("Run `aws sso login --profile ml`"). */
  readonly fix?: string;
  constructor(reason: FailureReason, message: string, options?: { fix?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FinOpsError';
    this.reason = reason;
    this.fix = options?.fix;
  }
}

export function isFinOpsError(e: unknown, reason?: FailureReason): e is FinOpsError {
  return e instanceof FinOpsError && (reason === undefined || e.reason === reason);
}

/** A one-line message for a user: the message and, when known, the fix. */
export function describeError(e: unknown): string {
  if (e instanceof FinOpsError) return e.fix ? `${e.message} ${e.fix}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
