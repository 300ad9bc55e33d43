"""``law="auto"``: choose a law by how well it extrapolates, with AIC/BIC beside it.

Backtest protocol (documented, deterministic): order the distinct sizes (for joint
data, by the product of the x columns, proportional to compute for (N, D)); hold
out the largest ``holdout`` share of them (default 25 %, at least one size); fit
each candidate on the remaining sizes; score the RMSE of log y (or of y, for
``space="linear"``) over every held-out point. The law with the lowest backtest
score wins; scores within 0.1 % of the best count as a tie, won by the law with
fewer parameters, then by the lower BIC. A candidate with more free parameters
than training sizes minus one is not backtested. The winner is refitted on all the
data. When no candidate can be backtested, the lowest BIC wins, with a warning.
Alabdulmohsin et al. 2022 argue for exactly this: judge a law by its extrapolation
loss, not by how well it interpolates.

Weak evidence (at most ``WEAK_HOLDOUT`` held-out sizes): the backtest then rests on 1-3
points, and on 4,325 LCDB learning curves choosing by it was worse than always using
``m3``, the law that extrapolated best there. So with weak evidence ``m3`` (the
``INCUMBENT``) stays the choice unless another law's backtest score is at least
``SWITCH_FACTOR`` times smaller, a margin that a clearly better law (a clean curve of
another shape) still clears. On the held-out half of LCDB this cut ``auto``'s median
|log error| at the largest size from 0.145 to 0.121 and its mean from 0.53 to 0.28
(benchmarks/extrapolation_lcdb.py); m3 alone scores 0.120 and 0.25 there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError
from ..laws.base import get_law
from .engine import fit_quiet, fit_with_part
from .result import FitResult

CANDIDATES_1D = ("power", "power_floor", "m3", "m4", "exp_floor", "bnsl")
CANDIDATES_2D = ("chinchilla", "kaplan")
#: Backtest scores within this relative margin of the best count as a tie.
TIE = 1e-3
#: With this many held-out sizes or fewer, the choice is flagged as weak evidence: on the
#: LCDB calibration curves, choosing by 1-3 held-out sizes was worse than always using m3
#: (median |log error| 0.19 vs 0.17 with 2, 0.105 vs 0.095 with 3), better only with 4.
WEAK_HOLDOUT = 3
#: With weak evidence, the law kept unless another one backtests SWITCH_FACTOR times better.
INCUMBENT = "m3"
#: Chosen on the LCDB calibration half (datasets not scored in the README table), median and
#: mean |log error| at the largest size: factor 1 (no margin) 0.160 / 0.97, 2: 0.150 / 0.74,
#: 5: 0.141 / 0.44, 10: 0.141 / 0.32, 20: 0.141 / 0.32, never switching 0.144 / 0.32.
SWITCH_FACTOR = 20.0


def distinct_digits(a: float, b: float, start: int = 4, most: int = 10) -> tuple[str, str]:
    """``a`` and ``b`` with the fewest significant digits (from ``start``) that tell them apart:
    a reason must not say "0.1329 vs 0.1329" of two different scores."""
    for digits in range(start, most + 1):
        ta, tb = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if ta != tb:
            return ta, tb
    return ta, tb


def criteria_note(fitted: pd.DataFrame, winner: str) -> str:
    """A clause saying which law AIC and BIC prefer when it is not the chosen one: they judge the
    fit inside the data, the choice judges extrapolation, and the table shows both."""
    finite = fitted[np.isfinite(fitted["aic"]) & np.isfinite(fitted["bic"])]
    if winner not in finite.index or len(finite) < 2:
        return ""
    by_aic, by_bic = finite["aic"].idxmin(), finite["bic"].idxmin()
    if by_aic == winner and by_bic == winner:
        return ""
    if by_aic == by_bic:
        return (f"; AIC and BIC, which judge the fit inside the data rather than extrapolation, prefer {by_aic} "
                f"(BIC {finite.loc[by_bic, 'bic']:.4g} vs {finite.loc[winner, 'bic']:.4g})")
    return (f"; AIC, which judges the fit inside the data rather than extrapolation, prefers {by_aic}"
            if by_aic != winner else "") + (f"; BIC prefers {by_bic}" if by_bic != winner else "")


def weigh_weak_evidence(scores: np.ndarray, laws, n_held) -> np.ndarray:
    """Backtest scores (curves, laws) as the choice compares them: on rows whose backtest held
    out at most ``WEAK_HOLDOUT`` sizes (``n_held``, one per row) and scored ``INCUMBENT``,
    every other law's score is multiplied by ``SWITCH_FACTOR``."""
    scores = np.asarray(scores, float)
    laws = list(laws)
    if INCUMBENT not in laws:
        return scores
    incumbent = np.arange(len(laws)) == laws.index(INCUMBENT)
    weak = (np.asarray(n_held) <= WEAK_HOLDOUT) & np.isfinite(scores[:, incumbent][:, 0])
    return scores * np.where(weak[:, None] & ~incumbent[None, :], SWITCH_FACTOR, 1.0)


