import type { Budget, BudgetFilter, BudgetFilterProperties, ConsumptionManagementClient } from '@azure/arm-consumption';
import { z } from 'zod';
import {
  describeAlerts, describeBudgetAmount, describeBudgetFilter, periodStart, validateCloudBudgetSpec,
  type CloudBudget, type CloudBudgetPeriod, type CloudBudgetPlan, type CloudBudgetService, type CloudBudgetSpec,
} from '../../core/cloudBudgets';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import type { RetryOptions } from '../../core/retry';
import { armEndpoint, azureCredential, parseScope, type AzureOptions } from './config';
import { callAzure } from './errors';

/**
 * Azure Consumption budgets (Microsoft.Consumption/budgets, @azure/arm-consumption) as a CloudBudgetService on the
 * configured scope: budgets.get (to refuse overwriting one of the same name), budgets.createOrUpdate (PUT) and
 * budgets.list. An Azure budget counts in the billing currency and has no currency of its own.
 *
 * The plan holds the documented PUT body: {properties: {category: "Cost", amount, timeGrain, timePeriod:
 * {startDate}, filter, notifications: {"Actual_GreaterThan_80_Percent": {enabled, operator, threshold,
 * thresholdType, contactEmails, contactGroups}}}}.
 */

const GRAINS: Record<CloudBudgetPeriod, 'Monthly' | 'Quarterly' | 'Annually'> = { monthly: 'Monthly', quarterly: 'Quarterly', annual: 'Annually' };
const NAME = /^[A-Za-z0-9_-]{1,63}$/;
const ACTION_GROUP = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[\w.()-]+\/providers\/microsoft\.insights\/actionGroups\/[\w.-]+$/i;
const MAX_NOTIFICATIONS = 5;
/** The dimension a FOCUS service name is matched by in a budget filter. */
const SERVICE_DIMENSION = 'MeterCategory';

const WRITE = { api: 'Consumption Budgets CreateOrUpdate', action: 'Microsoft.Consumption/budgets/write', role: 'Cost Management Contributor' };
const READ = { api: 'Consumption Budgets List', action: 'Microsoft.Consumption/budgets/read', role: 'Cost Management Reader' };

interface AzureBudgetRequest {
  scope: string;
  budgetName: string;
  body: {
    properties: {
      category: 'Cost';
      amount: number;
      timeGrain: 'Monthly' | 'Quarterly' | 'Annually';
      timePeriod: { startDate: string };
      filter?: BudgetFilter;
      notifications: Record<string, {
        enabled: true; operator: 'GreaterThan'; threshold: number; thresholdType: 'Actual' | 'Forecasted';
        contactEmails: string[]; contactGroups?: string[];
      }>;
    };
  };
}

interface AzureBudgetOptions extends AzureOptions {
  /** The billing currency when known (from the bill): a budget in another currency is refused. */
  billingCurrency?: string;
  /** Today, UTC (YYYY-MM-DD): the start of the current period is the budget's start date. */
  today?: () => string;
  log?: Logger;
  retry?: Omit<RetryOptions, 'signal' | 'log' | 'what'>;
}

function bad(message: string, fix: string): FinOpsError {
  return new FinOpsError('input', message, { fix });
}

