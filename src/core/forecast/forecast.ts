import { FinOpsError } from '../errors';
import { addDays, daysBetween, isIsoDate } from '../period';
import { calibratedMultipliers, fitModel, MINIMUM_DAYS, MODEL_DESCRIPTIONS, stepDeviations, type FittedModel, type ForecastModelName } from './models';

/**
 * Daily spend forecasts: the model is chosen on the series itself by a rolling-origin backtest (Holt-Winters with a
 * damped trend and weekly seasonality against simpler models), with 80 % and 95 % prediction intervals. One-off
 * charges (purchases, credits, adjustments, one-time fees) are not part of the fitted series: they come in as known
 * amounts and are added back on their day.
 */

/** One day's cost of the fitted (recurring) series. A day absent from the series is unknown, not $0. */
export interface DailyValue { date: string; cost: number }

/** A one-off amount on a known day (a purchase, a credit, an adjustment, a one-time fee): never forecast. */
export interface KnownAmount { date: string; amount: number }

/** One forecast day: the expected cost and the 80 % and 95 % prediction intervals, known amounts included. */
export interface ForecastPoint { date: string; mean: number; lo80: number; hi80: number; lo95: number; hi95: number }

/** How one candidate model did in the rolling-origin backtest. */
export interface BacktestScore {
  model: ForecastModelName;
  /** Mean absolute error per day over every backtest forecast. */
  mae: number;
  /** Mean absolute percentage error (days with a zero actual left out); null when every actual is zero. */
  mape: number | null;
  /** Share (0–1) of actual days inside the 80 % and 95 % intervals. */
  coverage80: number;
  coverage95: number;
  /** Forecast days scored. */
  days: number;
}

export interface Forecast {
  /** The model used. */
  model: ForecastModelName;
  /** The model in words ("Holt-Winters exponential smoothing (additive, damped trend, weekly seasonality)"). */
  description: string;
  /** Why this model: the backtest's verdict, or the fallback for a short history ("Only 12 days of history …"). */
  note: string;
  /** True when the history was too short for the seasonal models (fewer than 21 days). */
  fallback: boolean;
  /** The fitted series: first and last day, days with a value, and days missing in between. */
  history: { start: string; end: string; days: number; missingDays: number };
  /** The forecast days, from the day after the history's last day. */
  points: ForecastPoint[];
  /** The known amounts dated within the forecast days, already included in `points`. */
  known: KnownAmount[];
  /** Fitted smoothing parameters. */
  parameters: Record<string, number>;
  /** Candidates scored by the backtest (empty when the history is too short for one). */
  backtest: BacktestScore[];
  /** Standard deviation of a one-day error, and the impulse weights: what sums of days need (see forecastSum). */
  sigma: number;
  impulse: number[];
  /** Lowest a day of the fitted series can be (0 when the history has no negative day), or null. */
  floor: number | null;
  /**
   * Multipliers of the standard deviation for the 80 % and 95 % intervals: the normal quantiles (1.28, 1.96), or,
   * after a backtest of at least 40 days, the 80th and 95th percentiles of its standardised absolute errors, so that
   * the intervals cover what they say on this series (spend has heavier tails and level shifts than a normal).
   */
  z80: number;
  z95: number;
}

export interface ForecastOptions {
  /** Days to forecast after the history's last day (1–1100). */
  horizon: number;
  /** One-off amounts; those dated in the forecast days are added to them. */
  known?: readonly KnownAmount[];
  /** Candidate models (default: all). */
  candidates?: readonly ForecastModelName[];
  /** Backtest origins, a week apart (default 4). */
  origins?: number;
}

export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

/** Days of history below which the seasonal models are not fitted. */
export const SHORT_HISTORY_DAYS = 21;

const ALL_MODELS: readonly ForecastModelName[] = ['combination', 'holt-winters', 'seasonal-smoothing', 'seasonal-naive', 'simple-smoothing'];

/**
 * How much lower (as a share) a single model's backtest error must be than the combination's for it to be used
 * instead: a four-origin backtest is noisy, and a model that wins it by a little is as likely to lose the next month.
 * (On the benchmark series, 0.1, 0.2 and 0.3 all beat both choosing the lowest error and always combining.)
 */
