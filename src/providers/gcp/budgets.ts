import type { BudgetServiceClient } from '@google-cloud/billing-budgets';
import { z } from 'zod';
import {
  describeAlerts, describeBudgetAmount, describeBudgetFilter, validateCloudBudgetSpec,
  type CloudBudget, type CloudBudgetPeriod, type CloudBudgetPlan, type CloudBudgetService, type CloudBudgetSpec,
} from '../../core/cloudBudgets';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { gaxClientOptions, type GcpOptions } from './config';
import { callGoogle, listAll } from './errors';

/**
 * Cloud Billing budgets (the Billing Budget API v1, billingbudgets.googleapis.com) as a CloudBudgetService:
 * budgets.create and budgets.list on a billing account, over REST. The billing account is the one given, else the
 * one that pays for "mlFinops.gcp.projectId" (Cloud Billing projects.getBillingInfo).
 *
 * The REST body is what the plan holds and the confirmation shows; it is the documented JSON of a Budget:
 * displayName, budgetFilter {labels: {key: [value]}, services, calendarPeriod, creditTypesTreatment},
 * amount.specifiedAmount {currencyCode, units, nanos}, thresholdRules [{thresholdPercent, spendBasis}],
 * notificationsRule {pubsubTopic, schemaVersion, monitoringNotificationChannels}.
 */

