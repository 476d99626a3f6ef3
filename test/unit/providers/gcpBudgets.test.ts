import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { applyOfflineEnv, freePort } from '../../support/moto';
import { startGcpBudgetsFake, type GcpBudgetsFake } from '../../support/fakes/gcpBudgets';
import { GcpBudgets, gcpBudgetRequest } from '../../../src/providers/gcp/budgets';
import type { CloudBudgetSpec } from '../../../src/core/cloudBudgets';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const PROJECT = 'ml-training-prod';
const ACCOUNT = '01A2B3-C4D5E6-F7A8B9';

function fakeAuth(): OAuth2Client {
  const a = new OAuth2Client();
  a.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3600_000 });
  return a;
}

let fake: GcpBudgetsFake;
before(async () => { fake = await startGcpBudgetsFake(); });
after(async () => { await fake?.stop(); });
beforeEach(() => {
  fake.reset();
  fake.accounts.set(ACCOUNT, { currency: 'USD', budgets: [] });
  fake.projects.set(PROJECT, ACCOUNT);
});

function service(extra: Partial<ConstructorParameters<typeof GcpBudgets>[0]> = {}) {
  return new GcpBudgets({ projectId: PROJECT, endpoint: fake.endpoint, authClient: fakeAuth(), retry: { baseMs: 1 }, ...extra });
}

const research: CloudBudgetSpec = {
  name: 'research-gpu',
  amount: 12000.5,
  currency: 'USD',
  period: 'monthly',
  filter: { tags: { Team: ['research'] }, services: ['services/6F81-5844-456A'] },
  alerts: [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }],
  notify: { emails: ['ml-leads@example.com'], topic: `projects/${PROJECT}/topics/budget-alerts` },
};

