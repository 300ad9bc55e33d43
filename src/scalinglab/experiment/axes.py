"""Study axes next to size: data quality and the starting point (from scratch / pretrained).

An *arm* is one combination of axis values; each (estimator, arm) is stored under one
estimator key ``NAME@noise=0.1`` (or ``NAME@start=pretrained``, or both joined by ``@``), so a
cell is (estimator, quality level, start, model size, size, seed), every arm shares the study's
split, test set and nested orders, a stored study names its curves per arm without its spec,
and a store written before the axes existed reads unchanged (no schema change).

Quality (issue 22; docs/advise.md, "What the study axes will need"):

* ``{"kind": "label_noise", "levels": [0, 0.1, 0.2]}`` — classification: the share of training
  labels replaced by another class (:func:`scalinglab.quality.flip_labels`);
* ``{"kind": "feature_noise", "levels": [...]}`` — the share of training feature entries
  replaced by the same column's value in another training row (:func:`~scalinglab.quality.corrupt_features`);
* ``{"kind": "filter", "scores": [one number per row], "levels": [...]}`` — a quality column
  supplied by the user: at level t the training set is the first n rows of the seed's order
  whose score is >= t (rows below the threshold are skipped, not degraded).

Noise is applied to the training set only (the test set stays clean), keyed by the row's index
in the full data and by the run's seed, so it is nested across sizes (a row is degraded the
same way in every training set it belongs to) and across levels (the rows degraded at 0.1 are
among those degraded at 0.2). Each seed draws its own noise, so the seeds' spread includes it.

Starts (Hernandez et al. 2021's comparison): ``{"scratch": None, "pretrained": START}`` where
START is a mapping of estimator parameters set on the fresh estimator (TOML: e.g. a torch
adapter's ``init`` file) or, from Python, a callable ``f(estimator) -> estimator`` that
prepares it (loads or fits pretrained weights into an estimator with ``warm_start``); None or
``{}`` is the estimator as it is (from scratch).
"""

from __future__ import annotations

import hashlib
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..defaults import LEVEL
from ..arms import QUALITY_TAGS, SEPARATOR, START_NAME, level_text, split_key
from ..errors import ScalingLabError

QUALITY_KINDS = ("label_noise", "feature_noise", "filter")
_QUALITY_KEYS = {"label_noise": ("kind", "levels"), "feature_noise": ("kind", "levels"),
                 "filter": ("kind", "levels", "scores")}


def check_quality(quality, task: str, n_rows: int) -> dict | None:
    """The quality axis as plain data (kind, levels sorted from cleanest, scores as an array),
    or a ScalingLabError naming the key and what is expected."""
    if quality is None:
        return None
    if not isinstance(quality, Mapping):
        raise ScalingLabError(f"quality must be a table {{kind = ..., levels = [...]}}, got {quality!r}")
    kind = quality.get("kind")
    if kind not in QUALITY_KINDS:
        raise ScalingLabError(f"quality.kind must be one of {QUALITY_KINDS}, got {kind!r}")
    unknown = sorted(set(quality) - set(_QUALITY_KEYS[kind]))
    if unknown:
        raise ScalingLabError(f"quality has unknown keys {unknown} for kind {kind!r} (allowed: "
                              f"{', '.join(_QUALITY_KEYS[kind])})")
    if kind == "label_noise" and task != "classification":
        raise ScalingLabError(f"quality kind 'label_noise' needs a classification task; this study's task is {task} "
                              "(use 'feature_noise' or 'filter')")
    levels = quality.get("levels")
    if isinstance(levels, (str, bytes, Mapping)) or not isinstance(levels, (Sequence, np.ndarray)) or not len(levels):
        raise ScalingLabError(f"quality.levels must be a non-empty list of numbers, got {levels!r}")
    out = []
    for i, value in enumerate(levels):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            raise ScalingLabError(f"quality.levels[{i}] must be a finite number, got {value!r}")
        value = float(value)
        if kind != "filter" and not 0 <= value < 1:
            raise ScalingLabError(f"quality.levels[{i}] = {value!r}: a {kind} level is the share of training "
                                  "rows degraded, in [0, 1)")
        out.append(value)
    if len(set(out)) < len(out):
        raise ScalingLabError(f"quality.levels repeat values {levels!r}: each level names one set of runs")
    result = {"kind": kind, "levels": sorted(out)}
    if kind == "filter":
        scores = quality.get("scores")
        if scores is None:
            raise ScalingLabError("quality kind 'filter' needs scores = [one quality score per row of the data]")
        try:
            scores = np.asarray(scores, dtype=float)
        except (TypeError, ValueError):
            raise ScalingLabError("quality.scores must be numbers, one per row of the data") from None
        if scores.shape != (n_rows,):
            raise ScalingLabError(f"quality.scores must have one number per row ({n_rows}), got shape {scores.shape}")
        if not np.all(np.isfinite(scores)):
            bad = np.flatnonzero(~np.isfinite(scores))
            raise ScalingLabError(f"quality.scores has missing or infinite values at rows {bad[:5].tolist()}")
        result["scores"] = scores
    return result


