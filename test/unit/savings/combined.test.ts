import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineSavings } from '../../../src/core/savings/combined';
import { planSavings } from '../../../src/core/savings/plan';
import { parseSchedule } from '../../../src/core/savings/schedule';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { hourly, lessonP3 } from './fixtures';
import { summarize } from '../../../src/core/savings/report';

const near = (a: number, b: number, eps = 0.006) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('savings compound: 1 − Π(1 − fᵢ), not the sum; the lesson’s 30 + 20 + 15 + 5 = 70 % is really 54.8 %', () => {
  const e = combineSavings(1000, [
    { option: 'a', fraction: 0.3 }, { option: 'b', fraction: 0.2 }, { option: 'c', fraction: 0.15 }, { option: 'd', fraction: 0.05 },
  ]);
  near(e.savingFraction, 1 - 0.7 * 0.8 * 0.85 * 0.95, 1e-9);
  near(e.monthlyCost, 1000 * 0.7 * 0.8 * 0.85 * 0.95);
  near(e.naiveFraction, 0.7, 1e-9);
  assert.ok(e.assumptions.some((a) => /54\.8 %/.test(a) && /70\.0 %/.test(a)));
  const over = combineSavings(100, [{ option: 'x', fraction: 0.6 }, { option: 'y', fraction: 0.6 }]);
  near(over.savingFraction, 0.84, 1e-9);
  assert.ok(over.naiveFraction > 1);
  assert.ok(over.assumptions.some((a) => /more than the whole bill/.test(a)));
  assert.equal(combineSavings(100, []).status, 'notApplicable');
});

test('the lesson p3.2xlarge: a 12 h/day schedule and a 1-yr RI do not add to 82 % — the RI no longer pays at 365 h', () => {
  const oneYearOnly = { ...lessonP3(), commitments: lessonP3().commitments.filter((c) => c.term === 1) };
  const plan = planSavings({ prices: oneYearOnly, hoursPerMonth: 730, schedule: parseSchedule('Daily 08:00-20:00 UTC'), month: { year: 2026, month: 4 } });
  const ri1 = plan.options.find((o) => o.kind === 'reservation');
  const sched = plan.options.find((o) => o.kind === 'schedule');
  assert.equal(Math.round((ri1?.savingFraction ?? 0) * 100), 32);
  near(sched?.savingFraction ?? 0, 0.5, 1e-9);
  const c = plan.combined;
  assert.ok(c);
  near(c.savingFraction, 0.5, 1e-9);
  near(c.naiveFraction, 0.5 + (1 - 2.08 / 3.06), 1e-9);
  assert.ok(c.assumptions.some((a) => /left out/.test(a) && /commitment bills every hour/.test(a)));
});

test('the lesson p3.2xlarge with a 3-yr RI too: at 365 h the 3-yr RI still pays (break-even 44.8 %), so it compounds', () => {
  const plan = planSavings({ prices: lessonP3(), hoursPerMonth: 730, schedule: parseSchedule('Daily 08:00-20:00 UTC'), month: { year: 2026, month: 4 } });
  const c = plan.combined;
  assert.ok(c);
  const riOnScheduled = 1 - (1.37 * 730) / (3.06 * 365);
  near(c.savingFraction, 1 - 0.5 * (1 - riOnScheduled), 1e-9);
  near(c.monthlyCost, 1.37 * 730);
  near(c.naiveFraction, 0.5 + (1 - 1.37 / 3.06), 1e-9);
  assert.ok(c.naiveFraction > 1, 'the naive sum claims more than the whole bill');
});

test('right-size, then schedule, then commit on the smaller type: each step applies to what is left', () => {
  const cat = shippedCatalogue();
  const prices = cat.prices('g5.4xlarge', 'us-east-1');
  const candidates = cat.pricedIn('aws', 'us-east-1');
  const cpu = hourly(336, (i) => (i % 50 === 0 ? 14 : 10));
  const memory = hourly(336, (i) => (i % 50 === 0 ? 20 : 10));
  const plan = planSavings({ prices, candidates, metrics: { cpu, memory }, hoursPerMonth: 730, month: { year: 2026, month: 4 } });
  const c = plan.combined;
  assert.ok(c);
  const small = cat.prices('g5.xlarge', 'us-east-1');
  // best commitment on g5.xlarge at 730 h: the lowest effective rate among its RIs
  const best = Math.min(...small.commitments.map((x) => x.effectiveHourly));
  near(c.monthlyCost, best * 730);
  near(c.savingFraction, 1 - (best * 730) / (prices.onDemand.hourly * 730), 1e-4);
  const rs = plan.options.find((o) => o.kind === 'rightsizing');
  const bestAlone = Math.max(...plan.options.filter((o) => o.kind === 'reservation' || o.kind === 'savingsPlan').map((o) => o.savingFraction));
  near(c.naiveFraction, (rs?.savingFraction ?? 0) + bestAlone, 1e-4);
  assert.ok(c.savingFraction < c.naiveFraction);
  assert.match(c.option, /Right-size g5\.4xlarge → g5\.xlarge \+ 3-yr .* on g5\.xlarge/);
});

test('a plan without metrics or schedule lists commitments and spot, and no combined figure', () => {
  const cat = shippedCatalogue();
  const plan = planSavings({ prices: cat.prices('g5.xlarge'), hoursPerMonth: 730, month: { year: 2026, month: 4 } });
  assert.equal(plan.combined, undefined);
  // savings plans are their own kind: with no savings-plan rates in the snapshot there is no savings-plan option
  assert.deepEqual([...new Set(plan.options.map((o) => o.kind))], ['reservation', 'spot']);
  for (const o of plan.options) {
    assert.ok(o.sources.length > 0 && o.sources.every((s) => s.name && s.capturedAt), o.option);
    assert.ok(o.assumptions.length > 0);
  }
});

test('one baseline: every option of one estimate, the combined figure and the summary share the same monthly baseline', () => {
  const cat = shippedCatalogue();
  for (const [type, region] of [['p3.2xlarge', 'us-east-1'], ['g5.4xlarge', 'us-east-1'], ['a3-highgpu-8g', 'us-central1'], ['Standard_NC24ads_A100_v4', 'eastus']] as const) {
    for (const hours of [730, 365]) {
      // October 2026 in Berlin has 745 h: the schedule's share comes from it, the money from the baseline
      const prices = cat.prices(type, region);
      const plan = planSavings({
        prices, candidates: cat.pricedIn(prices.provider, prices.region), hoursPerMonth: hours, month: { year: 2026, month: 10 },
        schedule: parseSchedule('Mon-Fri 08:00-19:00 Europe/Berlin'),
        metrics: { cpu: hourly(336, () => 5), memory: hourly(336, () => 5) },
      });
      const baseline = Math.round(prices.onDemand.hourly * hours * 100) / 100;
      for (const o of plan.options) near(o.baselineMonthlyCost, baseline, 0.011);
      const schedule = plan.options.find((o) => o.kind === 'schedule');
      assert.equal(schedule?.inputs.monthHours, 745);
      assert.equal(schedule?.inputs.baselineHours, hours);
      const summary = summarize(plan);
      assert.equal(summary.hoursPerMonth, hours);
      near(summary.onDemandMonthly, baseline, 0.011);
      // the combined figure's schedule step saves the same share as the schedule option
      if (plan.combined) near(plan.combined.baselineMonthlyCost, baseline, 0.011);
    }
  }
});
