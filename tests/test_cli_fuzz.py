"""Property-based tests of the command line: generated CSV files, FIT.json files, TOML specs,
stores, column names and option values. Every case either succeeds or is refused with one line
``error: ...`` naming the file or option (tests/helpers_cli.py), never a traceback, an internal
error or a hang. Inputs refused before any fit run in the default suite (300 examples each);
those that fit curves are marked slow (CI runs them; 300 examples, 100 for the one that also
draws a figure each time)."""

from __future__ import annotations

import json
import re
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scalinglab as sl
from scalinglab._files import safe_stems
from scalinglab.cli import app

from helpers_cli import CLEAN, OK, FastRunner, classify
from helpers_hypothesis import examples

runner = FastRunner(app)
FAST = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(args, *needles):
    result = runner.invoke(args)
    outcome = classify(result, needles, must_fail=False)
    assert outcome in (CLEAN, OK), f"{outcome}: {args}\n{result.exception!r}\n{result.output[-2000:]}"
    return result


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# -- CSV files -------------------------------------------------------------------------------------
NUMBER_TEXT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.integers(-10**30, 10**30).map(str),
                        st.sampled_from(["", "nan", "inf", "-inf", "1e309", "0", "-0", "1e-320", "NA", "  ", "0,5"]))
CELL = st.one_of(NUMBER_TEXT, st.text(max_size=6))
NAME = st.one_of(st.sampled_from(["n", "err", "seed", "estimator", "size"]), st.text(min_size=0, max_size=8))


