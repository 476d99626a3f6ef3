import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import type { TokenCredential } from '@azure/core-auth';
import { applyOfflineEnv, freePort } from '../../support/moto';
import { startAzureBudgetsFake, type AzureBudgetsFake } from '../../support/fakes/azureBudgets';
import { AzureBudgets, azureBudgetRequest } from '../../../src/providers/azure/budgets';
import type { CloudBudgetSpec } from '../../../src/core/cloudBudgets';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const SUB = '2f1c0c51-3f7e-4a6b-9d51-0a8a6f0f1a11';
const SCOPE = `/subscriptions/${SUB}`;
const GROUP = `/subscriptions/${SUB}/resourceGroups/ops/providers/microsoft.insights/actionGroups/ml-oncall`;
const credential: TokenCredential = { getToken: async () => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3600_000 }) };

let fake: AzureBudgetsFake;
let agent: Agent;
before(async () => {
  fake = await startAzureBudgetsFake();
  agent = new Agent({ ca: fake.ca });
});
after(async () => {
  agent?.destroy();
  await fake?.stop();
});
beforeEach(() => {
  fake.reset();
  fake.today = '2026-12-02';
});

function service(extra: Partial<ConstructorParameters<typeof AzureBudgets>[0]> = {}) {
  return new AzureBudgets({ scope: SCOPE, endpoint: fake.endpoint, tenantId: '', credential, agent, today: () => '2026-12-02', retry: { baseMs: 1 }, ...extra });
}

const research: CloudBudgetSpec = {
  name: 'research-gpu',
  amount: 9500,
  currency: 'EUR',
  period: 'quarterly',
  filter: { tags: { Team: ['research'] }, services: ['Virtual Machines'] },
  alerts: [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }],
  notify: { emails: ['ml-leads@example.com'], topic: GROUP },
};

