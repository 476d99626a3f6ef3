import type { BudgetsClient, CreateBudgetCommandInput, NotificationWithSubscribers } from '@aws-sdk/client-budgets';
import { z } from 'zod';
import {
  describeAlerts, describeBudgetAmount, describeBudgetFilter, validateCloudBudgetSpec,
  type CloudBudget, type CloudBudgetAlert, type CloudBudgetPeriod, type CloudBudgetPlan, type CloudBudgetService, type CloudBudgetSpec,
} from '../../core/cloudBudgets';
import { FinOpsError, INTERNAL_FIX } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/ports';
import { allPages, type RetryOptions } from '../../core/retry';
import { awsClientConfig, describeProfile, type AwsOptions } from './config';
import { callAws } from './errors';

/**
 * AWS Budgets as a CloudBudgetService: CreateBudget with its notifications and their e-mail / SNS subscribers in
 * one request, DescribeBudgets (paged) and DescribeNotificationsForBudget to read them back. The account id comes
 * from STS GetCallerIdentity (no permission needed). AWS Budgets is a global service whose endpoint is in us-east-1.
 */

const PERIODS: Record<CloudBudgetPeriod, 'MONTHLY' | 'QUARTERLY' | 'ANNUALLY'> = { monthly: 'MONTHLY', quarterly: 'QUARTERLY', annual: 'ANNUALLY' };
const SNS_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
/** AWS Budgets' limits (CreateBudget API reference). */
const MAX_NOTIFICATIONS = 5;
const MAX_EMAILS = 10;

interface AwsBudgetOptions extends AwsOptions {
  log?: Logger;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>;
  /** Budgets per DescribeBudgets page (AWS allows 1–1000; default 100). */
  pageSize?: number;
}

function bad(message: string, fix: string): FinOpsError {
  return new FinOpsError('input', message, { fix });
}

/** The CreateBudget request for a spec in an account (pure: what the confirmation shows is what is sent). */
export function awsBudgetRequest(spec: CloudBudgetSpec, accountId: string): CreateBudgetCommandInput {
  validateCloudBudgetSpec(spec);
  if (spec.name.length > 100 || /[:\\]/.test(spec.name)) throw bad(`"${spec.name}" cannot be an AWS budget name.`, 'Use at most 100 characters, without ":" or "\\".');
  if (spec.alerts.length > MAX_NOTIFICATIONS) throw bad(`AWS Budgets allows ${MAX_NOTIFICATIONS} alerts per budget; "${spec.name}" has ${spec.alerts.length}.`, `Keep at most ${MAX_NOTIFICATIONS} thresholds.`);
  if (spec.notify.emails.length > MAX_EMAILS) throw bad(`AWS Budgets e-mails at most ${MAX_EMAILS} addresses per alert; ${spec.notify.emails.length} are given.`, 'Send to a mailing list, or to an SNS topic.');
  if (spec.notify.topic !== undefined && !SNS_ARN.test(spec.notify.topic)) throw bad(`"${spec.notify.topic}" is not an SNS topic ARN.`, 'Give a topic ARN such as arn:aws:sns:us-east-1:123456789012:budget-alerts, or leave it out.');
  if (!spec.notify.emails.length && spec.notify.topic === undefined) throw bad(`Budget "${spec.name}" notifies nobody.`, 'Give at least one e-mail address or an SNS topic.');
  const subscribers = [
    ...spec.notify.emails.map((Address) => ({ SubscriptionType: 'EMAIL' as const, Address })),
    ...(spec.notify.topic !== undefined ? [{ SubscriptionType: 'SNS' as const, Address: spec.notify.topic }] : []),
  ];
  const costFilters: Record<string, string[]> = {};
  const tagValues = Object.entries(spec.filter.tags).flatMap(([key, values]) => values.map((v) => `user:${key}$${v}`));
  if (tagValues.length) costFilters.TagKeyValue = tagValues;
  if (spec.filter.services.length) costFilters.Service = [...spec.filter.services];
  const notifications: NotificationWithSubscribers[] = spec.alerts.map((a) => ({
    Notification: { NotificationType: a.on === 'forecast' ? 'FORECASTED' : 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: a.at, ThresholdType: 'PERCENTAGE' },
    Subscribers: subscribers,
  }));
  return {
    AccountId: accountId,
    Budget: {
      BudgetName: spec.name,
      BudgetType: 'COST',
      TimeUnit: PERIODS[spec.period],
      BudgetLimit: { Amount: String(spec.amount), Unit: spec.currency },
      ...(Object.keys(costFilters).length ? { CostFilters: costFilters } : {}),
    },
    NotificationsWithSubscribers: notifications,
  };
}