def rank(scores: np.ndarray, laws, n_held=None, n_params=None) -> np.ndarray:
    """The one ``auto`` rule, for ``fit(law="auto")`` and for the backtest's ``auto`` method
    (:func:`scalinglab.backtest.methods.auto_forecast`): the order (C, L) in which the laws of
    each row of backtest ``scores`` (C, L) are preferred. Scores are first weighed for weak
    evidence (:func:`weigh_weak_evidence`, with ``n_held`` held-out sizes per row); the laws
    within ``TIE`` of the best weighed score come first, fewest free parameters first (then
    the lower score); then the others by weighed score; laws without a finite score last.
    ``n_params``: free parameters per law (default: each law's own count)."""
    scores = np.atleast_2d(np.asarray(scores, float))
    laws = list(laws)
    n_params = np.array([get_law(law).n_params for law in laws] if n_params is None else n_params, float)
    if n_held is not None:
        scores = weigh_weak_evidence(scores, laws, n_held)
    finite = np.isfinite(scores)
    with np.errstate(invalid="ignore"):
        best = np.min(np.where(finite, scores, np.inf), axis=1, keepdims=True)
        near = finite & (scores <= best * (1 + TIE) + 1e-15)
    by_score = np.argsort(np.argsort(np.where(finite, scores, np.inf), axis=1, kind="stable"), axis=1)
    L = len(laws)
    key = np.where(near, n_params[None, :] * L + by_score, (n_params.max() + 1) * L + by_score)
    return np.argsort(np.where(finite, key, np.inf), axis=1, kind="stable")


def choose(scores: np.ndarray, laws, n_held=None, n_params=None) -> np.ndarray:
    """Column of the law the ``auto`` rule (:func:`rank`) picks per row of ``scores`` (C, L);
    -1 where no law has a finite score."""
    scores = np.atleast_2d(np.asarray(scores, float))
    first = rank(scores, laws, n_held, n_params)[:, 0]
    return np.where(np.isfinite(scores).any(axis=1), first, -1)


def backtest_split(curve: Curve, holdout: float = 0.25) -> tuple[np.ndarray, int]:
    """Boolean mask of the training points and the number of held-out distinct sizes."""
    if not 0 < holdout < 1:
        raise ScalingLabError(f"holdout must be a share between 0 and 1, got {holdout!r}")
    sizes = np.unique(curve.scale)
    n_hold = max(1, int(round(holdout * len(sizes))))
    if len(sizes) - n_hold < 2:
        return np.ones(curve.n, bool), 0
    cutoff = sizes[-n_hold]
    return curve.scale < cutoff, n_hold


def _score(result: FitResult, held: Curve) -> float:
    pred = result.law.predict(held.x, result.theta)          # on the fitted scale, as held.y
    with np.errstate(all="ignore"):
        err = (np.log(pred) - np.log(held.y)) if result.space == "log" else (pred - held.y)
    return float(np.sqrt(np.mean(err ** 2))) if np.all(np.isfinite(err)) else np.inf


@dataclass(frozen=True)
class LawComparison:
    """Every candidate's fit on all the data and on the backtest's training part, the
    comparison table, the winner and why."""

    table: pd.DataFrame
    fits: dict                  # law name -> FitResult on all the data
    train_fits: dict            # law name -> FitResult on the smaller sizes (backtested laws)
    held_out: Curve | None      # the larger sizes the backtest predicted
    winner: str
    reason: str
    notes: tuple[str, ...]


