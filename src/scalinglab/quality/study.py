"""The quality answers of one estimator's levels, together: what a report's quality section shows.

:func:`analyse_levels` fits one law per level (``power_floor``, bootstrapped) and compares them
(:func:`~scalinglab.quality.compare_levels`), fits the joint ``quality`` law to the stacked
levels, and asks it :func:`~scalinglab.quality.clean_worth` at the largest size measured and
:func:`~scalinglab.quality.quality_floor` at each degraded level. A step that cannot be done
(too few levels or sizes for a joint law) is skipped with the reason in ``notes``, never
silently. The numbers are computed here; the report only draws them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from ..defaults import LEVEL
from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting.result import FitResult
from .joint import CleanWorth, QualityFloor, clean_worth, quality_floor
from .levels import QualityLevels, as_quality, compare_levels, stack

__all__ = ["QualityStudy", "analyse_levels"]

#: The per-level law: a floor (noise raises it) and an exponent, as in examples/quality_digits.py.
LEVEL_LAW = "power_floor"


@dataclass(frozen=True, eq=False)
class QualityStudy:
    """Answer of :func:`analyse_levels` (``to_dict()`` is JSON-able; ``sentences()`` the answers)."""

    estimator: str
    kind: str                                  # "noise_rate" or "quality": what the level keys are
    curves: dict                               # level -> Curve
    per_level: dict                            # level -> FitResult (bootstrapped)
    levels: QualityLevels | None
    joint: FitResult | None
    worth: tuple[CleanWorth, ...]
    floors: tuple[QualityFloor, ...]
    target: float | None
    level: float
    notes: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        out = [str(self.levels)] if self.levels is not None else []
        return out + [str(w) for w in self.worth] + [str(f) for f in self.floors]

    def to_dict(self) -> dict:
        return {"estimator": self.estimator, "kind": self.kind, "target": self.target, "level": self.level,
                "levels": None if self.levels is None else self.levels.to_dict(),
                "joint": None if self.joint is None else self.joint.summary(),
                "worth": [w.to_dict() for w in self.worth], "floors": [f.to_dict() for f in self.floors],
                "notes": list(self.notes), "sentences": self.sentences()}


def _fit(curve: Curve, law: str, bootstrap: int, seed: int) -> FitResult:
    from ..fitting import fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLabWarning)   # a fit's own caveats stay in fit.warnings
        return fit(curve, law=law).bootstrap(bootstrap, by="auto", seed=seed)


def analyse_levels(curves: Mapping, *, estimator: str = "", levels: str = "noise_rate", target: float | None = None,
                   bootstrap: int = 1000, level: float = LEVEL, seed: int = 0) -> QualityStudy:
    """Per-level laws, their comparison, the joint quality law and its answers for one
    estimator's curves {level: Curve} (``Study.curves_by("quality")``); ``levels`` says whether
    the keys are noise rates (default) or qualities in (0, 1].

    >>> import numpy as np, scalinglab as sl
    >>> law, n = sl.get_law("quality"), np.repeat(np.geomspace(50, 5e4, 8), 2)
    >>> truth = {"a": 2.0, "b": 0.5, "c": 0.02, "g": 1.5, "h": 0.0, "d": 0.1}
    >>> curves = {r: sl.Curve(n, law.predict(np.c_[n, np.full(n.size, 1 - r)], truth)) for r in (0, 0.2, 0.4)}
    >>> q = analyse_levels(curves, target=0.05, bootstrap=50)
    >>> round(q.worth[-1].worth, 1)     # at 50,000 samples, rate 0.4; truth: 5e4 / 1,262 = 39.6
    39.6
    """
    if not isinstance(curves, Mapping) or len(curves) < 2:
        raise ScalingLabError("analyse_levels needs the curves of at least two quality levels {level: Curve}")
    order = sorted(curves, key=lambda k: -as_quality(k, levels))
    notes = []
    per_level = {}
    for key in order:
        try:
            per_level[key] = _fit(curves[key], LEVEL_LAW, bootstrap, seed)
        except ScalingLabError as error:
            notes.append(f"level {key:g}: no {LEVEL_LAW} law ({error})")
    compared = None
    if len(per_level) >= 2:
        try:
            compared = compare_levels(per_level, levels=levels, target=target, level=level)
        except ScalingLabError as error:
            notes.append(f"levels not compared: {error}")
    joint, worth, floors = None, [], []
    try:
        joint = _fit(stack({k: curves[k] for k in order}, levels=levels), "quality", bootstrap, seed)
    except ScalingLabError as error:
        notes.append(f"no joint quality law: {error}")
    if joint is not None:
        largest = float(max(curves[order[0]].x.max(), *(curves[k].x.max() for k in order)))
        for key in order[1:]:
            rate = 1.0 - as_quality(key, levels)
            worth.append(clean_worth(joint, largest, rate, level=level))
            floors.append(quality_floor(joint, rate, target=target, level=level))
    return QualityStudy(estimator=estimator, kind=levels, curves={k: curves[k] for k in order}, per_level=per_level,
                        levels=compared, joint=joint, worth=tuple(worth), floors=tuple(floors),
                        target=None if target is None else float(target), level=level, notes=tuple(notes))
