import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetQueryKeys, evaluateBudget, matchesScope, worstFirst } from '../../../src/core/budgets/evaluate';
import { budgetPeriodContaining, budgetPeriodLabel, currentBudgetPeriod, localDay } from '../../../src/core/budgets/periods';
import type { Budget } from '../../../src/core/budgets/schema';
import { loadPolicy } from '../../../src/core/policy/load';
import { isFinOpsError } from '../../../src/core/errors';
import { addDays } from '../../../src/core/period';
import type { CostRow } from '../../../src/core/cost/model';

const usage = { ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based' };

/** $100 a day for Team=research on AWS and $40 a day for Team=nlp on Google Cloud, from `start` to `end` inclusive. */
function bill(start: string, end: string, currency = 'USD'): CostRow[] {
  const rows: CostRow[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    rows.push({ groups: { ...usage, ProviderName: 'AWS', 'tag:Team': 'research' }, period: d, cost: 100, currency });
    rows.push({ groups: { ...usage, ProviderName: 'Google Cloud', 'tag:Team': 'nlp' }, period: d, cost: 40, currency });
  }
  return rows;
}

const research = (amount: number, extra: Partial<Budget> = {}): Budget => ({
  name: 'research', scope: { tag: { Team: ['research'] }, provider: ['aws'] }, amount, currency: 'USD', period: 'monthly', ...extra,
});

test('the budgets section is read from .finops.yaml with the tag policy, each problem on its line', () => {
  const text = [
    'tags:',
    '  required: [Team]',
    'budgets:',
    '  - name: research',
    '    scope: { tag: { Team: research }, provider: aws }',
    '    amount: 50000',
    '    currency: USD',
    '    alerts: [{ at: 80, on: actual }, { at: 100, on: forecast }]',
    '  - name: broken',
    '    amount: -5',
    '    currency: usd',
    '  - name: research',
    '    amount: 10',
    '    currency: USD',
    '  - name: quarterly-total',
    '    amount: 300000',
    '    currency: EUR',
    '    period: quarterly',
    '    timeZone: Asia/Tokyo',
    '    colour: red',
    'showback:',
    '  allocation: even',
    '  shared: [shared]',
    '',
  ].join('\n');
  const loaded = loadPolicy(text, '.finops.yaml');
  assert.deepEqual(loaded.budgets?.map((b) => b.name), ['research']);
  const b = loaded.budgets![0]!;
  assert.deepEqual(b.scope, { tag: { Team: ['research'] }, provider: ['aws'] });
  assert.equal(b.period, 'monthly');
  assert.deepEqual(b.alerts, [{ at: 80, on: 'actual' }, { at: 100, on: 'forecast' }]);
  assert.deepEqual(loaded.showback, { allocation: 'even', shared: ['shared'] });
  assert.deepEqual(loaded.policy.required, ['Team'], 'the tag policy is still read');
  const messages = loaded.problems.map((p) => `${p.line}: ${p.message}`);
  assert.ok(messages.some((m) => /^10: budgets\.1\.amount: an amount above 0/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^11: budgets\.1\.currency: an ISO 4217 currency code/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^12: budgets\.2\.name: "research" is the name of budget 1 already/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^20: Unknown key "colour" in budgets\.3\./.test(m)), messages.join('\n'));
  assert.ok(loaded.problems.filter((p) => p.severity === 'error').every((p) => p.section === 'budgets'));
  assert.deepEqual(loadPolicy('budget: []\n').problems.map((p) => p.message), ['Unknown key "budget": did you mean "budgets"?']);
  assert.deepEqual(loadPolicy('budgets:\n  - { name: x, amount: 1, currency: USD, timeZone: Mars/Olympus }\n').problems.map((p) => p.message), ['budgets.0.timeZone: an IANA time zone such as Europe/Berlin.']);
  assert.equal(loadPolicy('showback: { allocation: random }\n').showback?.allocation, 'proportional');
});

test('mid-month: actual to date, forecast at month end, the day the budget is expected to be crossed', () => {
  const rows = bill('2026-09-01', '2026-11-15');
  const s = evaluateBudget({ budget: research(2500, { alerts: [{ at: 50, on: 'actual' }, { at: 90, on: 'forecast' }] }), rows, asOf: '2026-11-15' });
  assert.deepEqual(s.period, { start: '2026-11-01', end: '2026-12-01' });
  assert.equal(s.periodLabel, '2026-11');
  assert.equal(s.daysElapsed, 15);
  assert.equal(s.daysInPeriod, 30);
  assert.equal(s.actual, 1500);
  assert.ok(Math.abs(s.forecast - 3000) < 1, `forecast ${s.forecast}`);
  assert.ok(s.forecastLo95 <= s.forecast && s.forecast <= s.forecastHi95);
  assert.equal(s.status, 'at-risk');
  assert.equal(s.percent, 60);
  assert.equal(s.crossesOn, '2026-11-25', 'cumulative 2500 on the 25th');
  const [half, ninety] = s.alerts;
  assert.deepEqual([half!.crossed, half!.crossesOn, half!.expected], [true, '2026-11-13', false]);
  assert.deepEqual([ninety!.crossed, ninety!.crossesOn, ninety!.expected], [true, '2026-11-23', true]);
  assert.equal(ninety!.key, 'research|2026-11-01|forecast|90');
  assert.equal(s.burnDown.length, 30);
  assert.equal(s.burnDown[14]!.actual, 1500);
  assert.equal(s.burnDown[15]!.actual, null);
  assert.ok(s.burnDown[29]!.forecast! > 2990);
});

test('over when spend to date is above the amount; ok when well under', () => {
  const rows = bill('2026-09-01', '2026-11-15');
  const over = evaluateBudget({ budget: research(1400), rows, asOf: '2026-11-15' });
  assert.equal(over.status, 'over');
  assert.equal(over.crossesOn, '2026-11-14');
  const ok = evaluateBudget({ budget: research(5000, { alerts: [{ at: 80, on: 'forecast' }] }), rows, asOf: '2026-11-15' });
  assert.equal(ok.status, 'ok');
  assert.equal(ok.crossesOn, null);
  assert.equal(ok.alerts[0]!.crossed, false);
  assert.deepEqual(worstFirst([ok, over]).map((s) => s.status), ['over', 'ok']);
});

test('across a month end: the last day of a month closes it, the next day starts a new one', () => {
  const rows = bill('2026-09-01', '2026-11-01');
  const october = evaluateBudget({ budget: research(3000), rows, asOf: '2026-10-31' });
  assert.deepEqual(october.period, { start: '2026-10-01', end: '2026-11-01' });
  assert.equal(october.actual, 3100);
  assert.equal(october.forecast, 3100, 'nothing left to forecast');
  assert.equal(october.status, 'over');
  assert.equal(october.model, null);
  const november = evaluateBudget({ budget: research(3000), rows, asOf: '2026-11-01' });
  assert.equal(november.actual, 100);
  assert.equal(november.daysElapsed, 1);
  assert.ok(Math.abs(november.forecast - 3000) < 1);
  // a past month asked for explicitly, with the bill going on after it
  const september = evaluateBudget({ budget: research(3000), rows, asOf: '2026-11-01', period: budgetPeriodContaining('2026-09-10', 'monthly') });
  assert.equal(september.actual, 3000);
  assert.equal(september.asOf, '2026-09-30');
  // February of a common year and of a leap year
  assert.deepEqual(budgetPeriodContaining('2026-02-28', 'monthly'), { start: '2026-02-01', end: '2026-03-01' });
  assert.equal(evaluateBudget({ budget: research(3000), rows: bill('2028-01-01', '2028-02-10'), asOf: '2028-02-10' }).daysInPeriod, 29);
});

test('quarterly and annual periods', () => {
  assert.deepEqual(budgetPeriodContaining('2026-11-15', 'quarterly'), { start: '2026-10-01', end: '2027-01-01' });
  assert.deepEqual(budgetPeriodContaining('2026-03-31', 'quarterly'), { start: '2026-01-01', end: '2026-04-01' });
  assert.deepEqual(budgetPeriodContaining('2026-11-15', 'annual'), { start: '2026-01-01', end: '2027-01-01' });
  assert.equal(budgetPeriodLabel({ start: '2026-10-01', end: '2027-01-01' }, 'quarterly'), '2026-Q4');
  assert.equal(budgetPeriodLabel({ start: '2026-01-01', end: '2027-01-01' }, 'annual'), '2026');
  const q = evaluateBudget({ budget: research(9000, { period: 'quarterly' }), rows: bill('2026-09-01', '2026-11-15'), asOf: '2026-11-15' });
  assert.equal(q.actual, 4600);
  assert.equal(q.daysInPeriod, 92);
  assert.ok(Math.abs(q.forecast - 9200) < 2, `${q.forecast}`);
  assert.equal(q.status, 'at-risk');
});

test('time zones decide the current period: late on 31 October UTC is already November in Tokyo', () => {
  const instant = new Date('2026-10-31T23:30:00Z');
  assert.equal(localDay(instant), '2026-10-31');
  assert.equal(localDay(instant, 'Asia/Tokyo'), '2026-11-01');
  assert.deepEqual(currentBudgetPeriod({ period: 'monthly' }, instant), { start: '2026-10-01', end: '2026-11-01' });
  assert.deepEqual(currentBudgetPeriod({ period: 'monthly', timeZone: 'Asia/Tokyo' }, instant), { start: '2026-11-01', end: '2026-12-01' });
  // early on 1 January UTC is still the old year (and quarter) in Los Angeles
  const newYear = new Date('2027-01-01T05:00:00Z');
  assert.deepEqual(currentBudgetPeriod({ period: 'annual', timeZone: 'America/Los_Angeles' }, newYear), { start: '2026-01-01', end: '2027-01-01' });
  assert.deepEqual(currentBudgetPeriod({ period: 'quarterly' }, newYear), { start: '2027-01-01', end: '2027-04-01' });
  assert.throws(() => localDay(instant, 'Nowhere/Special'), (e) => isFinOpsError(e, 'input'));
});

test('a budget in another currency than the bill is refused, naming both', () => {
  assert.throws(
    () => evaluateBudget({ budget: research(1000, { currency: 'EUR' }), rows: bill('2026-11-01', '2026-11-10'), asOf: '2026-11-10' }),
    (e) => isFinOpsError(e, 'input') && /"research" is in EUR, but the bill's costs in its scope are in USD/.test(e.message) && /currency: USD/.test(e.fix),
  );
});

test('scopes match by cloud, tag, service and account; one-off charges count in actual but are not forecast', () => {
  assert.ok(matchesScope({ ProviderName: 'Amazon Web Services', 'tag:Team': 'research' }, { provider: ['aws'], tag: { Team: ['research'] } }));
  assert.ok(!matchesScope({ ProviderName: 'AWS', 'tag:Team': null }, { tag: { Team: ['research'] } }));
  assert.ok(!matchesScope({ ProviderName: 'Microsoft' }, { provider: ['aws', 'gcp'] }));
  assert.ok(matchesScope({ ServiceName: 'Amazon S3', SubAccountId: '1' }, { service: ['Amazon S3'], account: ['1'] }));
  assert.ok(matchesScope({}, undefined));
  assert.deepEqual(budgetQueryKeys([research(1), { ...research(1), scope: { service: ['x'] } }]), ['ProviderName', 'tag:Team', 'ServiceName', 'ChargeCategory', 'ChargeFrequency']);
  const rows = bill('2026-10-01', '2026-11-15');
  rows.push({ groups: { ChargeCategory: 'Credit', ChargeFrequency: 'One-Time', ProviderName: 'AWS', 'tag:Team': 'research' }, period: '2026-11-03', cost: -700, currency: 'USD' });
  const s = evaluateBudget({ budget: research(3000), rows, asOf: '2026-11-15' });
  assert.equal(s.actual, 800);
  assert.ok(Math.abs(s.forecast - 2300) < 1, `the credit is not repeated: ${s.forecast}`);
  const total = evaluateBudget({ budget: { name: 'all', amount: 5000, currency: 'USD', period: 'monthly' }, rows, asOf: '2026-11-15' });
  assert.equal(total.actual, 15 * 140 - 700);
});
