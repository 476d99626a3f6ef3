/**
 * The forecasting models, fitted on a dense daily series (NaN for a day with no value): exponential smoothing in its
 * innovations state-space form (Hyndman et al., "Forecasting with Exponential Smoothing", 2008) and the seasonal naive
 * benchmark. Each fitted model gives point forecasts, the h-step standard deviation, and the impulse response of
 * one future error on later days, from which the variance of any sum of future days follows exactly.
 */

export type ForecastModelName = 'combination' | 'holt-winters' | 'seasonal-smoothing' | 'simple-smoothing' | 'seasonal-naive';

export const MODEL_DESCRIPTIONS: Readonly<Record<ForecastModelName, string>> = {
  'combination': 'the average of Holt-Winters (additive, damped trend, weekly seasonality), simple exponential smoothing and seasonal naive',
  'holt-winters': 'Holt-Winters exponential smoothing (additive, damped trend, weekly seasonality)',
  'seasonal-smoothing': 'exponential smoothing with weekly seasonality, without trend',
  'simple-smoothing': 'simple exponential smoothing (level only)',
  'seasonal-naive': 'seasonal naive (the same weekday one week earlier)',
};

/** Days in the seasonal cycle: spend follows the working week. */
export const SEASON = 7;

export interface FittedModel {
  name: ForecastModelName;
  /** Smoothing parameters (alpha, beta, gamma, phi), as fitted. */
  parameters: Record<string, number>;
  /** Standard deviation of the one-step error. */
  sigma: number;
  /** Point forecasts for the next `h` days. */
  mean(h: number): number[];
  /** Point forecasts of days t..t+h−1 of the fitted series made from the days before t (0 < t ≤ its length). */
  meanFrom(t: number, h: number): number[];
  /**
   * Effect of a one-step error on the forecast error `j` days later: c(0) = 1. The h-step variance is
   * sigma² · Σ_{j<h} c(j)², and the variance of a sum of future days follows from the same weights.
   */
  impulse(h: number): number[];
}

interface EtsSpec { trend: boolean; seasonal: boolean }

interface EtsParams { alpha: number; beta: number; gamma: number; phi: number }

interface EtsState { level: number; trend: number; season: number[] }

