import { CancelledError, FinOpsError, INTERNAL_FIX, isCancelled, isFinOpsError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { callWithRetry, throttled, type RetryOptions } from '../../core/retry';
import { describeProfile, type AwsOptions } from './config';

/** Where a failed AWS call happened, so the message can name the profile, the API and the IAM action. */
interface AwsCallContext {
  options: Pick<AwsOptions, 'profile' | 'endpoint'>;
  /** The API in words ("Cost Explorer GetCostAndUsage"). */
  api: string;
  /** The IAM action the call needs ("ce:GetCostAndUsage"). */
  action: string;
}

const expired = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const rejected = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken']);
const denied = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError']);
const throttling = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'LimitExceededException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'SlowDown', 'RequestThrottled', 'RequestThrottledException']);
const network = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: { throttling?: boolean };
}

/** What to check when AWS refuses a request or names something that does not exist. */
const SETTINGS_FIX = 'Check the "mlFinops.aws.*" settings (region, Athena database and table) against the account.';

/** The sign-in that renews the profile's session: the fix to show and the command to offer. */
function signIn(options: Pick<AwsOptions, 'profile'>): { fix: string; command: string } {
  const command = options.profile ? `aws sso login --profile ${options.profile}` : 'aws sso login';
  return { fix: options.profile ? `Run \`${command}\`, then refresh.` : `Run \`${command}\` (or renew the credentials in your environment), then refresh.`, command };
}

/**
 * Turns an AWS SDK failure into a FinOpsError with a reason and a fix. SDK error names are matched here, at the
 * boundary; nothing else in the product looks at SDK error text.
 */
function mapAwsError(e: unknown, ctx: AwsCallContext): FinOpsError | CancelledError {
  if (isFinOpsError(e) || isCancelled(e)) return e as FinOpsError | CancelledError;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SdkErrorLike;
  const name = err.name ?? '';
  const code = err.code ?? '';
  const message = err.message ?? String(e);
  const who = describeProfile(ctx.options);
  const status = err.$metadata?.httpStatusCode;

  if (name === 'AbortError' || code === 'ABORT_ERR') return new CancelledError();
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    if (/sso|token is expired|expired/i.test(message)) {
      return new FinOpsError('auth', `The AWS SSO session of ${who} has expired or is not signed in.`, { ...signIn(ctx.options), cause: e });
    }
    if (/profile .* (was )?not found|could not resolve credentials using profile/i.test(message)) {
      return new FinOpsError('usage', `AWS ${who} was not found in ~/.aws/config or ~/.aws/credentials.`, { fix: 'Create the profile with `aws configure sso` (or `aws configure`), or change "mlFinops.aws.profile".', cause: e });
    }
    return new FinOpsError('usage', `No AWS credentials were found for ${who}.`, { fix: 'Sign in with `aws configure sso` / `aws sso login`, or set "mlFinops.aws.profile" to a configured profile.', command: 'aws sso login', cause: e });
  }
  if (expired.has(name) || expired.has(code)) {
    return new FinOpsError('auth', `The AWS credentials of ${who} have expired (${ctx.api}).`, { ...signIn(ctx.options), cause: e });
  }
  if (rejected.has(name) || rejected.has(code)) {
    return new FinOpsError('auth', `AWS rejected the credentials of ${who} (${name || code}) for ${ctx.api}.`, { ...signIn(ctx.options), fix: `${signIn(ctx.options).fix} Check that the profile points at the right account.`, cause: e });
  }
  if (denied.has(name) || denied.has(code) || status === 403) {
    if (/not enabled for cost explorer/i.test(message)) {
      return new FinOpsError('usage', 'Cost Explorer is not enabled for this AWS account.', { fix: 'Enable Cost Explorer in the AWS Billing and Cost Management console (data appears within 24 hours).', cause: e });
    }
    return new FinOpsError('permission', `AWS denied ${ctx.action} to ${who} (${ctx.api}).`, { fix: `Allow "${ctx.action}" in the IAM policy of the role or user (see docs/permissions.md).`, cause: e });
  }
  if (throttling.has(name) || throttling.has(code) || err.$retryable?.throttling || status === 429) {
    const header = err.$response?.headers?.['retry-after'];
    const seconds = header !== undefined && /^\d+$/.test(header) ? Number(header) * 1000 : undefined;
    return throttled(`AWS is throttling ${ctx.api} for ${who}.`, { retryAfterMs: seconds, cause: e });
  }
  if (name === 'DataUnavailableException' || name === 'BillExpirationException') {
    return new FinOpsError('unavailable', `Cost Explorer has no data for that period yet (${name}).`, { fix: 'Choose a more recent period; new accounts see data after about 24 hours.', cause: e });
  }
  if (name === 'ValidationException' || name === 'InvalidParameterValue' || name === 'InvalidParameterCombination' || name === 'InvalidRequestException' || name === 'InvalidNextTokenException' || name === 'RequestChangedException' || name === 'PaginationTokenExpiredException') {
    return new FinOpsError('input', `${ctx.api} refused the request: ${message}`, { fix: SETTINGS_FIX, cause: e });
  }
  if (name === 'ResourceNotFoundException' || name === 'EntityNotFoundException' || name === 'MetadataException' && /not found/i.test(message)) {
    return new FinOpsError('input', `${ctx.api}: ${message}`, { fix: SETTINGS_FIX, cause: e });
  }
  if (network.has(code) || network.has(name) || /ECONNREFUSED|ENOTFOUND|socket hang up|getaddrinfo/i.test(message)) {
    const where = ctx.options.endpoint ? `the endpoint ${ctx.options.endpoint}` : 'AWS';
    return new FinOpsError('unavailable', `Could not reach ${where} for ${ctx.api}.`, { fix: 'Check the network connection, a proxy, or "mlFinops.aws.endpoint".', cause: e });
  }
  if (status !== undefined && status >= 500) {
    return new FinOpsError('unavailable', `${ctx.api} failed on the AWS side (HTTP ${status}).`, { fix: 'Try again in a minute.', cause: e });
  }
  return new FinOpsError('internal', `${ctx.api} failed: ${name ? `${name}: ` : ''}${message}`, { fix: INTERNAL_FIX, cause: e });
}

/**
 * One AWS SDK call with the product's retry policy (throttling and network errors, backoff with jitter) and its
 * errors mapped to FinOpsError reasons naming the profile, the API and the IAM action.
 */
export function callAws<T>(
  ctx: AwsCallContext,
  send: () => Promise<T>,
  options: { signal?: AbortSignal; log?: Logger; retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'> },
): Promise<T> {
  const { signal, log, retry } = options;
  return callWithRetry(send, { ...retry, signal, log, what: ctx.api, mapError: (e) => mapAwsError(e, ctx) });
}