/** The PUT of budgets.createOrUpdate for a spec on a scope (pure). */
export function azureBudgetRequest(spec: CloudBudgetSpec, scope: string, today: string): AzureBudgetRequest {
  validateCloudBudgetSpec(spec);
  const parsed = parseScope(scope);
  if (!NAME.test(spec.name)) throw bad(`"${spec.name}" cannot be an Azure budget name.`, 'Use up to 63 letters, digits, "-" and "_".');
  if (spec.alerts.length > MAX_NOTIFICATIONS) throw bad(`Azure budgets have at most ${MAX_NOTIFICATIONS} notifications; "${spec.name}" has ${spec.alerts.length}.`, `Keep at most ${MAX_NOTIFICATIONS} thresholds.`);
  const topic = spec.notify.topic;
  if (topic !== undefined && !ACTION_GROUP.test(topic)) throw bad(`"${topic}" is not an Azure Monitor action group id.`, 'Give /subscriptions/<id>/resourceGroups/<group>/providers/microsoft.insights/actionGroups/<name>, or leave it out.');
  if (topic !== undefined && parsed.kind !== 'subscription') throw bad('Azure sends budget alerts to action groups only at subscription and resource group scopes.', 'Notify e-mail addresses instead, or use a subscription scope.');
  if (!spec.notify.emails.length && topic === undefined) throw bad(`Budget "${spec.name}" notifies nobody.`, 'Give at least one e-mail address or an action group.');
  const expressions: BudgetFilterProperties[] = [
    ...Object.entries(spec.filter.tags).map(([name, values]) => ({ tags: { name, operator: 'In', values: [...values] } })),
    ...(spec.filter.services.length ? [{ dimensions: { name: SERVICE_DIMENSION, operator: 'In', values: [...spec.filter.services] } }] : []),
  ];
  const filter: BudgetFilter | undefined = expressions.length === 0 ? undefined : expressions.length === 1 ? expressions[0] : { and: expressions };
  const notifications: AzureBudgetRequest['body']['properties']['notifications'] = {};
  for (const a of spec.alerts) {
    const kind = a.on === 'forecast' ? 'Forecasted' : 'Actual';
    notifications[`${kind}_GreaterThan_${String(a.at).replace('.', '_')}_Percent`] = {
      enabled: true, operator: 'GreaterThan', threshold: a.at, thresholdType: kind,
      contactEmails: [...spec.notify.emails],
      ...(topic !== undefined ? { contactGroups: [topic] } : {}),
    };
  }
  return {
    scope: scope.replace(/^\/+|\/+$/g, ''),
    budgetName: spec.name,
    body: {
      properties: {
        category: 'Cost', amount: spec.amount, timeGrain: GRAINS[spec.period],
        timePeriod: { startDate: `${periodStart(spec.period, today)}T00:00:00Z` },
        ...(filter ? { filter } : {}),
        notifications,
      },
    },
  };
}

const comparison = z.object({ name: z.string(), operator: z.string(), values: z.array(z.string()) });
const filterProps = z.object({ tags: comparison.nullish(), dimensions: comparison.nullish() });
const budgetSchema = z.object({
  name: z.string(),
  category: z.string().nullish(),
  amount: z.number(),
  timeGrain: z.string(),
  filter: filterProps.extend({ and: z.array(filterProps).nullish() }).nullish(),
  notifications: z.record(z.string(), z.object({ enabled: z.boolean().nullish(), threshold: z.number(), thresholdType: z.string().nullish(), operator: z.string().nullish(), contactEmails: z.array(z.string()).nullish(), contactGroups: z.array(z.string()).nullish() })).nullish(),
  currentSpend: z.object({ amount: z.number().nullish(), unit: z.string().nullish() }).nullish(),
  forecastSpend: z.object({ amount: z.number().nullish(), unit: z.string().nullish() }).nullish(),
});

