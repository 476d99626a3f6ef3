import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCommitment } from '../../../src/core/savings/commitments';
import { isFinOpsError } from '../../../src/core/errors';
import { commitment, lessonSource } from './fixtures';

const base = { instanceType: 'p3.2xlarge', onDemandHourly: 3.06, onDemandSource: lessonSource, usageHoursPerMonth: 730 };
const near = (a: number, b: number, eps = 0.005) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('the lesson p3.2xlarge: 1-yr RI $2.08 saves 32 %, 3-yr RI $1.37 saves 55 %', () => {
  const one = estimateCommitment({ ...base, commitment: commitment(1, 2.08) });
  const three = estimateCommitment({ ...base, commitment: commitment(3, 1.37) });
  assert.equal(Math.round(one.savingFraction * 100), 32);
  assert.equal(Math.round(three.savingFraction * 100), 55);
  near(one.baselineMonthlyCost, 3.06 * 730);
  near(one.monthlyCost, 2.08 * 730);
  near(one.monthlySaving, (3.06 - 2.08) * 730);
  near(three.monthlySaving, (3.06 - 1.37) * 730);
  near(one.totalCommitmentCost, 2.08 * 8760);
  near(one.totalOnDemandCost, 3.06 * 730 * 12);
  near(three.totalSaving, (3.06 - 1.37) * 730 * 36);
  assert.equal(one.termMonths, 12);
  assert.equal(three.termMonths, 36);
  assert.equal(one.kind, 'reservation');
});

test('break-even month: month 1 without upfront, the month the upfront fee is recovered otherwise', () => {
  assert.equal(estimateCommitment({ ...base, commitment: commitment(1, 2.08, 'noUpfront') }).breakEvenMonth, 1);
  // all upfront: 2.08 × 8760 = 18,220.80 paid at once; on-demand costs 3.06 × 730 = 2,233.80 a month → 8.16 → month 9
  const all = estimateCommitment({ ...base, commitment: commitment(1, 2.08, 'allUpfront') });
  assert.equal(all.breakEvenMonth, 9);
  near(all.upfront, 18220.8, 0.01);
  // partial: 9,110.40 upfront, 1.04/h; saves 2,233.80 − 759.20 = 1,474.60 a month → 6.18 → month 7
  assert.equal(estimateCommitment({ ...base, commitment: commitment(1, 2.08, 'partialUpfront') }).breakEvenMonth, 7);
  // 3-yr all upfront: 1.37 × 26,280 = 36,003.60 / 2,233.80 = 16.1 → month 17
  assert.equal(estimateCommitment({ ...base, commitment: commitment(3, 1.37, 'allUpfront') }).breakEvenMonth, 17);
  // all payment options of one term total the same when the effective rate is the same
  near(all.totalCommitmentCost, estimateCommitment({ ...base, commitment: commitment(1, 2.08, 'noUpfront') }).totalCommitmentCost, 0.01);
});

test('a commitment that costs more than on-demand at the usage never breaks even and shows a negative saving', () => {
  const e = estimateCommitment({ ...base, usageHoursPerMonth: 365, commitment: commitment(1, 2.08, 'allUpfront') });
  assert.equal(e.breakEvenMonth, null);
  near(e.monthlySaving, 3.06 * 365 - 2.08 * 730);
  assert.ok(e.savingFraction < 0);
  assert.ok(e.assumptions.some((a) => /not recovered within the term/.test(a)));
  const none = estimateCommitment({ ...base, usageHoursPerMonth: 365, commitment: commitment(1, 2.08, 'noUpfront') });
  assert.equal(none.breakEvenMonth, null);
  assert.ok(none.assumptions.some((a) => /never breaks even/.test(a)));
});

test('risk: the saving if usage drops by a share, and the utilisation below which it stops paying', () => {
  const e = estimateCommitment({ ...base, commitment: commitment(1, 2.08), usageDropShare: 0.3 });
  near(e.monthlySavingIfUsageDrops, 3.06 * 730 * 0.7 - 2.08 * 730);
  const half = estimateCommitment({ ...base, commitment: commitment(1, 2.08), usageDropShare: 0.5 });
  near(half.monthlySavingIfUsageDrops, 3.06 * 365 - 2.08 * 730);
  assert.ok(half.monthlySavingIfUsageDrops < 0);
  near(e.breakEvenUtilisation, 2.08 / 3.06, 1e-9);
  assert.ok(half.assumptions.some((a) => /a loss/.test(a)));
});

test('several instances: the steady count is committed, the rest stays on-demand', () => {
  const two = estimateCommitment({ ...base, usageHoursPerMonth: 1460, commitment: commitment(1, 2.08) });
  assert.equal(two.quantity, 2);
  near(two.monthlySaving, 2 * (3.06 - 2.08) * 730);
  const partial = estimateCommitment({ ...base, usageHoursPerMonth: 1000, commitment: commitment(1, 2.08) });
  assert.equal(partial.quantity, 1);
  near(partial.monthlyCost, 2.08 * 730 + 270 * 3.06);
});

test('bad input is refused with invalidInput', () => {
  assert.throws(() => estimateCommitment({ ...base, onDemandHourly: 0, commitment: commitment(1, 2.08) }), (e: unknown) => isFinOpsError(e, 'input'));
  assert.throws(() => estimateCommitment({ ...base, usageHoursPerMonth: -1, commitment: commitment(1, 2.08) }), (e: unknown) => isFinOpsError(e, 'input'));
});

test('savings plans are reported as kind savingsPlan', () => {
  const e = estimateCommitment({ ...base, commitment: commitment(3, 1.5, 'noUpfront', 'savingsPlan') });
  assert.equal(e.kind, 'savingsPlan');
  assert.match(e.option, /3-yr Compute Savings Plan, no upfront/);
});
