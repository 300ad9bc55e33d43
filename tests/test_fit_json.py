"""FIT.json: strict JSON that round-trips exactly, and a reader that refuses corrupted or
hand-edited files, naming the field (issue 15: a corrupted file made `plan` print "needs
about 0 samples" and "-899 % lower")."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import scalinglab as sl

X = np.geomspace(100, 1e4, 8)


def strict(text: str):
    def refuse(token):
        raise ValueError(f"bare {token}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def boot():
    rng = np.random.default_rng(0)
    y = (2 * X ** -0.4 + 0.02) * np.exp(rng.normal(0, 0.03, len(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(sl.Curve(X, y), law="auto").bootstrap(200, seed=0)


def test_written_json_is_strict_and_round_trips_exactly(boot):
    text = boot.to_json()
    data = strict(text)                                  # no bare NaN / Infinity anywhere
    back = sl.FitResult.from_json(text)
    np.testing.assert_array_equal(back.theta, boot.theta)
    np.testing.assert_array_equal(back.draws, boot.draws)
    np.testing.assert_array_equal(back.residuals, boot.residuals)
    np.testing.assert_array_equal(back.curve.values, boot.curve.values)
    assert back.interval("b" if "b" in boot.params else "c") == boot.interval("b" if "b" in boot.params else "c")
    assert str(sl.plan.gain(back, factor=10)) == str(sl.plan.gain(boot, factor=10))
    assert data["schema"] == "scalinglab.FitResult/2"


def test_selection_table_with_missing_scores_is_strict_json():
    """A candidate that cannot be backtested has NaN scores: written as null, read back as NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        res = sl.fit(sl.Curve(X[:5], 2 * X[:5] ** -0.4), law="auto", candidates=["power", "bnsl"])
    text = res.to_json()
    assert "NaN" not in text
    strict(text)
    back = sl.FitResult.from_json(text)
    assert back.selection["backtest"].isna().sum() == res.selection["backtest"].isna().sum()


def test_accuracy_direction_survives_the_round_trip():
    acc = 1 - 2 * X ** -0.4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        res = sl.fit(sl.Curve(X, acc, metric="accuracy", higher_is_better=True), law="power")
    back = sl.FitResult.from_json(res.to_json())
    assert (back.metric.name, back.metric.higher_is_better, back.metric.bounds) == ("accuracy", True, (0.0, 1.0))
    np.testing.assert_array_equal(back.predict([1e5]), res.predict([1e5]))


def corrupt(boot, edit):
    data = json.loads(boot.to_json())
    edit(data)
    return json.dumps(data)


def set_param(name, value):
    return lambda d: d["params"].__setitem__(name, value)


