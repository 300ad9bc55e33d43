"""Quality levels as curves: stack per-level curves into one (n, q) curve, and compare the
per-level fits (exponent, floor, what a noisy sample is worth)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..defaults import LEVEL
from .._jsonable import records
from ..curves import Curve
from ..arms import split_key
from ..errors import ScalingLabError
from ..fitting.result import FitResult
from ..plan import data_for
from ..plan._common import check_level, interval, num, span

__all__ = ["stack", "QualityLevels", "compare_levels", "as_quality"]

KINDS = ("noise_rate", "quality")


def as_quality(level, kind: str) -> float:
    """The quality q in (0, 1] of a level given as a noise rate in [0, 1) or as a quality."""
    if kind not in KINDS:
        raise ScalingLabError(f"levels must be one of {KINDS}, got {kind!r}")
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise ScalingLabError(f"quality level {level!r} is not a number") from None
    if kind == "noise_rate":
        if not 0 <= value < 1:
            raise ScalingLabError(f"noise rate {level!r} must be in [0, 1)")
        return 1.0 - value
    if not 0 < value <= 1:
        raise ScalingLabError(f"quality {level!r} must be in (0, 1] (1 = the cleanest level)")
    return value


def _by_level(curves: Mapping, levels: str) -> Mapping:
    """{level: Curve} from a study's curves named by arm (``logreg@noise=0.1``, what
    ``Study.curves()`` returns for a study with a quality axis and one estimator); any other
    mapping as it is."""
    if not all(isinstance(k, str) for k in curves):
        return curves
    split = {k: split_key(k) for k in curves}
    if not all("quality" in coords for _, coords in split.values()):
        return curves
    names = sorted({name for name, _ in split.values()})
    others = sorted({k for _, coords in split.values() for k in coords} - {"quality", "quality_tag"})
    if len(names) > 1 or others:
        raise ScalingLabError(f"the curves {sorted(curves)} are of several estimators or starts: stack one "
                              "estimator's levels (Study.curves_by('quality', estimator, start=...))")
    if levels != "quality" and any(coords["quality_tag"] == "quality>" for _, coords in split.values()):
        raise ScalingLabError("these curves are levels of a quality filter (thresholds on a quality score, "
                              "not noise rates): stack(..., levels='quality') if the scores are qualities in (0, 1]")
    return {coords["quality"]: curves[k] for k, (_, coords) in split.items()}


def stack(curves: Mapping, *, levels: str = "noise_rate") -> Curve:
    """One curve with x = (n, q) from per-level curves {level: Curve}; ``levels`` says whether
    the keys are noise rates in [0, 1) (q = 1 − rate) or qualities in (0, 1]. Seeds are kept;
    each level's runs become one ``group`` (the level) for a bootstrap by group if wanted. A
    study's curves work as they are: ``Study.curves_by("quality")``, or ``Study.curves()`` of a
    study with one estimator (names ``logreg@noise=0.1`` give the levels).

    >>> import scalinglab as sl
    >>> c = stack({0.0: sl.Curve([10, 20], [0.3, 0.2]), 0.2: sl.Curve([10, 20], [0.4, 0.3])})
    >>> c.x.tolist(), c.x_names
    ([[10.0, 1.0], [20.0, 1.0], [10.0, 0.8], [20.0, 0.8]], ('n', 'quality'))
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ScalingLabError("give the per-level curves as a non-empty mapping {level: Curve}")
    curves = _by_level(curves, levels)
    parts = []
    for level in sorted(curves, key=lambda k: -as_quality(k, levels)):
        curve = curves[level]
        if not isinstance(curve, Curve) or curve.n_inputs != 1:
            raise ScalingLabError(f"level {level!r}: expected a 1-D Curve (x = data size), got {type(curve).__name__}")
        parts.append((as_quality(level, levels), curve))
    metrics = {c.metric for _, c in parts}
    if len(metrics) > 1:
        raise ScalingLabError(f"the levels measure different metrics {sorted(metrics)}: stack curves of one metric")
    with_seed = [c.seed is not None for _, c in parts]
    if any(with_seed) and not all(with_seed):
        raise ScalingLabError("some levels have seeds and some do not: give seeds for all or none")
    x = np.vstack([np.c_[c.x, np.full(c.n, q)] for q, c in parts])
    y = np.concatenate([c.y for _, c in parts])
    seed = np.concatenate([c.seed for _, c in parts]) if all(with_seed) else None
    group = np.concatenate([np.full(c.n, q) for q, c in parts])
    return Curve(x, y, seed=seed, group=group, metric=parts[0][1].metric, x_names=("n", "quality"))


