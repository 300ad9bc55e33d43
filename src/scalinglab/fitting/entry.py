"""``fit``: the one entry point. Checks every option once (refusing those that would have no
effect), prepares the curve once, then fits one law (:mod:`.engine`), one law under a prior,
or selects among candidates (:mod:`.select`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from ..curves import Curve
from ..defaults import LAW
from ..errors import ScalingLabError, ScalingLabWarning
from .engine import DEFAULT_DELTA, _whole, fit_quiet, fit_with_prior
from .prepare import prepare_curve
from .result import FitResult
from .select import fit_auto

__all__ = ["fit", "check_options"]


def check_options(*, law, loss: str, delta, space: str, p0, fixed, n_refine, max_iter, candidates, holdout,
                  prior, prior_x) -> float:
    """Refuse options that are malformed or would have no effect (none is ever dropped silently);
    returns the Huber threshold to use."""
    from .objective import LOSSES
    from .problem import SPACES
    if loss not in LOSSES:
        raise ScalingLabError(f"loss must be one of {LOSSES}, got {loss!r}")
    if space not in SPACES:
        raise ScalingLabError(f"space must be one of {SPACES}, got {space!r}")
    if delta is not None and (loss == "squared" or prior is not None):
        why = "a prior (MAP fits use the squared loss)" if prior is not None else "loss='squared'"
        raise ScalingLabError(f"delta is the Huber threshold, which has no effect with {why}; leave delta out")
    _whole(n_refine, "n_refine")
    _whole(max_iter, "max_iter")
    if fixed is not None and not isinstance(fixed, Mapping):
        raise ScalingLabError(f"fixed must be a dict {{parameter: value}}, got {type(fixed).__name__}")
    for name, value in (fixed or {}).items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            raise ScalingLabError(f"fixed[{name!r}] must be a finite number, got {value!r}")
    auto = isinstance(law, str) and law == "auto"
    if not auto:
        given = [name for name, value in (("candidates", candidates), ("holdout", holdout)) if value is not None]
        if given:
            raise ScalingLabError(f"{' and '.join(given)} {'are options' if len(given) > 1 else 'is an option'} "
                                  "of law='auto' (model selection); a fit of one law has no use for it")
    elif p0 is not None:
        raise ScalingLabError("p0 is a start for one law's parameters; with law='auto' every candidate starts "
                              "from its own grid. Fit the law you have a start for: fit(curve, law=..., p0=...)")
    if prior is None and prior_x != "data":
        raise ScalingLabError("prior_x says which exponent a prior constrains; without prior= it has no effect")
    if prior_x not in ("data", "params"):
        raise ScalingLabError(f"prior_x must be 'data' or 'params', got {prior_x!r}")
    if delta is None:
        return DEFAULT_DELTA
    try:
        delta = float(delta)
    except (TypeError, ValueError):
        raise ScalingLabError(f"delta must be a positive number, got {delta!r}") from None
    if not (np.isfinite(delta) and delta > 0):
        raise ScalingLabError(f"delta must be a positive number for the Huber loss, got {delta!r}")
    return delta


def fit(curve: Curve, law=LAW, *, loss: str | None = None, delta: float | None = None, space: str = "log",
        p0=None, fixed: Mapping[str, float] | None = None, n_refine: int = 8,
        max_iter: int = 1000, candidates=None, holdout: float | None = None, prior=None,
        prior_x: str = "data") -> FitResult:
    r"""Fit a scaling law to a curve.

    Parameters
    ----------
    curve : Curve
        The measurements (replicates allowed; weights ``curve.w`` multiply each point's loss).
        A higher-is-better metric is fitted as its distance from the best value (see
        :mod:`scalinglab.metric`); answers come back in the metric's own terms. Rows are put in
        one canonical order first, so the row order never changes the result; zeros in log
        space follow the documented rule of :mod:`scalinglab.fitting.prepare` (with a warning).
    law : str, Law or "auto"
        A registered name (see :func:`scalinglab.available_laws`), a :class:`Law`, or
        ``"auto"`` (the default, :data:`scalinglab.defaults.LAW`) for model selection by
        backtest (see :func:`scalinglab.fitting.select.fit_auto`).
    loss : {"huber", "squared"}, optional
        Per-point loss, summed: Huber with threshold ``delta`` (the default, as Hoffmann
        et al. 2022 and Besiroglu et al. 2024) or plain squares. With a ``prior`` the default
        is the squared loss (a MAP fit assumes Gaussian noise on log y); an explicit
        ``loss="huber"`` with a prior is replaced by it, with a warning.
    delta : float, optional
        Huber threshold (default 1e-3, on log residuals). Refused with ``loss="squared"`` or a
        prior, where it would have no effect.
    space : {"log", "linear"}
        Residuals :math:`\log\hat y - \log y` (default) or :math:`\hat y - y`.
    p0 : dict or array, optional
        Start(s) to use instead of the law's grid (one vector or an (S, p) array). Refused with
        ``law="auto"`` (a start belongs to one law).
    fixed : dict, optional
        Parameters held at given values, e.g. ``{"y0": 1.0}`` for M4. With ``law="auto"`` they
        are applied to every candidate that has them; candidates without them are left out of
        the comparison (the table and a warning say so); refused when no candidate has them.
    n_refine, max_iter : int
        How many of the best distinct grid starts are refined, and the refinement's iteration
        limit (with ``law="auto"``: for every candidate).
    candidates, holdout :
        Options of ``law="auto"`` (refused otherwise): the laws compared, and the share of the
        largest sizes held out by the backtest.
    prior : dict, literature row, Prior or "literature:<task>", optional
        A normal prior on the exponent (and floor) for a MAP fit when data are scarce; see
        :mod:`scalinglab.literature.prior`. ``result.prior`` reports how far it moved the answer.
        With ``law="auto"`` it is applied to every candidate it can constrain; the others are
        left out of the comparison, with a warning.

    Returns
    -------
    FitResult
        Named parameters, objective, residuals, diagnostics and warnings. ``converged`` is True
        only when the solution is a stationary point of the objective (checked on the exact
        gradient, see :func:`scalinglab.fitting.optimize.stationary`).

    Examples
    --------
    >>> import numpy as np, scalinglab as sl
    >>> x = np.array([100, 200, 400, 800, 1600, 3200.])
    >>> res = sl.fit(sl.Curve(x, 2.0 * x**-0.5 + 0.05), law="power_floor")
    >>> round(res.params["b"], 4), round(res.params["c"], 4)
    (0.5, 0.05)
    """
    if loss is None:        # not chosen: the loss the fit's kind needs, without a warning about it
        loss = "squared" if prior is not None else "huber"
    delta = check_options(law=law, loss=loss, delta=delta, space=space, p0=p0, fixed=fixed, n_refine=n_refine,
                          max_iter=max_iter, candidates=candidates, holdout=holdout, prior=prior, prior_x=prior_x)
    curve, notes = prepare_curve(curve, space)
    if isinstance(law, str) and law == "auto":
        result = fit_auto(curve, candidates=candidates, loss=loss, delta=delta, space=space,
                          holdout=holdout, max_iter=max_iter, n_refine=n_refine, fixed=fixed, prior=prior,
                          prior_x=prior_x)
    elif prior is not None:
        result = fit_with_prior(curve, law, prior, x=prior_x, loss=loss, delta=delta, space=space, p0=p0,
                                fixed=fixed, n_refine=n_refine, max_iter=max_iter)
    else:
        result = fit_quiet(curve, law, loss=loss, delta=delta, space=space, p0=p0, fixed=fixed,
                           n_refine=n_refine, max_iter=max_iter)
    result = result.replace(warnings=notes + result.warnings)
    for message in result.warnings:
        warnings.warn(message, ScalingLabWarning, stacklevel=2)
    return result