CORRUPTIONS = [
    (set_param("b", float("nan")), r"field 'params.b' must be a finite number"),
    (set_param("b", -3.0), r"field 'params.b' = -3.0 is outside"),
    (set_param("b", "inf"), r"field 'params.b' must be a number"),
    (set_param("b", "abc"), r"field 'params.b' must be a number"),
    (set_param("b", True), r"field 'params.b' must be a number"),
    (lambda d: d["params"].pop("b"), r"field 'params' must hold exactly the parameters"),
    (lambda d: d["params"].__setitem__("zz", 1.0), r"unknown \['zz'\]"),
    (lambda d: d.__setitem__("params", {"a": {"b": [1]}}), r"field 'params'"),
    (lambda d: d["draws"][3].__setitem__(0, float("nan")), r"field 'draws' must be a list"),
    (lambda d: d["draws"][3].__setitem__(1, -5.0), r"field 'draws\[3\]\.b' = -5.0 is outside the bounds"),
    (lambda d: d.__setitem__("draws", "none"), r"field 'draws' must be"),
    (lambda d: d["draws"].__setitem__(0, [1.0]), r"field 'draws' must be"),
    (lambda d: d.__setitem__("draws", [[1.0]]), r"field 'draws' must be rows of 3 numbers"),
    (lambda d: d.pop("curve"), r"field 'curve' is missing"),
    (lambda d: d["curve"]["y"].__setitem__(0, -1.0), r"field 'curve' is not a valid curve"),
    (lambda d: d["curve"]["x"].__setitem__(0, 0.0), r"field 'curve' is not a valid curve.*must be > 0"),
    (lambda d: d["residuals"].pop(), r"field 'residuals' must hold one number per curve point"),
    (lambda d: d.__setitem__("objective", -1.0), r"field 'objective' = -1.0 is outside"),
    (lambda d: d.__setitem__("converged", "yes"), r"field 'converged' must be true or false"),
    (lambda d: d.__setitem__("loss", "l7"), r"field 'loss' must be one of"),
    (lambda d: d["law"].__setitem__("name", "nope"), r"field 'law' unknown law 'nope'"),
    (lambda d: d.__setitem__("fixed", {"b": 0.1}), r"field 'fixed.b' = 0.1 disagrees with params.b"),
    (lambda d: d.__setitem__("bootstrap_by", None), r"field 'bootstrap_by' must say how the draws were made"),
    (lambda d: d.__setitem__("n_failed_draws", -2), r"field 'n_failed_draws' must be a whole number"),
    (lambda d: d.__setitem__("warnings", "text"), r"field 'warnings' must be a list of strings"),
    # parameters edited by hand (fuzz_cli: params of 1e308 gave 'err goes from 1e+308 to 1e+308
    # (80% interval 0.0454-0.0534)'), even slightly
    (set_param("a", 1e308), r"field 'params' do not reproduce the saved residuals"),
    (lambda d: d["params"].__setitem__("c", d["params"]["c"] * 1.01), r"do not reproduce the saved residuals"),
    # a score column holding text is refused (it was read as a missing score)
    (lambda d: d["selection"]["bic"].__setitem__(0, "abc") if d.get("selection") else d.__setitem__(
        "selection", {"law": ["power_floor"], "bic": ["abc"]}), r"field 'selection.bic' must hold numbers"),
]


@pytest.fixture(scope="module")
def floor_boot():
    rng = np.random.default_rng(1)
    y = (2 * X ** -0.4 + 0.02) * np.exp(rng.normal(0, 0.03, len(X)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(sl.Curve(X, y), law="power_floor").bootstrap(60, seed=0)


@pytest.mark.parametrize("edit, message", CORRUPTIONS)
def test_corrupted_fields_are_refused_by_name(floor_boot, edit, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.FitResult.from_json(corrupt(floor_boot, edit))


@pytest.mark.parametrize("text, message", [
    ('{"schema": "other"}', "not a scalinglab FitResult"),
    ("[1, 2]", "not a scalinglab FitResult"),
    ('{"schema": "scalinglab.FitResult/2", "law": ', "not valid JSON"),
    ("{" * 100000, "nested too deeply|not valid JSON"),
])
def test_unreadable_files_are_refused(text, message, tmp_path):
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.FitResult.from_json(text)
    path = tmp_path / "fit.json"
    path.write_text(text)
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.FitResult.from_json(path)
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(sl.ScalingLabError, match="not a UTF-8 text file"):
        sl.FitResult.from_json(path)
    with pytest.raises(sl.ScalingLabError, match="not found"):
        sl.FitResult.from_json(tmp_path / "missing.json")


def test_truncated_file_is_refused(boot):
    text = boot.to_json()
    for cut in (10, len(text) // 3, len(text) - 5):
        with pytest.raises(sl.ScalingLabError, match="not valid JSON"):
            sl.FitResult.from_json(text[:cut])


def test_files_of_the_first_schema_still_load():
    old = {"schema": "scalinglab.FitResult/1", "law": {"name": "power", "options": {}},
           "params": {"a": 2.0, "b": 0.5}, "objective": 0.0, "loss": "huber", "delta": 0.001, "space": "log",
           "converged": True, "n_starts": 1, "n_refined": 1, "fixed": {}, "warnings": [], "aic": 0.0, "bic": 0.0,
           "residuals": [0.0, 0.0, 0.0], "curve": {"x": [100.0, 400.0, 1600.0], "y": [0.2, 0.1, 0.05],
                                                   "metric": "error", "x_names": ["n"]},
           "draws": None, "n_failed_draws": 0, "bootstrap_by": None, "selection": None, "selection_reason": "",
           "prior": None}
    res = sl.FitResult.from_json(json.dumps(old))
    assert res.params == {"a": 2.0, "b": 0.5} and res.metric.bounds is None
