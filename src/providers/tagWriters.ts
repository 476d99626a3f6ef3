import type { TokenCredential } from '@azure/core-auth';
import type { Logger } from '../core/ports';
import type { Cloud } from '../core/policy/model';
import type { Resource } from '../core/sources';
import { cloudOf } from '../core/tagging/plan';
import { AwsInventory } from './aws/inventory';
import { IacResourceSource } from './iac/resourceSource';
import { readTerraformStates } from './iac/terraformState';
import type { TerraformStateIndex } from '../core/iac/terraformState';
import type { TagWriter } from '../core/tagging/writer';
import { AwsTagWriter } from './aws/tagging';
import type { AwsOptions } from './aws/config';

/** What the tag writers are built from: the same settings as the cost sources, never a secret. */
export interface TagWriterSettings {
  aws: AwsOptions;
  /** `accessToken` (GOOGLE_OAUTH_ACCESS_TOKEN) or `authClient` (tests); neither: Application Default Credentials. */
  gcp: { endpoint: string; accessToken?: string; authClient?: unknown };
  /** `credential` and `agent`: given directly (tests); otherwise DefaultAzureCredential (in `tenantId` when set). */
  azure: { endpoint: string; tenantId?: string; credential?: TokenCredential };
  log?: Logger;
}

/** The writer for a cloud's running resources. */
export async function tagWriterFor(cloud: Cloud, settings: TagWriterSettings): Promise<TagWriter> {
  const log = settings.log ? { log: settings.log } : {};
  switch (cloud) {
    case 'aws':
      return new AwsTagWriter({ ...settings.aws, ...log });
    case 'gcp': {
      const { GcpLabelWriter } = await import('./gcp/labels');
      return new GcpLabelWriter({ ...settings.gcp, ...log });
    }
    case 'azure': {
      const { AzureTagWriter } = await import('./azure/tags');
      return new AzureTagWriter({ ...settings.azure, ...log });
    }
  }
}

/**
 * The resources named (AWS ARNs, Google Cloud VMs, Azure resource ids) with their current tags, and their
 * neighbours where the cloud lists them cheaply: the AWS region's inventory (tagging API and EC2); on Google Cloud
 * and Azure the named resources only.
 */
export async function readRunningResources(ids: readonly string[], settings: TagWriterSettings, signal?: AbortSignal): Promise<Resource[]> {
  const clouds = new Set(ids.map((id) => cloudOf({ provider: '', id })));
  const out: Resource[] = [];
  if (clouds.has('aws')) out.push(...await new AwsInventory({ ...settings.aws, ...(settings.log ? { log: settings.log } : {}) }).listResources(signal));
  for (const cloud of ['gcp', 'azure'] as const) {
    if (!clouds.has(cloud)) continue;
    const writer = await tagWriterFor(cloud, settings);
    if (writer.read) out.push(...await writer.read(ids.filter((id) => cloudOf({ provider: '', id }) === cloud), signal));
  }
  return out;
}

/** What links running resources to the workspace's IaC under some folders: the declarations and the local Terraform state. */
export async function iacDeclarations(roots: readonly string[], signal?: AbortSignal): Promise<{ declared: Resource[]; state: TerraformStateIndex }> {
  const [declared, state] = await Promise.all([new IacResourceSource(() => roots).listResources(signal), readTerraformStates(roots, signal)]);
  return { declared, state };
}
