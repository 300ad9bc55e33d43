"""FIT.json: a :class:`FitResult` as strict JSON, and a reader that trusts nothing.

Writing: every number is finite JSON (NaN becomes ``null``, ±inf the strings ``"inf"`` /
``"-inf"``), so any JSON parser reads the file; floats are written with ``repr`` precision, so
``from_json(to_json(r))`` gives the same numbers bit for bit.

Reading: a FIT.json may be hand-edited, truncated or corrupted, and ``scalinglab plan`` would
otherwise print normal-looking nonsense from it ("needs about 0 samples"). Every field is
checked on load — types, required keys, finite numbers, parameters and bootstrap draws inside
the law's bounds, residuals matching the curve and reproduced by the parameters, predictions
finite and positive — and the first problem raises a :class:`~scalinglab.ScalingLabError` that names the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError
from ..laws.base import get_law
from .diagnostics import bounds_pressed

SCHEMA = "scalinglab.FitResult/2"
#: Files written before the metric kept its direction and bounds (read for compatibility:
#: their curve holds the fitted values and has no bounds).
OLD_SCHEMAS = ("scalinglab.FitResult/1",)
BY = ("point", "seed", "group")


def plain(value):
    """``value`` with every non-finite float made strict-JSON safe (NaN -> None, ±inf -> "inf")."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if np.isnan(value):
            return None
        if np.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return value


def dumps(summary: dict) -> str:
    return json.dumps(plain(summary), indent=1, allow_nan=False)