def fit_auto(curve: Curve, **options) -> FitResult:
    """Fit every candidate law, backtest each, return the winner's full fit with the
    comparison in ``result.selection`` and the reason in ``result.selection_reason``
    (``options``: those of :func:`compare_laws`)."""
    comparison = compare_laws(curve, **options)
    chosen = comparison.fits[comparison.winner]
    return chosen.replace(selection=comparison.table, selection_reason=comparison.reason,
                          warnings=comparison.notes + chosen.warnings)


def _candidate_fit(curve: Curve, law, *, fixed, prior, prior_x, **options) -> FitResult:
    """One candidate's fit with the options of ``fit`` (a MAP fit when there is a prior)."""
    if prior is not None:
        from .engine import fit_with_prior
        options = {k: v for k, v in options.items() if k != "delta"}      # MAP fits use squares
        return fit_with_prior(curve, law, prior, x=prior_x, fixed=fixed, **options)
    return fit_quiet(curve, law, fixed=fixed, **options)


def _candidate_fits(curve: Curve, law, train_mask, options: dict):
    """One candidate's fit on all the data and, when ``train_mask`` is given, on the backtest's
    training part: each a FitResult or the ScalingLabError it raised. Without a prior both come
    from one fitting problem, refined in one batch (:func:`.engine.fit_with_part`)."""
    def attempt(fn):
        try:
            return fn()
        except ScalingLabError as exc:
            return exc
    if options["prior"] is not None or train_mask is None:
        full = attempt(lambda: _candidate_fit(curve, law, **options))
        if isinstance(full, ScalingLabError) or train_mask is None:
            return full, None
        return full, attempt(lambda: _candidate_fit(curve.subset(train_mask), law, **options))
    plain = {k: v for k, v in options.items() if k not in ("prior", "prior_x")}
    both = attempt(lambda: fit_with_part(curve, law, train_mask, **plain))
    return (both, None) if isinstance(both, ScalingLabError) else both


def _unusable(law, fixed, prior, prior_x) -> str | None:
    """Why ``fixed`` or ``prior`` cannot be applied to this candidate (None: they can)."""
    missing = [name for name in (fixed or {}) if name not in law.param_names]
    if missing:
        return f"has no parameter {', '.join(missing)} (fixed=)"
    if prior is not None:
        from ..literature.prior import make_prior
        try:
            make_prior(prior, law, x=prior_x)
        except ScalingLabError as exc:
            return f"prior does not apply ({exc})"
    return None


