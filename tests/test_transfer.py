"""Transfer scaling (Hernandez et al. 2021): D_E, D_T = D_E − D_F, D_T = k·D_F^α·N^β, worth."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl

# a Chinchilla-form from-scratch law, L(N, D) = E + A/N^a + B/D^b, and a known transfer law
E, A, B, A_EXP, B_EXP = 1.0, 30.0, 40.0, 0.3, 0.35
K, ALPHA, BETA = 5.0, 0.4, 0.3
WIDTHS = (1e6, 4e6, 1.6e7)


def scratch_loss(n, d):
    return E + A * n ** -A_EXP + B * d ** -B_EXP


def simulate(seed, noise=0.01, d_f=np.geomspace(1e2, 1e4, 5), seeds=3):
    """From-scratch runs on (N, D) and fine-tuned runs on (N, D_F), multiplicative noise."""
    rng = np.random.default_rng(seed)
    n, d = np.meshgrid(WIDTHS, np.geomspace(1e3, 1e7, 9), indexing="ij")
    n, d = np.repeat(n.ravel(), seeds), np.repeat(d.ravel(), seeds)
    scratch = sl.Curve(np.c_[n, d], scratch_loss(n, d) * np.exp(rng.normal(0, noise, n.size)),
                       seed=np.tile(np.arange(seeds), n.size // seeds), metric="loss")
    nf, df = np.meshgrid(WIDTHS, d_f, indexing="ij")
    nf, df = np.repeat(nf.ravel(), seeds), np.repeat(df.ravel(), seeds)
    d_e = df + K * df ** ALPHA * nf ** BETA
    finetuned = sl.Curve(np.c_[nf, df], scratch_loss(nf, d_e) * np.exp(rng.normal(0, noise, nf.size)),
                         seed=np.tile(np.arange(seeds), nf.size // seeds), metric="loss")
    return scratch, finetuned


def joint_scratch_fit(curve, n_boot=200):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(curve, law="chinchilla").bootstrap(n_boot, seed=0)


def test_recovers_known_k_alpha_beta_with_covering_intervals():
    scratch, finetuned = simulate(seed=1)
    eff = sl.transfer.effective_data(joint_scratch_fit(scratch), finetuned, level=0.95)
    assert (eff.table["status"] == "ok").all() and eff.replicated
    # D_E of each cell within its interval's reach of the truth
    truth = eff.table["D_F"] + K * eff.table["D_F"] ** ALPHA * eff.table["N"] ** BETA
    assert np.all(np.abs(np.log(eff.table["D_E"] / truth)) < 0.1)
    assert np.mean((eff.table["D_E_lo"] <= truth) & (truth <= eff.table["D_E_hi"])) >= 0.8
    tf = sl.transfer.fit_transfer(eff, level=0.95)
    assert tf.has_beta and tf.n_cells == 15
    for name, true in (("k", K), ("alpha", ALPHA), ("beta", BETA)):
        lo, hi = tf.interval(name)
        assert lo <= true <= hi, (name, lo, tf.params[name], hi)
    assert abs(tf.params["alpha"] - ALPHA) < 0.05 and abs(tf.params["beta"] - BETA) < 0.05
    assert "k = " in str(tf) and "β = " in str(tf) and "95% interval" in str(tf)
    d = tf.to_dict()
    assert set(d["params"]) == {"k", "alpha", "beta"} and d["params"]["alpha"]["lo"] <= d["params"]["alpha"]["hi"]


def test_worth_answers_the_planning_question():
    scratch, finetuned = simulate(seed=2)
    tf = sl.transfer.fit_transfer(sl.transfer.effective_data(joint_scratch_fit(scratch), finetuned))
    n, d_f = 4e6, 1e3
    w = sl.transfer.worth(tf, d_f, n=n, target=1.45)
    true_dt = K * d_f ** ALPHA * n ** BETA
    assert w.d_t_interval[0] <= true_dt <= w.d_t_interval[1]
    assert w.multiplier == pytest.approx(1 + w.d_t / d_f) and w.fraction == pytest.approx(d_f / (d_f + w.d_t))
    # closed forms of the truth: D_E* from the from-scratch law, D_F* from D + K D^a N^b = D_E*
    from scipy.optimize import brentq
    need = (B / (1.45 - E - A * n ** -A_EXP)) ** (1 / B_EXP)
    ft_need = brentq(lambda x: x + K * x ** ALPHA * n ** BETA - need, 1e-6, need)
    assert w.scratch_need_interval[0] <= need <= w.scratch_need_interval[1]
    assert w.finetune_need_interval[0] <= ft_need <= w.finetune_need_interval[1]
    assert abs(np.log(w.share / (ft_need / need))) < 0.15
    text = str(w)
    assert "pretraining is worth about" in text and "of the from-scratch need" in text
    assert w.to_dict()["summary"] == text
    assert "extrapolated" not in str(sl.transfer.worth(tf, d_f, n=n))
    far = sl.transfer.worth(tf, 1e5, n=n)
    assert "D_F = 100,000 is outside the fine-tuning sizes measured (100–10,000)" in str(far)


def test_one_fit_per_model_size_and_the_one_size_form():
    scratch, finetuned = simulate(seed=3)
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        for n in WIDTHS:
            part = scratch.subset(scratch.x[:, 0] == n)
            fits[n] = sl.fit(sl.Curve(part.x[:, 1], part.y, seed=part.seed), law="power_floor").bootstrap(200, seed=0)
    tf = sl.transfer.fit_transfer(sl.transfer.effective_data(fits, finetuned), level=0.95)
    for name, true in (("alpha", ALPHA), ("beta", BETA)):
        lo, hi = tf.interval(name)
        assert lo <= true <= hi
    # one model size: D_T = k' D_F^alpha with k' = K N^beta, and no beta
    n = WIDTHS[1]
    one = finetuned.subset(finetuned.x[:, 0] == n)
    tf1 = sl.transfer.fit_transfer(sl.transfer.effective_data(fits[n], sl.Curve(one.x[:, 1], one.y, seed=one.seed)),
                                   level=0.95)
    assert not tf1.has_beta and np.isnan(tf1.params["beta"])
    lo, hi = tf1.interval("k")
    assert lo <= K * n ** BETA <= hi
    with pytest.raises(sl.ScalingLabError, match="leave n out"):
        sl.transfer.worth(tf1, 1e3, n=n)
    with pytest.raises(sl.ScalingLabError, match="not identifiable"):
        tf1.interval("beta")


def test_ossified_and_beyond_cells_are_labelled_and_left_out():
    d = np.geomspace(1e3, 1e6, 8)
    scratch = sl.fit(sl.Curve(d, 5 * d ** -0.3 + 0.5), law="power_floor").bootstrap(100, seed=0)
    d_f = np.array([1e2, 3e2, 1e3, 3e3, 1e4])
    loss = 5 * (d_f + 20 * d_f ** 0.5) ** -0.3 + 0.5
    loss[-1] = 5 * (0.5 * d_f[-1]) ** -0.3 + 0.5         # worse than from scratch: ossified
    loss[0] = 0.4                                          # below the from-scratch floor 0.5: beyond
    eff = sl.transfer.effective_data(scratch, sl.Curve(d_f, loss))
    assert list(eff.table["status"]) == ["beyond", "ok", "ok", "ok", "ossified"]
    assert np.isinf(eff.table["D_E"].iloc[0]) and eff.table["D_T"].iloc[-1] < 0
    tf = sl.transfer.fit_transfer(eff)
    assert tf.n_cells == 3 and any("left out" in w for w in tf.warnings)
    assert tf.params["alpha"] == pytest.approx(0.5, abs=1e-6)
    assert "1 ossified" in str(eff) and "1 beyond" in str(eff)


def test_answers_do_not_depend_on_row_order():
    scratch, finetuned = simulate(seed=4)
    fit = joint_scratch_fit(scratch, n_boot=50)
    perm = np.random.default_rng(0).permutation(finetuned.n)
    shuffled = sl.Curve(finetuned.x[perm], finetuned.y[perm], seed=finetuned.seed[perm], metric="loss")
    a = sl.transfer.fit_transfer(sl.transfer.effective_data(fit, finetuned))
    b = sl.transfer.fit_transfer(sl.transfer.effective_data(fit, shuffled))
    assert a.params == b.params and np.array_equal(a.draws, b.draws)


def test_clear_errors():
    scratch, finetuned = simulate(seed=5)
    plain = sl.fit(scratch, law="chinchilla")
    with pytest.raises(sl.ScalingLabError, match="bootstrap"):
        sl.transfer.effective_data(plain, finetuned)
    with pytest.raises(sl.ScalingLabError, match="x = \\(N, D_F\\)"):
        sl.transfer.effective_data(joint_scratch_fit(scratch, 50), sl.Curve(finetuned.x[:, 1], finetuned.y))
    d = np.geomspace(1e3, 1e6, 6)
    one = sl.fit(sl.Curve(d, 5 * d ** -0.3 + 0.5), law="power_floor").bootstrap(50, seed=0)
    with pytest.raises(sl.ScalingLabError, match="several model sizes"):
        sl.transfer.effective_data(one, finetuned)
    with pytest.raises(sl.ScalingLabError, match="cannot identify"):
        sl.transfer.fit_transfer(sl.transfer.effective_data(one, sl.Curve([1e3], [1.0])))
    with pytest.raises(sl.ScalingLabError, match="mapping"):
        sl.transfer.effective_data("nope", finetuned)


@pytest.mark.slow
def test_interval_coverage_over_replications():
    """80 % intervals of α and β cover the truth in roughly 80 % of 30 simulated studies."""
    hits = {"alpha": 0, "beta": 0}
    reps = 30
    for rep in range(reps):
        scratch, finetuned = simulate(seed=100 + rep)
        tf = sl.transfer.fit_transfer(sl.transfer.effective_data(joint_scratch_fit(scratch), finetuned, seed=rep))
        for name, true in (("alpha", ALPHA), ("beta", BETA)):
            lo, hi = tf.interval(name)
            hits[name] += lo <= true <= hi
    for name, h in hits.items():
        assert 0.6 <= h / reps <= 0.97, (name, h)


def test_cli_transfer_from_two_csvs(tmp_path):
    import json
    import pandas as pd
    from typer.testing import CliRunner
    from scalinglab.cli import app
    scratch, finetuned = simulate(seed=6)
    for curve, name in ((scratch, "scratch.csv"), (finetuned, "finetuned.csv")):
        pd.DataFrame({"N": curve.x[:, 0], "D": curve.x[:, 1], "loss": curve.y, "seed": curve.seed}).to_csv(
            tmp_path / name, index=False)
    args = ["transfer", str(tmp_path / "scratch.csv"), str(tmp_path / "finetuned.csv"), "--x", "D", "--y", "loss",
            "--n", "N", "--seed-col", "seed", "--law", "power_floor", "--bootstrap", "100", "--at", "1000",
            "--at-n", "4000000", "--target", "1.45"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Effective data" in result.output and "pretraining is worth about" in result.output
    data = json.loads(CliRunner().invoke(app, args + ["--json"]).output)
    assert abs(data["fit"]["params"]["alpha"]["estimate"] - ALPHA) < 0.05
    assert data["worth"]["n"] == 4e6 and data["worth"]["finetune_need"] < data["worth"]["scratch_need"]
    bad = CliRunner().invoke(app, args[:3] + ["--x", "D", "--y", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output and "Traceback" not in bad.output
