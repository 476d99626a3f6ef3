import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';

/**
 * The Billing Budget API v1 and the one Cloud Billing call around it, on 127.0.0.1 (no emulator exists), checking
 * the documented REST shapes the way Google's front end does (proto3 JSON: enums by name or number, kept by name):
 *  - POST /v1/billingAccounts/{id}/budgets with a Budget as the body (the http rule's `body: "budget"`): unknown
 *    fields are refused ("Invalid JSON payload received. Unknown name …"), int64 units must be a JSON string,
 *    enums by name, labels a map of JSON arrays with at most one entry of one value, thresholdPercent a number,
 *    notificationsRule.pubsubTopic projects/…/topics/… with schemaVersion "1.0", and the currency the billing
 *    account's own (else INVALID_ARGUMENT, as Cloud Billing answers).
 *  - GET /v1/billingAccounts/{id}/budgets with pageSize / pageToken.
 *  - GET /v1/projects/{p}/billingInfo.
 * Every request is recorded; `fail()` answers the next one with an error; requests without a bearer token get 401.
 */
export interface BudgetRequest { method: string; path: string; query: Record<string, string>; authorization?: string; body: unknown }

export interface GcpBudgetsFake {
  endpoint: string;
  requests: BudgetRequest[];
  /** Billing accounts with their currency, and the budgets created on them (REST JSON, with name and etag). */
  accounts: Map<string, { currency: string; budgets: Record<string, unknown>[] }>;
  /** Projects' billing info: project id → billing account id (empty = billing disabled). */
  projects: Map<string, string>;
  pageSize: number;
  fail(status: number, body: unknown): void;
  reset(): void;
  stop(): Promise<void>;
}

type Shape = { [key: string]: Shape | 'string' | 'number' | 'boolean' | 'strings' | 'labels' | { array: Shape } | { enum: string[] } };

/** The documented fields of a Budget (budget_model.proto), as JSON names. */
const BUDGET: Shape = {
  displayName: 'string',
  etag: 'string',
  budgetFilter: {
    projects: 'strings', resourceAncestors: 'strings', creditTypes: 'strings', creditTypesTreatment: { enum: ['CREDIT_TYPES_TREATMENT_UNSPECIFIED', 'INCLUDE_ALL_CREDITS', 'EXCLUDE_ALL_CREDITS', 'INCLUDE_SPECIFIED_CREDITS'] }, services: 'strings',
    subaccounts: 'strings', labels: 'labels', calendarPeriod: { enum: ['CALENDAR_PERIOD_UNSPECIFIED', 'MONTH', 'QUARTER', 'YEAR'] },
    customPeriod: { startDate: { year: 'number', month: 'number', day: 'number' }, endDate: { year: 'number', month: 'number', day: 'number' } },
  },
  amount: { specifiedAmount: { currencyCode: 'string', units: 'string', nanos: 'number' }, lastPeriodAmount: {} },
  thresholdRules: { array: { thresholdPercent: 'number', spendBasis: { enum: ['BASIS_UNSPECIFIED', 'CURRENT_SPEND', 'FORECASTED_SPEND'] } } },
  notificationsRule: { pubsubTopic: 'string', schemaVersion: 'string', monitoringNotificationChannels: 'strings', disableDefaultIamRecipients: 'boolean', enableProjectLevelRecipients: 'boolean' },
};

/** The first way `value` departs from `shape`, as Google words it, or undefined. */
function shapeError(value: unknown, shape: Shape, at: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `Invalid value at '${at}': expected an object`;
  for (const [k, v] of Object.entries(value)) {
    const s = shape[k];
    const path = at ? `${at}.${k}` : k;
    if (s === undefined) return `Invalid JSON payload received. Unknown name "${k}" at '${at || 'budget'}': Cannot find field.`;
    if (s === 'string' && typeof v !== 'string') return `Invalid value at '${path}' (TYPE_STRING), ${JSON.stringify(v)}`;
    if (s === 'number' && typeof v !== 'number') return `Invalid value at '${path}' (TYPE_DOUBLE), ${JSON.stringify(v)}`;
    if (s === 'boolean' && typeof v !== 'boolean') return `Invalid value at '${path}' (TYPE_BOOL), ${JSON.stringify(v)}`;
    if (s === 'strings' && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) return `Invalid value at '${path}': expected a list of strings`;
    if (s === 'labels') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `Invalid value at '${path}': expected a map`;
      for (const [lk, lv] of Object.entries(v)) if (!Array.isArray(lv)) return `Invalid value at '${path}[${lk}]' (type.googleapis.com/google.protobuf.ListValue), ${JSON.stringify(lv)}`;
    }
    if (typeof s === 'object' && 'enum' in s) {
      // proto3 JSON: an enum by name, or by number (what the gax REST transport sends); stored by name
      const names = (s as { enum: string[] }).enum;
      const name = typeof v === 'number' ? names[v] : typeof v === 'string' && names.includes(v) ? v : undefined;
      if (name === undefined) return `Invalid value at '${path}' (enum), ${JSON.stringify(v)}`;
      (value as Record<string, unknown>)[k] = name;
      continue;
    }
    if (typeof s === 'object' && 'array' in s) {
      if (!Array.isArray(v)) return `Invalid value at '${path}': expected a list`;
      for (const [i, item] of v.entries()) {
        const e = shapeError(item, s.array as Shape, `${path}[${i}]`);
        if (e) return e;
      }
    } else if (typeof s === 'object') {
      const e = shapeError(v, s as Shape, path);
      if (e) return e;
    }
  }
  return undefined;
}

