"""Curve and CurveSet: construction, conversion and validation messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglab as sl


def test_arrays_and_replicates_are_kept():
    c = sl.Curve([100, 100, 200, 400], [0.3, 0.32, 0.25, 0.2], seed=[0, 1, 0, 0])
    assert c.n == 4 and c.n_distinct == 3 and c.n_inputs == 1
    m = c.mean_by_size()
    np.testing.assert_allclose(m.y, [0.31, 0.25, 0.2])
    np.testing.assert_allclose(m.x, [100, 200, 400])


def test_accuracy_is_fitted_as_error_but_keeps_its_name():
    c = sl.Curve([10, 20], [0.7, 0.8], metric="accuracy", higher_is_better=True)
    np.testing.assert_allclose(c.y, [0.3, 0.2])                 # the fitted values: 1 - accuracy
    np.testing.assert_array_equal(c.values, [0.7, 0.8])         # the metric as measured
    assert c.metric == "accuracy" and c.higher_is_better and c.bounds == (0.0, 1.0)
    with pytest.raises(sl.ScalingLabError, match=r"row 1: 1.2 is outside \[0, 1\]"):
        sl.Curve([10, 20], [0.7, 1.2], metric="accuracy", higher_is_better=True)


def test_direction_and_bounds_survive_every_copy():
    c = sl.Curve([10, 10, 20], [0.7, 0.75, 0.8], seed=[0, 1, 0], metric="f1", higher_is_better=True)
    for copy in (c.subset(np.array([True, False, True])), c.mean_by_size(), c.canonical(),
                 sl.Curve.from_dict(c.to_dict())):
        assert (copy.metric, copy.higher_is_better, copy.bounds) == ("f1", True, (0.0, 1.0))
        np.testing.assert_allclose(copy.y, 1 - copy.values)
    assert list(c.to_frame()["f1"]) == [0.7, 0.75, 0.8]
    np.testing.assert_allclose(c.mean_by_size().values, [0.725, 0.8])


@pytest.mark.parametrize("name, bounds", [("error", (0, 1)), ("Error Rate", (0, 1)), ("top-1 accuracy", (0, 1)),
                                          ("roc_auc", (0, 1)), ("loss", None), ("mse", None)])
def test_bounds_are_known_from_the_name(name, bounds):
    c = sl.Curve([1, 2], [0.5, 0.4], metric=name)
    assert c.bounds == (None if bounds is None else tuple(map(float, bounds)))


def test_bounds_only_from_a_name_the_user_gave():
    assert sl.Curve([1, 2], [3.5, 2.0]).bounds is None               # unnamed: shown as "error", no bounds
    assert sl.Curve([1, 2], [3.5, 2.0]).metric == "error"
    with pytest.raises(sl.ScalingLabError, match=r"3.5 is outside \[0, 1\], the range of 'error' \(known from its name"):
        sl.Curve([1, 2], [3.5, 2.0], metric="error")
    assert sl.Curve([1, 2], [3.5, 2.0], metric="error", bounds=None).bounds is None
    bleu = sl.Curve([1, 2], [20.0, 30.0], metric="bleu", higher_is_better=True, bounds=(0, 100))
    np.testing.assert_allclose(bleu.y, [80, 70])
    with pytest.raises(sl.ScalingLabError, match="needs its best possible value"):
        sl.Curve([1, 2], [0.5, 0.6], higher_is_better=True, bounds=None)
    with pytest.raises(sl.ScalingLabError, match="lo < hi"):
        sl.Curve([1, 2], [0.5, 0.6], bounds=(1, 0))


def test_missing_values_are_left_out_with_one_warning():
    with pytest.warns(sl.ScalingLabWarning, match=r"2 missing value\(s\) \(NaN\) at row\(s\) 1, 3"):
        c = sl.Curve([1, 2, 3, 4], [0.5, np.nan, 0.3, np.nan], seed=[0, 1, 2, 3])
    assert c.n == 2 and list(c.seed) == [0, 2] and c.labels == (0, 2)
    with pytest.raises(sl.ScalingLabError, match="every value is missing"):
        sl.Curve([1, 2], [np.nan, np.nan])


def test_canonical_order_ignores_the_order_of_the_rows():
    rng = np.random.default_rng(0)
    x, y, s = np.repeat([10, 20, 40], 3), rng.random(9), np.tile(["b", "a", 1], 3)
    c = sl.Curve(x, y, seed=s)
    p = rng.permutation(9)
    d = sl.Curve(x[p], y[p], seed=s[p]).canonical()
    np.testing.assert_array_equal(c.canonical().values, d.values)
    np.testing.assert_array_equal(c.canonical().seed, d.seed)
    assert d.canonical() is d


@pytest.mark.parametrize("x, y, message", [
    ([1, 2, 3], [0.1, np.inf, 0.3], r"column 'y', row 1: value inf is not finite"),
    ([1, np.nan, 3], [0.1, 0.2, 0.3], r"column 'n', row 1: value nan is not finite"),
    ([1, np.inf, 3], [0.1, 0.2, 0.3], r"column 'n', row 1: value inf"),
    ([1, 0, 3], [0.1, 0.2, 0.3], r"column 'n', row 1: size 0 must be > 0"),
    ([1, 2], [0.1, 0.2, 0.3], r"x has 2 rows but y has 3"),
    ([], [], r"empty"),
    ([1, 2], ["a", "b"], r"column 'y': values must be numbers"),
])
def test_validation_names_column_and_row(x, y, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.Curve(x, y)


def test_errors_are_value_errors():
    assert issubclass(sl.ScalingLabError, ValueError)


def test_frame_and_csv_report_the_users_labels(tmp_path):
    df = pd.DataFrame({"n": [100, 200, -5], "err": [0.3, 0.2, 0.1]})
    with pytest.raises(sl.ScalingLabError, match=r"column 'n', row 2: size -5"):
        sl.Curve.from_frame(df, x="n", y="err")
    path = tmp_path / "curve.csv"
    df.to_csv(path, index=False)
    with pytest.raises(sl.ScalingLabError, match=r"column 'n', row 4"):   # line 4 of the file
        sl.Curve.from_csv(path, x="n", y="err")
    with pytest.raises(sl.ScalingLabError, match=r"column\(s\) \['loss'\] not found"):
        sl.Curve.from_frame(df, x="n", y="loss")
    with pytest.raises(sl.ScalingLabError, match="file not found"):
        sl.Curve.from_csv(tmp_path / "missing.csv", x="n", y="err")


def test_joint_columns_from_frame():
    df = pd.DataFrame({"N": [1e6, 1e7, 1e8], "D": [1e8, 1e9, 1e10], "loss": [4.0, 3.0, 2.5], "w": [1, 2, 1]})
    c = sl.Curve.from_frame(df, x=["N", "D"], y="loss", w="w")
    assert c.n_inputs == 2 and c.x_names == ("N", "D")
    np.testing.assert_allclose(c.scale, [1e14, 1e16, 1e18])
    round_trip = sl.Curve.from_dict(c.to_dict())
    np.testing.assert_array_equal(round_trip.x, c.x)
    np.testing.assert_array_equal(round_trip.w, c.w)
    assert list(c.to_frame().columns) == ["N", "D", "loss", "w"]


def test_negative_weight_rejected():
    with pytest.raises(sl.ScalingLabError, match="column 'w', row 0: weights must be >= 0"):
        sl.Curve([1, 2], [0.1, 0.2], w=[-1, 1])


def test_curve_is_read_only():
    c = sl.Curve([1, 2, 3], [3, 2, 1])
    with pytest.raises(ValueError):
        c.y[0] = 5.0


def test_curve_set():
    df = pd.DataFrame({"model": ["a", "a", "b", "b"], "n": [10, 20, 10, 20], "err": [0.5, 0.4, 0.6, 0.5]})
    cs = sl.CurveSet.from_frame(df, by="model", x="n", y="err")
    assert list(cs) == ["a", "b"] and len(cs) == 2
    np.testing.assert_allclose(cs["b"].y, [0.6, 0.5])
    with pytest.raises(KeyError, match="no curve named 'c'"):
        cs["c"]
    with pytest.raises(sl.ScalingLabError):
        sl.CurveSet({"a": [1, 2]})


def test_curveset_from_csv_names_file_lines(tmp_path):
    path = tmp_path / "runs.csv"
    pd.DataFrame({"learner": ["a", "a", "b", "b"], "n": [10, 20, 10, -5], "err": [0.5, 0.4, 0.6, 0.5]}).to_csv(
        path, index=False)
    with pytest.raises(sl.ScalingLabError, match="row 5"):          # line 5 of the file: header + 4 rows
        sl.CurveSet.from_csv(path, by="learner", x="n", y="err")
    path.write_text("learner,n,err\na,10,0.5\na,20,0.4\nb,10,0.6\n")
    curves = sl.CurveSet.from_csv(path, by="learner", x="n", y="err")
    assert list(curves) == ["a", "b"] and curves["a"].n == 2


def test_csv_files_that_pandas_would_misread_are_refused_naming_the_file(tmp_path):
    cases = {
        "cp1252.csv": ("größe,fehler\n100,0.5\n".encode("cp1252"), "not UTF-8"),
        "empty.csv": (b"", "empty"),
        "header.csv": (b"n,err\n", "no data rows"),
        # every row one field longer than the header: pandas took column 1 as the index, shifting the values
        "long.csv": (b"n,err\n100,0.5,1\n200,0.4,1\n400,0.3,1\n", "more fields than the header"),
        "ragged.csv": (b"n,err\n100,0.5\n200,0.4,1\n400,0.3\n", "line 3"),
        # two columns named n: pandas renamed the second to n.1
        "twice.csv": (b"n,n,err\n100,1,0.5\n200,2,0.4\n", "more than once"),
        "text.csv": (b"n,err\n100,0.5\n200,abc\n", "numbers"),
    }
    for name, (content, needle) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(sl.ScalingLabError, match=needle) as info:
            sl.Curve.from_csv(path, x="n", y="err")
        assert str(path) in str(info.value), info.value
    with pytest.raises(sl.ScalingLabError, match="folder"):
        sl.Curve.from_csv(tmp_path, x="n", y="err")