@dataclass(frozen=True, eq=False)
class QualityLevels:
    """Answer of :func:`compare_levels`: one row per level.

    ``table`` columns: level, quality, exponent (+ _lo, _hi), floor (+ _lo, _hi), size (the
    largest size measured at the level), metric_at_size, clean_equivalent (+ _lo, _hi: the
    reference-level size that reaches the same metric), worth (size / clean_equivalent, + _lo,
    _hi: noisy samples one reference sample is worth), and with a target: target_n (+ _lo, _hi)
    and reachable_share.
    """

    table: pd.DataFrame
    reference: float
    target: float | None
    level: float
    metric: str

    def __str__(self) -> str:
        t = self.table
        pct = f"{self.level:.0%}"
        ref, worst = t.iloc[0], t.iloc[-1]
        text = (f"From level {ref['level']:g} to {worst['level']:g} the floor goes from {num(ref['floor'])} "
                f"({pct} interval {span((ref['floor_lo'], ref['floor_hi']))}) to {num(worst['floor'])} "
                f"({span((worst['floor_lo'], worst['floor_hi']))})")
        if np.isfinite(ref["exponent"]):
            text += (f" and the exponent from {ref['exponent']:.3f} ({ref['exponent_lo']:.3f} to {ref['exponent_hi']:.3f})"
                     f" to {worst['exponent']:.3f} ({worst['exponent_lo']:.3f} to {worst['exponent_hi']:.3f})")
        text += (f"; at {num(worst['size'])} samples one level-{ref['level']:g} sample is worth "
                 f"{worst['worth']:.3g} ({span((worst['worth_lo'], worst['worth_hi']))}) level-{worst['level']:g} ones")
        if self.target is not None:
            out = t[t["reachable_share"] < 0.5]
            text += (f"; {self.metric} {num(self.target)} is out of reach (below the floor in most draws) at level(s) "
                     + ", ".join(f"{v:g}" for v in out["level"]) if len(out) else
                     f"; {self.metric} {num(self.target)} is reachable at every level")
        return text + "."

    def to_dict(self) -> dict:
        return {"reference": self.reference, "target": self.target, "level": self.level, "metric": self.metric,
                "levels": records(self.table), "summary": str(self)}


def _exponent(fit: FitResult):
    table = getattr(fit.law, "exponents", {})
    if "data" not in table:
        return None
    name, sign = table["data"]
    return fit.law.param_names.index(name), sign


def compare_levels(fits: Mapping, *, levels: str = "noise_rate", target: float | None = None,
                   level: float = LEVEL) -> QualityLevels:
    """Compare bootstrapped per-level fits {level: FitResult} (one law per quality level).

    The reference is the cleanest level. For each level: its data exponent and floor with
    intervals; at the largest size n it measured, the reference-level size m that reaches the
    same predicted metric (inverting the reference fit, draw b paired with draw b), and
    n / m: how many samples of this level one reference sample is worth; with a ``target``,
    :func:`scalinglab.plan.data_for` per level (size needed, or out of reach below the floor).
    """
    level = check_level(level)
    if not isinstance(fits, Mapping) or len(fits) < 2:
        raise ScalingLabError("compare_levels needs at least two levels {level: FitResult}")
    order = sorted(fits, key=lambda k: -as_quality(k, levels))
    for key in order:
        f = fits[key]
        if not isinstance(f, FitResult) or f.curve.n_inputs != 1:
            raise ScalingLabError(f"level {key!r}: expected a 1-D FitResult from sl.fit(curve, ...)")
        if f.draws is None or len(f.draws) < 2:
            raise ScalingLabError(f"level {key!r}: the fit has no bootstrap draws; call .bootstrap(1000) first")
    ref = fits[order[0]]
    rows = []
    for key in order:
        f = fits[key]
        m = min(len(f.draws), len(ref.draws))
        size = float(f.curve.x.max())
        at = float(f.predict([size])[0])
        at_b = f.law.predict(np.array([size]), f.draws[:m])[:, 0]
        clean = float(np.asarray(ref.law.solve(at, ref.theta)).reshape(-1)[0])
        clean_b = np.array([np.asarray(ref.law.solve(v, t)).reshape(-1)[0] for v, t in zip(at_b, ref.draws[:m])])
        with np.errstate(divide="ignore"):
            worth_b = size / np.where(np.isnan(clean_b), np.inf, clean_b)
        floors = np.array([f.law.floor(t) for t in f.draws])
        exp = _exponent(f)
        e, e_b = (np.nan, np.full(2, np.nan)) if exp is None else (exp[1] * f.theta[exp[0]], exp[1] * f.draws[:, exp[0]])
        row = {"level": float(key), "quality": as_quality(key, levels), "exponent": e}
        row["exponent_lo"], row["exponent_hi"] = interval(e_b, level) if exp is not None else (np.nan, np.nan)
        row["floor"] = f.floor
        row["floor_lo"], row["floor_hi"] = interval(floors, level)
        row.update(size=size, metric_at_size=at, clean_equivalent=clean)
        row["clean_equivalent_lo"], row["clean_equivalent_hi"] = interval(np.where(np.isnan(clean_b), np.inf, clean_b),
                                                                          level)
        row["worth"] = size / clean if clean > 0 else np.inf
        row["worth_lo"], row["worth_hi"] = interval(worth_b, level)
        if target is not None:
            est = data_for(f, target, level=level)
            row.update(target_n=est.n, target_n_lo=est.interval[0], target_n_hi=est.interval[1],
                       reachable_share=est.reachable_share)
        rows.append(row)
    return QualityLevels(pd.DataFrame(rows), reference=float(order[0]), target=None if target is None else float(target),
                         level=level, metric=ref.curve.metric)
