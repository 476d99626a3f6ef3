import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetsClient, DescribeBudgetCommand, DescribeNotificationsForBudgetCommand, DescribeSubscribersForNotificationCommand } from '@aws-sdk/client-budgets';
import { applyOfflineEnv, freePort, motoBehind } from '../../support/moto';
import { startRecordingProxy } from '../../support/fakes/recordingProxy';
import { AwsBudgets, awsBudgetRequest } from '../../../src/providers/aws/budgets';
import type { CloudBudgetSpec } from '../../../src/core/cloudBudgets';
import { isFinOpsError } from '../../../src/core/errors';

applyOfflineEnv();
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** moto's account. */
const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:budget-alerts`;

const aws = motoBehind('budgets', startRecordingProxy);
beforeEach(async () => {
  await aws.moto.reset();
  aws.fake.clear();
});

function service(extra: Partial<ConstructorParameters<typeof AwsBudgets>[0]> = {}) {
  return new AwsBudgets({ profile: '', region: 'eu-west-1', endpoint: aws.fake.endpoint, credentials, retry: { baseMs: 1 }, ...extra });
}

const research: CloudBudgetSpec = {
  name: 'research-gpu',
  amount: 12000,
  currency: 'USD',
  period: 'monthly',
  filter: { tags: { Team: ['research'] }, services: ['Amazon Elastic Compute Cloud - Compute'] },
  alerts: [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }],
  notify: { emails: ['ml-leads@example.com'], topic: TOPIC },
};

describe('AWS Budgets against moto', () => {
  test('create sends one CreateBudget with the notifications and their e-mail and SNS subscribers; moto holds exactly that', async () => {
    const budgets = service();
    const plan = await budgets.plan(research);
    assert.equal(plan.where, `AWS account ${ACCOUNT}`);
    assert.equal(aws.fake.of('CreateBudget').length, 0, 'planning creates nothing');
    assert.ok(plan.summary.some((l) => l.includes('USD 12,000.00 monthly')), plan.summary.join('\n'));
    assert.ok(plan.summary.some((l) => l.includes('80 % of actual spend, 100 % of forecast spend') && l.includes('ml-leads@example.com') && l.includes(TOPIC)));
    assert.ok(plan.notes.some((n) => n.includes('user:Team')), 'tag filters need activated cost allocation tags');

    const created = await budgets.create(plan);
    assert.deepEqual({ name: created.name, amount: created.amount, currency: created.currency, period: created.period, filter: created.filter, alerts: created.alerts },
      { name: 'research-gpu', amount: 12000, currency: 'USD', period: 'monthly', filter: research.filter, alerts: research.alerts });
    assert.equal(created.actual, 0, "moto's spend is always 0");

    // the request on the wire is the plan the confirmation showed
    const sent = aws.fake.of('CreateBudget');
    assert.equal(sent.length, 1);
    assert.deepEqual(JSON.parse(sent[0]!.body), plan.request);
    assert.equal(sent[0]!.headers['x-amz-target'], 'AWSBudgetServiceGateway.CreateBudget');

    // read back with the SDK directly: what AWS stored
    const sdk = new BudgetsClient({ region: 'us-east-1', endpoint: aws.moto.endpoint, credentials });
    const stored = await sdk.send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'research-gpu' }));
    assert.deepEqual(stored.Budget?.BudgetLimit, { Amount: '12000', Unit: 'USD' });
    assert.equal(stored.Budget?.TimeUnit, 'MONTHLY');
    assert.deepEqual(stored.Budget?.CostFilters, { TagKeyValue: ['user:Team$research'], Service: ['Amazon Elastic Compute Cloud - Compute'] });
    const notes = await sdk.send(new DescribeNotificationsForBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'research-gpu' }));
    assert.deepEqual(notes.Notifications?.map((n) => [n.NotificationType, n.Threshold, n.ThresholdType, n.ComparisonOperator]),
      [['ACTUAL', 80, 'PERCENTAGE', 'GREATER_THAN'], ['FORECASTED', 100, 'PERCENTAGE', 'GREATER_THAN']]);
    // moto keeps the subscribers it was given but does not serve DescribeSubscribersForNotification: check the request
    const body = JSON.parse(sent[0]!.body) as { NotificationsWithSubscribers: { Subscribers: { SubscriptionType: string; Address: string }[] }[] };
    for (const n of body.NotificationsWithSubscribers) {
      assert.deepEqual(n.Subscribers, [{ SubscriptionType: 'EMAIL', Address: 'ml-leads@example.com' }, { SubscriptionType: 'SNS', Address: TOPIC }]);
    }
    await assert.rejects(sdk.send(new DescribeSubscribersForNotificationCommand({ AccountId: ACCOUNT, BudgetName: 'research-gpu', Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80 } })));
    sdk.destroy();
  });

  test('list reads every cost budget with its thresholds, paging with MaxResults', async () => {
    const budgets = service({ pageSize: 2 });
    for (const [name, period] of [['a-monthly', 'monthly'], ['b-quarterly', 'quarterly'], ['c-annual', 'annual']] as const) {
      await budgets.create(await budgets.plan({ ...research, name, period, filter: { tags: {}, services: [] }, alerts: [{ at: 90, on: 'actual' }], notify: { emails: ['a@example.com'] } }));
    }
    aws.fake.clear();
    const listed = await budgets.list();
    assert.deepEqual(listed.map((b) => [b.name, b.period, b.amount, b.alerts]).sort(), [
      ['a-monthly', 'monthly', 12000, [{ at: 90, on: 'actual' }]],
      ['b-quarterly', 'quarterly', 12000, [{ at: 90, on: 'actual' }]],
      ['c-annual', 'annual', 12000, [{ at: 90, on: 'actual' }]],
    ]);
    const describe = aws.fake.of('DescribeBudgets');
    assert.ok(describe.length >= 1);
    assert.equal((JSON.parse(describe[0]!.body) as { MaxResults: number }).MaxResults, 2);
    assert.equal(aws.fake.of('DescribeNotificationsForBudget').length, 3);
    assert.equal(aws.fake.of('GetCallerIdentity').length, 0, 'the account id is asked once per service');
  });

  test('a second budget of the same name is refused with a fix; a bad spec is refused before any call', async () => {
    const budgets = service();
    await budgets.create(await budgets.plan(research));
    await assert.rejects(budgets.create(await budgets.plan(research)), (e) => isFinOpsError(e, 'input') && /already exists in AWS account 123456789012/.test(e.message) && /Import Cloud Budgets/.test(e.fix));

    aws.fake.clear();
    const refuse = async (spec: CloudBudgetSpec, pattern: RegExp) => assert.rejects(budgets.plan(spec), (e) => isFinOpsError(e, 'input') && pattern.test(`${e.message} ${e.fix}`));
    await refuse({ ...research, name: 'a:b' }, /cannot be an AWS budget name/);
    await refuse({ ...research, amount: -5 }, /positive number/);
    await refuse({ ...research, amount: Number.NaN }, /positive number/);
    await refuse({ ...research, notify: { emails: [] } }, /notifies nobody/);
    await refuse({ ...research, notify: { emails: ['not-an-address'] } }, /not an e-mail address/);
    await refuse({ ...research, notify: { emails: [], topic: 'budget-alerts' } }, /not an SNS topic ARN/);
    await refuse({ ...research, alerts: [1, 2, 3, 4, 5, 6].map((i) => ({ at: i * 10, on: 'actual' as const })) }, /5 alerts per budget/);
    await refuse({ ...research, alerts: [] }, /no alert threshold/);
    await refuse({ ...research, alerts: [{ at: 1200, on: 'actual' }] }, /out of range/);
    await refuse({ ...research, currency: 'dollars' }, /not a currency code/);
    assert.equal(aws.fake.requests.length, 0, 'nothing was sent');
  });

  test('throttling is retried; access denied, expired credentials and an unreachable endpoint are named with their fix', async () => {
    const budgets = service();
    const plan = await budgets.plan(research);
    const throttle = { status: 400, operation: 'CreateBudget', body: JSON.stringify({ __type: 'ThrottlingException', Message: 'Rate exceeded' }) };
    aws.fake.inject(throttle, throttle);
    await budgets.create(plan);
    assert.equal(aws.fake.of('CreateBudget').length, 3, 'two throttled answers, then the budget');

    aws.fake.inject(throttle);
    await assert.rejects(service({ retry: { attempts: 1 } }).create({ ...plan, request: { ...(plan.request as object), Budget: { ...(plan.request as { Budget: object }).Budget, BudgetName: 'other' } } }), (e) => isFinOpsError(e, 'throttled'));

    aws.fake.inject({ status: 400, operation: 'CreateBudget', body: JSON.stringify({ __type: 'AccessDeniedException', Message: 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: budgets:ModifyBudget' }) });
    await assert.rejects(budgets.create(plan), (e) => isFinOpsError(e, 'permission') && /budgets:ModifyBudget/.test(e.message) && /budgets:ModifyBudget/.test(e.fix));

    aws.fake.inject({ status: 400, operation: 'DescribeBudgets', body: JSON.stringify({ __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }) });
    await assert.rejects(service({ profile: 'ml' }).list(), (e) => isFinOpsError(e, 'auth') && /aws sso login --profile ml/.test(e.fix));

    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(service({ endpoint: closed, retry: { attempts: 2, baseMs: 1 } }).list(), (e) => isFinOpsError(e, 'unavailable') && e.message.includes(closed));
  });

  test('the request for a spec: tags as user:Key$Value per value, no CostFilters for all spend, periods by name', () => {
    const r = awsBudgetRequest({ ...research, filter: { tags: { Team: ['research', 'vision'] }, services: [] }, period: 'annual', notify: { emails: ['a@example.com'] } }, ACCOUNT);
    assert.deepEqual(r.Budget?.CostFilters, { TagKeyValue: ['user:Team$research', 'user:Team$vision'] });
    assert.equal(r.Budget?.TimeUnit, 'ANNUALLY');
    const all = awsBudgetRequest({ ...research, filter: { tags: {}, services: [] } }, ACCOUNT);
    assert.equal(all.Budget?.CostFilters, undefined);
  });
});
