import type { CostQuery } from '../core/cost/model';
import { describeError } from '../core/errors';
import { resolvePeriod, todayUtc } from '../core/period';
import { defaultTagAliases, type TagAliases } from '../core/cost/tags';
import type { RetryOptions } from '../core/retry';
import type { Settings } from '../core/settings';
import { AthenaCostSource } from './aws/athena';
import type { AwsOptions } from './aws/config';
import { describeProfile } from './aws/config';
import { CostExplorerSource } from './aws/costExplorer';
import { AwsInventory } from './aws/inventory';
import type { AzureOptions } from './azure/config';
import { parseScope } from './azure/config';
import { CostManagementSource } from './azure/costManagement';
import { ResourceGraphInventory } from './azure/resourceGraph';
import type { GcpOptions } from './gcp/config';
import { AssetInventory } from './gcp/assetInventory';
import { BigQueryCostSource } from './gcp/bigQueryCosts';
import { findBillingExportTables, listBillingAccounts, listBillingProjects, type BillingAccountInfo, type ExportTable, type ProjectBillingInfo } from './gcp/billingSetup';
import type { NotConfigured, SourceContext, SourceEntry, SourceFactory } from './registry';
import type { CostSource } from '../core/sources';

/**
 * The three clouds as source factories: each reads its settings, says exactly what is missing, or builds the
 * cost source, the inventory and a connection test. Credentials always come from the SDKs' own chains.
 * `overrides` exist for tests (fake credentials, a local certificate, fast retries).
 */
type Retry = Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
export interface CloudOverrides {
  aws?: Partial<AwsOptions> & { retry?: Retry };
  azure?: Partial<AzureOptions> & { retry?: Retry };
  gcp?: Partial<GcpOptions> & { retry?: Retry };
}

function missing(kind: string, label: string, fix: string, enabled = true, signIn?: string): NotConfigured {
  return { notConfigured: true, id: kind, kind, label, fix, enabled, ...(signIn ? { signIn } : {}) };
}

function untrusted(kind: string, label: string): NotConfigured {
  return missing(kind, label, `This workspace is not trusted, so ML FinOps makes no ${label} calls. Trust the workspace to see its costs.`);
}

/** A cloud's tag names for a policy key, most preferred first (the rule of src/core/cost/tags.ts). */
function aliasesFor(aliases: TagAliases | undefined, cloud: 'aws' | 'azure' | 'gcp'): (key: string) => readonly string[] {
  return (key) => {
    const names = (aliases ?? defaultTagAliases)(key, cloud);
    return names.length ? names : [key];
  };
}

/** The first of them, for APIs that group by one tag name (Cost Explorer, Cost Management). */
function aliasFor(aliases: TagAliases | undefined, cloud: 'aws' | 'azure' | 'gcp'): (key: string) => string {
  const all = aliasesFor(aliases, cloud);
  return (key) => all(key)[0] ?? key;
}

/** Month to date, UTC (the cheapest question that proves a cost API answers; cached like any other). */
function monthToDate(): CostQuery['period'] {
  return resolvePeriod({ preset: 'monthToDate' }, todayUtc());
}

async function costLine(cost: CostSource | undefined, metric: Settings['cost.metric'], signal: AbortSignal | undefined, name: string): Promise<string> {
  if (!cost) return '';
  const safeMetric = metric === 'ListCost' ? 'EffectiveCost' : metric;
  const result = await cost.query({ period: monthToDate(), granularity: 'total', groupBy: [], metric: safeMetric }, signal);
  const totals = new Map<string, number>();
  for (const r of result.rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.cost);
  const money = [...totals].map(([c, v]) => `${c} ${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`).join(' + ') || 'no spend';
  return `${name} answered: ${money} month to date${result.fromCache ? ' (from the cache)' : ''}.`;
}

