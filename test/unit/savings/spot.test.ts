import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSpot } from '../../../src/core/savings/spot';
import { isFinOpsError } from '../../../src/core/errors';
import { lessonSource } from './fixtures';

const near = (a: number, b: number, eps = 0.006) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const base = {
  instanceType: 'p3.2xlarge', onDemandHourly: 3.06, onDemandSource: lessonSource,
  spot: { hourly: 0.918, min: 0.9, max: 1.5, source: lessonSource }, usefulHoursPerMonth: 730,
};

test('spot saving minus restart overhead: half a checkpoint interval plus the restart per interruption', () => {
  // one interruption a day, hourly checkpoints, 10-minute restart → (0.5 + 1/6) / 24 of each hour is redone
  const e = estimateSpot({ ...base, interruptionsPerHour: 1 / 24, checkpointIntervalHours: 1, restartHours: 1 / 6 });
  const overhead = (0.5 + 1 / 6) / 24;
  const running = 730 / (1 - overhead);
  near(e.overheadFraction, overhead, 1e-12);
  near(e.runningHoursPerMonth, running, 1e-9);
  near(e.monthlyCost, running * 0.918);
  near(e.monthlySaving, 3.06 * 730 - running * 0.918);
  near(e.savingFraction, 1 - (running * 0.918) / (3.06 * 730), 1e-4);
  near(e.monthlySavingAtMaxPrice ?? NaN, 3.06 * 730 - running * 1.5);
  assert.ok(e.monthlySaving < (3.06 - 0.918) * 730, 'the overhead reduces the saving');
});

test('no interruptions: the plain price difference; longer checkpoint intervals cost more', () => {
  const none = estimateSpot({ ...base, interruptionsPerHour: 0, checkpointIntervalHours: 4, restartHours: 0.5 });
  near(none.monthlySaving, (3.06 - 0.918) * 730);
  near(none.savingFraction, 0.7, 1e-9);
  const often = estimateSpot({ ...base, interruptionsPerHour: 0.1, checkpointIntervalHours: 0.25, restartHours: 0.1 });
  const rarely = estimateSpot({ ...base, interruptionsPerHour: 0.1, checkpointIntervalHours: 4, restartHours: 0.1 });
  assert.ok(often.monthlySaving > rarely.monthlySaving);
});

test('when interruptions eat all progress, spot is not applicable', () => {
  const e = estimateSpot({ ...base, interruptionsPerHour: 1, checkpointIntervalHours: 2, restartHours: 0.5 });
  assert.equal(e.status, 'notApplicable');
  assert.equal(e.monthlySaving, 0);
  assert.ok(e.assumptions.some((a) => /checkpoint more often/.test(a)));
});

test('negative or missing rates are refused', () => {
  assert.throws(() => estimateSpot({ ...base, interruptionsPerHour: -1, checkpointIntervalHours: 1, restartHours: 0 }), (e: unknown) => isFinOpsError(e, 'input'));
  assert.throws(() => estimateSpot({ ...base, interruptionsPerHour: 0.1, checkpointIntervalHours: Number.NaN, restartHours: 0 }), (e: unknown) => isFinOpsError(e, 'input'));
});