const PERIODS: Record<CloudBudgetPeriod, 'MONTH' | 'QUARTER' | 'YEAR'> = { monthly: 'MONTH', quarterly: 'QUARTER', annual: 'YEAR' };
const BILLING_ACCOUNT = /^[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{6}$/;
const PUBSUB_TOPIC = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;
const CHANNEL = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/notificationChannels\/\d+$/;
const SERVICE_ID = /^services\/[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/;
const MAX_NAME = 60;

const CREATE = { api: 'Billing Budget API budgets.create', permission: 'billing.budgets.create', role: 'Billing Account Costs Manager (roles/billing.costsManager)' };
const LIST = { api: 'Billing Budget API budgets.list', permission: 'billing.budgets.list', role: 'Billing Account Viewer (roles/billing.viewer)' };
const BILLING_INFO = { api: 'Cloud Billing projects.getBillingInfo', permission: 'resourcemanager.projects.get', role: 'Browser (roles/browser)' };

/** The REST request of budgets.create. */
interface GcpBudgetRequest {
  parent: string;
  budget: {
    displayName: string;
    budgetFilter: {
      calendarPeriod: 'MONTH' | 'QUARTER' | 'YEAR';
      creditTypesTreatment: 'INCLUDE_ALL_CREDITS';
      labels?: Record<string, string[]>;
      services?: string[];
    };
    amount: { specifiedAmount: { currencyCode: string; units: string; nanos?: number } };
    thresholdRules: { thresholdPercent: number; spendBasis: 'CURRENT_SPEND' | 'FORECASTED_SPEND' }[];
    notificationsRule?: { pubsubTopic?: string; schemaVersion?: '1.0'; monitoringNotificationChannels?: string[] };
  };
}

interface GcpBudgetOptions extends GcpOptions {
  /** The billing account (XXXXXX-XXXXXX-XXXXXX); empty = the one that pays for projectId. */
  billingAccountId?: string;
  /** The label key a tag key is known by on Google Cloud (`Team` → `team`). */
  labelKeyFor?: (key: string) => string;
  log?: Logger;
  retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'>;
  pageSize?: number;
}

function bad(message: string, fix: string): FinOpsError {
  return new FinOpsError('input', message, { fix });
}

/** The budgets.create request for a spec on a billing account (pure). */
export function gcpBudgetRequest(spec: CloudBudgetSpec, billingAccountId: string, labelKeyFor: (key: string) => string = (k) => k.toLowerCase()): GcpBudgetRequest {
  validateCloudBudgetSpec(spec);
  if (spec.name.length > MAX_NAME) throw bad(`"${spec.name}" is longer than the ${MAX_NAME} characters a Google Cloud budget name may have.`, 'Choose a shorter name.');
  const tags = Object.entries(spec.filter.tags);
  if (tags.length > 1 || tags.some(([, vs]) => vs.length > 1)) {
    throw bad(`A Google Cloud budget filters on one label with one value; "${spec.name}" asks for ${describeBudgetFilter(spec.filter)}.`, 'Create one budget per label value, or filter on a single value.');
  }
  const notService = spec.filter.services.find((s) => !SERVICE_ID.test(s));
  if (notService !== undefined) throw bad(`"${notService}" is not a Google Cloud service id.`, 'Give services by id, such as services/6F81-5844-456A (Compute Engine), as the Cloud Billing catalog lists them.');
  const topic = spec.notify.topic;
  if (topic !== undefined && !PUBSUB_TOPIC.test(topic) && !CHANNEL.test(topic)) {
    throw bad(`"${topic}" is neither a Pub/Sub topic nor a Cloud Monitoring notification channel.`, 'Give projects/<project>/topics/<topic> or projects/<project>/notificationChannels/<id>, or leave it out.');
  }
  const units = Math.trunc(spec.amount);
  const nanos = Math.round((spec.amount - units) * 1e9);
  const labels = tags.length ? { [labelKeyFor(tags[0]![0])]: [...tags[0]![1]] } : undefined;
  return {
    parent: `billingAccounts/${billingAccountId}`,
    budget: {
      displayName: spec.name,
      budgetFilter: {
        calendarPeriod: PERIODS[spec.period],
        creditTypesTreatment: 'INCLUDE_ALL_CREDITS',
        ...(labels ? { labels } : {}),
        ...(spec.filter.services.length ? { services: [...spec.filter.services] } : {}),
      },
      amount: { specifiedAmount: { currencyCode: spec.currency, units: String(units), ...(nanos ? { nanos } : {}) } },
      thresholdRules: spec.alerts.map((a) => ({ thresholdPercent: a.at / 100, spendBasis: a.on === 'forecast' ? 'FORECASTED_SPEND' : 'CURRENT_SPEND' })),
      ...(topic === undefined ? {} : PUBSUB_TOPIC.test(topic) ? { notificationsRule: { pubsubTopic: topic, schemaVersion: '1.0' } } : { notificationsRule: { monitoringNotificationChannels: [topic] } }),
    },
  };
}

/** The gax (protobuf object) form of the REST request: a label's values are a google.protobuf.ListValue. */
function gaxRequest(request: GcpBudgetRequest): Record<string, unknown> {
  const { labels, ...filter } = request.budget.budgetFilter;
  return {
    parent: request.parent,
    budget: {
      ...request.budget,
      budgetFilter: {
        ...filter,
        ...(labels ? { labels: Object.fromEntries(Object.entries(labels).map(([k, vs]) => [k, { values: vs.map((stringValue) => ({ stringValue })) }])) } : {}),
      },
    },
  };
}

const listValue = z.union([
  z.array(z.union([z.string(), z.number(), z.boolean()])),
  z.object({ values: z.array(z.object({ stringValue: z.string().nullish(), numberValue: z.number().nullish() })).nullish() }),
]);
const budgetSchema = z.object({
  name: z.string(),
  displayName: z.string().nullish(),
  budgetFilter: z.object({
    calendarPeriod: z.union([z.string(), z.number()]).nullish(),
    customPeriod: z.unknown().nullish(),
    labels: z.record(z.string(), listValue).nullish(),
    services: z.array(z.string()).nullish(),
  }).nullish(),
  amount: z.object({
    specifiedAmount: z.object({ currencyCode: z.string().nullish(), units: z.union([z.string(), z.number()]).nullish(), nanos: z.number().nullish() }).nullish(),
    lastPeriodAmount: z.unknown().nullish(),
  }).nullish(),
  thresholdRules: z.array(z.object({ thresholdPercent: z.number(), spendBasis: z.union([z.string(), z.number()]).nullish() })).nullish(),
});

function periodOf(p: string | number | null | undefined): CloudBudgetPeriod | undefined {
  return p === 'MONTH' || p === 1 ? 'monthly' : p === 'QUARTER' || p === 2 ? 'quarterly' : p === 'YEAR' || p === 3 ? 'annual' : undefined;
}

function labelValues(v: z.infer<typeof listValue>): string[] {
  if (Array.isArray(v)) return v.map(String);
  return (v.values ?? []).map((x) => x.stringValue ?? String(x.numberValue ?? '')).filter((s) => s !== '');
}

/** Google's own words: the REST transport may carry the whole error body as the message. */
function googleMessage(message: string | undefined): string {
  if (!message) return '';
  try {
    const parsed = JSON.parse(message) as { error?: { message?: string } };
    return parsed.error?.message ?? message;
  } catch {
    return message;
  }
}

/** Errors about the budget itself, before the general Google mapping (which speaks of BigQuery settings). */
function budgetError(e: unknown, billingAccountId: string): unknown {
  const err = e as { code?: number; message?: string } | null;
  const code = err?.code;
  if (code === 5 || code === 404) return bad(`Billing account ${billingAccountId} was not found, or the signed-in account cannot see it.`, 'Check the billing account id (Billing → Account management in the console) and that you have a role on it.');
  if (code === 3 || code === 400) return bad(`Google Cloud refused the budget: ${googleMessage(err?.message)}`, 'Check the currency (it must be the billing account\'s), the label and the thresholds.');
  if (code === 6 || code === 409) return bad(`A budget with that name already exists on billing account ${billingAccountId}.`, 'Choose another name.');
  return e;
}

export class GcpBudgets implements CloudBudgetService {
  readonly provider = 'gcp' as const;
  readonly label: string;
  private readonly log: Logger;

  constructor(private readonly options: GcpBudgetOptions) {
    this.label = `Google Cloud budgets (${options.billingAccountId ? `billing account ${options.billingAccountId}` : options.projectId})`;
    this.log = options.log ?? silentLogger;
  }

  private ctx(what: { api: string; permission: string; role: string }) {
    return { projectId: this.options.projectId, endpoint: this.options.endpoint, ...what };
  }

  /** The billing account: the one given, else the one that pays for the project. */
  async billingAccount(signal?: AbortSignal): Promise<string> {
    if (this.options.billingAccountId) {
      if (!BILLING_ACCOUNT.test(this.options.billingAccountId)) throw bad(`"${this.options.billingAccountId}" is not a billing account id.`, 'Give it as XXXXXX-XXXXXX-XXXXXX.');
      return this.options.billingAccountId;
    }
    if (!this.options.projectId) throw new FinOpsError('usage', 'No Google Cloud project is set, so the billing account is not known.', { fix: 'Set "mlFinops.gcp.projectId" to a project the billing account pays for.' });
    const { CloudBillingClient } = await import('@google-cloud/billing');
    const client = new CloudBillingClient(gaxClientOptions(this.options) as never);
    try {
      const [info] = await callGoogle(this.ctx(BILLING_INFO), () => client.getProjectBillingInfo({ name: `projects/${this.options.projectId}` }), { signal, log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
      const id = (info.billingAccountName ?? '').replace(/^billingAccounts\//, '');
      if (!info.billingEnabled || !BILLING_ACCOUNT.test(id)) throw new FinOpsError('usage', `Project ${this.options.projectId} has no billing account.`, { fix: 'Link the project to a billing account, or set another project in "mlFinops.gcp.projectId".' });
      return id;
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  private async client(): Promise<BudgetServiceClient> {
    const { BudgetServiceClient } = await import('@google-cloud/billing-budgets');
    return new BudgetServiceClient(gaxClientOptions(this.options) as never);
  }

  async plan(spec: CloudBudgetSpec, signal?: AbortSignal): Promise<CloudBudgetPlan> {
    gcpBudgetRequest(spec, '000000-000000-000000', this.options.labelKeyFor);
    const account = await this.billingAccount(signal);
    const request = gcpBudgetRequest(spec, account, this.options.labelKeyFor);
    const topic = spec.notify.topic;
    const notes = [
      'Cloud Billing e-mails the billing account\'s administrators and users at each threshold.',
      ...(spec.notify.emails.length ? [`Google Cloud budgets cannot e-mail other addresses directly: ${spec.notify.emails.join(', ')} will not be e-mailed unless they are added as a Cloud Monitoring e-mail channel (give its id as the topic).`] : []),
      ...(request.budget.budgetFilter.labels ? [`The label is matched as "${Object.keys(request.budget.budgetFilter.labels)[0]}" (Google Cloud labels are lower case).`] : []),
    ];
    return {
      provider: 'gcp', where: `billing account ${account}`, api: 'Billing Budget API budgets.create', request,
      summary: [
        `Budget "${spec.name}": ${describeBudgetAmount(spec)}, credits included.`,
        `Counts: ${describeBudgetFilter(spec.filter)} on billing account ${account}.`,
        `Alerts at ${describeAlerts(spec.alerts)}${topic ? `, also to ${topic}` : ''}.`,
      ],
      notes,
    };
  }

  async create(plan: CloudBudgetPlan, signal?: AbortSignal): Promise<CloudBudget> {
    if (plan.provider !== 'gcp') throw new FinOpsError('internal', `An ${plan.provider} budget plan was given to Google Cloud.`, { fix: INTERNAL_FIX });
    const request = plan.request as GcpBudgetRequest;
    const account = request.parent.replace(/^billingAccounts\//, '');
    const client = await this.client();
    try {
      const [created] = await callGoogle(this.ctx(CREATE), async () => {
        try {
          return await client.createBudget(gaxRequest(request) as never);
        } catch (e) {
          throw budgetError(e, account);
        }
      }, { signal, log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
      const budget = this.fromApi(created, account);
      if (!budget) throw new FinOpsError('internal', 'Google Cloud answered budgets.create with a budget the product cannot read.', { fix: 'Check the budget in the Cloud console (Billing → Budgets & alerts).' });
      return budget;
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  private fromApi(raw: unknown, account: string): CloudBudget | undefined {
    const parsed = budgetSchema.safeParse(raw);
    if (!parsed.success) throw new FinOpsError('internal', `The Billing Budget API returned an unexpected budget: ${parsed.error.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX });
    const b = parsed.data;
    const period = periodOf(b.budgetFilter?.calendarPeriod);
    const money = b.amount?.specifiedAmount;
    if (!period || !money?.currencyCode) {
      this.log.info(`Google Cloud budget "${b.displayName ?? b.name}" uses a custom period or last period's amount; only fixed monthly, quarterly or yearly budgets are read.`);
      return undefined;
    }
    const tags: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(b.budgetFilter?.labels ?? {})) tags[k] = labelValues(v);
    return {
      provider: 'gcp', where: `billing account ${account}`,
      name: b.displayName || b.name.split('/').pop()!,
      amount: Number(money.units ?? 0) + (money.nanos ?? 0) / 1e9,
      currency: money.currencyCode,
      period,
      filter: { tags, services: b.budgetFilter?.services ?? [] },
      alerts: (b.thresholdRules ?? []).map((r) => ({ at: Math.round(r.thresholdPercent * 100 * 1e6) / 1e6, on: r.spendBasis === 'FORECASTED_SPEND' || r.spendBasis === 2 ? 'forecast' as const : 'actual' as const })),
      notify: { emails: [] },
    };
  }

  async list(signal?: AbortSignal): Promise<CloudBudget[]> {
    const account = await this.billingAccount(signal);
    const client = await this.client();
    try {
      const items = await listAll(this.ctx(LIST), { parent: `billingAccounts/${account}`, pageSize: this.options.pageSize ?? 100 }, async (request) => {
        try {
          return (await client.listBudgets(request, { autoPaginate: false })) as never;
        } catch (e) {
          throw budgetError(e, account);
        }
      }, { signal, log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
      return items.map((b) => this.fromApi(b, account)).filter((b): b is CloudBudget => b !== undefined);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