@st.composite
def csv_bytes(draw):
    """A small CSV as bytes: header, rows (some ragged), in UTF-8, cp1252, UTF-16 or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    names = draw(st.lists(NAME, min_size=0, max_size=4))
    if draw(st.booleans()):
        names = ["n", "err", *names]
    width = len(names)
    rows = draw(st.lists(st.lists(CELL, min_size=max(width - 1, 0), max_size=width + 1), max_size=8))
    text = "\n".join([",".join(names), *(",".join(r) for r in rows)])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FAST
@given(content=csv_bytes())
def test_generated_csv_files_are_read_or_refused_naming_the_file(folder, content):
    """Reading only: a command whose fit is patched out, so the property runs in the default suite."""
    path = folder / "generated.csv"
    path.write_bytes(content)
    with pytest.MonkeyPatch.context() as mp:
        read_only = (lambda curve, **kw: (_ for _ in ()).throw(sl.ScalingLabError(f"{path}: read")))
        mp.setattr(sl, "fit", read_only)                                 # plan's CSV path
        mp.setattr(sl.pipeline, "fit_answers", read_only)               # fit's
        check(["fit", path, "--x", "n", "--y", "err"], str(path))
        check(["plan", "gain", path, "--x", "n", "--y", "err", "--curve", "estimator"], str(path))


@pytest.mark.slow
@SLOW
@given(content=csv_bytes())
def test_generated_csv_files_are_fitted_or_refused(folder, content):
    path = folder / "fitted.csv"
    path.write_bytes(content)
    check(["fit", path, "--x", "n", "--y", "err", "--law", "power"])     # fit errors name a column, law or size


# -- FIT.json files --------------------------------------------------------------------------------
JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers(-10**20, 10**20) | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children,
                                                                                     max_size=4), max_leaves=12)


@pytest.fixture(scope="module")
def saved_fit(folder):
    x = np.repeat(np.geomspace(100, 1e4, 6), 2)
    y = (2 * x ** -0.4 + 0.03) * (1 + 0.02 * np.tile([-1, 1], 6))
    path = folder / "fit.json"
    sl.fit(sl.Curve(x, y), law="power_floor").bootstrap(100, seed=0).to_json(path)
    return json.loads(path.read_text().replace("NaN", "null"))


@FAST
@given(document=st.one_of(JSON, st.binary(max_size=60)), drop=st.integers(0, 40), keep_document=st.booleans())
def test_broken_fit_json_is_one_line(folder, saved_fit, document, drop, keep_document):
    """A file that is not a saved fit at all (bytes, any JSON value, a fit with a key missing) is
    refused on one line naming it. (Edited values inside a well-formed fit are checked on load by
    FitResult.from_json, with its own tests.)"""
    path = folder / "broken.json"
    if isinstance(document, bytes):
        path.write_bytes(document)
    elif keep_document:
        key = sorted(saved_fit)[drop % len(saved_fit)]
        path.write_text(json.dumps({k: v for k, v in saved_fit.items() if k != key}))
    else:
        path.write_text(json.dumps(document))
    check(["plan", "gain", path], str(path))


# -- TOML specs and stores (read, never run: a spec that loads is refused by a bad --executor) -----
@FAST
@given(text=st.one_of(st.text(max_size=80), st.sampled_from(['name = "x', "[estimators.a]\nclass = 1", "sizes = [",
                                                             'name = "a"\nseeds = "12"'])))
def test_generated_toml_is_loaded_or_refused(folder, text):
    path = folder / "spec.toml"
    path.write_text(text)
    check(["study", "run", path, "--db", folder / "never.db", "--executor", "nope", "--no-report"], str(path),
          "--executor", "executor")


@FAST
@given(content=st.binary(max_size=300))
def test_a_store_that_is_not_a_database_is_one_line(folder, content):
    path = folder / "store.db"
    path.write_bytes(content)
    check(["study", "status", path], str(path), "store")


# -- column names and option values ----------------------------------------------------------------
@pytest.fixture(scope="module")
def curve_frame():
    x = np.repeat(np.geomspace(100, 1e4, 6), 2)
    return pd.DataFrame({"n": x, "err": (2 * x ** -0.4 + 0.03) * (1 + 0.02 * np.tile([-1, 1], 6))})


@pytest.mark.slow
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])   # a fit and a figure each
@given(x_name=st.text(string.printable + "é$[]{}", min_size=1, max_size=10),
       y_name=st.text(string.printable + "é$[]{}", min_size=1, max_size=10))
def test_any_column_names_are_fitted_printed_and_drawn(folder, curve_frame, x_name, y_name):
    if x_name.strip() == y_name.strip() or "\r" in x_name + y_name or "\n" in x_name + y_name:
        return
    path = folder / "named.csv"
    curve_frame.rename(columns={"n": x_name, "err": y_name}).to_csv(path, index=False)
    names = pd.read_csv(path, nrows=0).columns           # what a CSV round trip keeps of the names
    check(["fit", path, "--x", names[0], "--y", names[1], "--law", "power", "--plot", folder / "named.png"],
          str(path))


FLOAT_TEXT = st.one_of(st.floats().map(repr), st.sampled_from(["nan", "inf", "-inf", "1e300", "-1e300", "1e-300", "0"]))


@pytest.mark.slow
@SLOW
@given(level=FLOAT_TEXT, delta=FLOAT_TEXT, bootstrap=st.integers(-5, 200_000).map(str),
       seed=st.integers(-10, 2**70).map(str))
def test_fit_option_values_are_used_or_refused(folder, curve_frame, level, delta, bootstrap, seed):
    path = folder / "options.csv"
    curve_frame.to_csv(path, index=False)
    if bootstrap.lstrip("-").isdigit() and 0 < int(bootstrap) <= 100_000:
        bootstrap = "0"                  # resampling is tested elsewhere; here only the refusals
    check(["fit", path, "--x", "n", "--y", "err", "--law", "power", "--level", level, "--delta", delta,
           "--bootstrap", bootstrap, "--seed", seed], "--level", "--delta", "--bootstrap", "--seed", "delta",
          "level")


@FAST
@given(target=FLOAT_TEXT, factor=FLOAT_TEXT, level=FLOAT_TEXT)
def test_plan_option_values_are_answered_or_refused(folder, saved_fit, target, factor, level):
    path = folder / "plan.json"
    path.write_text(json.dumps(saved_fit))
    check(["plan", "target", path, "--target", target, "--level", level], "--target", "target", "--level")
    check(["plan", "gain", path, "--factor", factor], "--factor", "factor", "new size")   # plan: factor x size


# -- file names from curve names -------------------------------------------------------------------
@settings(max_examples=examples(500), deadline=None)
@given(names=st.lists(st.text(max_size=12), max_size=8))
def test_safe_stems_are_plain_distinct_file_names(names):
    stems = safe_stems(names)
    assert set(stems) == set(names)
    values = list(stems.values()) if len(set(names)) == len(names) else list(dict.fromkeys(stems.values()))
    assert len({v.lower() for v in values}) == len(values)           # distinct, even ignoring case
    for stem in values:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem) and len(stem) <= 90, stem
    assert safe_stems(list(reversed(names))) == stems                # independent of the order