const spend = z.object({ Amount: z.string(), Unit: z.string() });
const budgetSchema = z.object({
  BudgetName: z.string(),
  BudgetType: z.string(),
  TimeUnit: z.string(),
  BudgetLimit: spend.nullish(),
  CostFilters: z.record(z.string(), z.array(z.string())).nullish(),
  CalculatedSpend: z.object({ ActualSpend: spend.nullish(), ForecastedSpend: spend.nullish() }).nullish(),
});
const describeSchema = z.object({ Budgets: z.array(budgetSchema).nullish(), NextToken: z.string().nullish() });
const notificationsSchema = z.object({
  Notifications: z.array(z.object({ NotificationType: z.string(), Threshold: z.number(), ThresholdType: z.string().nullish(), ComparisonOperator: z.string().nullish() })).nullish(),
});

function unexpected(api: string, e: z.ZodError): FinOpsError {
  return new FinOpsError('internal', `${api} returned an unexpected answer: ${e.issues[0]?.message ?? ''}`, { fix: INTERNAL_FIX });
}

function periodOf(timeUnit: string): CloudBudgetPeriod | undefined {
  return timeUnit === 'MONTHLY' ? 'monthly' : timeUnit === 'QUARTERLY' ? 'quarterly' : timeUnit === 'ANNUALLY' ? 'annual' : undefined;
}

/** Tag filters back from CostFilters.TagKeyValue ("user:Team$research"). */
function tagsOf(values: readonly string[] | undefined): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const v of values ?? []) {
    const m = /^(?:user:)?([^$]+)\$(.*)$/.exec(v);
    if (!m || m[2] === '') continue;
    (tags[m[1]!] ??= []).push(m[2]!);
  }
  return tags;
}

export class AwsBudgets implements CloudBudgetService {
  readonly provider = 'aws' as const;
  readonly label: string;
  private client?: Promise<BudgetsClient>;
  private account?: Promise<string>;
  private readonly log: Logger;

  constructor(private readonly options: AwsBudgetOptions) {
    this.label = `AWS Budgets (${describeProfile(options)})`;
    this.log = options.log ?? silentLogger;
  }

  private budgets(): Promise<BudgetsClient> {
    this.client ??= (async () => {
      const { BudgetsClient } = await import('@aws-sdk/client-budgets');
      // AWS Budgets has one endpoint, in us-east-1.
      return new BudgetsClient(await awsClientConfig(this.options, 'us-east-1'));
    })();
    return this.client;
  }

