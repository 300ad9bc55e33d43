"""Property-based tests (hypothesis) of the power-law and sample-size API and their CLI commands:
generated good and bad inputs each give a right answer (finite, consistent with its own
definition) or a ScalingLabError / a one-line CLI error with a non-zero exit; never another
exception, a traceback, a NaN or a hang. Example counts: see ``EXAMPLES``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import scalinglab as sl
from scalinglab.cli import app
from helpers_hypothesis import examples

pw, ss = sl.powerlaws, sl.samplesize
EXAMPLES = examples(200)
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.function_scoped_fixture])
runner = CliRunner()

# numbers a user or a file can produce: ordinary, huge, tiny, zero, negative, non-finite
weird = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -1.0, 1e300, 1e-300, 1.0]),
                  st.floats(min_value=1e-3, max_value=1e6))
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return fn(*args, **kwargs)


# -- power laws: the API ----------------------------------------------------------------------------
@FAST
@given(values=st.lists(weird, min_size=0, max_size=60), discrete=st.booleans(),
       convention=st.sampled_from([None, "sorted_points", "supremum", "left_limits", "bogus"]),
       xmin=st.one_of(st.none(), weird), xmax=st.one_of(st.none(), weird))
def test_fit_gives_a_finite_answer_or_a_clear_error(values, discrete, convention, xmin, xmax):
    if discrete:
        values = [math.floor(v) if math.isfinite(v) else v for v in values]
    try:
        f = quiet(pw.fit, values, discrete=discrete, convention=convention, xmin=xmin, xmax=xmax)
    except sl.ScalingLabError:
        return
    assert np.isfinite(f.alpha) and f.alpha > 1
    assert np.isfinite(f.sigma) and f.sigma >= 0
    assert 0 <= f.ks <= 1 and 2 <= f.n_tail <= f.n and np.isfinite(f.xmin)
    if len(f.tail) < 50:
        assert f.warnings


@FAST
@given(values=st.lists(positive, min_size=3, max_size=80), alternative=st.sampled_from(pw.ALTERNATIVES))
def test_every_comparison_is_finite(values, alternative):
    try:
        f = quiet(pw.fit, values)
    except sl.ScalingLabError:
        return
    c = f.compare(alternative)
    assert np.isfinite(c.R) and np.isfinite(c.normalized_R) and 0 <= c.p <= 1


@settings(max_examples=examples(60), deadline=None)
@given(values=st.lists(st.integers(1, 1000), min_size=3, max_size=80), n_boot=st.integers(1, 5),
       seed=st.integers(0, 2 ** 32 - 1))
def test_gof_is_a_probability(values, n_boot, seed):
    try:
        f = quiet(pw.fit, np.array(values, float), discrete=True)
    except sl.ScalingLabError:
        return
    try:
        p = quiet(f.gof, n_boot, seed=seed)
    except sl.ScalingLabError:
        return
    assert 0 <= p <= 1


# -- sample size: the API -------------------------------------------------------------------------------
quantity = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-5, max_value=5),
                     st.floats(min_value=0.001, max_value=0.999), st.floats(min_value=2, max_value=1e6),
                     st.booleans(), st.text(max_size=3),
                     st.lists(st.floats(min_value=0.01, max_value=0.99), min_size=1, max_size=3))


def _design(name):
    return {"ttest": ss.ttest, "proportions": ss.proportions, "anova": ss.anova, "chisquare": ss.chisquare}[name]


@settings(max_examples=EXAMPLES, deadline=None)
@given(design=st.sampled_from(["ttest", "proportions", "anova", "chisquare"]),
       unknown=st.sampled_from(["n", "effect", "alpha", "power"]),
       n=quantity, effect=quantity, alpha=quantity, power=quantity,
       alternative=st.sampled_from(["two-sided", "larger", "smaller", "sideways"]))
def test_power_solver_is_right_or_refuses(design, unknown, n, effect, alpha, power, alternative):
    kw = {"n": n, "effect": effect, "alpha": alpha, "power": power}
    kw[unknown] = None
    if design in ("ttest", "proportions"):
        kw["alternative"] = alternative
    try:
        res = _design(design)(**kw)
    except sl.ScalingLabError:
        return
    for name in ("n", "effect", "alpha", "power"):
        assert np.all(np.isfinite(getattr(res, name))), name
    if unknown != "power":        # the solution reproduces the requested power
        back = {k: getattr(res, k) for k in ("n", "effect", "alpha")}
        extra = {"alternative": res.alternative} if design in ("ttest", "proportions") else {}
        check = _design(design)(**back, power=None, **extra).power
        assert np.allclose(check, res.power, rtol=1e-6, atol=1e-9)


@FAST
@given(width=weird, sigma=weird, level=weird, p=weird, margin=weird, eps=weird, delta=weird,
       vc=st.one_of(st.integers(-3, 10 ** 6), weird))
def test_interval_and_pac_sizes_are_numbers_or_errors(width, sigma, level, p, margin, eps, delta, vc):
    calls = [lambda: ss.prediction_interval_n(width, sigma, level=level),
             lambda: ss.mean_interval_n(width, sigma, level=level, method="t"),
             lambda: ss.proportion_interval_n(width, p=p, level=level),
             lambda: ss.majority_n(margin, level=level, max_n=100_000),
             lambda: ss.pac_realizable(vc, eps, delta), lambda: ss.pac_agnostic(vc, eps, delta),
             lambda: ss.pac_finite(vc, eps, delta)]
    for call in calls:
        try:
            res = call()
        except sl.ScalingLabError:
            continue
        assert not np.isnan(res.n) and res.n >= 0


@settings(max_examples=examples(100), deadline=None)
@given(rows=st.integers(0, 40), cols=st.integers(1, 4), seed=st.integers(0, 1000),
       kind=st.sampled_from(["normal", "duplicates", "lattice", "constant", "nan"]),
       method=st.sampled_from(["twonn", "mle", "pca", "local_pca"]), k=st.integers(-1, 12))
def test_intrinsic_dimension_is_finite_or_refused(rows, cols, seed, kind, method, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols))
    if kind == "duplicates":
        X = np.vstack([X, X])
    elif kind == "lattice":
        X = np.floor(X * 2)
    elif kind == "constant":
        X = np.ones((rows, cols))
    elif kind == "nan" and rows:
        X[0, 0] = np.nan
    fn = getattr(ss.intrinsic, method)
    kw = {"mle": {"k": k}, "local_pca": {"n_neighbors": k}}.get(method, {})
    try:
        res = quiet(fn, X, **kw)
    except sl.ScalingLabError:
        return
    assert np.isfinite(res.dimension) and res.dimension >= 0


# -- the CLI ----------------------------------------------------------------------------------------------
cell = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-5, 10 ** 6).map(str),
                 st.sampled_from(["", "abc", "1e300", "-1e300", "0", "nan", "1,5", '"x"']),
                 st.floats(min_value=0.5, max_value=1e4).map(lambda v: f"{v:.6g}"))
csv_text = st.one_of(
    st.just(""), st.just("value\n"), st.text(max_size=40),
    st.lists(st.lists(cell, min_size=1, max_size=3), min_size=1, max_size=40).map(
        lambda rows: "value,other\n" + "\n".join(",".join(r) for r in rows) + "\n"))


def assert_clean(result):
    """Exit 0, or a short error with a non-zero exit; never an uncaught exception."""
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}")
    if result.exit_code != 0:
        assert result.output.strip(), "a failure must say why"


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_text, options=st.lists(st.sampled_from([
    ["--discrete"], ["--zipf"], ["--spectrum"], ["--column", "other"], ["--column", "missing"],
    ["--xmin", "0"], ["--xmin", "-3"], ["--xmin", "1e300"], ["--xmax", "nan"], ["--gof", "2"], ["--gof", "-1"],
    ["--gof", "100000000"], ["--compare", "lognormal"], ["--compare", "gamma"], ["--seed", "-4"],
    ["--plot", "out.xyz"], ["--plot", "missing-folder/x.png"]]), max_size=3))
def test_powerlaw_command_never_crashes(tmp_path, text, options):
    path = tmp_path / "data.csv"
    path.write_text(text)
    result = runner.invoke(app, ["powerlaw", str(path)] + [o for opt in options for o in opt])
    assert_clean(result)


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(command=st.sampled_from(["ttest", "proportions", "anova", "chisquare", "interval", "majority", "pac", "vc"]),
       values=st.lists(st.sampled_from(["0", "-1", "1e300", "nan", "inf", "0.5", "0.05", "0.8", "2", "1e-300",
                                        "abc", "100"]), min_size=8, max_size=8))
def test_samplesize_commands_never_crash(command, values):
    forms = {
        "ttest": ["--effect", "--power", "--alpha", "--ratio"], "proportions": ["--p1", "--p2", "--power", "--alpha"],
        "anova": ["--effect", "--power", "--k-groups"], "chisquare": ["--effect", "--n", "--n-bins"],
        "interval": ["--width", "--sigma", "--level"], "majority": ["--margin", "--level"],
        "pac": ["--eps", "--delta", "--vc"], "vc": ["--weights", "--units"]}
    args = ["prediction"] if command == "interval" else []
    for option, value in zip(forms[command], values):
        args += [option, value]
    result = runner.invoke(app, ["samplesize", command] + args)
    assert_clean(result)


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_text, k=st.sampled_from(["3", "0", "-2", "20", "abc"]))
def test_intrinsic_command_never_crashes(tmp_path, text, k):
    path = tmp_path / "points.csv"
    path.write_text(text)
    assert_clean(runner.invoke(app, ["samplesize", "intrinsic", str(path), "--k", k]))


def test_power_solver_smoke():
    """A few of the solver property's cases in the default run (the property itself is slow)."""
    test_power_solver_is_right_or_refuses.hypothesis.inner_test(
        "ttest", "n", 0.0, 3506826113.0, 0.5, 0.5, "two-sided")     # scipy's noncentral t is NaN there
    test_power_solver_is_right_or_refuses.hypothesis.inner_test("anova", "effect", 30.0, 0.0, 0.05, 0.9, "larger")
    test_power_solver_is_right_or_refuses.hypothesis.inner_test(   # t quantile inf at alpha = 1e-300
        "ttest", "n", 0.0, -1.0, 1e-300, 0.5, "two-sided")
    test_power_solver_is_right_or_refuses.hypothesis.inner_test(   # scipy's noncentral F at nc ~ 1e-295
        "anova", "n", 0.0, 6.118707731317953e-148, 0.375, 0.25, "two-sided")


def test_cli_bad_inputs_name_what_is_wrong(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,size\na,1\nb,x\n")
    out = runner.invoke(app, ["powerlaw", str(path), "--column", "size"])
    assert out.exit_code == 2 and "column 'size' must hold numbers; line 3 has 'x'" in out.output
    path.write_text("")
    assert "the file is empty" in runner.invoke(app, ["powerlaw", str(path)]).output
    path.write_bytes("v\u00e9\n1\n".encode("cp1252"))
    assert "not UTF-8" in runner.invoke(app, ["powerlaw", str(path)]).output
    path.write_text("v\n1\n2\n\n3\n")
    out = runner.invoke(app, ["powerlaw", str(path), "--gof", "100000000"])
    assert out.exit_code == 2 and "--gof must be between 0 and 10,000" in out.output
