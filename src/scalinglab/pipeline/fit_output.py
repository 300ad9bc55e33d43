"""What ``scalinglab fit`` prints, computed once here: the fit (one law or the one auto rule),
its bootstrap if asked for, and the metric predicted at k times the largest size, with the
interval of :func:`scalinglab.plan.gain` when the draws allow one at ``level`` (else the point
prediction alone). The command line only formats the :class:`FitAnswers` it is handed."""

from __future__ import annotations

from dataclasses import dataclass

from ..defaults import LAW, LEVEL
from .. import plan
from ..curves import Curve
from ..fitting import FitResult, bootstrap, fit

#: Multiples of the largest size measured whose metric ``scalinglab fit`` reports.
FACTORS = (2, 10)


@dataclass(frozen=True)
class Prediction:
    """The metric predicted at ``factor`` times the largest size measured (``size``), with its
    interval at the answers' level when the bootstrap draws allow one."""

    factor: float
    size: float
    value: float
    interval: tuple[float, float] | None


@dataclass(frozen=True)
class FitAnswers:
    """A fit and the answers printed with it. ``no_interval`` says why intervals at ``level``
    are unavailable although there are draws (None otherwise)."""

    result: FitResult
    level: float
    has_intervals: bool
    no_interval: str | None
    predictions: tuple[Prediction, ...]


def fit_answers(curve: Curve, *, law=LAW, n_boot: int = 0, by: str = "auto", seed: int = 0, level: float = LEVEL,
                factors=FACTORS, **options) -> FitAnswers:
    """Fit ``curve`` (``options`` go to :func:`scalinglab.fit`), bootstrap it with ``n_boot``
    refits under the one resampling rule (``by``, ``seed``; none when 0), and predict the metric at
    each of ``factors`` times the largest size (one-input curves only)."""
    result = fit(curve, law=law, **options)
    if n_boot:
        result = bootstrap(result, n=n_boot, by=by, seed=seed)
    has_intervals = result.interval_unavailable(level) is None
    predictions = []
    if result.curve.n_inputs == 1:
        for k in factors:
            size = k * float(result.curve.x.max())
            if has_intervals:           # what k times more data buys, with its interval
                g = plan.gain(result, factor=k, level=level)
                predictions.append(Prediction(k, size, g.metric_new, tuple(g.metric_new_interval)))
            else:
                predictions.append(Prediction(k, size, float(result.predict([size])[0]), None))
    no_interval = None if has_intervals or result.draws is None else result.interval_unavailable(level)
    return FitAnswers(result, level, has_intervals, no_interval, tuple(predictions))
