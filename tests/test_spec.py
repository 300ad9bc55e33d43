"""Study specs are validated completely when loaded (Python and TOML): nothing is truncated,
coerced or dropped, a spec that can never run is refused, and a TOML spec never calls anything
but an estimator class."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC

import scalinglab as sl
from scalinglab.experiment.spec import MAX_GEOMETRIC_COUNT, geometric
from helpers_hypothesis import examples

LOGREG = '[estimators.logreg]\nclass = "sklearn.linear_model.LogisticRegression"\n'


def spec(**kwargs):
    kwargs.setdefault("estimators", {"a": LogisticRegression()})
    if "X" not in kwargs:
        kwargs.setdefault("dataset", "iris")
    return sl.StudySpec(name="s", **kwargs)


def toml(tmp_path, text: str):
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return sl.StudySpec.from_toml(path)


# -- numbers are whole or refused, never truncated or split -------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(seeds="12"), r"seeds must be a list of whole numbers, got '12'"),
    (dict(seeds=[1.5]), r"seeds\[0\] must be a whole number, got 1.5"),
    (dict(seeds=[True]), r"seeds\[0\] must be a whole number"),
    (dict(seeds=[-1]), r"seeds\[0\] must be >= 0"),
    (dict(seeds=[0, 0]), r"seeds repeat \[0\]"),
    (dict(seeds=[]), "seeds must not be empty"),
    (dict(sizes=[10.7]), r"sizes\[0\] must be a whole number, got 10.7"),
    (dict(sizes=["10"]), r"sizes\[0\] must be a whole number, got '10'"),
    (dict(sizes=[1]), r"sizes\[0\] must be >= 2"),
    (dict(sizes=[10, 10]), r"sizes repeat \[10\]"),
    (dict(sizes={"base": 10, "step": 2}), r"sizes: unknown keys \['step'\]"),
    (dict(sizes={"base": 10, "count": -3}), "geometric count must be >= 1"),
    (dict(test_fraction="0.3"), "test_fraction must be a finite number"),
    (dict(test_fraction=1.5), "test_fraction must be between 0 and 1"),
    (dict(split_seed=1.5), "split_seed must be a whole number"),
    (dict(task="ranking"), "task must be 'classification' or 'regression'"),
])
def test_bad_numbers_are_refused(kwargs, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        spec(**kwargs)


def test_whole_floats_are_whole_numbers():
    assert spec(sizes=[10.0, 20], seeds=[np.int64(3)]).sizes == [10, 20]


# -- specs that could never run ----------------------------------------------------------------------------
def test_regression_data_gets_a_regression_metric_and_error_is_refused():
    """A regression dataset with metric 'error' stored error = 1.0 for every run."""
    assert spec(dataset="diabetes", estimators={"r": Ridge()}).metric == "rmse"
    with pytest.raises(sl.ScalingLabError, match="metric 'error' needs a classification task.*regression"):
        spec(dataset="diabetes", estimators={"r": Ridge()}, metric="error")
    with pytest.raises(sl.ScalingLabError, match="metric 'log_loss' needs a classification task"):
        spec(dataset="diabetes", estimators={"r": Ridge()}, metric="log_loss")


def test_estimators_that_cannot_give_the_metric_or_the_task_are_refused():
    with pytest.raises(sl.ScalingLabError, match=r"'a' \(SVC\) has no predict_proba"):
        spec(estimators={"a": SVC()}, metric="log_loss")
    with pytest.raises(sl.ScalingLabError, match=r"'r' \(Ridge\) is a regressor"):
        spec(estimators={"r": Ridge()})
    with pytest.raises(sl.ScalingLabError, match=r"is a classifier; this study's task is regression"):
        spec(dataset="diabetes", estimators={"c": LogisticRegression()})


def test_model_sizes_need_factories_and_estimators_must_be_estimators():
    with pytest.raises(sl.ScalingLabError, match="model_sizes needs a factory"):
        spec(model_sizes=[8, 16])
    assert spec(model_sizes=[1.0, 2.0], estimators={"f": lambda c: LogisticRegression(C=c)}).model_sizes == [1.0, 2.0]
    with pytest.raises(sl.ScalingLabError, match="the factory failed"):
        spec(model_sizes=[8], estimators={"f": lambda width: 1 / 0})
    with pytest.raises(sl.ScalingLabError, match="is not a scikit-learn estimator"):
        spec(estimators={"f": lambda: "not an estimator"})
    with pytest.raises(sl.ScalingLabError, match="must be a scikit-learn estimator"):
        spec(estimators={"a": 3})
    with pytest.raises(sl.ScalingLabError, match="model_sizes must be distinct plain values"):
        spec(model_sizes=[object()], estimators={"f": lambda c: LogisticRegression()})


@pytest.mark.parametrize("search, message", [
    ({"trials": -1, "space": {"a": {"C": [0.1, 10, "log"]}}}, "search.trials must be >= 1"),
    ({"trials": 2.5, "space": {"a": {"C": [0.1, 10]}}}, "search.trials must be a whole number"),
    ({"trials": 2, "space": {"b": {"C": [0.1, 10]}}}, "names estimator 'b'"),
    ({"trials": 2, "space": {"a": {"C": [10, 0.1]}}}, "low must be below high"),
    ({"trials": 2, "space": {"a": {"C": [0, 1, "log"]}}}, "a log range needs low > 0"),
    ({"trials": 2, "space": {"a": {"C": [0, 1, "cubic"]}}}, "kind must be"),
    ({"trials": 2, "space": {"a": {"C": {"choices": []}}}}, "at least one choice"),
    ({"trials": 2, "space": {"a": {"C": [1, 2]}}, "sampler": "tpe"}, r"search: unknown keys \['sampler'\]"),
])
def test_bad_searches_are_refused(search, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        spec(search=search)


def test_geometric_sizes_are_bounded_in_time_and_memory():
    t0 = time.perf_counter()
    with pytest.raises(sl.ScalingLabError, match="pass 2\\^53"):
        geometric(25, 2, MAX_GEOMETRIC_COUNT)
    with pytest.raises(sl.ScalingLabError, match=f"geometric count must be <= {MAX_GEOMETRIC_COUNT}"):
        geometric(25, 2, 100_000)
    assert geometric(25, 2, MAX_GEOMETRIC_COUNT, maximum=1000) == [25, 50, 100, 200, 400, 800, 1000]
    assert len(geometric(100, 1.01, MAX_GEOMETRIC_COUNT)) > 500
    assert time.perf_counter() - t0 < 60                       # a guard against a hang, not a benchmark


# -- TOML ----------------------------------------------------------------------------------------------------
def test_a_key_written_after_an_estimator_table_is_detected(tmp_path):
    text = 'name = "t"\ndataset = "iris"\n' + LOGREG + 'seeds = [0, 1]\n'
    with pytest.raises(sl.ScalingLabError, match=r"spec.toml: \[estimators.logreg\] has unknown keys \['seeds'\].*"
                                                 r"above the first \[estimators"):
        toml(tmp_path, text)


@pytest.mark.parametrize("text, message", [
    ('name = "t"\ndataset = "iris"\nseeds = [0, 1\n' + LOGREG, "not valid TOML"),
    ('name = "t"\ndataset = "iris"\nseeds = "12"\n' + LOGREG, "seeds must be a list of whole numbers, got '12'"),
    ('name = "t"\ndataset = "iris"\nsizes = [10.7, 20]\n' + LOGREG, r"sizes\[0\] must be a whole number, got 10.7"),
    ('name = 3\ndataset = "iris"\n' + LOGREG, "a study needs a name"),
    ('name = "t"\ndataset = 3\n' + LOGREG, "dataset must be a name"),
    ('name = "t"\ndataset = "iris"\nmetric = 3\n' + LOGREG, "metric must be one of"),
    ('name = "t"\ndataset = "iris"\ntest_fraction = "a"\n' + LOGREG, "test_fraction must be a finite number"),
    ('name = "t"\ndataset = "iris"\n', r"needs at least one \[estimators.NAME\] table"),
    ('name = "t"\ndataset = "iris"\nestimators = 3\n', r"needs at least one \[estimators.NAME\] table"),
    ('name = "t"\ndataset = "iris"\n[estimators.a]\nparams = {}\n', "needs class = 'module.Class'"),
    ('name = "t"\ndataset = "iris"\n[estimators.a]\nclass = "sklearn.linear_model.LogisticRegression"\n'
     'params = 3\n', "params must be a table"),
    ('name = "t"\ndataset = "iris"\n[estimators.a]\nclass = "sklearn.linear_model.LogisticRegression"\n'
     'params = {nope = 1}\n', "bad parameters for sklearn.linear_model.LogisticRegression"),
    ('name = "t"\ndataset = "iris"\n[estimators.a]\nclass = "sklearn.ensemble.RandomForestRegressor"\n',
     "is a regressor"),
    ('name = "t"\ndataset = "iris"\nmodel_sizes = [8, 16]\n' + LOGREG, "model_sizes needs a factory"),
])
def test_bad_toml_specs_are_one_clear_error_naming_the_file(tmp_path, text, message):
    with pytest.raises(sl.ScalingLabError, match=message) as info:
        toml(tmp_path, text)
    assert "spec.toml" in str(info.value)


def test_a_spec_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_bytes('name = "caf\u00e9"\n'.encode("cp1252"))
    with pytest.raises(sl.ScalingLabError, match="not UTF-8"):
        sl.StudySpec.from_toml(path)


@pytest.mark.parametrize("target", ["os.system", "subprocess.Popen", "builtins.eval", "os.path", "os"])
def test_a_toml_spec_never_calls_anything_but_an_estimator_class(tmp_path, target):
    """class = "os.system" with params = {command = ...} ran a shell command while the spec loaded."""
    marker = tmp_path / "pwned"
    text = (f'name = "t"\ndataset = "iris"\n[estimators.evil]\nclass = "{target}"\n'
            f'params = {{command = "touch {marker}", args = ["touch", "{marker}"], source = "1"}}\n')
    with pytest.raises(sl.ScalingLabError, match="not a scikit-learn estimator class|class must be a dotted name"):
        toml(tmp_path, text)
    assert not marker.exists()


def test_the_projects_own_adapter_is_allowed(tmp_path):
    text = ('name = "t"\ndataset = "iris"\n[estimators.net]\nclass = "scalinglab.experiment.torch_adapter.'
            'TorchClassifier"\nparams = {width = 8, epochs = 1}\n')
    assert toml(tmp_path, text).estimators["net"].width == 8


# -- fuzz: any TOML spec is a StudySpec or one ScalingLabError, never another exception ----------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.integers(-5, 3000), st.floats(-1e3, 1e3, allow_nan=False), st.booleans(),
                     st.sampled_from(["", "12", "iris", "diabetes", "error", "log_loss", "rmse", "wine", "x"]))
_values = st.one_of(_scalars, st.lists(_scalars, max_size=4),
                    st.fixed_dictionaries({}, optional={"base": _scalars, "factor": _scalars, "count": _scalars,
                                                        "maximum": _scalars, "nope": _scalars}))
_keys = st.sampled_from(["name", "dataset", "sizes", "seeds", "metric", "test_fraction", "task", "model_sizes",
                         "split_seed", "search", "unknown"])
_classes = st.sampled_from(["sklearn.linear_model.LogisticRegression", "sklearn.linear_model.Ridge",
                            "sklearn.svm.SVC", "os.system", "nope.Nope", "sklearn", "builtins.dict", "3"])


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"


@pytest.mark.slow                 # 300 examples, about a minute on 2 busy cores
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(top=st.dictionaries(_keys, _values, max_size=6), cls=_classes,
       params=st.dictionaries(st.sampled_from(["max_iter", "C", "alpha", "command"]), _scalars, max_size=2),
       after=st.dictionaries(_keys, _values, max_size=1), name_ok=st.booleans(), data_ok=st.booleans())
def test_fuzzed_toml_specs_load_or_raise_one_clear_error(tmp_path, top, cls, params, after, name_ok, data_ok):
    if name_ok:
        top.setdefault("name", "fuzz")
    if data_ok:
        top.setdefault("dataset", "iris")
    lines = [f"{k} = {_toml_value(v)}" for k, v in top.items()]
    lines += ["[estimators.a]", f'class = "{cls}"', f"params = {_toml_value(params)}"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in after.items()]            # lands in [estimators.a]
    path = tmp_path / "fuzz.toml"
    path.write_text("\n".join(lines) + "\n")
    try:
        spec = sl.StudySpec.from_toml(path)
    except sl.ScalingLabError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error).strip()
        return
    assert spec.sizes == sorted(set(spec.sizes)) or len(set(spec.sizes)) == len(spec.sizes)
    assert all(isinstance(s, int) for s in spec.seeds) and all(isinstance(s, int) for s in spec.sizes)
    assert not after                                                           # keys after the table: refused


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_fuzzed_text_is_a_spec_or_one_clear_error(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text)
    try:
        sl.StudySpec.from_toml(path)
    except sl.ScalingLabError as error:
        assert str(error).startswith(str(path))


def test_fingerprints_see_factory_state_closures_and_defaults_but_no_memory_addresses():
    from dataclasses import dataclass as dc

    from scalinglab.experiment.spec import canonical

    @dc
    class Factory:
        lr: float = 0.1

        def __call__(self, width):
            return LogisticRegression(C=width)

    def closing_over(c):
        return lambda width: LogisticRegression(C=c)

    assert canonical(Factory(0.1)) == canonical(Factory(0.1)) != canonical(Factory(0.2))
    assert canonical(closing_over(1.0)) != canonical(closing_over(2.0))
    assert "0x" not in canonical(LogisticRegression()) + canonical(Factory()) + canonical(closing_over(1.0))
    base = spec(model_sizes=[1.0], estimators={"f": Factory(0.1)}).fingerprint()
    assert spec(model_sizes=[1.0, 2.0], estimators={"f": Factory(0.1)}).fingerprint() == base
    assert spec(model_sizes=[1.0], estimators={"f": Factory(0.2)}).fingerprint() != base
