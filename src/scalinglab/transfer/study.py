"""The transfer answers of a study with a starts axis, together: what a report's transfer section shows.

:func:`analyse_starts` takes one estimator's curves per start ({"scratch": Curve, "pretrained":
Curve}, ``Study.curves_by("start")``), fits the from-scratch law (``law="auto"``, bootstrapped;
or takes the fit the caller already made) and, for every other start, computes
:func:`~scalinglab.transfer.effective_data`, fits D_T = k·D_F^α
(:func:`~scalinglab.transfer.fit_transfer`) and asks :func:`~scalinglab.transfer.worth` at the
median fine-tuning size measured. A step that cannot be done (too few usable cells for the
transfer law) is skipped with the reason in ``notes``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..defaults import LEVEL
from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting.result import FitResult
from .effective import EffectiveData, effective_data
from .law import TransferFit, fit_transfer
from .pretraining import TransferWorth, worth

__all__ = ["StartComparison", "TransferStudy", "analyse_starts"]


@dataclass(frozen=True, eq=False)
class StartComparison:
    """One start against from scratch."""

    start: str
    effective: EffectiveData
    law: TransferFit | None
    worth: TransferWorth | None
    notes: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        return [str(self.effective)] + ([str(self.law)] if self.law is not None else []) + \
            ([str(self.worth)] if self.worth is not None else [])

    def to_dict(self) -> dict:
        return {"start": self.start, "effective": self.effective.to_dict(),
                "law": None if self.law is None else self.law.to_dict(),
                "worth": None if self.worth is None else self.worth.to_dict(), "notes": list(self.notes)}


@dataclass(frozen=True, eq=False)
class TransferStudy:
    """Answer of :func:`analyse_starts`."""

    estimator: str
    scratch: str
    scratch_fit: FitResult
    starts: tuple[StartComparison, ...]
    target: float | None
    level: float

    def to_dict(self) -> dict:
        return {"estimator": self.estimator, "scratch": self.scratch, "scratch_law": self.scratch_fit.law.name,
                "target": self.target, "level": self.level, "starts": [s.to_dict() for s in self.starts]}


def analyse_starts(curves: Mapping, *, estimator: str = "", scratch: str = "scratch", scratch_fit: FitResult | None = None,
                   target: float | None = None, bootstrap: int = 1000, level: float = LEVEL,
                   seed: int = 0) -> TransferStudy:
    """Effective data, the transfer law and its worth for each start against ``scratch``.

    >>> import numpy as np, scalinglab as sl
    >>> d = np.repeat(np.geomspace(1e3, 1e6, 8), 2)
    >>> curves = {"scratch": sl.Curve(d, 5 * d**-0.3 + 0.5),
    ...           "pretrained": sl.Curve(d[:10], 5 * (d[:10] + 20 * d[:10]**0.5)**-0.3 + 0.5)}
    >>> scratch = sl.fit(curves["scratch"], law="power_floor").bootstrap(50, seed=0)
    >>> t = analyse_starts(curves, scratch_fit=scratch)
    >>> round(t.starts[0].law.params["alpha"], 2)          # D_T = 20 D_F^0.5
    0.5
    """
    if not isinstance(curves, Mapping) or scratch not in curves or len(curves) < 2:
        raise ScalingLabError(f"analyse_starts needs the from-scratch curve {scratch!r} and at least one other start; "
                              f"got {list(curves) if isinstance(curves, Mapping) else type(curves).__name__}")
    for name, curve in curves.items():
        if not isinstance(curve, Curve) or curve.n_inputs != 1:
            raise ScalingLabError(f"start {name!r}: expected a 1-D Curve (x = data size)")
    if scratch_fit is None:
        from ..fitting import fit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingLabWarning)
            scratch_fit = fit(curves[scratch], law="auto").bootstrap(bootstrap, by="auto", seed=seed)
    comparisons = []
    for name in sorted(set(curves) - {scratch}):
        eff = effective_data(scratch_fit, curves[name], seed=seed, level=level)
        law, answer, notes = None, None, []
        try:
            law = fit_transfer(eff, seed=seed, level=level)
        except ScalingLabError as error:
            notes.append(f"no transfer law D_T = k·D_F^α: {error}")
        if law is not None:
            d_f = float(np.median(eff.table["D_F"]))
            try:
                answer = worth(law, d_f, target=target, level=level)
            except ScalingLabError as error:
                notes.append(f"no worth at D_F = {d_f:g}: {error}")
        comparisons.append(StartComparison(name, eff, law, answer, tuple(notes)))
    return TransferStudy(estimator=estimator, scratch=scratch, scratch_fit=scratch_fit, starts=tuple(comparisons),
                         target=None if target is None else float(target), level=level)