export const SINGLE_MODEL_MARGIN = 0.2;

/** The dense series from the first to the last day, NaN on a missing day; the same day twice is summed. */
export function denseSeries(history: readonly DailyValue[]): { start: string; end: string; values: Float64Array; missing: number } {
  if (!history.length) throw new FinOpsError('input', 'There is no cost history to forecast from.', { fix: 'Give at least two days of cost.' });
  const byDay = new Map<string, number>();
  for (const { date, cost } of history) {
    if (!isIsoDate(date)) throw new FinOpsError('input', `"${date}" in the cost history is not a date written YYYY-MM-DD.`, { fix: 'Write each day as YYYY-MM-DD.' });
    if (!Number.isFinite(cost)) throw new FinOpsError('input', `The cost on ${date} is not a number (${cost}).`, { fix: 'Give a finite amount for each day.' });
    byDay.set(date, (byDay.get(date) ?? 0) + cost);
  }
  const days = [...byDay.keys()].sort();
  const start = days[0]!;
  const end = days.at(-1)!;
  const n = daysBetween(start, end) + 1;
  if (n > 20_000) throw new FinOpsError('input', `The cost history spans ${n} days.`, { fix: 'Forecast from at most the last 50 years.' });
  const values = new Float64Array(n).fill(Number.NaN);
  for (const [d, v] of byDay) values[daysBetween(start, d)] = v;
  return { start, end, values, missing: n - byDay.size };
}

function observedDays(y: Float64Array): number {
  let n = 0;
  for (const v of y) if (Number.isFinite(v)) n++;
  return n;
}

interface Scored { score: BacktestScore; errors: { z: number }[] }

/** Rolling-origin backtest: fit on the days before each origin, forecast `h` days, compare with what happened. */
function backtestModels(y: Float64Array, models: readonly ForecastModelName[], h: number, origins: number): Scored[] {
  const n = y.length;
  const starts: number[] = [];
  for (let i = 0; i < origins; i++) {
    const origin = n - h - i * 7;
    if (origin < SHORT_HISTORY_DAYS) break;
    starts.push(origin);
  }
  // each origin's fits are shared: the combination reuses the single models fitted on the same days
  const fits = starts.map(() => new Map<ForecastModelName, FittedModel>());
  return models.map((name) => {
    let absSum = 0;
    let pctSum = 0;
    let pctN = 0;
    let days = 0;
    let in80 = 0;
    let in95 = 0;
    const errors: { z: number }[] = [];
    starts.forEach((origin, o) => {
      const train = y.subarray(0, origin);
      if (observedDays(train) < MINIMUM_DAYS[name]) return;
      const model = fitModel(name, train, fits[o]);
      const mean = model.mean(h);
      const sd = stepDeviations(model, h);
      for (let i = 0; i < h; i++) {
        const actual = y[origin + i]!;
        if (!Number.isFinite(actual)) continue;
        const e = actual - mean[i]!;
        absSum += Math.abs(e);
        if (actual !== 0) {
          pctSum += Math.abs(e / actual);
          pctN++;
        }
        days++;
        if (Math.abs(e) <= Z80 * sd[i]!) in80++;
        if (Math.abs(e) <= Z95 * sd[i]!) in95++;
        errors.push({ z: sd[i]! > 0 ? e / sd[i]! : 0 });
      }
    });
    return {
      score: { model: name, mae: days ? absSum / days : Number.POSITIVE_INFINITY, mape: pctN ? (100 * pctSum) / pctN : null, coverage80: days ? in80 / days : 0, coverage95: days ? in95 / days : 0, days },
      errors,
    };
  });
}

/**
 * Forecasts the days after the history. With 21 days or more, every candidate is scored by a rolling-origin
 * backtest (up to four origins a week apart, forecasting as far as the horizon, at least 7 and at most 28 days)
 * and the one with the lowest mean absolute error is fitted on the whole history. Shorter histories use simple
 * exponential smoothing, and the note says so.
 */
