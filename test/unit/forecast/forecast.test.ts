import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cumulativeForecast, forecastDaily, forecastSum, SINGLE_MODEL_MARGIN, type DailyValue } from '../../../src/core/forecast/forecast';
import { COMBINED_MODELS, fitModel, stepDeviations } from '../../../src/core/forecast/models';
import { isOneOffCharge, seriesFromRows } from '../../../src/core/forecast/series';
import { isFinOpsError } from '../../../src/core/errors';
import { addDays } from '../../../src/core/period';
import type { CostRow } from '../../../src/core/cost/model';

/** Deterministic pseudo-random numbers (mulberry32) and standard normals. */
function rng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** 2026-01-05 is a Monday: weekday index 0. Weekends cost 30 less. */
const START = '2026-01-05';
const WEEK = [10, 10, 10, 10, 10, -20, -20];

function series(days: number, f: (t: number) => number | null): DailyValue[] {
  const out: DailyValue[] = [];
  for (let t = 0; t < days; t++) {
    const v = f(t);
    if (v !== null) out.push({ date: addDays(START, t), cost: v });
  }
  return out;
}

const mae = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

test('a trend with a weekly pattern: the forecast follows both', () => {
  const r = rng(1);
  const truth = (t: number): number => 200 + 1.5 * t + WEEK[t % 7]!;
  const f = forecastDaily(series(140, (t) => truth(t) + 3 * r.normal()), { horizon: 28 });
  assert.ok(['holt-winters', 'seasonal-smoothing', 'seasonal-naive'].includes(f.model), `a seasonal model, got ${f.model}`);
  assert.equal(f.points.length, 28);
  assert.equal(f.points[0]!.date, addDays(START, 140));
  const expected = f.points.map((_, i) => truth(140 + i));
  // damped: the trend flattens, so allow some lag behind a linear truth 4 weeks out
  assert.ok(mae(f.points.map((p) => p.mean), expected) < 20, `MAE ${mae(f.points.map((p) => p.mean), expected)}`);
  // the weekend dip is kept: Saturdays and Sundays below the weekdays of the same week
  const first = f.points.slice(0, 7);
  const weekend = first.filter((p) => [5, 6].includes((140 + f.points.indexOf(p)) % 7));
  const weekdays = first.filter((p) => ![5, 6].includes((140 + f.points.indexOf(p)) % 7));
  assert.ok(Math.max(...weekend.map((p) => p.mean)) < Math.min(...weekdays.map((p) => p.mean)));
  for (const p of f.points) assert.ok(p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95);
});

test('a strong weekly pattern without trend: a seasonal model beats simple smoothing in the backtest', () => {
  const r = rng(2);
  const f = forecastDaily(series(91, (t) => 100 + 3 * WEEK[t % 7]! + 2 * r.normal()), { horizon: 14 });
  assert.notEqual(f.model, 'simple-smoothing');
  const simple = f.backtest.find((s) => s.model === 'simple-smoothing')!;
  const chosen = f.backtest.find((s) => s.model === f.model)!;
  assert.ok(chosen.mae < simple.mae / 3, `chosen ${chosen.mae} vs simple ${simple.mae}`);
  assert.match(f.note, /rolling-origin backtest/);
  assert.equal(f.fallback, false);
});

test('a level shift: the forecast follows the new level', () => {
  const r = rng(3);
  const f = forecastDaily(series(119, (t) => (t < 84 ? 100 : 200) + WEEK[t % 7]! + 2 * r.normal()), { horizon: 14 });
  const mean = f.points.reduce((s, p) => s + p.mean, 0) / f.points.length;
  assert.ok(Math.abs(mean - 200) < 15, `mean ${mean}`);
});

test('gaps are unknown days, not $0: the forecast keeps the level and the history counts the missing days', () => {
  const r = rng(4);
  const gappy = series(98, (t) => (t % 9 === 4 || (t > 60 && t < 66) ? null : 100 + WEEK[t % 7]! + r.normal()));
  const f = forecastDaily(gappy, { horizon: 7 });
  assert.ok(f.history.missingDays > 10);
  assert.equal(f.history.days + f.history.missingDays, 98);
  const mean = f.points.reduce((s, p) => s + p.mean, 0) / 7;
  assert.ok(Math.abs(mean - 100) < 6, `mean ${mean}`);
});

