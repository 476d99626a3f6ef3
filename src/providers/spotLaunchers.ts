import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../core/ports';
import type { SpotJob } from '../core/spot/job';
import type { SpotLauncher } from '../core/spot/launcher';
import type { ShippedFile } from '../core/spot/userData';
import type { TokenCredential } from '@azure/core-auth';
import type { Agent } from 'node:https';
import { AwsSpotLauncher } from './aws/spotLauncher';
import { AzureSpotLauncher } from './azure/spotLauncher';
import { accessTokenAuth } from './gcp/config';
import { GcpSpotLauncher } from './gcp/spotLauncher';

/** What the spot launchers are built from: the same settings as the cost sources, never a secret. */
export interface SpotLauncherSettings {
  aws: { profile: string; endpoint: string };
  /**
   * `accessToken`: an OAuth 2.0 access token to use as such (GOOGLE_OAUTH_ACCESS_TOKEN); `authClient`: a Google auth
   * client given directly. Neither: Application Default Credentials.
   */
  gcp: { endpoint: string; accessToken?: string; authClient?: unknown };
  /** `credential` and `agent`: given directly (tests); otherwise DefaultAzureCredential (in `tenantId` when set). */
  /** `retailPrices`: live prices allowed, so a launch compares the max price with the current Spot price (Azure Retail Prices API). */
  azure: { endpoint: string; tenantId?: string; credential?: TokenCredential; agent?: Agent; retailPrices?: { endpoint: string } };
  log?: Logger;
  /** Test hooks: how long a launch waits for the first instances, and the sleep between polls. */
  settleMs?: number;
}

/** The launcher for a job's cloud, in the job's (first) region. */
export function spotLauncherFor(job: SpotJob, settings: SpotLauncherSettings): SpotLauncher {
  const region = job.regions[0] ?? '';
  switch (job.cloud) {
    case 'aws':
      return new AwsSpotLauncher({
        profile: settings.aws.profile, region, endpoint: settings.aws.endpoint,
        ...(settings.log ? { log: settings.log } : {}), ...(settings.settleMs !== undefined ? { settleMs: settings.settleMs } : {}),
      }, region);
    case 'gcp':
      return new GcpSpotLauncher({
        endpoint: settings.gcp.endpoint,
        ...(settings.gcp.authClient ? { authClient: settings.gcp.authClient } : settings.gcp.accessToken ? { authClient: accessTokenAuth(settings.gcp.accessToken) } : {}),
        ...(settings.log ? { log: settings.log } : {}), ...(settings.settleMs !== undefined ? { settleMs: settings.settleMs } : {}),
      }, region);
    case 'azure':
      return new AzureSpotLauncher({
        endpoint: settings.azure.endpoint,
        ...(settings.azure.tenantId ? { tenantId: settings.azure.tenantId } : {}),
        ...(settings.azure.credential ? { credential: settings.azure.credential } : {}),
        ...(settings.azure.agent ? { agent: settings.azure.agent } : {}),
        ...(settings.azure.retailPrices ? { retailPrices: settings.azure.retailPrices } : {}),
        ...(settings.log ? { log: settings.log } : {}), ...(settings.settleMs !== undefined ? { settleMs: settings.settleMs } : {}),
      }, region);
  }
}

/** The folder holding the product's shipped resources: the nearest one up from this file (dist/ or src/providers/). */
export function resourcesRoot(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'resources')) && existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'resources');
    dir = path.dirname(dir);
  }
  return path.join(from, '..', 'resources');
}

/**
 * The bootstrap and its Python package (resources/spot, docs/spot-bootstrap.md), compressed for the user data.
 * Empty when this build ships none: the user data then runs /opt/mlfinops/bootstrap.sh from the machine image.
 */
export function shippedBootstrapFiles(root: string = resourcesRoot()): ShippedFile[] {
  const dir = path.join(root, 'spot');
  if (!existsSync(path.join(dir, 'bootstrap.sh'))) return [];
  const files: ShippedFile[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      if (statSync(full).isDirectory()) {
        if (name !== '__pycache__' && name !== 'tests' && name !== 'test') walk(r);
      } else if (/\.(sh|py)$/.test(name)) {
        files.push({ path: r, gzipBase64: gzipSync(readFileSync(full), { level: 9 }).toString('base64') });
      }
    }
  };
  walk('');
  return files;
}