export function forecastDaily(history: readonly DailyValue[], options: ForecastOptions): Forecast {
  const horizon = options.horizon;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 1100) {
    throw new FinOpsError('input', `The forecast horizon must be a whole number of days from 1 to 1100 (got ${horizon}).`, { fix: 'Forecast 1 to 1100 days ahead (30 is a month).' });
  }
  const { start, end, values: y, missing } = denseSeries(history);
  const observed = observedDays(y);
  if (observed < 2) throw new FinOpsError('input', `A forecast needs at least two days of cost; the history has ${observed}.`, { fix: 'Wait for a second day of cost, or give a longer history.' });
  const candidates = (options.candidates ?? ALL_MODELS).filter((m) => observed >= MINIMUM_DAYS[m]);

  let chosen: ForecastModelName;
  let note: string;
  let scores: BacktestScore[] = [];
  const fallback = observed < SHORT_HISTORY_DAYS;
  const h = Math.min(28, Math.max(7, horizon));
  if (fallback || !candidates.length) {
    chosen = candidates.includes('simple-smoothing') || !candidates.length ? 'simple-smoothing' : candidates[0]!;
    note = `Only ${observed} day${observed === 1 ? '' : 's'} of history (fewer than ${SHORT_HISTORY_DAYS}): forecast with ${MODEL_DESCRIPTIONS[chosen]}, without weekly pattern or trend.`;
  } else if (y.length - h < SHORT_HISTORY_DAYS || candidates.length === 1) {
    chosen = candidates[0]!;
    note = `${observed} days of history: too few for a backtest of ${h} days, so ${MODEL_DESCRIPTIONS[chosen]} is used.`;
  } else {
    const scored = backtestModels(y, candidates, h, options.origins ?? 4).filter((s) => s.score.days > 0);
    scores = scored.map((s) => s.score);
    const lowest = [...scored].sort((a, b) => a.score.mae - b.score.mae)[0];
    const combined = scored.find((s) => s.score.model === 'combination');
    const single = scored.filter((s) => s !== combined).sort((a, b) => a.score.mae - b.score.mae)[0];
    // the combination stays unless a single model is clearly better on this series
    const best = combined && !(single && single.score.mae < (1 - SINGLE_MODEL_MARGIN) * combined.score.mae) ? combined : lowest;
    chosen = best?.score.model ?? candidates[0]!;
    const others = scored.filter((s) => s !== best).map((s) => `${s.score.model} ${s.score.mae.toFixed(2)}`).join(', ');
    const rule = combined && best === combined && lowest !== combined ? `, kept as no single model was ${Math.round(100 * SINGLE_MODEL_MARGIN)} % better` : '';
    note = `Chosen by a rolling-origin backtest (${best?.score.days ?? 0} days forecast ${h} days ahead): mean absolute error ${best?.score.mae.toFixed(2) ?? '?'} a day${others ? ` against ${others}` : ''}${rule}.`;
  }

  const model = fitModel(chosen, y);
  const z = calibratedMultipliers(model, y, Math.min(horizon, 28));
  return buildForecast(model, { start, end, observed, missing, y, horizon, known: options.known ?? [], note, fallback, scores, z });
}

function buildForecast(model: FittedModel, a: {
  start: string; end: string; observed: number; missing: number; y: Float64Array; horizon: number; known: readonly KnownAmount[];
  note: string; fallback: boolean; scores: BacktestScore[]; z: { z80: number; z95: number };
}): Forecast {
  const { z80, z95 } = a.z;
  let min = Number.POSITIVE_INFINITY;
  for (const v of a.y) if (Number.isFinite(v)) min = Math.min(min, v);
  const floor = min >= 0 ? 0 : null;
  const mean = model.mean(a.horizon);
  const sd = stepDeviations(model, a.horizon);
  const first = addDays(a.end, 1);
  const last = addDays(a.end, a.horizon);
  const knownByDay = new Map<string, number>();
  const known: KnownAmount[] = [];
  for (const k of a.known) {
    if (k.date >= first && k.date <= last && Number.isFinite(k.amount)) {
      knownByDay.set(k.date, (knownByDay.get(k.date) ?? 0) + k.amount);
      known.push({ date: k.date, amount: k.amount });
    }
  }
  const clip = (v: number): number => (floor === null ? v : Math.max(floor, v));
  const points = mean.map((m, i): ForecastPoint => {
    const date = addDays(a.end, i + 1);
    const extra = knownByDay.get(date) ?? 0;
    const s = sd[i]!;
    return {
      date,
      mean: clip(m) + extra,
      lo80: clip(m - z80 * s) + extra,
      hi80: clip(m + z80 * s) + extra,
      lo95: clip(m - z95 * s) + extra,
      hi95: clip(m + z95 * s) + extra,
    };
  });
  return {
    model: model.name,
    description: MODEL_DESCRIPTIONS[model.name],
    note: a.note,
    fallback: a.fallback,
    history: { start: a.start, end: a.end, days: a.observed, missingDays: a.missing },
    points,
    known,
    parameters: model.parameters,
    backtest: a.scores,
    sigma: model.sigma,
    impulse: model.impulse(a.horizon),
    floor,
    z80,
    z95,
  };
}

