import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jsonOrText, withBody } from './http';
import { makeSelfSignedCert } from './selfSignedCert';

/**
 * Azure Consumption budgets (Microsoft.Consumption/budgets) on 127.0.0.1 over HTTPS (no emulator exists; the ARM
 * clients refuse bearer tokens over plain HTTP), checking the documented request shapes and rules:
 *  - PUT /{scope}/providers/Microsoft.Consumption/budgets/{name}?api-version=…: body {properties: {category "Cost",
 *    amount, timeGrain, timePeriod {startDate}, filter?, notifications}}; the start date is the first of a month, not
 *    before 2017-06-01 and at most twelve months ahead; at most five notifications, each with operator, threshold
 *    (0–1000), thresholdType Actual / Forecasted and at least one contact e-mail or action group; a filter's `and`
 *    has at least two expressions, each `In` with values. 201 with the budget (and currentSpend in the billing
 *    currency) on create, 200 on replace.
 *  - GET …/budgets/{name} (404 when absent) and GET …/budgets (value + nextLink paging).
 * Requests are recorded; `fail()` answers the next one with an error.
 */
export interface BudgetRequest { method: string; path: string; query: Record<string, string>; authorization?: string; body: unknown }

export interface AzureBudgetsFake {
  endpoint: string;
  ca: string;
  requests: BudgetRequest[];
  /** Budgets by lower-cased scope path and name. */
  budgets: Map<string, Map<string, Record<string, unknown>>>;
  billingCurrency: string;
  /** Spend reported as currentSpend of every budget. */
  spend: number;
  pageSize: number;
  /** Today for the start-date rules (YYYY-MM-DD). */
  today: string;
  fail(status: number, body: unknown, headers?: Record<string, string>): void;
  reset(): void;
  stop(): Promise<void>;
}

const API_VERSIONS = ['2019-10-01', '2021-10-01', '2023-03-01', '2023-05-01', '2023-11-01', '2024-08-01'];
const GRAINS = ['Monthly', 'Quarterly', 'Annually', 'BillingMonth', 'BillingQuarter', 'BillingAnnual'];

type Cmp = { name?: unknown; operator?: unknown; values?: unknown };
function comparisonError(c: Cmp | undefined, at: string): string | undefined {
  if (c === undefined) return undefined;
  if (typeof c.name !== 'string' || c.operator !== 'In' || !Array.isArray(c.values) || !c.values.length) return `${at} must have a name, operator "In" and values.`;
  return undefined;
}

/** The first rule a budget's properties break, in Azure's words, or undefined. */
function budgetError(p: Record<string, unknown> | undefined, today: string): string | undefined {
  if (!p) return 'The request body must have properties.';
  if (p.category !== 'Cost') return 'Category must be Cost.';
  if (typeof p.amount !== 'number' || !(p.amount > 0)) return 'Amount must be a positive number.';
  if (!GRAINS.includes(String(p.timeGrain))) return `Invalid time grain ${String(p.timeGrain)}.`;
  const start = String((p.timePeriod as { startDate?: unknown } | undefined)?.startDate ?? '');
  const d = /^(\d{4})-(\d{2})-(\d{2})T/.exec(start);
  if (!d) return 'timePeriod.startDate is required.';
  if (d[3] !== '01') return 'Budget start date must be first of the month.';
  if (start < '2017-06-01') return 'Budget start date must be on or after June 1, 2017.';
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  if ((Number(d[1]) - ty) * 12 + (Number(d[2]) - tm) > 12) return 'Future start date should not be more than twelve months.';
  const filter = p.filter as { and?: { tags?: Cmp; dimensions?: Cmp }[]; tags?: Cmp; dimensions?: Cmp } | undefined;
  if (filter) {
    if (filter.and && filter.and.length < 2) return 'The logical "AND" expression must have at least 2 items.';
    for (const [i, f] of [filter, ...(filter.and ?? [])].entries()) {
      const e = comparisonError(f.tags, `filter[${i}].tags`) ?? comparisonError(f.dimensions, `filter[${i}].dimensions`);
      if (e) return e;
    }
  }
  const notifications = (p.notifications ?? {}) as Record<string, Record<string, unknown>>;
  if (Object.keys(notifications).length > 5) return 'Budget can have up to five notifications.';
  for (const [key, n] of Object.entries(notifications)) {
    if (typeof n.enabled !== 'boolean') return `Notification ${key}: enabled is required.`;
    if (!['EqualTo', 'GreaterThan', 'GreaterThanOrEqualTo'].includes(String(n.operator))) return `Notification ${key}: invalid operator ${String(n.operator)}.`;
    if (typeof n.threshold !== 'number' || n.threshold <= 0 || n.threshold > 1000) return `Notification ${key}: threshold must be between 0 and 1000.`;
    if (n.thresholdType !== undefined && !['Actual', 'Forecasted'].includes(String(n.thresholdType))) return `Notification ${key}: invalid thresholdType.`;
    const emails = Array.isArray(n.contactEmails) ? n.contactEmails : undefined;
    if (!emails) return `Notification ${key}: contactEmails is required.`;
    if (!emails.length && !(Array.isArray(n.contactGroups) && n.contactGroups.length)) return `Notification ${key}: at least one contact email or contact group must be specified.`;
  }
  return undefined;
}

