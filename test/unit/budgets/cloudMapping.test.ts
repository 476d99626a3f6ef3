import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { budgetEntryFromCloud, cloudSpecFromBudget, type CloudBudget } from '../../../src/core/cloudBudgets';
import { parseBudgetSections } from '../../../src/core/budgets/schema';
import { awsBudgetRequest } from '../../../src/providers/aws/budgets';

test('a .finops.yaml budget becomes a cloud budget spec: amount, period, tag and service scope, alerts, recipients', () => {
  const { budgets, issues } = parseBudgetSections([{
    name: 'research-aws', scope: { tag: { Team: 'research' }, provider: 'aws', service: ['Amazon SageMaker'] },
    amount: 50000, currency: 'USD', period: 'quarterly', alerts: [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }],
    notify: { emails: ['ml-leads@example.com'], topic: 'arn:aws:sns:us-east-1:123456789012:budgets' },
  }], undefined);
  assert.deepEqual(issues, []);
  const spec = cloudSpecFromBudget(budgets[0]!);
  assert.deepEqual(spec, {
    name: 'research-aws', amount: 50000, currency: 'USD', period: 'quarterly',
    filter: { tags: { Team: ['research'] }, services: ['Amazon SageMaker'] },
    alerts: [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }],
    notify: { emails: ['ml-leads@example.com'], topic: 'arn:aws:sns:us-east-1:123456789012:budgets' },
  });
  // and it is a request AWS Budgets takes
  assert.equal(awsBudgetRequest(spec, '123456789012').Budget?.TimeUnit, 'QUARTERLY');
});

test('an imported cloud budget is a valid .finops.yaml entry that reads back as the same budget', () => {
  const cloud: CloudBudget = {
    provider: 'gcp', where: 'billing account 01A2B3-C4D5E6-F7A8B9', name: 'nlp-gcp', amount: 110000.5, currency: 'USD', period: 'monthly',
    filter: { tags: { team: ['nlp'] }, services: [] }, alerts: [{ at: 90, on: 'forecast' }], notify: { emails: [] },
  };
  const entry = budgetEntryFromCloud(cloud);
  // through YAML text, as the import writes it
  const { budgets, issues } = parseBudgetSections(JSON.parse(JSON.stringify([entry])) as unknown, undefined);
  assert.deepEqual(issues, [], stringify([entry]));
  const b = budgets[0]!;
  assert.deepEqual({ name: b.name, amount: b.amount, currency: b.currency, period: b.period, scope: b.scope, alerts: b.alerts },
    { name: 'nlp-gcp', amount: 110000.5, currency: 'USD', period: 'monthly', scope: { tag: { team: ['nlp'] }, provider: ['gcp'] }, alerts: [{ at: 90, on: 'forecast' }] });
  assert.equal(b.notify, undefined, 'no recipients read: none written');
  const aws = budgetEntryFromCloud({ ...cloud, provider: 'aws', filter: { tags: {}, services: ['Amazon EC2', 'Amazon S3'] }, alerts: [], notify: { emails: ['a@example.com'], topic: 'arn:aws:sns:us-east-1:123456789012:t' } });
  assert.deepEqual(aws.scope, { provider: 'aws', service: ['Amazon EC2', 'Amazon S3'] });
  assert.deepEqual(aws.notify, { emails: ['a@example.com'], topic: 'arn:aws:sns:us-east-1:123456789012:t' });
  assert.equal(aws.alerts, undefined);
  assert.deepEqual(parseBudgetSections([aws], undefined).issues, []);
});
