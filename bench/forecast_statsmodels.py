"""statsmodels' ExponentialSmoothing on the same rolling origins as bench/forecast.mjs.

Reads JSON on stdin: {"values": [...], "origins": [...], "horizon": H, "repetitions": R}.
Writes JSON: {"version": "...", "forecasts": [{"origin": o, "mean": [...], "lo80": [...], ...}]}.
Holt-Winters additive with a damped additive trend and weekly seasonality, fitted by statsmodels' defaults;
intervals from 1,000 simulated paths with additive errors (HoltWintersResults.simulate), seeded.
"""
import json
import sys
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.filterwarnings("ignore")


def main() -> None:
    job = json.load(sys.stdin)
    y = np.asarray(job["values"], dtype=float)
    horizon = int(job["horizon"])
    reps = int(job.get("repetitions", 1000))
    out = []
    for origin in job["origins"]:
        train = y[:origin]
        fit = ExponentialSmoothing(train, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7).fit()
        mean = fit.forecast(horizon)
        sims = fit.simulate(horizon, repetitions=reps, error="add", anchor="end", random_state=origin)
        q = np.quantile(np.asarray(sims), [0.025, 0.1, 0.9, 0.975], axis=1)
        out.append({
            "origin": origin,
            "mean": [float(v) for v in mean],
            "lo95": [float(v) for v in q[0]],
            "lo80": [float(v) for v in q[1]],
            "hi80": [float(v) for v in q[2]],
            "hi95": [float(v) for v in q[3]],
        })
    json.dump({"version": statsmodels.__version__, "forecasts": out}, sys.stdout)


if __name__ == "__main__":
    main()
