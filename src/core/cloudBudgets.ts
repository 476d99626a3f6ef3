import type { Budget } from './budgets/schema';
import { FinOpsError } from './errors';

/**
 * Budgets that live in a cloud's own budget service (AWS Budgets, Google Cloud Billing budgets, Azure Consumption
 * budgets): what the product creates there and reads back. A cloud budget e-mails people even when nobody has the
 * editor open, which the team's `.finops.yaml` budgets cannot; the two are kept apart, and "Import cloud budgets"
 * turns the first into the second.
 */

export type CloudBudgetProvider = 'aws' | 'gcp' | 'azure';
export type CloudBudgetPeriod = 'monthly' | 'quarterly' | 'annual';

/** A threshold: a notification when the actual (or forecast) spend passes `at` percent of the amount. */
export interface CloudBudgetAlert {
  at: number;
  on: 'actual' | 'forecast';
}

export interface CloudBudgetSpec {
  /** The budget's name in the cloud. */
  name: string;
  /** The amount per period, in `currency`. */
  amount: number;
  currency: string;
  period: CloudBudgetPeriod;
  /** What the budget counts: tag (label) values by key, and services; both empty = all the account's spend. */
  filter: { tags: Record<string, string[]>; services: string[] };
  alerts: CloudBudgetAlert[];
  /** Who is told: e-mail addresses, and a topic (an SNS topic ARN, a Pub/Sub topic, an Azure action group id). */
  notify: { emails: string[]; topic?: string };
}

/** A budget as read back from a cloud. */
export interface CloudBudget extends CloudBudgetSpec {
  provider: CloudBudgetProvider;
  /** Where it lives: the AWS account, the billing account, the Azure scope. */
  where: string;
  /** Spend counted so far in the current period, and the cloud's forecast for it, when the cloud reports them. */
  actual?: number;
  forecast?: number;
}

/**
 * What "Create cloud budget" will send, for the confirmation: the request itself (exactly what goes on the wire),
 * a few lines that say it in words, and what the cloud does differently from the spec (notes).
 */
export interface CloudBudgetPlan {
  provider: CloudBudgetProvider;
  /** "AWS account 123456789012", "billing account 012345-6789AB-CDEF01", "/subscriptions/…". */
  where: string;
  /** The API call ("AWS Budgets CreateBudget"). */
  api: string;
  request: unknown;
  summary: string[];
  notes: string[];
}

