import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli } from '../../support/cli';
import { monthOption, oneOf, requiredFocus } from '../../../src/cli/io';
import { isFinOpsError } from '../../../src/core/errors';

const demo = path.resolve(__dirname, '../../../demo');
const bill = ['--focus', 'billing'];

test('the shared option checks: one of a few words, a month, a required --focus, each with the message that names the choices', () => {
  assert.equal(oneOf('format', 'json', ['table', 'json']), 'json');
  const usage = (fn: () => unknown, message: string) => assert.throws(fn, (e) => isFinOpsError(e, 'usage') && e.message === message);
  usage(() => oneOf('format', 'xml', ['table', 'json']), '--format must be table or json (got "xml")');
  usage(() => oneOf('format', 'xml', ['table', 'json', 'csv']), '--format must be table, json or csv (got "xml")');
  usage(() => oneOf('metric', 'Amortized', ['EffectiveCost', 'BilledCost', 'ListCost']), '--metric must be EffectiveCost, BilledCost or ListCost (got "Amortized")');
  assert.equal(monthOption(undefined), undefined);
  assert.equal(monthOption('2026-10'), '2026-10');
  usage(() => monthOption('2026-13'), '--month must be written YYYY-MM (got "2026-13")');
  assert.deepEqual(requiredFocus(['a']), ['a']);
  usage(() => requiredFocus(undefined), '--focus PATH is required');
  usage(() => requiredFocus([]), '--focus PATH is required');
});

test('every bill command refuses a bad --format, --metric, --month or a missing --focus with the same words as before, exit 2, usage shown', async () => {
  const cases: [string[], string][] = [
    [['costs', ...bill, '--format', 'xml'], '--format must be table, json or csv (got "xml")'],
    [['costs', ...bill, '--metric', 'Amortized'], '--metric must be EffectiveCost, BilledCost or ListCost (got "Amortized")'],
    [['costs', ...bill, '--granularity', 'weekly'], '--granularity must be daily, monthly or total (got "weekly")'],
    [['costs'], '--focus PATH is required'],
    [['forecast', ...bill, '--format', 'xml'], '--format must be table, json or csv (got "xml")'],
    [['forecast', ...bill, '--metric', 'x'], '--metric must be EffectiveCost, BilledCost or ListCost (got "x")'],
    [['anomalies', ...bill, '--format', 'csv'], '--format must be table or json (got "csv")'],
    [['anomalies', ...bill, '--metric', 'x'], '--metric must be EffectiveCost, BilledCost or ListCost (got "x")'],
    [['budgets', ...bill, '--format', 'csv'], '--format must be table or json (got "csv")'],
    [['budgets', ...bill, '--fail-on', 'soon'], '--fail-on must be forecast or actual (got "soon")'],
    [['budgets', ...bill, '--month', '2026-1'], '--month must be written YYYY-MM (got "2026-1")'],
    [['budgets'], '--focus PATH is required'],
    [['report', ...bill, '--month', '2026-10', '--format', 'json'], '--format must be markdown, csv or html (got "json")'],
    [['report', ...bill, '--month', '2026-10', '--metric', 'x'], '--metric must be EffectiveCost, BilledCost or ListCost (got "x")'],
    [['report', ...bill, '--month', 'October'], '--month must be written YYYY-MM (got "October")'],
    [['report', ...bill], '--month YYYY-MM is required'],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args, { cwd: demo });
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.err.includes(message), `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, new RegExp(`Usage: mlfinops ${args[0]}`), 'the usage follows');
    assert.equal(r.out, '');
  }
});
