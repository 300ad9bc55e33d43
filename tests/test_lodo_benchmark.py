"""benchmarks/lodo.py: the leave-one-domain-out procedure tunes nothing on what it scores."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import lodo                                                   # noqa: E402  (benchmarks/ is not a package)
from lodo_cache import LAWS, DomainFits                       # noqa: E402


def _domain(name: str, family: str, rng, n: int = 6, m: int = 3, shift: float = 0.0) -> DomainFits:
    """Curves whose true held-out values are 1; law k predicts exp(k-dependent error + shift)."""
    Y = np.ones((n, m))
    laws = {}
    for k, law in enumerate(LAWS):
        p = len(law)                                   # any fixed number of parameters will do
        err = rng.normal(0.05 * (k + 1) + shift * (k == 0), 0.02, (n, 1)) * np.ones((1, m))
        laws[law] = {"pred": np.exp(err), "unit": np.full((n, m), 0.05), "inner": np.abs(err[:, 0]) + 0.01,
                     "inner_relaxed": np.abs(err[:, 0]) + 0.01, "theta": np.full((n, p), np.nan), "seconds": 0.0}
    return DomainFits(name, family, [f"c{i}" for i in range(n)], ["regular"] * n, np.ones((n, m)) * [[2, 4, 8]],
                      Y, np.ones((n, m)), np.full(n, m - 1), np.full(n, np.inf), np.full(n, 1.5), np.full(n, 1.5),
                      np.full(n, 0.05), np.zeros(n), np.ones(n, int), np.full(n, 4), np.ones(n), laws)


def _fixed_law_only(d, law):
    return lodo.law_out(d, law)


def test_held_out_family_does_not_choose_its_own_setting_or_quantiles():
    rng = np.random.default_rng(0)
    data = {"a": _domain("a", "A", rng), "b1": _domain("b1", "B", rng), "b2": _domain("b2", "B", rng),
            "c": _domain("c", "C", rng)}
    cand = lodo.Candidate("fixed", _fixed_law_only, tuple({"law": law} for law in LAWS))
    before = lodo.lodo(data, [cand])[0].set_index("domain")
    # make the first law far better on domain a only: a's own setting and quantiles must not move
    worse = dict(data, a=_domain("a", "A", np.random.default_rng(1), shift=-0.05))
    after = lodo.lodo(worse, [cand])[0].set_index("domain")
    assert after.loc["a", "setting"] == before.loc["a", "setting"]
    assert after.loc["a", ["q80", "q95"]].tolist() == before.loc["a", ["q80", "q95"]].tolist()
    # ... while the other families, which tune on a, may see it
    assert (after.drop(index="a")["q80"] != before.drop(index="a")["q80"]).any()


def test_weighted_quantile_gives_every_group_the_same_weight():
    big, small = np.zeros(1000), np.ones(10)
    assert lodo.weighted_quantile([big, small], 0.4) == 0.0
    assert lodo.weighted_quantile([big, small], 0.6) == 1.0


def _with_scale(d, law):
    """A law's forecast with an inner error and a distance: the unit comes from a scale model fitted LODO."""
    out = lodo.law_out(d, law)
    out.inner = np.abs(np.log(d.laws[law]["pred"][:, 0])) + 0.01
    out.distance = np.log(d.test_X / d.x_last[:, None] * 4)
    return out


def test_held_out_family_does_not_fit_its_own_scale_model():
    rng = np.random.default_rng(0)
    data = {"a": _domain("a", "A", rng), "b1": _domain("b1", "B", rng), "b2": _domain("b2", "B", rng),
            "c": _domain("c", "C", rng)}
    cand = lodo.Candidate("scaled", _with_scale, tuple({"law": law} for law in LAWS))
    before = lodo.lodo(data, [cand])[0].set_index("domain")
    worse = dict(data, a=_domain("a", "A", np.random.default_rng(1), shift=-0.05))
    after = lodo.lodo(worse, [cand])[0].set_index("domain")
    assert before.loc["a", "scale"] != "-"
    assert after.loc["a", ["scale", "q80", "q95"]].tolist() == before.loc["a", ["scale", "q80", "q95"]].tolist()
    assert (after.drop(index="a")["scale"] != before.drop(index="a")["scale"]).any()