test('negative credits and one-off purchases stay out of the fitted series and come back as known amounts', () => {
  const r = rng(5);
  const rows: CostRow[] = [];
  for (let t = 0; t < 56; t++) {
    const day = addDays(START, t);
    rows.push({ groups: { ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based' }, period: day, cost: 100 + WEEK[t % 7]! + r.normal(), currency: 'USD' });
    if (t % 7 === 3) rows.push({ groups: { ChargeCategory: 'Credit', ChargeFrequency: 'Usage-Based' }, period: day, cost: -400, currency: 'USD' });
  }
  rows.push({ groups: { ChargeCategory: 'Purchase', ChargeFrequency: 'One-Time' }, period: addDays(START, 20), cost: 5000, currency: 'USD' });
  rows.push({ groups: { ChargeCategory: 'Purchase', ChargeFrequency: 'Recurring' }, period: addDays(START, 20), cost: 0, currency: 'USD' });
  const [s] = seriesFromRows(rows, []);
  assert.ok(s);
  assert.equal(s.recurring.length, 56);
  assert.ok(s.recurring.every((v) => v.cost >= 65 && v.cost <= 115), 'usage only in the fitted series');
  assert.equal(s.known.length, 9);
  assert.equal(s.known.reduce((a, k) => a + k.amount, 0), 8 * -400 + 5000);
  const future = { date: addDays(START, 64), amount: -1000 };
  const f = forecastDaily(s.recurring, { horizon: 14, known: [...s.known, future] });
  assert.deepEqual(f.known, [future], 'only amounts dated in the forecast days are added');
  const p = f.points.find((x) => x.date === future.date)!;
  const usual = f.points.find((x) => x.date === addDays(future.date, -7))!;
  assert.ok(Math.abs(p.mean - (usual.mean - 1000)) < 5, `${p.mean} vs ${usual.mean} − 1000`);
  assert.ok(p.lo95 < p.mean && p.mean < p.hi95);
  assert.equal(f.floor, 0, 'no negative day in the fitted series');
  assert.ok(f.points.filter((x) => x !== p).every((x) => x.lo95 >= 0));
  assert.ok(isOneOffCharge('Adjustment', 'Usage-Based') && isOneOffCharge('Usage', 'One-Time') && !isOneOffCharge('Tax', 'Usage-Based') && !isOneOffCharge('Purchase', 'Recurring'));
});

test('the 80 % and 95 % intervals cover about what they say on series of known noise', () => {
  let in80 = 0;
  let in95 = 0;
  let n = 0;
  for (let k = 0; k < 24; k++) {
    const r = rng(100 + k);
    const level = 50 + 10 * k;
    const y = series(140, (t) => level + 0.2 * t + (level / 20) * WEEK[t % 7]! / 10 + (level / 10) * r.normal());
    const f = forecastDaily(y.slice(0, 126), { horizon: 14 });
    f.points.forEach((p, i) => {
      const actual = y[126 + i]!.cost;
      n++;
      if (actual >= p.lo80 && actual <= p.hi80) in80++;
      if (actual >= p.lo95 && actual <= p.hi95) in95++;
    });
  }
  assert.ok(in80 / n >= 0.7 && in80 / n <= 0.92, `80 % coverage ${in80 / n}`);
  assert.ok(in95 / n >= 0.88 && in95 / n <= 1, `95 % coverage ${in95 / n}`);
});

test('fewer than three weeks of history fall back to simple smoothing and say so', () => {
  const f = forecastDaily(series(12, (t) => 100 + WEEK[t % 7]!), { horizon: 10 });
  assert.equal(f.fallback, true);
  assert.equal(f.model, 'simple-smoothing');
  assert.match(f.note, /Only 12 days of history \(fewer than 21\)/);
  assert.deepEqual(f.backtest, []);
  assert.equal(f.points.length, 10);
  for (const p of f.points) assert.ok(p.mean > 70 && p.mean < 115);
});

test('bad histories and horizons are refused with a fix', () => {
  const refused = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e) => isFinOpsError(e, 'input') && re.test(e.message) && e.fix.length > 0);
  };
  refused(() => forecastDaily([{ date: START, cost: 1 }], { horizon: 5 }), /at least two days/);
  refused(() => forecastDaily([], { horizon: 5 }), /no cost history/);
  refused(() => forecastDaily(series(30, () => 1), { horizon: 0 }), /horizon/);
  refused(() => forecastDaily([{ date: '2026-13-01', cost: 1 }, { date: START, cost: 1 }], { horizon: 5 }), /not a date/);
  refused(() => forecastDaily([{ date: START, cost: Number.NaN }, { date: addDays(START, 1), cost: 1 }], { horizon: 5 }), /not a number/);
});