function awsSources(overrides: CloudOverrides['aws'] = {}): SourceFactory {
  return {
    kind: 'aws',
    create(settings: Settings, ctx: SourceContext): (SourceEntry | NotConfigured)[] {
      const label = 'AWS';
      if (!settings['aws.enabled']) return [missing('aws', label, 'Turn on "mlFinops.aws.enabled". Credentials come from your AWS profile or SSO sign-in (`aws configure sso`).', false)];
      if (!ctx.trusted) return [untrusted('aws', label)];
      const options: AwsOptions = { profile: settings['aws.profile'], region: settings['aws.region'] || 'us-east-1', endpoint: settings['aws.endpoint'], ...overrides };
      const tagKeyFor = aliasFor(ctx.tagAliases, 'aws');
      const athena = settings['aws.costSource'] === 'athena';
      if (athena) {
        const lacking = [!settings['aws.athena.database'] && '"mlFinops.aws.athena.database"', !settings['aws.athena.table'] && '"mlFinops.aws.athena.table"'].filter(Boolean);
        if (lacking.length) return [missing('aws', label, `AWS costs come from Athena, but ${lacking.join(' and ')} ${lacking.length > 1 ? 'are' : 'is'} not set (see docs/athena.md).`)];
      }
      const cost = athena
        ? new AthenaCostSource({ ...options, database: settings['aws.athena.database'], table: settings['aws.athena.table'], workgroup: settings['aws.athena.workgroup'], outputLocation: settings['aws.athena.outputLocation'], log: ctx.log, meter: ctx.meter, tagKeysFor: aliasesFor(ctx.tagAliases, 'aws'), retry: overrides.retry })
        : new CostExplorerSource({ ...options, log: ctx.log, meter: ctx.meter, tagKeyFor, retry: overrides.retry });
      const inventory = new AwsInventory({ ...options, log: ctx.log, retry: overrides.retry });
      return [{
        id: 'aws', kind: 'aws', label: options.profile ? `AWS (${options.profile}, ${options.region})` : `AWS (${options.region})`,
        cost, resources: inventory,
        cacheKey: { profile: options.profile, endpoint: options.endpoint, via: athena ? `athena:${settings['aws.athena.database']}.${settings['aws.athena.table']}` : 'costExplorer' },
        async check(signal, tracked) {
          const resources = await inventory.probe(signal);
          const costs = await costLine(tracked, settings['cost.metric'], signal, athena ? 'Athena' : 'Cost Explorer');
          return `Signed in with ${describeProfile(options)}; ${resources}. ${costs}`.trim();
        },
      }];
    },
  };
}

function azureSources(overrides: CloudOverrides['azure'] = {}): SourceFactory {
  return {
    kind: 'azure',
    create(settings: Settings, ctx: SourceContext): (SourceEntry | NotConfigured)[] {
      const label = 'Azure';
      if (!settings['azure.enabled']) return [missing('azure', label, 'Turn on "mlFinops.azure.enabled" and set "mlFinops.azure.scope". Sign in with `az login`.', false, 'az login')];
      if (!ctx.trusted) return [untrusted('azure', label)];
      if (!settings['azure.scope']) return [missing('azure', label, 'Set "mlFinops.azure.scope" to /subscriptions/<subscription id> (or a resource group, management group or billing account scope).')];
      try {
        parseScope(settings['azure.scope']);
      } catch (e) {
        return [missing('azure', label, describeError(e))];
      }
      const options: AzureOptions = { scope: settings['azure.scope'], endpoint: settings['azure.endpoint'], tenantId: settings['azure.tenantId'], ...overrides };
      const cost = new CostManagementSource({ ...options, log: ctx.log, meter: ctx.meter, tagKeyFor: aliasFor(ctx.tagAliases, 'azure'), retry: overrides.retry });
      const inventory = new ResourceGraphInventory({ ...options, log: ctx.log, retry: overrides.retry });
      return [{
        id: 'azure', kind: 'azure', label: `Azure (${options.scope})`, cost, resources: inventory,
        cacheKey: { scope: options.scope, tenant: options.tenantId, endpoint: options.endpoint },
        async check(signal, tracked) {
          const resources = await inventory.probe(signal);
          const costs = await costLine(tracked, settings['cost.metric'], signal, 'Cost Management');
          return `Signed in${options.tenantId ? ` to tenant ${options.tenantId}` : ''}; ${resources}. ${costs}`.trim();
        },
      }];
    },
  };
}