describe('Google Cloud budgets against the Billing Budget API fake', () => {
  test('the billing account is the project\'s; create POSTs the documented Budget JSON and reads the answer back', async () => {
    const budgets = service();
    const plan = await budgets.plan(research);
    assert.equal(plan.where, `billing account ${ACCOUNT}`);
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), [`GET /v1/projects/${PROJECT}/billingInfo`], 'planning only looks up the billing account');
    assert.ok(plan.notes.some((n) => n.includes('ml-leads@example.com') && n.includes('cannot e-mail')), 'the confirmation says who Google will not e-mail');
    assert.ok(plan.notes.some((n) => n.includes('"team"')), 'and how the label is matched');

    const created = await budgets.create(plan);
    const post = fake.requests.find((r) => r.method === 'POST');
    assert.ok(post);
    assert.equal(post.path, `/v1/billingAccounts/${ACCOUNT}/budgets`);
    assert.equal(post.authorization, 'Bearer fake-token');
    // the documented REST body: the Budget itself, what the plan showed (the transport sends enums by number)
    const { name: _name, etag: _etag, ...stored } = fake.accounts.get(ACCOUNT)!.budgets[0]!;
    assert.deepEqual(stored, (plan.request as { budget: unknown }).budget);
    assert.deepEqual((post.body as { thresholdRules: unknown[] }).thresholdRules, [{ thresholdPercent: 0.8, spendBasis: 1 }, { thresholdPercent: 1, spendBasis: 2 }]);
    assert.deepEqual(stored, {
      displayName: 'research-gpu',
      budgetFilter: { calendarPeriod: 'MONTH', creditTypesTreatment: 'INCLUDE_ALL_CREDITS', labels: { team: ['research'] }, services: ['services/6F81-5844-456A'] },
      amount: { specifiedAmount: { currencyCode: 'USD', units: '12000', nanos: 500000000 } },
      thresholdRules: [{ thresholdPercent: 0.8, spendBasis: 'CURRENT_SPEND' }, { thresholdPercent: 1, spendBasis: 'FORECASTED_SPEND' }],
      notificationsRule: { pubsubTopic: `projects/${PROJECT}/topics/budget-alerts`, schemaVersion: '1.0' },
    });
    assert.deepEqual({ name: created.name, amount: created.amount, currency: created.currency, period: created.period, filter: created.filter, alerts: created.alerts }, {
      name: 'research-gpu', amount: 12000.5, currency: 'USD', period: 'monthly',
      filter: { tags: { team: ['research'] }, services: ['services/6F81-5844-456A'] }, alerts: research.alerts,
    });
  });

  test('list pages through budgets.list; a notification channel goes to monitoringNotificationChannels', async () => {
    fake.pageSize = 2;
    const budgets = service({ billingAccountId: ACCOUNT });
    const channel = `projects/${PROJECT}/notificationChannels/1234567`;
    for (const [name, period] of [['a', 'monthly'], ['b', 'quarterly'], ['c', 'annual']] as const) {
      await budgets.create(await budgets.plan({ ...research, name, period, amount: 100, filter: { tags: {}, services: [] }, notify: { emails: [], topic: channel } }));
    }
    assert.deepEqual((fake.accounts.get(ACCOUNT)!.budgets[0] as { notificationsRule: unknown }).notificationsRule, { monitoringNotificationChannels: [channel] });
    fake.requests.length = 0;
    const listed = await budgets.list();
    assert.deepEqual(listed.map((b) => [b.name, b.period, b.amount, b.currency]), [['a', 'monthly', 100, 'USD'], ['b', 'quarterly', 100, 'USD'], ['c', 'annual', 100, 'USD']]);
    const gets = fake.requests.filter((r) => r.method === 'GET');
    assert.equal(gets.length, 2, 'two pages of two');
    assert.equal(gets[1]!.query.pageToken, '2');
    assert.ok(!fake.requests.some((r) => r.path.includes('billingInfo')), 'a given billing account is not looked up');
  });

  test('what Google Cloud cannot do is refused before any call, with the fix', async () => {
    const budgets = service();
    const refuse = async (spec: CloudBudgetSpec, pattern: RegExp) => assert.rejects(budgets.plan(spec), (e) => isFinOpsError(e, 'input') && pattern.test(`${e.message} ${e.fix}`));
    await refuse({ ...research, filter: { tags: { Team: ['research', 'vision'] }, services: [] } }, /one label with one value/);
    await refuse({ ...research, filter: { tags: { Team: ['research'], Project: ['llm'] }, services: [] } }, /one label with one value/);
    await refuse({ ...research, filter: { tags: {}, services: ['Compute Engine'] } }, /not a Google Cloud service id.*services\/6F81-5844-456A/);
    await refuse({ ...research, notify: { emails: [], topic: 'budget-alerts' } }, /neither a Pub\/Sub topic/);
    await refuse({ ...research, name: 'x'.repeat(61) }, /60 characters/);
    assert.equal(fake.requests.length, 0);
    await assert.rejects(service({ billingAccountId: 'nope' }).list(), (e) => isFinOpsError(e, 'input') && /XXXXXX-XXXXXX-XXXXXX/.test(e.fix));
  });

  test('the service\'s refusals and failures map to reasons with fixes', async () => {
    const budgets = service();
    // the billing account's currency is not the budget's: Cloud Billing's INVALID_ARGUMENT
    await assert.rejects(budgets.create(await budgets.plan({ ...research, currency: 'EUR' })), (e) => isFinOpsError(e, 'input') && /does not match the billing account currency USD/.test(e.message) && /currency/.test(e.fix));

    fake.projects.set(PROJECT, '');
    await assert.rejects(budgets.plan(research), (e) => isFinOpsError(e, 'usage') && /has no billing account/.test(e.message));
    fake.projects.set(PROJECT, ACCOUNT);

    await assert.rejects(service({ billingAccountId: '000000-000000-000000' }).list(), (e) => isFinOpsError(e, 'input') && /000000-000000-000000 was not found/.test(e.message));

    fake.fail(403, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } });
    await assert.rejects(service({ billingAccountId: ACCOUNT }).list(), (e) => isFinOpsError(e, 'permission') && /billing\.budgets\.list/.test(e.message) && /roles\/billing\.viewer/.test(e.fix));

    fake.fail(403, { error: { code: 403, message: 'Billing Budget API has not been used in project 123 before or it is disabled.', status: 'PERMISSION_DENIED' } });
    await assert.rejects(service({ billingAccountId: ACCOUNT }).list(), (e) => isFinOpsError(e, 'usage') && /billingbudgets\.googleapis\.com/.test(e.fix));

    const quota = { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } };
    fake.fail(429, quota);
    fake.fail(429, quota);
    assert.equal((await service({ billingAccountId: ACCOUNT }).list()).length, 0, 'throttled twice, then answered');
    fake.fail(429, quota);
    await assert.rejects(service({ billingAccountId: ACCOUNT, retry: { attempts: 1 } }).list(), (e) => isFinOpsError(e, 'throttled'));

    fake.fail(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    await assert.rejects(service({ billingAccountId: ACCOUNT }).list(), (e) => isFinOpsError(e, 'auth') && /gcloud auth application-default login/.test(e.fix));

    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(service({ billingAccountId: ACCOUNT, endpoint: closed, retry: { attempts: 2, baseMs: 1 } }).list(), (e) => isFinOpsError(e, 'unavailable'));
  });

  test('amounts with cents are units and nanos; tag keys become label keys through the alias', () => {
    const r = gcpBudgetRequest({ ...research, amount: 0.25, filter: { tags: { CostCenter: ['cc-1'] }, services: [] } }, ACCOUNT, (k) => k === 'CostCenter' ? 'cost_center' : k);
    assert.deepEqual(r.budget.amount.specifiedAmount, { currencyCode: 'USD', units: '0', nanos: 250000000 });
    assert.deepEqual(r.budget.budgetFilter.labels, { cost_center: ['cc-1'] });
  });
});