/** A total over several days: the expected amount and its 80 % and 95 % intervals. */
export interface ForecastTotal { mean: number; lo80: number; hi80: number; lo95: number; hi95: number }

/**
 * The forecast total of the days `from`..`to` (inclusive, within the forecast), known amounts included. Its
 * interval is that of the sum (errors of consecutive days are correlated through the model's state), not the sum
 * of the daily intervals.
 */
export function forecastSum(forecast: Forecast, from: string, to: string): ForecastTotal {
  const first = forecast.points[0]?.date;
  if (first === undefined || to < from) return { mean: 0, lo80: 0, hi80: 0, lo95: 0, hi95: 0 };
  const a = Math.max(0, daysBetween(first, from));
  const b = Math.min(forecast.points.length - 1, daysBetween(first, to));
  if (b < a) return { mean: 0, lo80: 0, hi80: 0, lo95: 0, hi95: 0 };
  let mean = 0;
  for (let i = a; i <= b; i++) mean += forecast.points[i]!.mean;
  // error of day i is Σ_k c(i−k)·ε_k; the weight of ε_k in the sum over [a, b] is Σ_{i=max(k,a)}^{b} c(i−k)
  const c = forecast.impulse;
  let variance = 0;
  for (let k = 0; k <= b; k++) {
    let w = 0;
    for (let i = Math.max(k, a); i <= b; i++) w += c[i - k] ?? 0;
    variance += w * w;
  }
  const sd = forecast.sigma * Math.sqrt(variance);
  let knownSum = 0;
  for (const k of forecast.known) if (k.date >= forecast.points[a]!.date && k.date <= forecast.points[b]!.date) knownSum += k.amount;
  const recurring = mean - knownSum;
  const clip = (v: number): number => (forecast.floor === null ? v : Math.max(forecast.floor * (b - a + 1), v));
  return {
    mean,
    lo80: clip(recurring - forecast.z80 * sd) + knownSum,
    hi80: clip(recurring + forecast.z80 * sd) + knownSum,
    lo95: clip(recurring - forecast.z95 * sd) + knownSum,
    hi95: clip(recurring + forecast.z95 * sd) + knownSum,
  };
}

/** The running total of the forecast from its first day: what a burn-down draws. */
export function cumulativeForecast(forecast: Forecast): (ForecastTotal & { date: string })[] {
  const c = forecast.impulse;
  const knownByDay = new Map<string, number>();
  for (const k of forecast.known) knownByDay.set(k.date, (knownByDay.get(k.date) ?? 0) + k.amount);
  const out: (ForecastTotal & { date: string })[] = [];
  let mean = 0;
  let knownSum = 0;
  let prefix = 0; // Σ_{i≤j} c(i): the weight of the error j days before the last day in the running total
  let variance = 0;
  forecast.points.forEach((p, j) => {
    mean += p.mean;
    knownSum += knownByDay.get(p.date) ?? 0;
    prefix += c[j] ?? 0;
    variance += prefix * prefix;
    const sd = forecast.sigma * Math.sqrt(variance);
    const recurring = mean - knownSum;
    const clip = (v: number): number => (forecast.floor === null ? v : Math.max(forecast.floor * (j + 1), v));
    out.push({
      date: p.date,
      mean,
      lo80: clip(recurring - forecast.z80 * sd) + knownSum,
      hi80: clip(recurring + forecast.z80 * sd) + knownSum,
      lo95: clip(recurring - forecast.z95 * sd) + knownSum,
      hi95: clip(recurring + forecast.z95 * sd) + knownSum,
    });
  });
  return out;
}