function gcpSources(overrides: CloudOverrides['gcp'] = {}): SourceFactory {
  return {
    kind: 'gcp',
    create(settings: Settings, ctx: SourceContext): (SourceEntry | NotConfigured)[] {
      const label = 'Google Cloud';
      if (!settings['gcp.enabled']) return [missing('gcp', label, 'Turn on "mlFinops.gcp.enabled" and set "mlFinops.gcp.projectId". Sign in with `gcloud auth application-default login`.', false, 'gcloud auth application-default login')];
      if (!ctx.trusted) return [untrusted('gcp', label)];
      if (!settings['gcp.projectId']) return [missing('gcp', label, 'Set "mlFinops.gcp.projectId" (the project that runs BigQuery queries), or pick one with "ML FinOps: Configure Cloud Accounts".')];
      const options: GcpOptions = { projectId: settings['gcp.projectId'], endpoint: settings['gcp.endpoint'], ...overrides };
      const table = settings['gcp.billingTable'];
      const cost = table ? new BigQueryCostSource({ ...options, table, schema: settings['gcp.billingSchema'], log: ctx.log, meter: ctx.meter, tagKeysFor: aliasesFor(ctx.tagAliases, 'gcp'), retry: overrides.retry }) : undefined;
      const inventory = new AssetInventory({ ...options, scope: settings['gcp.assetScope'], log: ctx.log, retry: overrides.retry });
      const note = table ? undefined : 'Resources only: set "mlFinops.gcp.billingTable" to the BigQuery billing export to see costs.';
      return [{
        id: 'gcp', kind: 'gcp', label: `Google Cloud (${options.projectId})`, resources: inventory,
        ...(cost ? { cost, cacheKey: { project: options.projectId, table, endpoint: options.endpoint } } : {}),
        ...(note ? { note } : {}),
        async check(signal) {
          const resources = await inventory.probe(signal);
          let costs = note ?? '';
          if (cost) {
            const bytes = await cost.dryRun({ period: monthToDate(), granularity: 'total', groupBy: [], metric: settings['cost.metric'] === 'ListCost' ? 'EffectiveCost' : settings['cost.metric'] }, signal);
            costs = `The billing export ${table} is readable (a month-to-date query scans ${(bytes / 1e6).toFixed(1)} MB).`;
          }
          return `Signed in with Application Default Credentials; ${resources}. ${costs}`.trim();
        },
      }];
    },
  };
}

/** The three cloud factories, in the order the views list them. */
export function cloudSourceFactories(overrides: CloudOverrides = {}): SourceFactory[] {
  return [awsSources(overrides.aws), azureSources(overrides.azure), gcpSources(overrides.gcp)];
}

/** The questions "Configure Cloud Accounts" asks Google Cloud when no project is set, from the user's own account. */
interface GcpSetup {
  billingAccounts(signal?: AbortSignal): Promise<BillingAccountInfo[]>;
  projects(billingAccountId: string, signal?: AbortSignal): Promise<ProjectBillingInfo[]>;
  /** Tables of a project that look like a billing export (standard, detailed, FOCUS view). */
  exportTables(projectId: string, signal?: AbortSignal): Promise<ExportTable[]>;
}

export function gcpSetup(settings: Pick<Settings, 'gcp.projectId' | 'gcp.endpoint'>, overrides: CloudOverrides['gcp'] = {}): GcpSetup {
  const options: GcpOptions = { projectId: settings['gcp.projectId'], endpoint: settings['gcp.endpoint'], ...overrides };
  return {
    billingAccounts: (signal) => listBillingAccounts(options, signal),
    projects: (id, signal) => listBillingProjects(options, id, signal),
    exportTables: (projectId, signal) => findBillingExportTables({ ...options, projectId }, signal),
  };
}