class _Check:
    """Field checks that name the field (``where``: the file or "FIT.json")."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, field: str, what: str):
        raise ScalingLabError(f"{self.where}: field {field!r} {what}")

    def get(self, data: Mapping, key: str, prefix: str = ""):
        if key not in data:
            self.fail(prefix + key, "is missing")
        return data[key]

    def number(self, value, field: str, *, low: float = -np.inf, high: float = np.inf, allow_inf: bool = False):
        if isinstance(value, str) and allow_inf and value in ("inf", "-inf"):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(field, f"must be a number, got {value!r}")
        value = float(value)
        if np.isnan(value) or (np.isinf(value) and not allow_inf):
            self.fail(field, f"must be a finite number, got {value!r}")
        if not low <= value <= high:
            self.fail(field, f"= {value!r} is outside [{low:g}, {high:g}]")
        return value

    def whole(self, value, field: str):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(field, f"must be a whole number >= 0, got {value!r}")
        return value

    def text(self, value, field: str, choices=None, optional: bool = False):
        if value is None and optional:
            return None
        if not isinstance(value, str) or (choices is not None and value not in choices):
            self.fail(field, f"must be {'one of ' + str(choices) if choices else 'a string'}, got {value!r}")
        return value

    def array(self, value, field: str, shape_hint: str) -> np.ndarray:
        """A list (of lists) of finite numbers as a float array."""
        def bad():
            self.fail(field, f"must be {shape_hint} of finite numbers")
        if not isinstance(value, list):
            bad()
        flat = value if not value or not isinstance(value[0], list) else [v for row in value for v in
                                                                          (row if isinstance(row, list) else [row])]
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in flat):
            bad()
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            bad()
        if not np.all(np.isfinite(arr)):
            bad()
        return arr


def _params(check: _Check, law, params, field: str) -> np.ndarray:
    if not isinstance(params, Mapping):
        check.fail(field, f"must be a mapping of the law's parameters {law.param_names}, got {type(params).__name__}")
    unknown = sorted(set(params) - set(law.param_names))
    missing = [p for p in law.param_names if p not in params]
    if unknown or missing:
        check.fail(field, f"must hold exactly the parameters {law.param_names} of law {law.name!r}"
                          + (f"; missing {missing}" if missing else "") + (f"; unknown {unknown}" if unknown else ""))
    lo, hi = law.bound_arrays()
    theta = np.empty(law.n_params)
    for j, name in enumerate(law.param_names):
        theta[j] = check.number(params[name], f"{field}.{name}", low=lo[j], high=hi[j])
        if name in law.log_scale and theta[j] <= 0:
            check.fail(f"{field}.{name}", f"= {theta[j]!r} must be > 0")
    return theta


def _draws(check: _Check, law, draws) -> np.ndarray:
    arr = check.array(draws, "draws", f"a list of [{', '.join(law.param_names)}] rows")
    if arr.ndim != 2 or arr.shape[1] != law.n_params:
        check.fail("draws", f"must be rows of {law.n_params} numbers ({', '.join(law.param_names)}), got shape "
                            f"{arr.shape}")
    lo, hi = law.bound_arrays()
    low = np.where(law.log_mask(), np.maximum(lo, np.nextafter(0, 1)), lo)
    outside = (arr < low) | (arr > hi)
    if outside.any():
        i, j = np.argwhere(outside)[0]
        check.fail(f"draws[{i}].{law.param_names[j]}", f"= {float(arr[i, j])!r} is outside the bounds "
                                                      f"[{lo[j]:g}, {hi[j]:g}] of law {law.name!r}")
    return arr


def _prior(check: _Check, prior, law):
    if prior is None:
        return None
    if not isinstance(prior, Mapping):
        check.fail("prior", "must be a mapping or null")
    targets = check.get(prior, "targets", "prior.")
    if not isinstance(targets, Mapping) or not targets:
        check.fail("prior.targets", "must map parameters to [mean, sd]")
    for name, pair in targets.items():
        if name not in law.param_names or not isinstance(pair, list) or len(pair) != 2:
            check.fail(f"prior.targets.{name}", "must be [mean, sd] of a parameter of the law")
        check.number(pair[0], f"prior.targets.{name}[0]")
        check.number(pair[1], f"prior.targets.{name}[1]", low=np.nextafter(0, 1))
    check.number(check.get(prior, "noise", "prior."), "prior.noise", low=0.0)
    check.text(check.get(prior, "source", "prior."), "prior.source")
    moved = check.get(prior, "moved", "prior.")
    if not isinstance(moved, Mapping):
        check.fail("prior.moved", "must be a mapping")
    for name, m in moved.items():
        if not isinstance(m, Mapping):
            check.fail(f"prior.moved.{name}", "must be a mapping")
        for key in ("prior_mean", "prior_sd", "map"):
            check.number(check.get(m, key, f"prior.moved.{name}."), f"prior.moved.{name}.{key}")
        for key in ("unregularised", "shift_in_prior_sd"):
            if m.get(key) is not None:
                check.number(m[key], f"prior.moved.{name}.{key}")
    return dict(prior)


def _selection(check: _Check, selection):
    if selection is None:
        return None
    if not isinstance(selection, Mapping) or "law" not in selection or not isinstance(selection["law"], list):
        check.fail("selection", "must be a table (a mapping of columns, with 'law') or null")
    lengths = {len(v) if isinstance(v, list) else -1 for v in selection.values()}
    if len(lengths) != 1 or -1 in lengths:
        check.fail("selection", "columns must be lists of one length")
    frame = pd.DataFrame(dict(selection))
    for col in ("n_params", "backtest", "objective", "aic", "bic"):
        if col in frame:
            values = frame[col].map(lambda v: np.nan if v is None else v)
            numbers = pd.to_numeric(values.map(lambda v: float(v) if isinstance(v, str) and v in ("inf", "-inf")
                                               else v), errors="coerce")
            bad = numbers.isna() & values.notna()
            if bad.any():                         # text in a score column is refused, not read as missing
                check.fail(f"selection.{col}", f"must hold numbers (or null), got {values[bad].iloc[0]!r}")
            frame[col] = numbers
    return frame.set_index("law")


def _read_text(source) -> tuple[str, str]:
    """(text, where) from a JSON string or a file path."""
    if isinstance(source, Path) or not str(source).lstrip()[:1] in ("{", "["):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise ScalingLabError(f"FIT.json not found: {path}") from None
        except UnicodeDecodeError:
            raise ScalingLabError(f"{path}: not a UTF-8 text file (a FIT.json is JSON text)") from None
        except OSError as exc:
            raise ScalingLabError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return str(source), "FIT.json"


def load(source, cls):
    """Parse and validate a FIT.json (see the module docstring); returns a ``cls`` (FitResult)."""
    from .objective import check_loss
    from .problem import SPACES
    text, where = _read_text(source)
    check = _Check(where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScalingLabError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                              "is the file truncated?") from None
    except RecursionError:
        raise ScalingLabError(f"{where}: JSON nested too deeply to be a FitResult") from None
    if not isinstance(data, Mapping):
        raise ScalingLabError(f"{where}: not a scalinglab FitResult (a JSON {type(data).__name__}, not an object)")
    schema = data.get("schema")
    if schema != SCHEMA and schema not in OLD_SCHEMAS:
        raise ScalingLabError(f"{where}: not a scalinglab FitResult (schema {schema!r}; expected {SCHEMA!r})")
    law_info = check.get(data, "law")
    if not isinstance(law_info, Mapping):
        check.fail("law", "must be a mapping with 'name' and 'options'")
    name = check.text(check.get(law_info, "name", "law."), "law.name")
    options = law_info.get("options", {})
    if not isinstance(options, Mapping):
        check.fail("law.options", "must be a mapping")
    try:
        law = get_law(name, **options)
    except ScalingLabError as exc:
        check.fail("law", str(exc))
    except TypeError as exc:
        check.fail("law.options", f"are not options of law {name!r} ({exc})")
    theta = _params(check, law, check.get(data, "params"), "params")
    loss = check.text(check.get(data, "loss"), "loss", ("huber", "squared"))
    delta = check.number(check.get(data, "delta"), "delta", low=np.nextafter(0, 1))
    space = check.text(check.get(data, "space"), "space", SPACES)
    check_loss(loss, delta)
    curve_data = check.get(data, "curve")
    if isinstance(curve_data, Mapping) and schema in OLD_SCHEMAS:
        curve_data = {**curve_data, "bounds": None}          # old files: fitted values, no bounds
    try:
        curve = Curve.from_dict(curve_data)
    except ScalingLabError as exc:
        check.fail("curve", f"is not a valid curve: {exc}")
    except (TypeError, ValueError) as exc:
        check.fail("curve", f"is not a valid curve ({exc})")
    if curve.n_inputs != law.n_inputs:
        check.fail("curve", f"has {curve.n_inputs} x column(s) but law {name!r} takes {law.n_inputs}")
    if space == "log" and np.any(curve.y <= 0):
        i = int(np.flatnonzero(curve.y <= 0)[0])
        check.fail("curve", f"is not a valid curve: row {i} has {curve.metric_info.fitted_name} = {curve.y[i]:g}, "
                            "which a fit in log space cannot have")
    residuals = check.array(check.get(data, "residuals"), "residuals", "a list")
    if residuals.shape != (curve.n,):
        check.fail("residuals", f"must hold one number per curve point ({curve.n}), got {residuals.size}")
    fixed = check.get(data, "fixed")
    if not isinstance(fixed, Mapping):
        check.fail("fixed", "must be a mapping of parameters to values")
    for key, value in fixed.items():
        if key not in law.param_names:
            check.fail(f"fixed.{key}", f"is not a parameter of law {name!r}")
        if check.number(value, f"fixed.{key}") != theta[law.param_names.index(key)]:
            check.fail(f"fixed.{key}", f"= {value!r} disagrees with params.{key}")
    warnings_ = check.get(data, "warnings")
    if not isinstance(warnings_, list) or not all(isinstance(w, str) for w in warnings_):
        check.fail("warnings", "must be a list of strings")
    draws = check.get(data, "draws")
    draws = None if draws is None else _draws(check, law, draws)
    bootstrap_by = check.text(check.get(data, "bootstrap_by"), "bootstrap_by", BY, optional=True)
    if draws is not None and bootstrap_by is None:
        check.fail("bootstrap_by", "must say how the draws were made (point, seed or group)")
    with np.errstate(all="ignore"):
        for label, thetas in (("params", theta[None]), ("draws", draws)):
            if thetas is None or not len(thetas):
                continue
            pred = law.predict(curve.x, thetas)
            good = np.isfinite(pred) & ((pred > 0) if space == "log" else True)
            if not np.all(good):
                row = int(np.argwhere(~good)[0][0])
                check.fail(label if label == "params" else f"draws[{row}]",
                           "gives predictions that are not finite and positive at the curve's sizes")
    with np.errstate(all="ignore"):
        pred = law.predict(curve.x, theta[None])[0]
        implied = np.log(pred) - np.log(curve.y) if space == "log" else pred - curve.y
    size = 1.0 if space == "log" else float(np.max(np.abs(curve.y)))
    if not np.allclose(implied, residuals, rtol=1e-6, atol=1e-9 * size):
        # a hand-edited parameter would otherwise give answers that contradict the file's own draws
        check.fail("params", "do not reproduce the saved residuals at the curve's sizes (was the file edited?); "
                             "refit and save again with `scalinglab fit --json`")
    result = cls(
        law=law, theta=theta, objective=check.number(check.get(data, "objective"), "objective", low=0.0),
        loss=loss, delta=delta, space=space, curve=curve, residuals=residuals,
        converged=_bool(check, check.get(data, "converged"), "converged"),
        n_starts=check.whole(check.get(data, "n_starts"), "n_starts"),
        n_refined=check.whole(check.get(data, "n_refined"), "n_refined"),
        fixed={k: float(v) for k, v in fixed.items()}, warnings=tuple(warnings_), draws=draws,
        n_failed_draws=check.whole(check.get(data, "n_failed_draws"), "n_failed_draws"), bootstrap_by=bootstrap_by,
        selection=_selection(check, data.get("selection")),
        selection_reason=check.text(data.get("selection_reason", ""), "selection_reason"),
        prior=_prior(check, data.get("prior"), law),
        at_bounds=bounds_pressed(law, theta, [name not in fixed for name in law.param_names]),
    )
    canonical = curve.canonical()
    if canonical is not curve:                    # a file whose rows were reordered by hand
        result = result.replace(curve=canonical, residuals=residuals[curve.canonical_order()])
    return result


def _bool(check: _Check, value, field: str) -> bool:
    if not isinstance(value, bool):
        check.fail(field, f"must be true or false, got {value!r}")
    return value