def describe_quality(quality: dict | None) -> dict | None:
    """What the stored spec keeps of the axis (plain data)."""
    if quality is None:
        return None
    return {"kind": quality["kind"], "levels": list(quality["levels"]), "tag": QUALITY_TAGS[quality["kind"]]}


def quality_fingerprint(quality: dict) -> str:
    """What determines a run's result beyond its level: the kind (and the scores of a filter).
    Levels are left out: adding one adds runs without changing any."""
    if quality["kind"] != "filter":
        return quality["kind"]
    digest = hashlib.sha256(np.ascontiguousarray(quality["scores"]).tobytes()).hexdigest()[:16]
    return f"filter scores {digest}"


def check_starts(starts) -> dict | None:
    """The starts axis {name: None | params mapping | callable}, or a ScalingLabError."""
    if starts is None:
        return None
    if not isinstance(starts, Mapping) or len(starts) < 1:
        raise ScalingLabError(f"starts must map a start's name to None (from scratch), a table of estimator "
                              f"parameters or a callable f(estimator) -> estimator; got {starts!r}")
    out = {}
    for name, start in starts.items():
        if not isinstance(name, str) or not START_NAME.match(name):
            raise ScalingLabError(f"start names must be 1 to 64 letters, digits, '_', '.' or '-', got {name!r}")
        if start is None or (isinstance(start, Mapping) and not start):
            out[name] = None
        elif isinstance(start, Mapping):
            if not all(isinstance(k, str) for k in start):
                raise ScalingLabError(f"starts.{name}: parameter names must be strings, got {list(start)!r}")
            out[name] = dict(start)
        elif callable(start):
            out[name] = start
        else:
            raise ScalingLabError(f"starts.{name} must be None (from scratch), a table of estimator parameters or a "
                                  f"callable f(estimator) -> estimator; got {type(start).__name__}")
    return out


def arms(quality: dict | None, starts: dict | None) -> list[tuple[str, dict]]:
    """(key suffix, coordinates) per arm: ``("@noise=0.1@start=pretrained", {"quality": 0.1,
    "start": "pretrained"})``; one arm ``("", {})`` without axes."""
    out = [("", {})]
    if quality is not None:
        tag = QUALITY_TAGS[quality["kind"]]
        out = [(s + f"{SEPARATOR}{tag}={level_text(q)}", {**c, "quality": q}) for s, c in out for q in quality["levels"]]
    if starts is not None:
        out = [(s + f"{SEPARATOR}start={name}", {**c, "start": name}) for s, c in out for name in starts]
    return out


def with_start(estimator, start):
    """The fresh estimator prepared for its start: parameters set, or the callable applied."""
    if start is None:
        return estimator
    if isinstance(start, Mapping):
        return estimator.set_params(**start)
    prepared = start(estimator)
    return estimator if prepared is None else prepared


