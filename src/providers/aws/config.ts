import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** What every AWS client of the product is built from: the settings, never a secret. */
export interface AwsOptions {
  /** Shared-config profile (SSO, assume-role, static); empty = the SDK's default chain. */
  profile: string;
  /** Region for regional APIs (EC2, tagging, Athena). Cost Explorer always lives in us-east-1. */
  region: string;
  /** Endpoint override for every call (emulator, VPC endpoint); empty = AWS. */
  endpoint: string;
  /** Credentials given directly (tests); otherwise the SDK chain for `profile` is used. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Throttling is retried by src/core/retry.ts (with jitter, counted, cancellable), not inside the SDK. */
  maxAttempts: number;
}

/**
 * The credential provider for the options: the profile through `fromIni` (which follows SSO, assume-role and
 * credential_process), or the whole Node chain (environment, shared files, SSO, container and instance roles).
 * The provider is memoised, so one sign-in serves every client.
 */
async function awsCredentials(options: AwsOptions): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider> {
  if (options.credentials) return options.credentials;
  const { fromIni, fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return options.profile ? fromIni({ profile: options.profile }) : fromNodeProviderChain();
}

export async function awsClientConfig(options: AwsOptions, region = options.region): Promise<AwsClientConfig> {
  return {
    region: region || 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    credentials: await awsCredentials(options),
    maxAttempts: 1,
  };
}

/** "profile ml" or "the default credential chain", for messages. */
export function describeProfile(options: Pick<AwsOptions, 'profile'>): string {
  return options.profile ? `profile "${options.profile}"` : 'the default AWS credential chain';
}
