"""Bootstrap refits, all resamples at once.

Each resample is a vector of counts over the points (how often each point was
drawn); the objective of resample b is :math:`\\sum_i c_{bi} w_i \\rho(r_i)`. All
resamples are refitted together by the batched Levenberg–Marquardt of
``optimize.py``, warm-started from the point estimate, so 1,000 refits cost a few
dozen vectorised iterations instead of 1,000 optimiser calls.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ScalingLabError, ScalingLabWarning
from .objective import SHARE_WARM
from .optimize import QR_MAX_ELEMENTS, levenberg_marquardt
from .problem import Problem

if TYPE_CHECKING:
    from .result import FitResult

BY = ("auto", "point", "seed", "group")

#: Elements (resamples x points) refitted together; bounds the memory of the count matrix and
#: of the optimiser's Jacobians (about CHUNK_ELEMENTS x parameters floats, ~5 MB): whatever the
#: number of resamples, memory stays that of one chunk. Smaller chunks stay in the CPU's cache:
#: 1,000 Chinchilla refits (240 points) took 0.325 s CPU in one chunk, 0.28 s in chunks of 500,
#: 0.29 s of 250 and 0.37 s of 64 (issue 19). The draws do not depend on it (one generator,
#: drawn in order; the step solver is chosen for the whole bootstrap, see ``bootstrap``).
CHUNK_ELEMENTS = 120_000

#: Fewest resamples a bootstrap accepts: a percentile interval at level L needs at least
#: ``MIN_TAIL`` draws beyond each end (see ``FitResult.interval``), so the narrowest level the
#: package uses, 80 %, needs 5 / 0.1 = 50 draws. With fewer, an "interval" is set by the one or
#: two most extreme refits (``bootstrap(1)`` gave a zero-width 95 % interval that excluded the
#: estimate). Efron & Tibshirani (1993, ch. 19) advise about 1,000 for percentile intervals.
MIN_RESAMPLES = 50

#: Whole seeds (or groups) are resampled only when there are at least this many. With k seeds
#: there are only C(2k−1, k) distinct resamples: 3 seeds give 10, 4 give 35, 5 give 126; an
#: interval drawn from 10 values is not an interval. The one rule every entry point follows
#: (``bootstrap``, ``plan``, the analysis, the CLI): see :func:`resampling_unit`.
MIN_CLUSTERS = 5


def resampling_unit(curve, by: str = "auto") -> tuple[str, str | None]:
    """The unit a bootstrap of ``curve`` resamples, and a note for the result's warnings.

    * ``by="auto"`` (the default everywhere): whole seeds when the curve has at least
      ``MIN_CLUSTERS`` distinct seeds (keeps the correlation within a training run's
      replicates; Efron & Tibshirani 1993, ch. 8 on clustered data), else single points, with
      a note when there are 2 to MIN_CLUSTERS − 1 seeds (too few to resample);
    * ``by="seed"`` / ``"group"``: refused below ``MIN_CLUSTERS`` distinct labels (never
      silently changed);
    * ``by="point"``: points.
    """
    if by not in BY:
        raise ScalingLabError(f"by must be one of {BY}, got {by!r}")
    if by == "point":
        return "point", None
    kinds = ("seed",) if by == "auto" else (by,)
    for kind in kinds:
        labels = getattr(curve, kind)
        if labels is None:
            if by == "auto":
                return "point", None
            raise ScalingLabError(f"bootstrap by={by!r} needs the curve's {by} labels; build the Curve with {by}=...")
        k = len(np.unique(np.asarray([str(v) for v in labels])))
        if k >= MIN_CLUSTERS:
            return kind, None
        distinct = math.comb(2 * k - 1, k)
        why = (f"{k} distinct {kind}(s) give only {distinct} distinct resample(s) of whole {kind}s; resampling "
               f"{kind}s needs at least {MIN_CLUSTERS} ({math.comb(2 * MIN_CLUSTERS - 1, MIN_CLUSTERS)} resamples)")
        if by != "auto":
            raise ScalingLabError(f"bootstrap by={by!r}: {why}. Use by='point' (or by='auto'), or collect more {kind}s")
        if k >= 2:
            return "point", f"the bootstrap resampled points, not seeds: {why}"
    return "point", None


def resample_counts(curve, n: int, by: str, rng: np.random.Generator) -> np.ndarray:
    """(n, points) counts: multinomial over points, or over whole seeds/groups."""
    if by == "point":
        return rng.multinomial(curve.n, np.full(curve.n, 1.0 / curve.n), size=n).astype(float)
    labels = np.asarray([str(v) for v in getattr(curve, by)])
    groups, member = np.unique(labels, return_inverse=True)
    group_counts = rng.multinomial(len(groups), np.full(len(groups), 1.0 / len(groups)), size=n)
    return group_counts[:, member.reshape(-1)].astype(float)


def bootstrap(result: FitResult, n: int = 1000, *, by: str = "auto", seed=None,
              max_iter: int = 100) -> FitResult:
    """Refit ``n`` bootstrap resamples of ``result.curve``; returns a copy with ``draws``.

    Parameters
    ----------
    n : int
        Number of resamples, at least ``MIN_RESAMPLES`` (50; see there why).
    by : {"auto", "point", "seed", "group"}
        What is resampled; see :func:`resampling_unit` for the one rule (whole seeds need at
        least ``MIN_CLUSTERS`` = 5 of them).
    seed : int or numpy Generator, optional
        Makes the draws reproducible. The curve's rows are in canonical order
        (:meth:`Curve.canonical`), so the draws do not depend on the order of the rows.

    Notes
    -----
    Draws whose refit is not finite are dropped and counted in ``n_failed_draws``. Memory is
    bounded: resamples are refitted in chunks of at most ``CHUNK_ELEMENTS`` (resample, point) pairs.
    """
    curve = result.curve.canonical()
    unit, note = resampling_unit(curve, by)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer, float, np.floating)) \
            or not np.isfinite(n) or int(n) != n:
        raise ScalingLabError(f"n must be a whole number of resamples, got {n!r}")
    if n < MIN_RESAMPLES:
        raise ScalingLabError(f"n = {n!r} resamples is too few for an interval: the bootstrap needs at least "
                              f"{MIN_RESAMPLES} (5 draws beyond each end of an 80 % interval; about 1,000 for 95 %)")
    if isinstance(max_iter, bool) or int(max_iter) != max_iter or max_iter < 1:
        raise ScalingLabError(f"max_iter must be a whole number >= 1, got {max_iter!r}")
    n_free = result.law.n_params - len(result.fixed)
    if result.curve.n_distinct <= n_free and not result.prior:
        # the law passes through every size: each resample refits to the same curve, and the
        # interval would have zero width whatever the noise (a 2-row CSV gave '0.191-0.191')
        raise ScalingLabError(f"{result.curve.n_distinct} distinct size(s) for {n_free} free parameter(s) of law "
                              f"{result.law.name!r}: the fit passes through every size, so a bootstrap cannot "
                              "measure its uncertainty; collect more sizes, fix parameters, or use a simpler law")
    if curve is not result.curve:                 # a result made by hand: put its rows in order
        result = result.replace(curve=curve, residuals=result.residuals[result.curve.canonical_order()])
    rng = np.random.default_rng(seed)
    prior, noise = None, None
    if result.prior:
        from ..literature.prior import Prior
        prior = Prior({k: tuple(v) for k, v in result.prior["targets"].items()}, result.prior["source"])
        noise = result.prior["noise"]
    problem = Problem.build(result.law, curve, loss=result.loss, delta=result.delta,
                            space=result.space, fixed=dict(result.fixed), prior=prior, noise=noise)
    u_hat = problem.to_u(result.theta[None])[0]
    draws = []
    chunk = max(1, CHUNK_ELEMENTS // max(curve.n, 1))
    # QR steps for small bootstraps, the normal equations for large ones, decided on the whole
    # bootstrap (not per chunk), so that no draw depends on the chunk size
    use_qr = int(n) * problem.n_rows <= QR_MAX_ELEMENTS
    for start in range(0, int(n), chunk):
        block = resample_counts(curve, min(chunk, int(n) - start), unit, rng)
        out = levenberg_marquardt(problem, np.tile(u_hat, (len(block), 1)), block, max_iter=int(max_iter),
                                  irls_share=SHARE_WARM, stall_rtol=1e-9, use_qr=use_qr)
        draws.append(problem.to_theta(out.U[np.isfinite(out.f)]))
    draws = np.concatenate(draws)
    draws = draws[np.all(np.isfinite(draws), axis=1)]
    notes = result.warnings + ((note,) if note else ())
    if note:
        warnings.warn(note, ScalingLabWarning, stacklevel=3)
    return result.replace(draws=draws, n_failed_draws=int(n) - len(draws), bootstrap_by=unit, warnings=notes)

