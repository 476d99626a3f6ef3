import type { TokenCredential } from '@azure/core-auth';
import type { Agent } from 'node:https';
import { FinOpsError } from '../../core/errors';

/** What the Azure clients are built from: settings only, never a secret. */
export interface AzureOptions {
  /** Cost Management scope: /subscriptions/<id>[/resourceGroups/<name>], a management group or a billing scope. */
  scope: string;
  /** Azure Resource Manager endpoint; empty = https://management.azure.com. */
  endpoint: string;
  /** Tenant to sign in to (empty = the credential's default). */
  tenantId: string;
  /** A credential given directly (tests); otherwise DefaultAzureCredential. */
  credential?: TokenCredential;
  /** An HTTPS agent (tests: one that trusts a local certificate). */
  agent?: Agent;
}

const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

export function armEndpoint(options: Pick<AzureOptions, 'endpoint'>): string {
  return (options.endpoint || DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
}

/**
 * DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI, Azure PowerShell,
 * Azure Developer CLI — the chain a developer already signed in with. Nothing is stored by the product.
 */
export async function azureCredential(options: AzureOptions): Promise<TokenCredential> {
  if (options.credential) return options.credential;
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential(options.tenantId ? { tenantId: options.tenantId } : {});
}

type ParsedScope =
  | { kind: 'subscription'; subscriptionId: string; resourceGroup?: string }
  | { kind: 'managementGroup'; managementGroupId: string }
  | { kind: 'billing'; path: string };

/** Reads a Cost Management scope ("/subscriptions/<id>/resourceGroups/<rg>", a management group, a billing account). */
export function parseScope(scope: string): ParsedScope {
  const trimmed = scope.replace(/^\/+|\/+$/g, '');
  let m = /^subscriptions\/([0-9a-fA-F-]{36})(?:\/resourceGroups\/([\w.()-]+))?$/i.exec(trimmed);
  if (m) return { kind: 'subscription', subscriptionId: m[1]!, ...(m[2] ? { resourceGroup: m[2] } : {}) };
  m = /^providers\/Microsoft\.Management\/managementGroups\/([\w.()-]+)$/i.exec(trimmed);
  if (m) return { kind: 'managementGroup', managementGroupId: m[1]! };
  if (/^providers\/Microsoft\.Billing\/billingAccounts\/[^/]+(\/(billingProfiles|departments|enrollmentAccounts|invoiceSections|customers)\/[^/]+)*$/i.test(trimmed)) {
    return { kind: 'billing', path: trimmed };
  }
  throw new FinOpsError('input', `"${scope}" is not an Azure Cost Management scope.`, {
    fix: 'Set "mlFinops.azure.scope" to /subscriptions/<subscription id>, /subscriptions/<id>/resourceGroups/<name>, /providers/Microsoft.Management/managementGroups/<id> or /providers/Microsoft.Billing/billingAccounts/<id>.',
  });
}

/** "tenant 72f9…" or "the default tenant", for messages. */
export function describeTenant(options: Pick<AzureOptions, 'tenantId'>): string {
  return options.tenantId ? `tenant ${options.tenantId}` : 'the default tenant';
}