/** A cloud's budget service, as the extension and the CLI use it. */
export interface CloudBudgetService {
  readonly provider: CloudBudgetProvider;
  readonly label: string;
  /** What create() will send; resolves the account / billing account first. Sends nothing that changes anything. */
  plan(spec: CloudBudgetSpec, signal?: AbortSignal): Promise<CloudBudgetPlan>;
  /** Creates exactly the planned budget; fails with an `input` FinOpsError when one of that name exists. */
  create(plan: CloudBudgetPlan, signal?: AbortSignal): Promise<CloudBudget>;
  list(signal?: AbortSignal): Promise<CloudBudget[]>;
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

/** Checks what every cloud asks of a budget; each provider checks its own limits on top. */
export function validateCloudBudgetSpec(spec: CloudBudgetSpec): void {
  const bad = (message: string, fix: string) => new FinOpsError('input', message, { fix });
  if (!spec.name.trim()) throw bad('The budget has no name.', 'Give the budget a name.');
  if (!Number.isFinite(spec.amount) || spec.amount <= 0) throw bad(`The amount of budget "${spec.name}" must be a positive number (it is ${spec.amount}).`, 'Set an amount above zero.');
  if (!/^[A-Z]{3}$/.test(spec.currency)) throw bad(`"${spec.currency}" is not a currency code.`, 'Use a three-letter ISO 4217 code such as USD or EUR.');
  if (!spec.alerts.length) throw bad(`Budget "${spec.name}" has no alert threshold, so the cloud would never tell anyone.`, 'Add at least one alert, such as 80 % of the actual spend.');
  for (const a of spec.alerts) {
    if (!Number.isFinite(a.at) || a.at <= 0 || a.at > 1000) throw bad(`The alert threshold ${a.at} % of budget "${spec.name}" is out of range.`, 'Use a percentage above 0 and at most 1000.');
  }
  const seen = new Set<string>();
  for (const a of spec.alerts) {
    const key = `${a.on}:${a.at}`;
    if (seen.has(key)) throw bad(`Budget "${spec.name}" has the alert at ${a.at} % of the ${a.on} spend twice.`, 'Remove the duplicate alert.');
    seen.add(key);
  }
  for (const e of spec.notify.emails) {
    if (!EMAIL.test(e)) throw bad(`"${e}" is not an e-mail address.`, 'Give addresses such as ml-leads@example.com.');
  }
  for (const [key, values] of Object.entries(spec.filter.tags)) {
    if (!key.trim() || !values.length || values.some((v) => !v.trim())) throw bad(`The tag filter "${key}" of budget "${spec.name}" needs a key and at least one value.`, 'Name the tag and its values, such as Team: research.');
  }
}

/** "USD 12,000.00 monthly", for confirmations and lists. */
export function describeBudgetAmount(b: Pick<CloudBudgetSpec, 'amount' | 'currency' | 'period'>): string {
  return `${b.currency} ${b.amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${b.period}`;
}

/** "80 % of actual, 100 % of forecast". */
export function describeAlerts(alerts: readonly CloudBudgetAlert[]): string {
  return alerts.map((a) => `${a.at} % of ${a.on === 'actual' ? 'actual' : 'forecast'} spend`).join(', ');
}

/** "Team = research, Service = Amazon SageMaker" or "all spend". */
export function describeBudgetFilter(filter: CloudBudgetSpec['filter']): string {
  const parts = [
    ...Object.entries(filter.tags).map(([k, vs]) => `${k} = ${vs.join(' or ')}`),
    ...(filter.services.length ? [`service ${filter.services.join(' or ')}`] : []),
  ];
  return parts.length ? parts.join(', ') : 'all spend';
}

/** The first day (UTC, YYYY-MM-DD) of the budget period that holds `today`. */
export function periodStart(period: CloudBudgetPeriod, today: string): string {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const month = period === 'monthly' ? m : period === 'quarterly' ? Math.floor((m - 1) / 3) * 3 + 1 : 1;
  return `${y}-${String(month).padStart(2, '0')}-01`;
}

/** The cloud budget a `.finops.yaml` budget becomes: its amount, period, tag and service scope, alerts and recipients. */
export function cloudSpecFromBudget(b: Budget): CloudBudgetSpec {
  return {
    name: b.name,
    amount: b.amount,
    currency: b.currency,
    period: b.period,
    filter: { tags: Object.fromEntries(Object.entries(b.scope?.tag ?? {}).map(([k, v]) => [k, [...v]])), services: [...(b.scope?.service ?? [])] },
    alerts: (b.alerts ?? []).map((a) => ({ at: a.at, on: a.on })),
    notify: { emails: [...(b.notify?.emails ?? [])], ...(b.notify?.topic ? { topic: b.notify.topic } : {}) },
  };
}

/** A cloud budget as a `.finops.yaml` budget entry (plain values, ready to be written as YAML). */
export function budgetEntryFromCloud(c: CloudBudget): Record<string, unknown> {
  const tag = Object.fromEntries(Object.entries(c.filter.tags).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  const scope: Record<string, unknown> = {
    ...(Object.keys(tag).length ? { tag } : {}),
    provider: c.provider,
    ...(c.filter.services.length ? { service: c.filter.services.length === 1 ? c.filter.services[0] : c.filter.services } : {}),
  };
  return {
    name: c.name,
    scope,
    amount: c.amount,
    currency: c.currency,
    period: c.period,
    ...(c.alerts.length ? { alerts: c.alerts.map((a) => ({ at: a.at, on: a.on })) } : {}),
    ...(c.notify.emails.length || c.notify.topic ? { notify: { ...(c.notify.emails.length ? { emails: c.notify.emails } : {}), ...(c.notify.topic ? { topic: c.notify.topic } : {}) } } : {}),
  };
}
