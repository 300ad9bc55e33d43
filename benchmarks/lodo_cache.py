"""Every law's backtest forecast on every curve of the suite, computed once and cached, so that
rules, weights and calibrations can be compared leave-one-domain-out in seconds
(``extrapolation_domains.py --lodo`` reads this).

Per domain (the suite's one protocol, ``sl.backtest.prepare``): for each law of
``LAWS`` (the five of ``sl.backtest`` plus bnsl with one break), its fit to every training part
(``fit_many``, as ``sl.backtest``), the parameters, the prediction of every held-out size and
its log-scale interval unit (bootstrap sd ⊕ residual sd, ``law_forecast``), and the score of
``auto``'s inner backtest (``inner_relaxed``: RMSE of log y on the largest 25 % of the training
sizes when fitted on the rest, as ``sl.backtest`` scores it since issue 18: for every law with
at least as many inner training sizes as parameters; :func:`lodo.strict_inner` gives main's
earlier score, only for laws with a size to spare). Also the per-curve facts a rule may use: the training part's smallest mean,
the metric's cap, the log-scale standard error of the per-size means (replicate spread), the
number of inner held-out sizes.

Cache: ``~/.cache/scalinglab/suite/lodo-<key>.pkl`` keyed by the domain, the LCDB subsample,
``n_boot`` and a fingerprint of the fitting code's numbers on two probe curves (any change to
the fits recomputes).
"""

from __future__ import annotations

import hashlib
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

import scalinglab as sl

from scalinglab.backtest.methods import fit_law, law_forecast

import suite

LAWS = ("power", "power_floor", "m3", "m4", "exp_floor", "bnsl")
CACHE = Path.home() / ".cache" / "scalinglab" / "suite"


@dataclass
class DomainFits:
    """Arrays over the curves (C) of one domain; per law a dict of arrays."""

    domain: str
    family: str
    names: list
    categories: list
    test_X: np.ndarray          # (C, m) held-out sizes, W = 0 padding
    test_Y: np.ndarray
    test_W: np.ndarray
    i_largest: np.ndarray       # (C,) column of the largest held-out size
    cap: np.ndarray             # (C,) largest possible fitted value (inf: unbounded)
    train_min: np.ndarray       # (C,) smallest per-size mean of the training part
    train_last: np.ndarray      # (C,) last training mean
    last_unit: np.ndarray       # (C,) log-scale uncertainty of the last value
    noise: np.ndarray           # (C,) median log-scale standard error of the training means (replicates)
    n_inner_held: np.ndarray    # (C,) sizes the inner backtest holds out
    n_train: np.ndarray         # (C,) training sizes
    x_last: np.ndarray          # (C,) largest training size
    laws: dict                  # law -> {"pred", "unit" (C, m), "inner" (C,), "theta" (C, p), "seconds"}


def _source_key() -> str:
    """A fingerprint of the fitting code: every law's fit, prediction, bootstrap unit and inner
    score on two fixed probe curves (one with replicates), rounded to 8 significant digits. Any
    change to the fits changes it (and recomputes); a refactoring that leaves the numbers alone
    keeps the cache."""
    x = np.repeat(16 * 2.0 ** np.arange(8), 2)
    rng = np.random.default_rng(0)
    curves = {"a": sl.Curve(x, (0.05 + 2 * x ** -0.4) * np.exp(rng.normal(0, 0.02, x.size)), seed=np.tile([0, 1], 8)),
              "b": sl.Curve(x[::2], 3 * x[::2] ** -0.2)}
    prepared = sl.backtest.prepare(curves)
    parts = [np.concatenate([np.ravel(a) for a in _one(prepared, law, np.arange(2), 20)[1:5]]) for law in LAWS]
    text = np.array2string(np.concatenate(parts), precision=8, threshold=10 ** 6)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _one(prepared, law: str, rows: np.ndarray, n_boot: int):
    part = prepared.take(rows)
    fitted = fit_law(part, law)
    found = law_forecast(fitted.fits, part.test_X, part.names, n_boot=n_boot, seed=0)
    return rows, fitted.fits.theta, fitted.inner_score, found.pred, found.unit, fitted.seconds


def _noise(s: sl.backtest.SizeStats, k: int) -> float:
    """Median over the training sizes of the log-scale standard error of the mean (0 without replicates)."""
    with np.errstate(all="ignore"):
        se = s.sd[:k] / s.mean[:k] / np.sqrt(np.maximum(s.count[:k], 1))
    se = se[np.isfinite(se) & (s.count[:k] > 1)]
    return float(np.median(se)) if se.size else 0.0


def compute(domain: str, curves: dict, *, n_boot: int, n_jobs: int) -> DomainFits:
    prepared = sl.backtest.prepare(curves)
    stats = {name: sl.backtest.SizeStats.from_curve(curves[name]) for name in prepared.names}
    n_train = prepared.train.n_points
    chunks = [c for c in np.array_split(np.arange(len(prepared)), max(1, 2 * n_jobs)) if len(c)]
    done = Parallel(n_jobs=n_jobs)(delayed(_one)(prepared, law, rows, n_boot) for law in LAWS for rows in chunks)
    laws = {}
    for j, law in enumerate(LAWS):
        parts = done[j * len(chunks):(j + 1) * len(chunks)]
        laws[law] = {key: np.concatenate([p[i] for p in parts]) for i, key in
                     ((1, "theta"), (2, "inner_relaxed"), (3, "pred"), (4, "unit"))}
        laws[law]["seconds"] = float(sum(p[5] for p in parts))
    W = prepared.train.W > 0
    return DomainFits(
        domain, suite.DOMAINS[domain].family, list(prepared.names), list(prepared.categories),
        prepared.test_X, prepared.test_Y, prepared.test_W, prepared.i_largest, prepared.caps(),
        np.where(W, prepared.train.Y, np.inf).min(axis=1), prepared.last, prepared.last_unit,
        np.array([_noise(stats[n], k) for n, k in zip(prepared.names, n_train)]),
        (prepared.inner_W > 0).sum(axis=1), n_train, np.where(W, prepared.train.X, 0).max(axis=1), laws)


def load(domains, *, lcdb_limit: int | None, n_boot: int = 50, n_jobs: int = 2, refresh: bool = False,
         note=print) -> dict[str, DomainFits]:
    """{domain: DomainFits}, from the cache where it holds them."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = _source_key()
    note(f"fits fingerprint {key}")
    out = {}
    for domain in domains:
        tag = f"{domain}-{lcdb_limit if domain == 'lcdb' else 'all'}-b{n_boot}-{key}"
        path = CACHE / f"lodo-{tag}.pkl"
        if path.is_file() and not refresh:
            out[domain] = pickle.loads(path.read_bytes())
            continue
        t0 = time.perf_counter()
        curves = suite.load([domain], lcdb_limit=lcdb_limit)[domain]
        out[domain] = compute(domain, curves, n_boot=n_boot, n_jobs=n_jobs)
        path.write_bytes(pickle.dumps(out[domain]))
        note(f"{domain}: {len(out[domain].names)} curves fitted in {time.perf_counter() - t0:.1f} s "
             f"(cached in {path})")
    return out