function periodOf(grain: string): CloudBudgetPeriod | undefined {
  return grain === 'Monthly' ? 'monthly' : grain === 'Quarterly' ? 'quarterly' : grain === 'Annually' ? 'annual' : undefined;
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export class AzureBudgets implements CloudBudgetService {
  readonly provider = 'azure' as const;
  readonly label: string;
  private readonly log: Logger;
  private client?: Promise<ConsumptionManagementClient>;

  constructor(private readonly options: AzureBudgetOptions) {
    parseScope(options.scope);
    this.label = `Azure budgets (${options.scope})`;
    this.log = options.log ?? silentLogger;
  }

  private consumption(): Promise<ConsumptionManagementClient> {
    this.client ??= (async () => {
      const { ConsumptionManagementClient } = await import('@azure/arm-consumption');
      const parsed = parseScope(this.options.scope);
      return new ConsumptionManagementClient(await azureCredential(this.options), parsed.kind === 'subscription' ? parsed.subscriptionId : '', {
        endpoint: armEndpoint(this.options),
        retryOptions: { maxRetries: 0 },
        ...(this.options.agent ? { agent: this.options.agent } : {}),
      });
    })();
    return this.client;
  }

  private call<T>(what: { api: string; action: string; role: string }, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return callAzure({ options: this.options, ...what }, send, { signal, log: this.log, ...(this.options.retry ? { retry: this.options.retry } : {}) });
  }

  async plan(spec: CloudBudgetSpec): Promise<CloudBudgetPlan> {
    const request = azureBudgetRequest(spec, this.options.scope, (this.options.today ?? todayUtc)());
    const billing = this.options.billingCurrency;
    if (billing && billing !== spec.currency) throw bad(`Azure budgets count in the billing currency (${billing}); budget "${spec.name}" is in ${spec.currency}.`, `Give the amount in ${billing}.`);
    const to = [...spec.notify.emails, ...(spec.notify.topic !== undefined ? [`action group ${spec.notify.topic.split('/').pop()}`] : [])].join(', ');
    return {
      provider: 'azure', where: this.options.scope, api: 'Microsoft.Consumption budgets (PUT)', request,
      summary: [
        `Budget "${spec.name}": ${describeBudgetAmount(spec)}, from ${request.body.properties.timePeriod.startDate.slice(0, 10)}.`,
        `Counts: ${describeBudgetFilter(spec.filter)} on ${this.options.scope}.`,
        `Alerts at ${describeAlerts(spec.alerts)}, to ${to}.`,
      ],
      notes: [
        billing ? `The amount is in ${billing}, the billing currency.` : `Azure budgets have no currency of their own: the amount counts in the billing currency, which must be ${spec.currency}.`,
        ...(spec.filter.services.length ? [`Services are matched as Azure meter categories (${spec.filter.services.join(', ')}).`] : []),
      ],
    };
  }

  async create(plan: CloudBudgetPlan, signal?: AbortSignal): Promise<CloudBudget> {
    if (plan.provider !== 'azure') throw new FinOpsError('internal', `An ${plan.provider} budget plan was given to Azure.`, { fix: INTERNAL_FIX });
    const request = plan.request as AzureBudgetRequest;
    const client = await this.consumption();
    const exists = await this.call({ ...READ, api: 'Consumption Budgets Get' }, async () => {
      try {
        await client.budgets.get(request.scope, request.budgetName, { abortSignal: signal });
        return true;
      } catch (e) {
        if ((e as { statusCode?: number } | null)?.statusCode === 404) return false;
        throw e;
      }
    }, signal);
    if (exists) throw bad(`A budget named "${request.budgetName}" already exists on ${this.options.scope}.`, 'Choose another name, or bring it into .finops.yaml with "Import Cloud Budgets".');
    const p = request.body.properties;
    const budget: Budget = { ...p, timePeriod: { startDate: new Date(p.timePeriod.startDate) } };
    const created = await this.call(WRITE, () => client.budgets.createOrUpdate(request.scope, request.budgetName, budget, { abortSignal: signal }), signal);
    const read = this.fromApi(created);
    if (!read) throw new FinOpsError('internal', 'Azure answered with a budget the product cannot read.', { fix: 'Check the budget in the Azure portal (Cost Management → Budgets).' });
    return read;
  }

  private fromApi(raw: unknown): CloudBudget | undefined {
    const parsed = budgetSchema.safeParse(raw);
    if (!parsed.success) throw new FinOpsError('internal', `Azure returned an unexpected budget: ${parsed.error.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX });
    const b = parsed.data;
    const period = periodOf(b.timeGrain);
    if (!period || (b.category && b.category !== 'Cost')) {
      this.log.info(`Azure budget "${b.name}" is a ${b.category ?? ''} budget by ${b.timeGrain}; only cost budgets by month, quarter or year are read.`);
      return undefined;
    }
    const tags: Record<string, string[]> = {};
    const services: string[] = [];
    for (const f of [b.filter, ...(b.filter?.and ?? [])]) {
      if (f?.tags) tags[f.tags.name] = f.tags.values;
      if (f?.dimensions?.name === SERVICE_DIMENSION) services.push(...f.dimensions.values);
    }
    const notifications = Object.values(b.notifications ?? {});
    const currency = b.currentSpend?.unit ?? b.forecastSpend?.unit ?? this.options.billingCurrency ?? '';
    return {
      provider: 'azure', where: this.options.scope, name: b.name, amount: b.amount, currency, period,
      filter: { tags, services },
      alerts: notifications.filter((n) => n.enabled !== false).map((n) => ({ at: n.threshold, on: n.thresholdType === 'Forecasted' ? 'forecast' as const : 'actual' as const })),
      notify: { emails: [...new Set(notifications.flatMap((n) => n.contactEmails ?? []))], ...(notifications.find((n) => n.contactGroups?.length)?.contactGroups?.[0] ? { topic: notifications.find((n) => n.contactGroups?.length)!.contactGroups![0]! } : {}) },
      ...(typeof b.currentSpend?.amount === 'number' ? { actual: b.currentSpend.amount } : {}),
      ...(typeof b.forecastSpend?.amount === 'number' ? { forecast: b.forecastSpend.amount } : {}),
    };
  }

  async list(signal?: AbortSignal): Promise<CloudBudget[]> {
    const client = await this.consumption();
    const scope = this.options.scope.replace(/^\/+|\/+$/g, '');
    const all = await this.call(READ, async () => {
      const out: Budget[] = [];
      for await (const b of client.budgets.list(scope, { abortSignal: signal })) out.push(b);
      return out;
    }, signal);
    return all.map((b) => this.fromApi(b)).filter((b): b is CloudBudget => b !== undefined);
  }
}
