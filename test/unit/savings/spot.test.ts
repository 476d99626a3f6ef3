import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSpot, interruptionNotice } from '../../../src/core/savings/spot';
import { planSavings } from '../../../src/core/savings/plan';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
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

test('checkpoint writes cost their share of running time, stated in the assumptions', () => {
  // 6-minute writes every 60 minutes, no interruptions: 10 % more running hours
  const e = estimateSpot({ ...base, interruptionsPerHour: 0, checkpointIntervalHours: 1, checkpointWriteHours: 0.1, restartHours: 0 });
  near(e.runningHoursPerMonth, 730 * 1.1, 1e-9);
  near(e.monthlyCost, 730 * 1.1 * 0.918);
  assert.ok(e.assumptions.some((a) => /each taking 6 min to write with training paused: 10\.0 % more running time/.test(a)), e.assumptions.join('\n'));
});

test('checkpoint on notice: AWS\'s 2-minute notice fits a 1-minute write, so an interruption loses only the write and the restart', () => {
  const write = 1 / 60;
  const restart = 1 / 6;
  const rate = 1 / 24;
  const aws = estimateSpot({ ...base, provider: 'aws', interruptionsPerHour: rate, checkpointIntervalHours: 1, checkpointWriteHours: write, restartHours: restart });
  assert.equal(aws.checkpointOnNotice, true);
  near(aws.lostPerInterruptionHours, write + restart, 1e-12);
  near(aws.runningHoursPerMonth, (730 * (1 + write)) / (1 - rate * (write + restart)), 1e-9);
  assert.ok(aws.assumptions.some((a) => /EC2 Spot interruption notice.*2 minutes ahead.*checkpoints when the notice arrives/.test(a)), aws.assumptions.join('\n'));
  // Google Cloud warns 30 seconds ahead: a 1-minute write does not fit, so half an interval of work is lost
  const gcp = estimateSpot({ ...base, provider: 'gcp', interruptionsPerHour: rate, checkpointIntervalHours: 1, checkpointWriteHours: write, restartHours: restart });
  assert.equal(gcp.checkpointOnNotice, false);
  near(gcp.lostPerInterruptionHours, 0.5 + restart, 1e-12);
  assert.ok(gcp.assumptions.some((a) => /30 seconds ahead.*longer than the notice.*half a checkpoint interval \(30 min\)/.test(a)), gcp.assumptions.join('\n'));
  assert.ok(aws.monthlySaving > gcp.monthlySaving);
  // a 20-second write fits Google Cloud's and Azure's 30 seconds
  for (const provider of ['gcp', 'azure'] as const) {
    assert.equal(estimateSpot({ ...base, provider, interruptionsPerHour: rate, checkpointIntervalHours: 1, checkpointWriteHours: 20 / 3600, restartHours: restart }).checkpointOnNotice, true, provider);
  }
  // a 3-minute write does not fit AWS's 2 minutes
  assert.equal(estimateSpot({ ...base, provider: 'aws', interruptionsPerHour: rate, checkpointIntervalHours: 1, checkpointWriteHours: 0.05, restartHours: restart }).checkpointOnNotice, false);
  assert.equal(interruptionNotice.aws.seconds, 120);
  assert.equal(interruptionNotice.gcp.seconds, 30);
});

test('the plan passes the cloud and the checkpoint write time to the spot estimate', () => {
  const prices = shippedCatalogue().prices('p3.2xlarge', 'us-east-1');
  const plan = planSavings({ prices, month: { year: 2026, month: 4 }, spot: { checkpointWriteHours: 0.5 / 60 } });
  const spot = plan.options.find((o) => o.kind === 'spot');
  assert.equal(spot?.inputs.noticeSeconds, 120);
  assert.equal(spot?.inputs.checkpointWriteHours, 0.5 / 60);
  assert.equal(spot?.inputs.checkpointOnNotice, true);
  assert.ok(spot?.assumptions.some((a) => /30 s to write/.test(a)));
  assert.throws(() => estimateSpot({ ...base, interruptionsPerHour: 0.1, checkpointIntervalHours: 0, restartHours: 0 }), (e: unknown) => isFinOpsError(e, 'input'));
});