  /** The account the credentials belong to (STS GetCallerIdentity, which every principal may call). */
  accountId(signal?: AbortSignal): Promise<string> {
    if (this.account) return this.account;
    const work = (async () => {
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const sts = new STSClient(await awsClientConfig(this.options));
      try {
        const ctx = { options: this.options, api: 'STS GetCallerIdentity', action: 'sts:GetCallerIdentity' };
        const who = await callAws(ctx, () => sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal }), { signal, log: this.log, retry: this.options.retry });
        if (!who.Account || !/^\d{12}$/.test(who.Account)) throw new FinOpsError('internal', 'STS GetCallerIdentity returned no account id.', { fix: INTERNAL_FIX });
        return who.Account;
      } finally {
        sts.destroy();
      }
    })();
    this.account = work;
    // a failed look-up is asked again next time (the user may sign in in between)
    work.catch(() => { if (this.account === work) this.account = undefined; });
    return this.account;
  }

  async plan(spec: CloudBudgetSpec, signal?: AbortSignal): Promise<CloudBudgetPlan> {
    // the spec is checked before anything is asked of AWS
    awsBudgetRequest(spec, '000000000000');
    const accountId = await this.accountId(signal);
    const request = awsBudgetRequest(spec, accountId);
    const to = [...spec.notify.emails, ...(spec.notify.topic !== undefined ? [`SNS ${spec.notify.topic}`] : [])].join(', ');
    const notes = [
      ...(Object.keys(spec.filter.tags).length ? [`Tag filters count only cost allocation tags that are activated in the Billing console (${Object.keys(spec.filter.tags).map((k) => `user:${k}`).join(', ')}).`] : []),
      'AWS Budgets itself is free for the first two action-enabled budgets; budgets without actions cost nothing.',
    ];
    return {
      provider: 'aws', where: `AWS account ${accountId}`, api: 'AWS Budgets CreateBudget', request,
      summary: [
        `Budget "${spec.name}": ${describeBudgetAmount(spec)} (cost budget, unblended, credits and refunds included as AWS defaults).`,
        `Counts: ${describeBudgetFilter(spec.filter)}.`,
        `Alerts at ${describeAlerts(spec.alerts)}, to ${to}.`,
      ],
      notes,
    };
  }

  async create(plan: CloudBudgetPlan, signal?: AbortSignal): Promise<CloudBudget> {
    if (plan.provider !== 'aws') throw new FinOpsError('internal', `An ${plan.provider} budget plan was given to AWS Budgets.`, { fix: INTERNAL_FIX });
    const request = plan.request as CreateBudgetCommandInput;
    const { CreateBudgetCommand } = await import('@aws-sdk/client-budgets');
    const client = await this.budgets();
    const ctx = { options: this.options, api: 'AWS Budgets CreateBudget', action: 'budgets:ModifyBudget' };
    await callAws(ctx, async () => {
      try {
        return await client.send(new CreateBudgetCommand(request), { abortSignal: signal });
      } catch (e) {
        throw this.budgetError(e, request.Budget?.BudgetName ?? '', request.AccountId ?? '');
      }
    }, { signal, log: this.log, retry: this.options.retry });
    const created = (await this.list(signal)).find((b) => b.name === request.Budget?.BudgetName);
    if (!created) throw new FinOpsError('internal', `AWS Budgets accepted "${request.Budget?.BudgetName}" but does not list it.`, { fix: 'Check the budget in the AWS Billing console.' });
    return created;
  }

  /** Budget errors that are about the request, before the general mapping. */
  private budgetError(e: unknown, name: string, accountId: string): unknown {
    const errName = (e as { name?: string } | null)?.name;
    if (errName === 'DuplicateRecordException') return bad(`A budget named "${name}" already exists in AWS account ${accountId}.`, 'Choose another name, or bring it into .finops.yaml with "Import Cloud Budgets".');
    if (errName === 'CreationLimitExceededException') return bad(`AWS account ${accountId} has reached its limit of budgets.`, 'Delete budgets that are no longer used in the AWS Billing console.');
    if (errName === 'InvalidParameterException') return bad(`AWS Budgets refused budget "${name}": ${(e as Error).message}`, 'Check the amount, currency (AWS budgets are in USD) and filters.');
    return e;
  }

  async list(signal?: AbortSignal): Promise<CloudBudget[]> {
    const accountId = await this.accountId(signal);
    const { DescribeBudgetsCommand, DescribeNotificationsForBudgetCommand } = await import('@aws-sdk/client-budgets');
    const client = await this.budgets();
    const view = { options: this.options, api: 'AWS Budgets DescribeBudgets', action: 'budgets:ViewBudget' };
    const pages = await allPages(async (token: string | undefined) => {
      const raw = await callAws(view, () => client.send(new DescribeBudgetsCommand({ AccountId: accountId, MaxResults: this.options.pageSize ?? 100, ...(token ? { NextToken: token } : {}) }), { abortSignal: signal }), { signal, log: this.log, retry: this.options.retry });
      const page = describeSchema.safeParse(raw);
      if (!page.success) throw unexpected(view.api, page.error);
      return { page: page.data.Budgets ?? [], next: page.data.NextToken || undefined };
    }, { maxPages: 100, tooMany: () => new FinOpsError('internal', 'AWS Budgets returned more than 100 pages of budgets.', { fix: INTERNAL_FIX }) });
    const out: CloudBudget[] = [];
    for (const b of pages.flat()) {
      const period = periodOf(b.TimeUnit);
      if (b.BudgetType !== 'COST' || !period || !b.BudgetLimit) {
        this.log.info(`AWS budget "${b.BudgetName}" is a ${b.BudgetType} ${b.TimeUnit} budget; only cost budgets by month, quarter or year are read.`);
        continue;
      }
      const notes = { ...view, api: 'AWS Budgets DescribeNotificationsForBudget' };
      const raw = await callAws(notes, async () => {
        try {
          return await client.send(new DescribeNotificationsForBudgetCommand({ AccountId: accountId, BudgetName: b.BudgetName, MaxResults: 100 }), { abortSignal: signal });
        } catch (e) {
          // the budget was deleted between the two calls
          if ((e as { name?: string } | null)?.name === 'NotFoundException') return null;
          throw e;
        }
      }, { signal, log: this.log, retry: this.options.retry });
      if (raw === null) continue;
      const parsed = notificationsSchema.safeParse(raw);
      if (!parsed.success) throw unexpected(notes.api, parsed.error);
      const alerts: CloudBudgetAlert[] = (parsed.data.Notifications ?? [])
        .filter((n) => (n.ThresholdType ?? 'PERCENTAGE') === 'PERCENTAGE' && (n.ComparisonOperator ?? 'GREATER_THAN') === 'GREATER_THAN')
        .map((n) => ({ at: n.Threshold, on: n.NotificationType === 'FORECASTED' ? 'forecast' as const : 'actual' as const }));
      const amount = Number(b.BudgetLimit.Amount);
      const actual = Number(b.CalculatedSpend?.ActualSpend?.Amount);
      const forecast = Number(b.CalculatedSpend?.ForecastedSpend?.Amount);
      out.push({
        provider: 'aws', where: `AWS account ${accountId}`, name: b.BudgetName,
        amount, currency: b.BudgetLimit.Unit, period,
        filter: { tags: tagsOf(b.CostFilters?.TagKeyValue), services: b.CostFilters?.Service ?? [] },
        alerts, notify: { emails: [] },
        ...(Number.isFinite(actual) ? { actual } : {}),
        ...(Number.isFinite(forecast) ? { forecast } : {}),
      });
    }
    return out;
  }
}