describe('Azure Consumption budgets against the ARM fake', () => {
  test('create checks the name is free, then PUTs the documented body; list reads it back with its spend', async () => {
    fake.spend = 1234.5;
    const budgets = service({ billingCurrency: 'EUR' });
    const plan = await budgets.plan(research);
    assert.equal(fake.requests.length, 0, 'planning sends nothing');
    assert.ok(plan.summary.some((l) => l.includes('EUR 9,500.00 quarterly') && l.includes('from 2026-10-01')), plan.summary.join('\n'));
    const created = await budgets.create(plan);

    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path} ${r.query['api-version']}`), [
      `GET ${SCOPE}/providers/Microsoft.Consumption/budgets/research-gpu 2021-10-01`,
      `PUT ${SCOPE}/providers/Microsoft.Consumption/budgets/research-gpu 2021-10-01`,
    ]);
    const put = fake.requests[1]!;
    assert.equal(put.authorization, 'Bearer fake-token');
    assert.deepEqual(put.body, {
      properties: {
        category: 'Cost', amount: 9500, timeGrain: 'Quarterly',
        timePeriod: { startDate: '2026-10-01T00:00:00.000Z' },
        filter: { and: [{ tags: { name: 'Team', operator: 'In', values: ['research'] } }, { dimensions: { name: 'MeterCategory', operator: 'In', values: ['Virtual Machines'] } }] },
        notifications: {
          Actual_GreaterThan_80_Percent: { enabled: true, operator: 'GreaterThan', threshold: 80, thresholdType: 'Actual', contactEmails: ['ml-leads@example.com'], contactGroups: [GROUP] },
          Forecasted_GreaterThan_100_Percent: { enabled: true, operator: 'GreaterThan', threshold: 100, thresholdType: 'Forecasted', contactEmails: ['ml-leads@example.com'], contactGroups: [GROUP] },
        },
      },
    });
    // what the confirmation showed is that body (the start date as the SDK writes a Date)
    const shown = (plan.request as { body: { properties: { timePeriod: { startDate: string } } } }).body.properties;
    assert.equal(new Date(shown.timePeriod.startDate).toISOString(), '2026-10-01T00:00:00.000Z');
    assert.deepEqual({ ...(put.body as { properties: object }).properties, timePeriod: null }, { ...shown, timePeriod: null });

    assert.deepEqual({ name: created.name, amount: created.amount, currency: created.currency, period: created.period, filter: created.filter, alerts: created.alerts, actual: created.actual, notify: created.notify },
      { name: 'research-gpu', amount: 9500, currency: 'EUR', period: 'quarterly', filter: research.filter, alerts: research.alerts, actual: 1234.5, notify: research.notify });

    const listed = await budgets.list();
    assert.deepEqual(listed.map((b) => [b.name, b.amount, b.currency, b.actual]), [['research-gpu', 9500, 'EUR', 1234.5]]);
  });

  test('a budget of the same name is never overwritten; list follows nextLink', async () => {
    const budgets = service();
    const one = { ...research, filter: { tags: {}, services: [] }, topic: undefined, notify: { emails: ['a@example.com'] } };
    await budgets.create(await budgets.plan(one));
    await assert.rejects(budgets.create(await budgets.plan(one)), (e) => isFinOpsError(e, 'input') && /already exists/.test(e.message) && /Import Cloud Budgets/.test(e.fix));
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 1, 'the second create sent no PUT');
    for (const name of ['b', 'c']) await budgets.create(await budgets.plan({ ...one, name }));
    fake.pageSize = 2;
    fake.requests.length = 0;
    assert.deepEqual((await budgets.list()).map((b) => b.name).sort(), ['b', 'c', 'research-gpu']);
    assert.equal(fake.requests.length, 2, 'two pages');
  });

  test('what Azure refuses is refused before any call, with the fix', async () => {
    const budgets = service({ billingCurrency: 'EUR' });
    const refuse = async (spec: CloudBudgetSpec, pattern: RegExp, s = budgets) => assert.rejects(s.plan(spec), (e) => isFinOpsError(e, 'input') && pattern.test(`${e.message} ${e.fix}`));
    await refuse({ ...research, currency: 'USD' }, /billing currency \(EUR\).*Give the amount in EUR/);
    await refuse({ ...research, name: 'research gpu!' }, /cannot be an Azure budget name/);
    await refuse({ ...research, notify: { emails: [], topic: 'ml-oncall' } }, /not an Azure Monitor action group/);
    await refuse({ ...research, notify: { emails: [] } }, /notifies nobody/);
    await refuse({ ...research, alerts: [1, 2, 3, 4, 5, 6].map((i) => ({ at: i * 20, on: 'actual' as const })) }, /at most 5 notifications/);
    await refuse({ ...research }, /only at subscription and resource group scopes/, service({ scope: '/providers/Microsoft.Billing/billingAccounts/1234' }));
    assert.equal(fake.requests.length, 0);
  });

  test('failures map to reasons with fixes: denied, throttled, expired, unreachable', async () => {
    const budgets = service();
    fake.fail(403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Consumption/budgets/read' } });
    await assert.rejects(budgets.list(), (e) => isFinOpsError(e, 'permission') && /Microsoft\.Consumption\/budgets\/read/.test(e.message) && /Cost Management Reader/.test(e.fix));
    const plan = await budgets.plan({ ...research, filter: { tags: {}, services: [] } });
    fake.fail(404, { error: { code: 'NotFound', message: 'no budget' } });
    fake.fail(403, { error: { code: 'AuthorizationFailed', message: 'no write' } });
    await assert.rejects(budgets.create(plan), (e) => isFinOpsError(e, 'permission') && /budgets\/write/.test(e.message) && /Cost Management Contributor/.test(e.fix));

    fake.fail(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { 'retry-after': '0' });
    assert.deepEqual(await budgets.list(), [], 'throttled once, then answered');

    fake.fail(401, { error: { code: 'ExpiredAuthenticationToken', message: 'The access token expiry UTC time is earlier than current UTC time.' } });
    await assert.rejects(budgets.list(), (e) => isFinOpsError(e, 'auth') && /az login/.test(e.fix));

    fake.fail(400, { error: { code: 'BadRequest', message: 'Budget start date must be first of the month.' } });
    await assert.rejects(budgets.list(), (e) => isFinOpsError(e, 'input') && /first of the month/.test(e.message));

    const closed = `https://127.0.0.1:${await freePort()}`;
    await assert.rejects(service({ endpoint: closed, retry: { attempts: 2, baseMs: 1 } }).list(), (e) => isFinOpsError(e, 'unavailable'));
  });

  test('start dates: the first day of the current month, quarter or year; one filter is not wrapped in "and"', () => {
    const spec = { ...research, filter: { tags: { Team: ['research'] }, services: [] } };
    assert.equal(azureBudgetRequest({ ...spec, period: 'monthly' }, SCOPE, '2026-12-02').body.properties.timePeriod.startDate, '2026-12-01T00:00:00Z');
    assert.equal(azureBudgetRequest({ ...spec, period: 'quarterly' }, SCOPE, '2026-02-28').body.properties.timePeriod.startDate, '2026-01-01T00:00:00Z');
    assert.equal(azureBudgetRequest({ ...spec, period: 'annual' }, SCOPE, '2026-12-31').body.properties.timePeriod.startDate, '2026-01-01T00:00:00Z');
    assert.deepEqual(azureBudgetRequest(spec, SCOPE, '2026-12-02').body.properties.filter, { tags: { name: 'Team', operator: 'In', values: ['research'] } });
  });
});