test('a total over several days: its mean is the sum, its interval narrower than the daily intervals added up', () => {
  const r = rng(9);
  const f = forecastDaily(series(84, (t) => 100 + WEEK[t % 7]! + 5 * r.normal()), { horizon: 14 });
  const total = forecastSum(f, f.points[0]!.date, f.points[13]!.date);
  const sumOf = (k: 'mean' | 'lo80' | 'hi80') => f.points.reduce((s, p) => s + p[k], 0);
  assert.ok(Math.abs(total.mean - sumOf('mean')) < 1e-6);
  assert.ok(total.hi80 - total.lo80 < sumOf('hi80') - sumOf('lo80'));
  assert.ok(total.lo95 < total.lo80 && total.hi80 < total.hi95);
  const running = cumulativeForecast(f);
  assert.equal(running.length, 14);
  assert.ok(Math.abs(running[13]!.mean - total.mean) < 1e-6);
  assert.ok(Math.abs(running[13]!.hi80 - total.hi80) < 1e-6, 'the running total ends at the total');
  assert.ok(running.every((p, i) => i === 0 || p.mean > running[i - 1]!.mean));
});

test('the combination is the average of Holt-Winters, simple smoothing and seasonal naive, from any day of the series', () => {
  const r = rng(11);
  const y = Float64Array.from({ length: 98 }, (_, t) => 100 + 0.3 * t + WEEK[t % 7]! + 4 * r.normal());
  const combined = fitModel('combination', y);
  const parts = COMBINED_MODELS.map((m) => fitModel(m, y));
  assert.deepEqual(parts.map((m) => m.name), ['holt-winters', 'simple-smoothing', 'seasonal-naive']);
  for (const t of [21, 60, 98]) {
    const mean = combined.meanFrom(t, 14);
    const average = Array.from({ length: 14 }, (_, i) => parts.reduce((s, m) => s + m.meanFrom(t, 14)[i]!, 0) / 3);
    mean.forEach((v, i) => assert.ok(Math.abs(v - average[i]!) < 1e-9, `day ${t}+${i}: ${v} vs ${average[i]}`));
  }
  assert.deepEqual(combined.mean(7), combined.meanFrom(98, 7));
  // its one-step deviation is that of its own one-step errors; the h-step deviation grows with h
  const impulse = combined.impulse(28);
  assert.equal(impulse[0], 1);
  const sd = stepDeviations(combined, 28);
  assert.ok(sd.every((v, i) => i === 0 || v >= sd[i - 1]!));
  assert.ok(combined.sigma > 2 && combined.sigma < 12, `sigma ${combined.sigma}`);
  assert.ok(Object.keys(combined.parameters).includes('holt-winters.alpha'));
});

test('noisy spend without structure: the backtest keeps the combination unless one model is clearly better; a clear trend and week go to Holt-Winters', () => {
  const r = rng(12);
  // bursts on a flat base: no single model is much better than the average of all
  const bursty = series(140, (t) => 100 + (t % 17 < 3 ? 120 : 0) + 15 * r.normal());
  const f = forecastDaily(bursty, { horizon: 28 });
  const combined = f.backtest.find((s) => s.model === 'combination')!;
  assert.ok(combined, 'the combination is scored');
  const single = f.backtest.filter((s) => s.model !== 'combination').sort((a, b) => a.mae - b.mae)[0]!;
  assert.ok(single.mae >= (1 - SINGLE_MODEL_MARGIN) * combined.mae, f.note);
  assert.equal(f.model, 'combination', f.note);
  assert.match(f.description, /average of Holt-Winters/);
  // a clean trend with a weekly pattern: Holt-Winters wins the backtest by far and is used alone
  const clean = forecastDaily(series(140, (t) => 200 + 1.5 * t + WEEK[t % 7]! + 0.5 * r.normal()), { horizon: 28 });
  const cleanCombined = clean.backtest.find((s) => s.model === 'combination')!;
  const used = clean.backtest.find((s) => s.model === clean.model)!;
  assert.notEqual(clean.model, 'combination');
  assert.ok(used.mae < (1 - SINGLE_MODEL_MARGIN) * cleanCombined.mae, clean.note);
});
