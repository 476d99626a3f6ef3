import type { CloudBudgetProvider, CloudBudgetService } from '../core/cloudBudgets';
import { defaultTagAliases, type TagAliases } from '../core/cost/tags';
import { describeError } from '../core/errors';
import type { Logger } from '../core/ports';
import type { Settings } from '../core/settings';
import { AwsBudgets } from './aws/budgets';
import { parseScope } from './azure/config';
import { AzureBudgets } from './azure/budgets';
import { GcpBudgets } from './gcp/budgets';
import type { CloudOverrides } from './cloudSources';

/**
 * The clouds' budget services, built from the same settings and credential chains as the cost sources: one per
 * cloud that is turned on, or what is missing. The extension's "Create / Import Cloud Budgets" and the CLI share it.
 */
export type CloudBudgetChoice =
  | { provider: CloudBudgetProvider; label: string; service: CloudBudgetService }
  | { provider: CloudBudgetProvider; label: string; missing: string };

interface CloudBudgetContext {
  /** False in an untrusted workspace: no cloud is called. */
  trusted: boolean;
  log?: Logger;
  tagAliases?: TagAliases;
  /** The bill's currency, when one bill currency is known (Azure budgets count in it). */
  billingCurrency?: string;
}

export function cloudBudgetServices(settings: Settings, ctx: CloudBudgetContext, overrides: CloudOverrides = {}): CloudBudgetChoice[] {
  const aliases = ctx.tagAliases ?? defaultTagAliases;
  const log = ctx.log ? { log: ctx.log } : {};
  const untrusted = 'This workspace is not trusted, so ML FinOps calls no cloud. Trust the workspace first.';
  const out: CloudBudgetChoice[] = [];

  const aws = 'AWS Budgets';
  if (!settings['aws.enabled']) out.push({ provider: 'aws', label: aws, missing: 'Turn on "mlFinops.aws.enabled".' });
  else if (!ctx.trusted) out.push({ provider: 'aws', label: aws, missing: untrusted });
  else {
    const service = new AwsBudgets({ profile: settings['aws.profile'], region: settings['aws.region'] || 'us-east-1', endpoint: settings['aws.endpoint'], ...log, ...overrides.aws });
    out.push({ provider: 'aws', label: service.label, service });
  }

  const gcp = 'Google Cloud budgets';
  if (!settings['gcp.enabled']) out.push({ provider: 'gcp', label: gcp, missing: 'Turn on "mlFinops.gcp.enabled" and set "mlFinops.gcp.projectId".' });
  else if (!ctx.trusted) out.push({ provider: 'gcp', label: gcp, missing: untrusted });
  else if (!settings['gcp.projectId']) out.push({ provider: 'gcp', label: gcp, missing: 'Set "mlFinops.gcp.projectId" to a project the billing account pays for.' });
  else {
    const labelKeyFor = (key: string) => aliases(key, 'gcp')[0] ?? key.toLowerCase();
    const service = new GcpBudgets({ projectId: settings['gcp.projectId'], endpoint: settings['gcp.endpoint'], labelKeyFor, ...log, ...overrides.gcp });
    out.push({ provider: 'gcp', label: service.label, service });
  }

  const azure = 'Azure budgets';
  if (!settings['azure.enabled']) out.push({ provider: 'azure', label: azure, missing: 'Turn on "mlFinops.azure.enabled" and set "mlFinops.azure.scope".' });
  else if (!ctx.trusted) out.push({ provider: 'azure', label: azure, missing: untrusted });
  else {
    try {
      parseScope(settings['azure.scope']);
      const service = new AzureBudgets({
        scope: settings['azure.scope'], endpoint: settings['azure.endpoint'], tenantId: settings['azure.tenantId'],
        ...(ctx.billingCurrency ? { billingCurrency: ctx.billingCurrency } : {}), ...log, ...overrides.azure,
      });
      out.push({ provider: 'azure', label: service.label, service });
    } catch (e) {
      out.push({ provider: 'azure', label: azure, missing: describeError(e) });
    }
  }
  return out;
}