/** The semantic checks Cloud Billing makes on a new budget (INVALID_ARGUMENT when one fails). */
function budgetError(b: Record<string, unknown>, currency: string): string | undefined {
  const filter = (b.budgetFilter ?? {}) as Record<string, unknown>;
  const amount = (b.amount as { specifiedAmount?: { currencyCode?: string; units?: string; nanos?: number } } | undefined)?.specifiedAmount;
  if (!b.displayName || String(b.displayName).length > 60) return 'displayName must be 1-60 characters.';
  if (!amount) return 'Budget amount must be specified.';
  if (!/^-?\d+$/.test(amount.units ?? '0')) return `Invalid value at 'budget.amount.specified_amount.units' (TYPE_INT64), "${amount.units}"`;
  if (amount.currencyCode && amount.currencyCode !== currency) return `Budget currency code ${amount.currencyCode} does not match the billing account currency ${currency}.`;
  if (filter.calendarPeriod !== undefined && !['MONTH', 'QUARTER', 'YEAR'].includes(String(filter.calendarPeriod))) return `Invalid value at 'budget.budget_filter.calendar_period' (type.googleapis.com/google.cloud.billing.budgets.v1.CalendarPeriod), "${filter.calendarPeriod}"`;
  const labels = (filter.labels ?? {}) as Record<string, unknown[]>;
  if (Object.keys(labels).length > 1 || Object.values(labels).some((v) => v.length !== 1)) return 'budget_filter.labels: only one label with one value is supported.';
  for (const r of (b.thresholdRules ?? []) as { thresholdPercent: number; spendBasis?: string }[]) {
    if (!(r.thresholdPercent > 0)) return 'thresholdPercent must be positive.';
    if (r.spendBasis !== undefined && !['CURRENT_SPEND', 'FORECASTED_SPEND'].includes(r.spendBasis)) return `Invalid value at spend_basis, "${r.spendBasis}"`;
  }
  const rule = b.notificationsRule as { pubsubTopic?: string; schemaVersion?: string } | undefined;
  if (rule?.pubsubTopic !== undefined) {
    if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(rule.pubsubTopic)) return 'pubsubTopic must be projects/{project}/topics/{topic}.';
    if (rule.schemaVersion !== '1.0') return 'schemaVersion must be "1.0" when a Pub/Sub topic is set.';
  }
  return undefined;
}

export async function startGcpBudgetsFake(): Promise<GcpBudgetsFake> {
  const requests: BudgetRequest[] = [];
  const failures: { status: number; body: unknown }[] = [];
  const state = { accounts: new Map<string, { currency: string; budgets: Record<string, unknown>[] }>(), projects: new Map<string, string>(), pageSize: 100 };
  const server: Server = createServer((req, res) => {
    withBody(req, (raw) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = jsonOrText(raw);
      const recorded = jsonOrText(raw);
      requests.push({ method: req.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body: recorded });
      const send = (status: number, obj: unknown) => { res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }); res.end(JSON.stringify(obj)); };
      const error = (code: number, status: string, message: string) => send(code, { error: { code, message, status } });
      const failure = failures.shift();
      if (failure) return send(failure.status, failure.body);
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return error(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');

      const project = /^\/v1\/projects\/([^/]+)\/billingInfo$/.exec(url.pathname);
      if (req.method === 'GET' && project) {
        const id = decodeURIComponent(project[1]!);
        if (!state.projects.has(id)) return error(403, 'PERMISSION_DENIED', `The caller does not have permission on project ${id}`);
        const account = state.projects.get(id)!;
        return send(200, { name: `projects/${id}/billingInfo`, projectId: id, billingAccountName: account ? `billingAccounts/${account}` : '', billingEnabled: account !== '' });
      }
      const m = /^\/v1\/billingAccounts\/([^/]+)\/budgets$/.exec(url.pathname);
      if (!m) return error(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`);
      const account = state.accounts.get(decodeURIComponent(m[1]!));
      if (!account) return error(404, 'NOT_FOUND', `Billing account ${m[1]} not found.`);
      if (req.method === 'POST') {
        if (typeof body !== 'object' || body === null) return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
        const shape = shapeError(body, BUDGET, '');
        if (shape) return error(400, 'INVALID_ARGUMENT', shape);
        const semantic = budgetError(body as Record<string, unknown>, account.currency);
        if (semantic) return error(400, 'INVALID_ARGUMENT', semantic);
        const created = { ...(body as Record<string, unknown>), name: `billingAccounts/${m[1]}/budgets/${randomUUID()}`, etag: randomUUID().slice(0, 8) };
        account.budgets.push(created);
        return send(200, created);
      }
      if (req.method === 'GET') {
        const size = Math.min(Number(url.searchParams.get('pageSize') || 100), state.pageSize);
        const offset = Number(url.searchParams.get('pageToken') || 0);
        const page = account.budgets.slice(offset, offset + size);
        const more = offset + page.length < account.budgets.length;
        return send(200, { budgets: page, ...(more ? { nextPageToken: String(offset + page.length) } : {}) });
      }
      return error(405, 'UNIMPLEMENTED', 'method not allowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    get accounts() { return state.accounts; },
    get projects() { return state.projects; },
    get pageSize() { return state.pageSize; },
    set pageSize(n: number) { state.pageSize = n; },
    fail: (status, b) => failures.push({ status, body: b }),
    reset() { requests.length = 0; failures.length = 0; state.accounts.clear(); state.projects.clear(); state.pageSize = 100; },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