/** Mean of the finite values, or NaN. */
function meanOf(values: ArrayLike<number>, from = 0, to = values.length): number {
  let s = 0;
  let n = 0;
  for (let i = from; i < Math.min(to, values.length); i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n ? s / n : Number.NaN;
}

/** Initial states from the first weeks: level of the first week, trend between the first two, weekday offsets. */
function initialState(y: Float64Array, spec: EtsSpec): EtsState {
  const weeks = Math.max(1, Math.min(4, Math.floor(y.length / SEASON)));
  const weekMeans: number[] = [];
  for (let w = 0; w < weeks; w++) weekMeans.push(meanOf(y, w * SEASON, (w + 1) * SEASON));
  const firstFinite = Array.from(y).find(Number.isFinite) ?? 0;
  let level = Number.isFinite(weekMeans[0]!) ? weekMeans[0]! : firstFinite;
  if (!spec.seasonal) level = meanOf(y, 0, Math.min(y.length, 3));
  if (!Number.isFinite(level)) level = firstFinite;
  let trend = 0;
  if (spec.trend && weeks >= 2 && Number.isFinite(weekMeans[0]!) && Number.isFinite(weekMeans[weeks - 1]!)) {
    trend = (weekMeans[weeks - 1]! - weekMeans[0]!) / ((weeks - 1) * SEASON);
  }
  const season = new Array<number>(SEASON).fill(0);
  if (spec.seasonal) {
    for (let d = 0; d < SEASON; d++) {
      let s = 0;
      let n = 0;
      for (let w = 0; w < weeks; w++) {
        const v = y[w * SEASON + d];
        const m = weekMeans[w]!;
        if (v !== undefined && Number.isFinite(v) && Number.isFinite(m)) {
          s += v - m;
          n++;
        }
      }
      season[d] = n ? s / n : 0;
    }
    const avg = season.reduce((a, b) => a + b, 0) / SEASON;
    for (let d = 0; d < SEASON; d++) season[d]! -= avg;
  }
  // the level before the first day: the first week's mean, moved back to its middle by the trend
  return { level: level - trend * (SEASON - 1) / 2, trend, season };
}

/** Runs the filter over the series; returns the squared one-step errors' sum and the state after the last day. */
function filter(y: Float64Array, spec: EtsSpec, p: EtsParams, init: EtsState, record?: EtsState[]): { sse: number; count: number; state: EtsState } {
  let { level, trend } = init;
  const season = init.season.slice();
  const phi = spec.trend ? p.phi : 0;
  let sse = 0;
  let count = 0;
  for (let t = 0; t < y.length; t++) {
    record?.push({ level, trend, season: season.slice() });
    const si = t % SEASON;
    const s = spec.seasonal ? season[si]! : 0;
    const yhat = level + phi * trend + s;
    const v = y[t]!;
    const e = Number.isFinite(v) ? v - yhat : 0; // a missing day leaves the forecast in place
    if (Number.isFinite(v)) {
      sse += e * e;
      count++;
    }
    level = level + phi * trend + p.alpha * e;
    if (spec.trend) trend = phi * trend + p.beta * e;
    if (spec.seasonal) season[si] = s + p.gamma * e;
  }
  return { sse, count, state: { level, trend, season } };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

/** Nelder–Mead simplex minimisation of `f` from `x0`. */
export function nelderMead(f: (x: number[]) => number, x0: number[], { maxIterations = 400, step = 0.8, tolerance = 1e-10 } = {}): { x: number[]; value: number } {
  const n = x0.length;
  let simplex: { x: number[]; v: number }[] = [{ x: x0.slice(), v: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i]! += step;
    simplex.push({ x, v: f(x) });
  }
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i]! - ai));
  for (let it = 0; it < maxIterations; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const reflected = combine(centroid, worst.x, -1);
    const vr = f(reflected);
    if (vr < best.v) {
      const expanded = combine(centroid, worst.x, -2);
      const ve = f(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const contracted = vr < worst.v ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
      const vc = f(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = { x: contracted, v: vc };
      } else {
        simplex = simplex.map((s, i) => (i === 0 ? s : { x: combine(best.x, s.x, 0.5), v: Number.NaN }));
        for (const s of simplex) if (Number.isNaN(s.v)) s.v = f(s.x);
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v };
}

const PHI_MIN = 0.8;
const PHI_MAX = 0.98;

function toParams(x: number[], spec: EtsSpec): EtsParams {
  const alpha = 1e-4 + (0.9998 - 1e-4) * sigmoid(x[0]!);
  let i = 1;
  const beta = spec.trend ? alpha * sigmoid(x[i++]!) : 0;
  const gamma = spec.seasonal ? (1 - alpha) * sigmoid(x[i++]!) : 0;
  const phi = spec.trend ? PHI_MIN + (PHI_MAX - PHI_MIN) * sigmoid(x[i++]!) : 0;
  return { alpha, beta, gamma, phi };
}

/** Fits an exponential smoothing model by least squares on one-step errors (a few starts, best kept). */
function fitEts(name: ForecastModelName, y: Float64Array, spec: EtsSpec): FittedModel {
  const init = initialState(y, spec);
  const objective = (x: number[]): number => {
    const r = filter(y, spec, toParams(x, spec), init);
    return Number.isFinite(r.sse) ? r.sse : Number.MAX_VALUE;
  };
  const starts: number[][] = [];
  for (const alpha of [0.2, 0.5]) {
    const x = [logit(alpha)];
    if (spec.trend) x.push(logit(0.1));
    if (spec.seasonal) x.push(logit(0.2));
    if (spec.trend) x.push(logit(0.5));
    starts.push(x);
  }
  let best = { x: starts[0]!, value: Number.POSITIVE_INFINITY };
  for (const x0 of starts) {
    const r = nelderMead(objective, x0);
    if (r.value < best.value) best = r;
  }
  const p = toParams(best.x, spec);
  const states: EtsState[] = [];
  const { sse, count, state } = filter(y, spec, p, init, states);
  states.push(state);
  const k = 1 + (spec.trend ? 2 : 0) + (spec.seasonal ? 1 : 0) + 1 + (spec.trend ? 1 : 0) + (spec.seasonal ? SEASON - 1 : 0);
  const sigma = Math.sqrt(sse / Math.max(1, count - k, count / 2));
  const n = y.length;
  const phi = spec.trend ? p.phi : 0;
  const parameters: Record<string, number> = { alpha: p.alpha };
  if (spec.trend) Object.assign(parameters, { beta: p.beta, phi: p.phi });
  if (spec.seasonal) parameters.gamma = p.gamma;
  return {
    name,
    parameters,
    sigma,
    mean(h) {
      return this.meanFrom(n, h);
    },
    meanFrom(t, h) {
      const st = states[t]!;
      const out: number[] = [];
      let damp = 0;
      let pow = 1;
      for (let i = 1; i <= h; i++) {
        pow *= phi;
        damp += pow;
        out.push(st.level + damp * st.trend + (spec.seasonal ? st.season[(t + i - 1) % SEASON]! : 0));
      }
      return out;
    },
    impulse(h) {
      const out = [1];
      let damp = 0;
      let pow = 1;
      for (let j = 1; j < h; j++) {
        pow *= phi;
        damp += pow;
        out.push(p.alpha + (spec.trend ? p.beta * damp : 0) + (spec.seasonal && j % SEASON === 0 ? p.gamma : 0));
      }
      return out;
    },
  };
}

/** The same weekday's last value carried forward; errors accumulate once per week ahead. */
function fitSeasonalNaive(y: Float64Array): FittedModel {
  const n = y.length;
  const overall = meanOf(y);
  const lastFrom = (t0: number): number[] => {
    const last: number[] = [];
    for (let d = 0; d < SEASON; d++) {
      // the latest value observed before t0 on the weekday of day t0 + d
      let v = Number.NaN;
      for (let t = t0 - SEASON + d; t >= 0 && !Number.isFinite(v); t -= SEASON) v = y[t]!;
      last.push(Number.isFinite(v) ? v : overall);
    }
    return last;
  };
  let sse = 0;
  let count = 0;
  for (let t = SEASON; t < n; t++) {
    if (Number.isFinite(y[t]!) && Number.isFinite(y[t - SEASON]!)) {
      sse += (y[t]! - y[t - SEASON]!) ** 2;
      count++;
    }
  }
  const sigma = Math.sqrt(count ? sse / count : 0);
  return {
    name: 'seasonal-naive',
    parameters: {},
    sigma,
    mean: (h) => {
      const last = lastFrom(n);
      return Array.from({ length: h }, (_, i) => last[i % SEASON]!);
    },
    meanFrom: (t, h) => {
      const last = lastFrom(t);
      return Array.from({ length: h }, (_, i) => last[i % SEASON]!);
    },
    impulse: (h) => Array.from({ length: h }, (_, j) => (j % SEASON === 0 ? 1 : 0)),
  };
}

/**
 * The equal-weight average of several fitted models' forecasts. Averaging models of different kinds (one that
 * follows the weekly pattern and the trend, one that follows the level only, one that repeats last week) is more
 * accurate on spend than any one of them chosen by a short backtest: each backtest winner is often the loser of the
 * next month, while the errors of the average partly cancel (the lesson of the M3 and M4 forecasting competitions).
 * Its one-step deviation is measured on its own in-sample one-step errors; the effect of an error on later days is
 * that of the components, weighted by their deviations.
 */
export const COMBINED_MODELS: readonly ForecastModelName[] = ['holt-winters', 'simple-smoothing', 'seasonal-naive'];

function combine(models: readonly FittedModel[], y: Float64Array): FittedModel {
  const n = y.length;
  const meanFrom = (t: number, h: number): number[] => {
    const out = new Array<number>(h).fill(0);
    for (const m of models) m.meanFrom(t, h).forEach((v, i) => { out[i]! += v / models.length; });
    return out;
  };
  let sse = 0;
  let count = 0;
  for (let t = 2 * SEASON; t < n; t++) {
    const v = y[t]!;
    if (!Number.isFinite(v)) continue;
    sse += (v - meanFrom(t, 1)[0]!) ** 2;
    count++;
  }
  const sigma = count ? Math.sqrt(sse / count) : models.reduce((a, m) => a + m.sigma, 0) / models.length;
  const parameters: Record<string, number> = {};
  for (const m of models) for (const [k, v] of Object.entries(m.parameters)) parameters[`${m.name}.${k}`] = v;
  return {
    name: 'combination',
    parameters,
    sigma,
    mean: (h) => meanFrom(n, h),
    meanFrom,
    impulse(h) {
      const out = new Array<number>(h).fill(0);
      for (const m of models) m.impulse(h).forEach((c, j) => { out[j]! += (c * m.sigma) / (models.length * (sigma || 1)); });
      out[0] = 1;
      return out;
    },
  };
}

/** Fewest days each model needs. */
export const MINIMUM_DAYS: Readonly<Record<ForecastModelName, number>> = {
  'combination': 21,
  'holt-winters': 21,
  'seasonal-smoothing': 21,
  'seasonal-naive': 14,
  'simple-smoothing': 2,
};

/**
 * Fits one model on a dense daily series (NaN = no value that day). `fitted` holds models already fitted on the same
 * series, which the combination reuses (and to which it adds its components).
 */
export function fitModel(name: ForecastModelName, y: Float64Array, fitted?: Map<ForecastModelName, FittedModel>): FittedModel {
  const cached = fitted?.get(name);
  if (cached) return cached;
  const model = fitOne(name, y, fitted);
  fitted?.set(name, model);
  return model;
}

function fitOne(name: ForecastModelName, y: Float64Array, fitted?: Map<ForecastModelName, FittedModel>): FittedModel {
  switch (name) {
    case 'holt-winters': return fitEts(name, y, { trend: true, seasonal: true });
    case 'seasonal-smoothing': return fitEts(name, y, { trend: false, seasonal: true });
    case 'simple-smoothing': return fitEts(name, y, { trend: false, seasonal: false });
    case 'seasonal-naive': return fitSeasonalNaive(y);
    case 'combination': return combine(COMBINED_MODELS.map((m) => fitModel(m, y, fitted ?? new Map())), y);
  }
}

/** Standard deviation of the forecast error 1..h days ahead. */
export function stepDeviations(model: FittedModel, h: number): number[] {
  const c = model.impulse(h);
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < h; i++) {
    acc += c[i]! ** 2;
    out.push(model.sigma * Math.sqrt(acc));
  }
  return out;
}

/**
 * Multipliers of the h-step standard deviation that make the 80 % and 95 % intervals cover what they say on this
 * series: the 80th and 95th percentiles of the absolute errors of forecasts 1..h days ahead made from each day of
 * the last twelve weeks (with the fitted parameters and only the days before), each divided by its standard deviation. Spend has heavier tails and
 * more level shifts than a normal distribution assumes, so the normal quantiles (1.28, 1.96) rarely fit. Needs at
 * least 40 such errors; otherwise the normal quantiles.
 */
/** Days of recent history whose forecast errors calibrate the intervals. */
export const CALIBRATION_DAYS = 84;

export function calibratedMultipliers(model: FittedModel, y: Float64Array, h: number): { z80: number; z95: number } {
  const sd = stepDeviations(model, h);
  const z: number[] = [];
  for (let t = Math.max(2 * SEASON, y.length - CALIBRATION_DAYS); t < y.length; t++) {
    const mean = model.meanFrom(t, Math.min(h, y.length - t));
    mean.forEach((m, i) => {
      const v = y[t + i]!;
      if (Number.isFinite(v) && sd[i]! > 0) z.push(Math.abs(v - m) / sd[i]!);
    });
  }
  if (z.length < 40) return { z80: 1.2815515655446004, z95: 1.959963984540054 };
  z.sort((a, b) => a - b);
  const q = (p: number): number => z[Math.min(z.length - 1, Math.floor(p * z.length))]!;
  return { z80: q(0.8), z95: Math.max(q(0.8), q(0.95)) };
}
