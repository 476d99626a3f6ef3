import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { addBudgetsToPolicyText, budgetNamesInPolicyText } from '../../../src/core/budgets/policyText';
import { isFinOpsError } from '../../../src/core/errors';
import { loadPolicy } from '../../../src/core/policy/load';

const entry = { name: 'vision-annual', scope: { tag: { Team: 'vision' }, provider: 'aws' }, amount: 300000, currency: 'USD', period: 'annual', alerts: [{ at: 100, on: 'forecast' }] };

/** `after` is `before` with `inserted` at one place, every other byte the same. */
function insertedInto(before: string, after: string): string {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  // back to the start of the line, so the insertion is whole lines
  i = before.lastIndexOf('\n', i - 1) + 1;
  const tail = before.slice(i);
  assert.ok(after.endsWith(tail), `the rest of the file is kept:\n${after}`);
  return after.slice(i, after.length - tail.length);
}

test('a block list: the entry goes after the last budget in the file\'s indentation; comments, flow lists, quoting and 4.5e4 are kept', () => {
  const before = [
    '# team policy',
    'tags:',
    '    required: [ Team ]      # the one tag',
    '',
    'budgets:',
    '    # research',
    '    -   name: research-gpu',
    '        scope: { tag: { Team: research } }',
    '        amount: 4.5e4   # in dollars',
    '        currency: "USD"',
    '        alerts: [{at: 80, on: actual}]',
    '        notify: { emails: [a-very-long-mailing-list-name-for-the-research-team-leads@example-research-organisation.com] }',
    '',
    '# showback',
    'showback: { allocation: even }',
    '',
  ].join('\n');
  const after = addBudgetsToPolicyText(before, [entry]);
  assert.equal(insertedInto(before, after), [
    '    -   name: vision-annual',
    '        scope:',
    '            tag:',
    '                Team: vision',
    '            provider: aws',
    '        amount: 300000',
    '        currency: USD',
    '        period: annual',
    '        alerts:',
    '            - at: 100',
    '              on: forecast',
    '',
  ].join('\n'));
  assert.ok(after.includes('        notify: { emails: [a-very-long-mailing-list-name-for-the-research-team-leads@example-research-organisation.com] }\n    -   name: vision-annual'));
  assert.deepEqual(budgetNamesInPolicyText(after), ['research-gpu', 'vision-annual']);
  const { budgets } = loadPolicy(after, '.finops.yaml');
  assert.deepEqual(budgets?.map((b) => [b.name, b.amount, b.period]), [['research-gpu', 45000, 'monthly'], ['vision-annual', 300000, 'annual']]);
});

test('a list at column 0 keeps its style; CRLF files stay CRLF', () => {
  const before = 'budgets:\r\n- name: a\r\n  amount: 2\r\n  currency: USD\r\n';
  const after = addBudgetsToPolicyText(before, [{ name: 'b', amount: 3, currency: 'USD' }]);
  assert.equal(after, 'budgets:\r\n- name: a\r\n  amount: 2\r\n  currency: USD\r\n- name: b\r\n  amount: 3\r\n  currency: USD\r\n');
});

test('no budgets yet: an empty file, comments only, no "budgets:" key, "budgets:" empty, ~, or a flow list []', () => {
  const one = { name: 'b', amount: 3, currency: 'USD' };
  assert.equal(addBudgetsToPolicyText('', [one]), 'budgets:\n  - name: b\n    amount: 3\n    currency: USD\n');
  assert.equal(addBudgetsToPolicyText('# policy\n', [one]), '# policy\nbudgets:\n  - name: b\n    amount: 3\n    currency: USD\n');
  assert.equal(addBudgetsToPolicyText('tags:\n  required: [Team]', [one]), 'tags:\n  required: [Team]\nbudgets:\n  - name: b\n    amount: 3\n    currency: USD\n');
  assert.equal(addBudgetsToPolicyText('budgets:\nshowback: { allocation: even }\n', [one]), 'budgets:\n  - name: b\n    amount: 3\n    currency: USD\nshowback: { allocation: even }\n');
  assert.equal(addBudgetsToPolicyText('budgets: ~  # none yet\nx: 1\n', [one]), 'budgets:  # none yet\n  - name: b\n    amount: 3\n    currency: USD\nx: 1\n');
  assert.equal(addBudgetsToPolicyText('budgets: []  # none\n', [one]), 'budgets: [{ name: b, amount: 3, currency: USD }]  # none\n');
  assert.equal(addBudgetsToPolicyText('budgets: [{name: a, amount: 1, currency: USD}]\n', [one]), 'budgets: [{name: a, amount: 1, currency: USD}, { name: b, amount: 3, currency: USD }]\n');
  for (const text of ['', 'budgets:\n', 'budgets: []\n']) {
    assert.deepEqual(parse(addBudgetsToPolicyText(text, [one, { ...one, name: 'c' }])), { budgets: [one, { ...one, name: 'c' }] }, text);
  }
});

test('a file that is not valid YAML, not a mapping, or whose budgets: is not a list is refused with the fix, and not written', () => {
  const refused = (text: string, pattern: RegExp) => assert.throws(() => addBudgetsToPolicyText(text, [entry], 'team/.finops.yaml'), (e) => isFinOpsError(e, 'input') && pattern.test(e.message) && e.fix.length > 0);
  refused('budgets: [\n', /team\/\.finops\.yaml is not valid YAML/);
  refused('- a\n- b\n', /is not a YAML mapping/);
  refused('budgets: { name: a }\n', /"budgets:" in team\/\.finops\.yaml is not a list/);
  refused('budgets: 3\n', /is not a list/);
  assert.equal(addBudgetsToPolicyText('x: 1\n', []), 'x: 1\n', 'nothing to add: the text as it was');
});
