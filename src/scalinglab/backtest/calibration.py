"""Prediction intervals that mean what they say: split-conformal calibration of the width.

Each method gives, per held-out size, a prediction ŷ and a log-scale unit u (its bootstrap
and residual spread; see :mod:`scalinglab.backtest.methods`). The interval at level L is
ŷ · exp(± q_L u). A normal q (1.28 for 80 %) under-covers badly on real learning curves: a
fit on a handful of sizes understates how far an extrapolation can be off, and the errors
have heavy tails. So q_L is calibrated on backtests of *other* curves, split conformal
prediction (Vovk et al. 2005; Lei et al. 2018): with the standardised errors
z = |log ŷ − log y| / u of n calibration points, q_L is their ⌈(n + 1) L⌉-th smallest value.
If the calibration and the new curves are exchangeable, the interval covers with
probability at least L. The shipped table (``calibration.json``, its ``source`` says
which version): for the default forecast (method ``auto``, also :func:`extrapolate`'s), the
held-out sizes of every domain of the extrapolation suite (``benchmarks/curves``: LCDB,
neural LM and MLP curves, Chinchilla, simulated), every domain weighing the same
(``benchmarks/extrapolation_domains.py --lodo --write-calibration``); the per-domain coverage of
quantiles made on the *other* domains only is in the README. For the other methods (single
laws, ``last``, ``ensemble``): the LCDB curves of half of its datasets
(``benchmarks/extrapolation_lcdb.py --calibrate``). Coverage on curves unlike these is not
guaranteed.

A method can also ship a **scale model** (:class:`ScaleModel`, for ``auto`` since calibration
version 2, with a noise floor since version 3): its unit is then not the members' bootstrap
spread but a scale known before the truth from the curve itself, u = exp(a) · e^b · d^c, e
the curve's inner-backtest error and d the extrapolation distance (log of the target size
over the largest size fitted), but no less than k σ, σ the curve's replicate noise; (a, b, c)
are fitted by least squares of log |log ŷ − log y| on the suite's backtests (locally weighted
split conformal prediction, Lei et al. 2018, section 5.2: the conformity score is the error
divided by a fitted spread) and k chosen among a few values by the coverage it gives on the
same curves. Domains whose errors differ tenfold in scale then share one quantile of
|error| / u.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import stats

from ..errors import ScalingLabError

LEVELS = (0.8, 0.95)
SHIPPED = "calibration.json"


#: Version of the shipped table's layout and content (2: ``auto`` has a scale model; 3: with a
#: noise floor).
VERSION = 3
#: Smallest inner-backtest error the scale model reads (log scale): below 0.1 % it is rounding.
INNER_FLOOR = 1e-3
#: Smallest extrapolation distance (log of size over the largest size fitted) the scale model
#: reads: a size inside the data gets the width of one 1 % beyond it (the suite's closest
#: held-out size is 1 % beyond its curve's last; Chinchilla).
DISTANCE_FLOOR = 1e-2


@dataclass(frozen=True)
class ScaleModel:
    """A forecast's log-scale unit from facts known before the truth:
    u = max(exp(intercept) · max(inner, INNER_FLOOR)^inner_power · max(distance, DISTANCE_FLOOR)^distance_power,
    noise_floor · noise).

    ``inner``: the curve's inner-backtest error (RMSE of log y, see
    :func:`scalinglab.backtest.averaging.inner_error`); ``distance``: log(size / largest size
    fitted); ``noise``: the curve's replicate noise (log-scale standard error of a per-size
    mean, :func:`scalinglab.backtest.protocol.replicate_noise`). The floor: a mean measured at
    the forecast size is itself off its expectation by about that much, however close the
    size (the fitted part goes to 0 as the distance does)."""

    intercept: float
    inner_power: float
    distance_power: float
    noise_floor: float = 0.0

    def __call__(self, inner, distance, noise=0.0) -> np.ndarray:
        inner = np.maximum(np.asarray(inner, float), INNER_FLOOR)
        distance = np.maximum(np.asarray(distance, float), DISTANCE_FLOOR)
        with np.errstate(invalid="ignore"):
            fitted = np.exp(self.intercept + self.inner_power * np.log(inner) + self.distance_power * np.log(distance))
        return np.maximum(fitted, self.noise_floor * np.asarray(noise, float))

    def with_noise_floor(self, noise_floor: float) -> "ScaleModel":
        return ScaleModel(self.intercept, self.inner_power, self.distance_power, float(noise_floor))

    @classmethod
    def fit(cls, error, inner, distance, group=None) -> "ScaleModel":
        """Least squares of log |error| on [1, log inner, log distance] (the floors applied),
        every ``group`` (a domain) weighing the same; errors below 1e-6 count as 1e-6 (an
        exact hit says nothing about the spread). Rows with a non-finite value are left out.
        The noise floor is not fitted (0; see :meth:`with_noise_floor`)."""
        error, inner, distance = (np.ravel(np.asarray(v, float)) for v in (error, inner, distance))
        group = np.zeros(error.size, int) if group is None else np.ravel(np.asarray(group))
        X = np.stack([np.ones(error.size), np.log(np.maximum(inner, INNER_FLOOR)),
                      np.log(np.maximum(distance, DISTANCE_FLOOR))], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.log(np.maximum(np.abs(error), 1e-6))
        good = np.isfinite(y) & np.all(np.isfinite(X), axis=1)
        if good.sum() < 3:
            raise ScalingLabError(f"a scale model needs at least 3 finite errors, got {int(good.sum())}")
        _, inverse, counts = np.unique(group[good], return_inverse=True, return_counts=True)
        sw = np.sqrt(1.0 / counts[inverse])
        coef = np.linalg.lstsq(X[good] * sw[:, None], y[good] * sw, rcond=None)[0]
        return cls(*(float(c) for c in coef))

    def to_dict(self) -> dict:
        return {"intercept": self.intercept, "inner_power": self.inner_power, "distance_power": self.distance_power,
                "noise_floor": self.noise_floor}


@dataclass(frozen=True)
class Calibration:
    """q per method and level; methods not in the table get the normal quantile (uncalibrated).
    ``scales``: method -> :class:`ScaleModel` for the methods whose unit is a fitted scale."""

    quantiles: dict           # method -> {level: q}
    source: str = "normal quantiles (uncalibrated)"
    scales: dict = field(default_factory=dict)
    version: int = VERSION

    def scale(self, method: str) -> "ScaleModel | None":
        return self.scales.get(method)

    def q(self, method: str, level: float) -> float:
        table = self.quantiles.get(method, {})
        for key, value in table.items():
            if abs(float(key) - level) < 1e-9:
                return float(value)
        return float(stats.norm.ppf(0.5 + level / 2))

    def interval(self, method: str, pred: np.ndarray, unit: np.ndarray, level: float, cap=np.inf):
        """ŷ · exp(± q u) for a metric without an upper end on the fitted scale. With a finite
        ``cap`` (the largest possible fitted value: 1 for an error rate or an accuracy), the same
        half-width is laid out on the logit scale of ŷ / cap instead, with the unit carried over
        by the delta method (d logit p = d log p / (1 − p)): both ends stay inside (0, cap), and
        where ŷ is far below the cap the interval is the log-scale one (so the calibration, made
        on the log scale, carries over; near the cap it is an approximation)."""
        half = self.q(method, level) * unit
        cap = np.asarray(cap, float)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # a wild fit: an unbounded interval
            lo, hi = pred * np.exp(-half), pred * np.exp(half)
            p = pred / cap
            logit = np.log(p) - np.log1p(-p)
            h = half / (1 - p)
            bounded_lo = cap / (1 + np.exp(-(logit - h)))
            bounded_hi = cap / (1 + np.exp(-(logit + h)))
        bounded = np.isfinite(cap) & (p < 1)
        return np.where(bounded, bounded_lo, lo), np.where(bounded, bounded_hi, hi)

    def to_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"version": self.version, "source": self.source, "quantiles": {
            m: {str(k): v for k, v in t.items()} for m, t in self.quantiles.items()},
            "scales": {m: s.to_dict() for m, s in self.scales.items()}}, indent=1) + "\n")

    @classmethod
    def from_json(cls, path: str | Path) -> "Calibration":
        data = json.loads(Path(path).read_text())
        return cls({m: {float(k): float(v) for k, v in t.items()} for m, t in data["quantiles"].items()},
                   data.get("source", str(path)), {m: ScaleModel(**s) for m, s in data.get("scales", {}).items()},
                   int(data.get("version", 1)))


@functools.lru_cache(maxsize=1)
def shipped() -> Calibration:
    """The shipped table (see the module docstring); normal quantiles if absent.
    Read once per process (every ``extrapolate`` call needs it)."""
    resource = resources.files(__package__) / SHIPPED
    if not resource.is_file():
        return Calibration({})
    with resources.as_file(resource) as path:
        return Calibration.from_json(path)


def conformal_quantile(z: np.ndarray, level: float) -> float:
    """The ⌈(n + 1) level⌉-th smallest of the standardised errors z (split conformal)."""
    z = np.sort(z[~np.isnan(z)])            # an error with a zero unit is +inf and counts
    if len(z) == 0:
        raise ScalingLabError("no standardised error to calibrate on")
    k = int(np.ceil((len(z) + 1) * level))
    return float(z[min(k, len(z)) - 1])


def calibrate(forecasts: dict, test_Y: np.ndarray, test_W: np.ndarray, source: str,
              levels=LEVELS) -> Calibration:
    """Calibration from backtest forecasts ({method: Forecast}) of known held-out values."""
    table = {}
    for method, f in forecasts.items():
        with np.errstate(all="ignore"):
            z = np.abs(np.log(f.pred) - np.log(test_Y)) / f.unit
        z = z[(test_W > 0) & ~np.isnan(z)]
        table[method] = {level: conformal_quantile(z, level) for level in levels}
    return Calibration(table, source)