class Degrader:
    """The training set of a cell at its quality level: noisy labels or features, or the rows
    that pass a filter. Caches one corrupted pool per (seed, level) for feature noise (donor rows
    are drawn from the pool, so a row's corruption does not depend on the training-set size)."""

    def __init__(self, quality: dict, X: np.ndarray, y: np.ndarray, pool: np.ndarray):
        self.quality, self.X, self.y, self.pool = quality, X, y, pool
        self.classes = np.unique(y)
        self._corrupted: dict = {}

    def order(self, order: np.ndarray, level: float) -> np.ndarray:
        """The seed's order of the pool at this level (filter: only rows scoring >= level)."""
        if self.quality["kind"] != "filter":
            return order
        return order[self.quality["scores"][order] >= level]

    def training(self, rows: np.ndarray, level: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of the training rows (indices into the full data) at ``level`` for ``seed``."""
        from ..quality import corrupt_features, flip_labels
        kind = self.quality["kind"]
        # the run's seed seeds the noise too: flip_labels and corrupt_features draw from (seed, their own
        # stream, row id), independent of the seed's shuffling of the pool (numpy's default_rng(seed))
        if kind == "label_noise" and level > 0:
            return self.X[rows], flip_labels(self.y[rows], level, seed=int(seed), keys=rows, classes=self.classes)
        if kind == "feature_noise" and level > 0:
            key = (int(seed), level)
            if key not in self._corrupted:
                pooled = corrupt_features(self.X[self.pool], level, seed=int(seed), keys=self.pool)
                self._corrupted[key] = dict(zip(self.pool.tolist(), range(len(self.pool)))), pooled
            where, pooled = self._corrupted[key]
            return pooled[[where[int(r)] for r in rows]], self.y[rows]
        return self.X[rows], self.y[rows]


@dataclass
class AxesAnalysis:
    """The quality and transfer answers of a study's curves (see :func:`analyse_axes`)."""

    quality: list = field(default_factory=list)        # scalinglab.quality.QualityStudy per estimator
    transfer: list = field(default_factory=list)       # scalinglab.transfer.TransferStudy per estimator
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"quality": [q.to_dict() for q in self.quality], "transfer": [t.to_dict() for t in self.transfer],
                "notes": list(self.notes)}


def analyse_axes(curves: Mapping, *, fits: Mapping | None = None, target: float | None = None,
                 bootstrap: int = 1000, level: float = LEVEL, seed: int = 0) -> AxesAnalysis:
    """Quality and transfer answers from a study's curves named by arm: per estimator (and
    start), :func:`scalinglab.quality.analyse_levels` over its quality levels; per estimator
    (and quality level), :func:`scalinglab.transfer.analyse_starts` of every start against
    ``scratch``, reusing the bootstrapped fit of the from-scratch curve from ``fits`` {curve
    name: FitResult} when given. Curves with a model size are left out, with a note."""
    from ..quality import analyse_levels
    from ..transfer import analyse_starts
    out = AxesAnalysis()
    parsed = {k: split_key(k) for k in curves}
    if any("[" in k and SEPARATOR in k and not c for k, (_, c) in parsed.items()):
        out.notes.append("curves with a model size are not in the quality / transfer sections: use "
                         "Study.curves_by(axis, estimator, model_size=...) and sl.quality / sl.transfer")
    groups: dict = {}
    for key, (name, coords) in parsed.items():
        if "quality" in coords:
            groups.setdefault(("quality", name, coords.get("start"), coords["quality_tag"]), {})[coords["quality"]] = key
    for (_, name, start, tag), keys in sorted(groups.items(), key=lambda kv: str(kv[0])):
        label = name + ("" if start is None else f"{SEPARATOR}start={start}")
        if tag == QUALITY_TAGS["filter"]:
            out.notes.append(f"{label}: the levels are thresholds of a quality filter, not noise rates; "
                             "fit them with sl.quality.stack(..., levels='quality') if the scores are qualities in (0, 1]")
            continue
        if len(keys) < 2:
            continue
        try:
            out.quality.append(analyse_levels({lv: curves[k] for lv, k in keys.items()}, estimator=label,
                                              target=target, bootstrap=bootstrap, level=level, seed=seed))
        except ScalingLabError as error:
            out.notes.append(f"{label}: no quality answers ({error})")
    groups = {}
    for key, (name, coords) in parsed.items():
        if "start" in coords:
            groups.setdefault((name, coords.get("quality")), {})[coords["start"]] = key
    for (name, quality), keys in sorted(groups.items(), key=lambda kv: str(kv[0])):
        label = name + ("" if quality is None else f" at quality level {level_text(quality)}")
        if "scratch" not in keys:
            out.notes.append(f"{label}: no start named 'scratch', so no transfer answers (starts: {sorted(keys)})")
            continue
        if len(keys) < 2:
            continue
        fit = (fits or {}).get(keys["scratch"])
        try:
            out.transfer.append(analyse_starts({s: curves[k] for s, k in keys.items()}, estimator=label,
                                               scratch_fit=fit if fit is not None and fit.draws is not None else None,
                                               target=target, bootstrap=bootstrap, level=level, seed=seed))
        except ScalingLabError as error:
            out.notes.append(f"{label}: no transfer answers ({error})")
    return out
