import { z } from 'zod';
import { FinOpsError } from '../../core/errors';

import { gaxClientOptions, requireProject, type GcpOptions } from './config';
import { callGoogle, listAll } from './errors';

/**
 * The setup flow's questions, answered from the user's own account: which billing accounts can I see, which
 * projects do they pay for (Cloud Billing API), and which tables in a project look like the billing export.
 */
export interface BillingAccountInfo { name: string; id: string; displayName: string; open: boolean }
export interface ProjectBillingInfo { projectId: string; billingAccountId: string; billingEnabled: boolean }
export interface ExportTable { table: string; kind: 'standard' | 'detailed' | 'focus' | 'pricing' }

const ctx = (options: GcpOptions, api: string, permission: string, role: string) => ({ projectId: options.projectId, endpoint: options.endpoint, api, permission, role });

export async function listBillingAccounts(options: GcpOptions, signal?: AbortSignal): Promise<BillingAccountInfo[]> {
  const { CloudBillingClient } = await import('@google-cloud/billing');
  const client = new CloudBillingClient(gaxClientOptions(options) as never);
  const c = ctx(options, 'Cloud Billing listBillingAccounts', 'billing.accounts.list', 'Billing Account Viewer (roles/billing.viewer)');
  const out: BillingAccountInfo[] = [];
  try {
    for (const a of await listAll(c, { pageSize: 100 }, (request) => client.listBillingAccounts(request, { autoPaginate: false }), { signal })) {
      const parsed = z.object({ name: z.string(), displayName: z.string().nullish(), open: z.boolean().nullish() }).safeParse(a);
      if (parsed.success) out.push({ name: parsed.data.name, id: parsed.data.name.replace(/^billingAccounts\//, ''), displayName: parsed.data.displayName ?? parsed.data.name, open: parsed.data.open ?? false });
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return out;
}

export async function listBillingProjects(options: GcpOptions, billingAccountId: string, signal?: AbortSignal): Promise<ProjectBillingInfo[]> {
  if (!/^[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{6}$/.test(billingAccountId)) throw new FinOpsError('input', `"${billingAccountId}" is not a billing account id (XXXXXX-XXXXXX-XXXXXX).`, { fix: 'Pick a billing account from the list.' });
  const { CloudBillingClient } = await import('@google-cloud/billing');
  const client = new CloudBillingClient(gaxClientOptions(options) as never);
  const c = ctx(options, 'Cloud Billing listProjectBillingInfo', 'billing.resourceAssociations.list', 'Billing Account Viewer (roles/billing.viewer)');
  const out: ProjectBillingInfo[] = [];
  try {
    for (const p of await listAll(c, { name: `billingAccounts/${billingAccountId}`, pageSize: 100 }, (request) => client.listProjectBillingInfo(request, { autoPaginate: false }), { signal })) {
      const parsed = z.object({ projectId: z.string(), billingAccountName: z.string().nullish(), billingEnabled: z.boolean().nullish() }).safeParse(p);
      if (parsed.success) out.push({ projectId: parsed.data.projectId, billingAccountId: (parsed.data.billingAccountName ?? '').replace(/^billingAccounts\//, ''), billingEnabled: parsed.data.billingEnabled ?? false });
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return out;
}

/** Classifies a table name the way the Cloud Billing export names its tables. */
function exportKind(table: string): ExportTable['kind'] | undefined {
  if (/^gcp_billing_export_resource_v1_/.test(table)) return 'detailed';
  if (/^gcp_billing_export_v1_/.test(table)) return 'standard';
  if (/^cloud_pricing_export/.test(table)) return 'pricing';
  if (/focus/i.test(table)) return 'focus';
  return undefined;
}

/** Tables of a project that look like a billing export (datasets.list + tables.list, both free). */
export async function findBillingExportTables(options: GcpOptions, signal?: AbortSignal): Promise<ExportTable[]> {
  const projectId = requireProject(options);
  const { BigQuery } = await import('@google-cloud/bigquery');
  const bq = new BigQuery({ projectId, ...(options.endpoint ? { apiEndpoint: options.endpoint } : {}), ...(options.authClient ? { authClient: options.authClient as never } : {}) });
  const c = ctx(options, 'BigQuery datasets.list / tables.list', 'bigquery.datasets.get and bigquery.tables.list', 'BigQuery Metadata Viewer (roles/bigquery.metadataViewer)');
  const out: ExportTable[] = [];
  const [datasets] = await callGoogle(c, () => bq.getDatasets(), { signal });
  for (const d of datasets) {
    const [tables] = await callGoogle(c, () => d.getTables(), { signal });
    for (const t of tables) {
      const kind = t.id ? exportKind(t.id) : undefined;
      if (kind && kind !== 'pricing') out.push({ table: `${projectId}.${d.id}.${t.id}`, kind });
    }
  }
  return out;
}
