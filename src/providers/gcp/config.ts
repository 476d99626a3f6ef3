import { FinOpsError } from '../../core/errors';

/**
 * What the Google Cloud clients are built from. Credentials are Application Default Credentials (ADC:
 * `gcloud auth application-default login`, a service-account key named by GOOGLE_APPLICATION_CREDENTIALS,
 * workload identity, the metadata server); nothing is stored by the product.
 */
export interface GcpOptions {
  /** The project that runs (and pays for) BigQuery jobs and Cloud Asset calls. */
  projectId: string;
  /** Endpoint override for every Google API (a local fake, a private endpoint); empty = Google. */
  endpoint: string;
  /** An auth client given directly (tests: a fake OAuth2 client); otherwise ADC. */
  authClient?: unknown;
}

/** Options for the gax-based clients (Cloud Asset, Cloud Billing), over HTTP/JSON (REST) rather than gRPC. */
export function gaxClientOptions(options: GcpOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { fallback: true, ...(options.projectId ? { projectId: options.projectId } : {}) };
  if (options.authClient) out.authClient = options.authClient;
  if (options.endpoint) {
    const url = new URL(options.endpoint);
    out.apiEndpoint = url.hostname;
    out.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    out.protocol = url.protocol.replace(':', '');
  }
  return out;
}

export function requireProject(options: GcpOptions): string {
  if (!options.projectId) {
    throw new FinOpsError('usage', 'No Google Cloud project is set.', { fix: 'Set "mlFinops.gcp.projectId" (the project that runs the BigQuery queries), or pick one with "ML FinOps: Configure Cloud Accounts".' });
  }
  return options.projectId;
}

/**
 * An auth client for an OAuth 2.0 access token given as such (`GOOGLE_OAUTH_ACCESS_TOKEN`, as the Terraform Google
 * provider reads it: CI after workload identity federation, `gcloud auth print-access-token`). It signs each REST
 * request with the token and never refreshes it: the token's own lifetime (an hour) bounds its use.
 */
export function accessTokenAuth(token: string): { universeDomain: string; getRequestHeaders(url?: string): Promise<Headers>; fetch(url: string | URL, init?: RequestInit): Promise<Response> } {
  const headers = () => new Headers({ authorization: `Bearer ${token}` });
  return {
    universeDomain: 'googleapis.com',
    getRequestHeaders: () => Promise.resolve(headers()),
    fetch: (url, init = {}) => {
      const h = new Headers(init.headers);
      h.set('authorization', `Bearer ${token}`);
      return fetch(url, { ...init, headers: h });
    },
  };
}

/** Where Google access tokens come from: a token given as such, an auth client given directly (tests), or ADC. */
export interface GcpTokenOptions {
  /** An OAuth 2.0 access token used as such (`GOOGLE_OAUTH_ACCESS_TOKEN`). */
  accessToken?: string | undefined;
  /** An auth client with `getAccessToken()` (google-auth-library's clients, or a test's). */
  authClient?: unknown;
}

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * A source of bearer tokens for the Google REST APIs the product calls without a client library (Cloud Storage's
 * JSON API for checkpoints): the given token, the given client's, or Application Default Credentials through
 * google-auth-library (loaded on first use; it caches and refreshes the token). A missing sign-in is a FinOpsError
 * naming the fix.
 */
export function gcpAccessToken(options: GcpTokenOptions = {}): () => Promise<string> {
  if (options.accessToken) {
    const token = options.accessToken;
    return () => Promise.resolve(token);
  }
  let client: Promise<{ getAccessToken(): Promise<unknown> }> | undefined;
  const given = options.authClient as { getAccessToken?: () => Promise<unknown> } | undefined;
  if (given && typeof given.getAccessToken === 'function') client = Promise.resolve(given as { getAccessToken(): Promise<unknown> });
  return async () => {
    client ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }));
    let got: unknown;
    try {
      got = await (await client).getAccessToken();
    } catch (e) {
      throw new FinOpsError('auth', `No Google credentials were found for Cloud Storage: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, {
        fix: 'Sign in with `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a service-account key, or set GOOGLE_OAUTH_ACCESS_TOKEN.',
      });
    }
    const token = typeof got === 'string' ? got : (got as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || !token) {
      throw new FinOpsError('auth', 'Google returned no access token for Cloud Storage.', { fix: 'Sign in again with `gcloud auth application-default login`.' });
    }
    return token;
  };
}