def compare_laws(curve: Curve, *, candidates=None, loss: str = "huber", delta: float = 1e-3,
                 space: str = "log", holdout: float | None = None, max_iter: int = 1000, n_refine: int = 8,
                 fixed=None, prior=None, prior_x: str = "data") -> LawComparison:
    """The work behind ``law="auto"`` (see the module docstring), keeping every fit it makes.

    ``fixed`` and ``prior`` are applied to every candidate that has the parameters (for a
    literature prior: the exponent); the others are left out of the comparison, which the table
    (status "left out") and a note in the warnings say. No candidate left: ScalingLabError."""
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"fit expects a Curve, got {type(curve).__name__}")
    curve = curve.canonical()
    if candidates is None:
        candidates = CANDIDATES_1D if curve.n_inputs == 1 else CANDIDATES_2D
    if isinstance(candidates, str) or not len(candidates):
        raise ScalingLabError(f"candidates must be a non-empty list of law names, got {candidates!r}")
    laws = [get_law(c) for c in candidates]
    laws = [law for law in laws if law.n_inputs == curve.n_inputs]
    if not laws:
        raise ScalingLabError(f"no candidate law takes {curve.n_inputs} x column(s)")
    holdout = 0.25 if holdout is None else holdout
    train_mask, n_hold = backtest_split(curve, holdout)
    train, held = (curve.subset(train_mask), curve.subset(~train_mask)) if n_hold else (None, None)
    rows, fits, train_fits, left_out = [], {}, {}, []
    options = dict(loss=loss, delta=delta, space=space, max_iter=max_iter, n_refine=n_refine, fixed=fixed,
                   prior=prior, prior_x=prior_x)
    for law in laws:
        n_free = law.n_params - len(fixed or {})
        row = {"law": law.name, "n_params": n_free, "backtest": np.nan, "objective": np.nan,
               "aic": np.nan, "bic": np.nan, "status": "ok"}
        why = _unusable(law, fixed, prior, prior_x)
        if why is not None:
            row["status"] = f"left out: {why}"
            left_out.append(f"{law.name} ({why})")
            rows.append(row)
            continue
        if curve.n_distinct < n_free:
            row["status"] = f"skipped: {n_free} parameters, {curve.n_distinct} sizes"
            rows.append(row)
            continue
        backtested = train is not None and train.n_distinct >= n_free + 1
        full, train_fit = _candidate_fits(curve, law, train_mask if backtested else None, options)
        if isinstance(full, ScalingLabError):
            row["status"] = f"failed: {full}"
            rows.append(row)
            continue
        fits[law.name] = full
        row.update(objective=full.objective, aic=full.aic, bic=full.bic)
        if backtested:
            if isinstance(train_fit, ScalingLabError):
                row["status"] = f"backtest failed: {train_fit}"
            else:
                train_fits[law.name] = train_fit
                row["backtest"] = _score(train_fit, held)
        elif n_hold:
            row["status"] = f"not backtested: needs {n_free + 1} training sizes"
        rows.append(row)
    if len(left_out) == len(laws):
        raise ScalingLabError("no candidate law can take the options given: " + "; ".join(left_out))
    table = pd.DataFrame(rows).set_index("law")
    if not fits:
        raise ScalingLabError("no candidate law could be fitted: " + "; ".join(table["status"]))
    fitted = table.loc[list(fits)]
    notes = []
    if left_out:
        notes.append("law='auto' compared only the candidates that take the options given; left out: "
                     + "; ".join(left_out))
    scored = fitted[np.isfinite(fitted["backtest"])]
    if len(scored):
        weak = n_hold <= WEAK_HOLDOUT and INCUMBENT in scored.index
        order = rank(scored[["backtest"]].to_numpy().T, scored.index, [n_hold], scored["n_params"].to_numpy())[0]
        ranked = scored.iloc[order]
        winner = ranked.index[0]
        what = f"RMSE of {'log ' if space == 'log' else ''}y"
        on_held = f"the largest {n_hold} size(s) when fitted on the other {train.n_distinct}"
        best_raw = scored["backtest"].idxmin()
        if weak and winner == INCUMBENT and best_raw != INCUMBENT:
            best, kept = float(scored.loc[best_raw, "backtest"]), float(scored.loc[winner, "backtest"])
            b_txt, k_txt = distinct_digits(best, kept)
            reason = (f"{winner} kept: on {on_held}, {best_raw} extrapolated better ({what} {b_txt} vs {k_txt}, "
                      f"{kept / best:.3g}x smaller), but with {n_hold} held-out size(s) the rule switches from "
                      f"{INCUMBENT} only for a law {SWITCH_FACTOR:g}x better (below {kept / SWITCH_FACTOR:.3g}): "
                      f"on LCDB learning curves, choosing by so few did worse than always using {INCUMBENT} "
                      "(benchmarks/extrapolation_lcdb.py); sl.extrapolate combines the laws instead")
        else:
            reason = f"{winner} extrapolated best: {what} = {ranked['backtest'].iloc[0]:.4g} on {on_held}"
            if len(ranked) > 1:
                reason += f" (next: {ranked.index[1]}, {ranked['backtest'].iloc[1]:.4g})"
            if weak and winner != INCUMBENT:
                reason += (f"; more than {SWITCH_FACTOR:g}x better than {INCUMBENT}, the law kept on weak evidence "
                           f"({n_hold} held-out size(s))")
            elif weak:
                reason += (f"; {n_hold} held-out size(s) are weak evidence, but {INCUMBENT} is also the law that "
                           "extrapolated best on LCDB learning curves (benchmarks/extrapolation_lcdb.py)")
            elif n_hold <= WEAK_HOLDOUT:
                reason += (f". Weak evidence: on LCDB learning curves, choosing by {n_hold} held-out size(s) did "
                           "worse than always using m3 (benchmarks/extrapolation_lcdb.py)")
        reason += criteria_note(fitted, winner)
    else:
        winner = fitted.sort_values("bic").index[0]
        reason = f"{winner} has the lowest BIC ({fitted.loc[winner, 'bic']:.4g}); no law could be backtested"
        notes.append(f"too few distinct sizes ({curve.n_distinct}) to backtest any law: chosen by BIC alone")
    return LawComparison(table, fits, train_fits, held, winner, reason, tuple(notes))