export async function startAzureBudgetsFake(): Promise<AzureBudgetsFake> {
  const { key, cert } = makeSelfSignedCert();
  const requests: BudgetRequest[] = [];
  const failures: { status: number; body: unknown; headers: Record<string, string> }[] = [];
  const state = { budgets: new Map<string, Map<string, Record<string, unknown>>>(), billingCurrency: 'EUR', spend: 0, pageSize: 100, today: new Date().toISOString().slice(0, 10) };
  let origin = '';
  const server: Server = createServer({ key, cert }, (req, res) => {
    withBody(req, (raw) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const body = jsonOrText(raw);
      requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      const send = (status: number, obj: unknown, headers: Record<string, string> = {}) => { res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }); res.end(JSON.stringify(obj)); };
      const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
      const failure = failures.shift();
      if (failure) return send(failure.status, failure.body, failure.headers);
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return error(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
      const version = url.searchParams.get('api-version');
      if (!version) return error(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
      if (!API_VERSIONS.includes(version)) return error(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid.`);
      const m = /^(\/.+?)\/providers\/Microsoft\.Consumption\/budgets(?:\/([^/]+))?$/i.exec(url.pathname);
      if (!m) return error(404, 'NotFound', `no route for ${req.method} ${url.pathname}`);
      const scope = m[1]!;
      const scopeKey = scope.toLowerCase();
      const name = m[2] ? decodeURIComponent(m[2]) : undefined;
      const inScope = state.budgets.get(scopeKey) ?? new Map<string, Record<string, unknown>>();
      const resource = (n: string, p: Record<string, unknown>, eTag: string) => ({
        id: `${scope}/providers/Microsoft.Consumption/budgets/${n}`, name: n, type: 'Microsoft.Consumption/budgets', eTag,
        properties: { ...p, currentSpend: { amount: state.spend, unit: state.billingCurrency } },
      });
      if (req.method === 'PUT' && name) {
        const b = body as { properties?: Record<string, unknown>; eTag?: string } | null;
        const problem = budgetError(b?.properties, state.today);
        if (problem) return error(400, 'BadRequest', problem);
        const existed = inScope.has(name.toLowerCase());
        const stored = { ...b!.properties!, name, eTag: randomUUID() };
        inScope.set(name.toLowerCase(), stored);
        state.budgets.set(scopeKey, inScope);
        return send(existed ? 200 : 201, resource(name, b!.properties!, String(stored.eTag)));
      }
      if (req.method === 'GET' && name) {
        const b = inScope.get(name.toLowerCase());
        if (!b) return error(404, 'NotFound', `Budget ${name} was not found.`);
        const { name: n, eTag, ...p } = b;
        return send(200, resource(String(n), p, String(eTag)));
      }
      if (req.method === 'GET') {
        const all = [...inScope.values()];
        const offset = Number(url.searchParams.get('$skiptoken') ?? 0);
        const page = all.slice(offset, offset + state.pageSize);
        const more = offset + page.length < all.length;
        const next = new URL(`${origin}${url.pathname}`);
        next.searchParams.set('api-version', version);
        next.searchParams.set('$skiptoken', String(offset + page.length));
        return send(200, { value: page.map(({ name: n, eTag, ...p }) => resource(String(n), p, String(eTag))), ...(more ? { nextLink: next.toString() } : {}) });
      }
      return error(405, 'MethodNotAllowed', 'method not allowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: origin,
    ca: cert,
    requests,
    get budgets() { return state.budgets; },
    get billingCurrency() { return state.billingCurrency; },
    set billingCurrency(c: string) { state.billingCurrency = c; },
    get spend() { return state.spend; },
    set spend(n: number) { state.spend = n; },
    get pageSize() { return state.pageSize; },
    set pageSize(n: number) { state.pageSize = n; },
    get today() { return state.today; },
    set today(t: string) { state.today = t; },
    fail: (status, b, headers = {}) => failures.push({ status, body: b, headers }),
    reset() { requests.length = 0; failures.length = 0; state.budgets.clear(); state.billingCurrency = 'EUR'; state.spend = 0; state.pageSize = 100; state.today = new Date().toISOString().slice(0, 10); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
