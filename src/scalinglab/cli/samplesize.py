"""``scalinglab samplesize ...``: first numbers before any experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

import scalinglab as sl

from ._common import console
from ._output import answer
from ._table import numeric_column, numeric_frame, read_csv

samplesize_app = typer.Typer(help="Sample size before any experiment: power analysis, interval widths, "
                                  "PAC/VC bounds, intrinsic dimension.", no_args_is_help=True)
SOLVE_HELP = "the unknown: n, effect, alpha or power (default: whichever of n, effect, power is not given)"


def _unknown(solve: Optional[str], given: dict) -> dict:
    """Turn the CLI's optional numbers into the API's one-unknown call."""
    if solve is not None:
        if solve not in given:
            raise typer.BadParameter(f"--solve must be one of {list(given)}")
        given[solve] = None
    return given


@samplesize_app.command("ttest")
def ttest(effect: Optional[float] = typer.Option(None, help="Cohen's d"),
          n: Optional[float] = typer.Option(None, help="sample size (per group for two samples)"),
          power: Optional[float] = typer.Option(None), alpha: float = typer.Option(0.05),
          kind: str = typer.Option("two-sample", help="two-sample, one-sample or paired"),
          ratio: float = typer.Option(1.0, help="group 2 size / group 1 size"),
          alternative: str = typer.Option("two-sided", help="two-sided, larger or smaller"),
          solve: Optional[str] = typer.Option(None, help=SOLVE_HELP)) -> None:
    """Power analysis of a t-test."""
    kw = _unknown(solve, {"effect": effect, "n": n, "power": power, "alpha": alpha})
    answer(lambda: sl.samplesize.ttest(**kw, kind=kind, ratio=ratio, alternative=alternative))


@samplesize_app.command("proportions")
def proportions(p1: float = typer.Option(...), p2: float = typer.Option(..., help="second proportion, or the null"),
                n: Optional[float] = typer.Option(None), power: Optional[float] = typer.Option(None),
                alpha: float = typer.Option(0.05), kind: str = typer.Option("two-sample"),
                ratio: float = typer.Option(1.0), alternative: str = typer.Option("two-sided"),
                solve: Optional[str] = typer.Option(None, help="n, alpha or power")) -> None:
    """Power analysis for one or two proportions (Cohen's h)."""
    kw = _unknown(solve, {"n": n, "power": power, "alpha": alpha})
    answer(lambda: sl.samplesize.proportions(p1=p1, p2=p2, **kw, kind=kind, ratio=ratio, alternative=alternative))


@samplesize_app.command("anova")
def anova(effect: Optional[float] = typer.Option(None, help="Cohen's f (0.1 small, 0.25 medium, 0.4 large)"),
          n: Optional[float] = typer.Option(None, help="total sample size over all groups"),
          power: Optional[float] = typer.Option(None), alpha: float = typer.Option(0.05),
          k_groups: int = typer.Option(2, help="number of equal groups"),
          solve: Optional[str] = typer.Option(None, help=SOLVE_HELP)) -> None:
    """Power analysis of the one-way ANOVA F-test (Cohen's f)."""
    kw = _unknown(solve, {"effect": effect, "n": n, "power": power, "alpha": alpha})
    answer(lambda: sl.samplesize.anova(**kw, k_groups=k_groups))


@samplesize_app.command("chisquare")
def chisquare(effect: Optional[float] = typer.Option(None, help="Cohen's w (0.1 small, 0.3 medium, 0.5 large)"),
              n: Optional[float] = typer.Option(None, help="sample size"),
              power: Optional[float] = typer.Option(None), alpha: float = typer.Option(0.05),
              n_bins: int = typer.Option(2, help="number of categories"),
              ddof: int = typer.Option(0, help="parameters estimated from the data"),
              solve: Optional[str] = typer.Option(None, help=SOLVE_HELP)) -> None:
    """Power analysis of the chi-square goodness-of-fit test (Cohen's w)."""
    kw = _unknown(solve, {"effect": effect, "n": n, "power": power, "alpha": alpha})
    answer(lambda: sl.samplesize.chisquare(**kw, n_bins=n_bins, ddof=ddof))


@samplesize_app.command("interval")
def interval(kind: str = typer.Argument(..., help="prediction, mean or proportion"),
             width: float = typer.Option(..., help="full width of the interval"),
             sigma: Optional[float] = typer.Option(None, help="noise standard deviation (prediction, mean)"),
             p: float = typer.Option(0.5, help="expected proportion (proportion)"),
             level: float = typer.Option(0.95), method: Optional[str] = typer.Option(None, help="z|t or wilson|wald"),
             partitions: int = typer.Option(1, help="K partitions with the same sigma: total = K N")) -> None:
    """N for an interval of a given width (per partition, and in all)."""
    def make():
        if kind == "proportion":
            return sl.samplesize.proportion_interval_n(width, p=p, level=level, method=method or "wilson")
        if sigma is None:
            raise sl.ScalingLabError("--sigma is needed for prediction and mean intervals")
        if partitions > 1:
            return sl.samplesize.partitions_n([sigma] * partitions, width, kind=kind, level=level, method=method or "z")
        if kind == "prediction":
            return sl.samplesize.prediction_interval_n(width, sigma, level=level)
        if kind == "mean":
            return sl.samplesize.mean_interval_n(width, sigma, level=level, method=method or "z")
        raise sl.ScalingLabError(f"kind must be prediction, mean or proportion, got {kind!r}")
    answer(make)


@samplesize_app.command("majority")
def majority(margin: float = typer.Option(..., help="majority share minus 1/2"),
             level: float = typer.Option(0.95)) -> None:
    """Labels needed to see a partition's majority label win, with confidence."""
    answer(lambda: sl.samplesize.majority_n(margin, level=level))


@samplesize_app.command("pac")
def pac(eps: float = typer.Option(..., help="error"), delta: float = typer.Option(..., help="failure probability"),
        vc: Optional[int] = typer.Option(None, help="VC dimension"),
        hypotheses: Optional[float] = typer.Option(None, help="size of a finite hypothesis class"),
        case: str = typer.Option("realizable", help="realizable or agnostic"),
        kind: str = typer.Option("sufficient", help="sufficient or necessary (realizable VC only)")) -> None:
    """PAC/VC sample-complexity bounds, labelled sufficient or necessary."""
    def make():
        if (vc is None) == (hypotheses is None):
            raise sl.ScalingLabError("give --vc or --hypotheses")
        if hypotheses is not None:
            return sl.samplesize.pac_finite(hypotheses, eps, delta, agnostic=case == "agnostic")
        if case == "agnostic":
            return sl.samplesize.pac_agnostic(vc, eps, delta)
        return sl.samplesize.pac_realizable(vc, eps, delta, kind=kind)
    answer(make)


@samplesize_app.command("vc")
def vc(weights: int = typer.Option(...), units: Optional[int] = typer.Option(None, help="threshold units"),
       layers: Optional[int] = typer.Option(None, help="layers (ReLU/sigmoid orders of growth)"),
       activation: str = typer.Option("threshold", help="threshold, relu or sigmoid")) -> None:
    """VC dimension of a network: a bound (threshold units) or an order of growth."""
    def make():
        if activation == "threshold":
            if units is None:
                raise sl.ScalingLabError("--units is needed for threshold networks")
            bound = sl.samplesize.vc_threshold_network(weights, units)
            return (f"VC dimension <= {bound:.1f} (upper bound 2W·log2(eU), Baum & Haussler 1989)",
                    {"vc_upper_bound": bound})
        return sl.samplesize.vc_network_order(weights, layers or 1, activation=activation)
    answer(make)


@samplesize_app.command("intrinsic")
def intrinsic(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV of points (rows) x features"),
              column: Optional[list[str]] = typer.Option(None, "--column", help="feature columns (default: all numeric)"),
              k: int = typer.Option(20, help="neighbours for the MLE")) -> None:
    """Intrinsic dimension (TwoNN and Levina-Bickel MLE) and the heuristic exponents it suggests."""
    def make():
        X = numeric_frame(read_csv(file), column, file)
        two, ml = sl.samplesize.intrinsic.twonn(X), sl.samplesize.intrinsic.mle(X, k=k)
        d = ml.dimension
        data_exp = sl.samplesize.intrinsic.exponent_from_dimension(d)
        model_exp = sl.samplesize.intrinsic.exponent_from_dimension(d, kind="model")
        return (f"{two}\n{ml}\nHeuristic only: a data exponent near 1/d = {data_exp:.3f}; a model-size exponent "
                f"near 4/d = {model_exp:.3f} (Sharma & Kaplan 2020).",
                {"twonn": two, "mle": ml, "data_exponent": data_exp, "model_exponent": model_exp})
    answer(make)


@samplesize_app.command("partitions")
def partitions(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV of unlabeled points"),
               width: float = typer.Option(..., help="interval width per partition"),
               y: Optional[str] = typer.Option(None, "--y", help="pilot response column (its spread per cluster)"),
               sigma: Optional[float] = typer.Option(None, help="noise of the response, if no --y"),
               kind: str = typer.Option("prediction", help="prediction or mean interval"),
               criterion: str = typer.Option("silhouette", help="silhouette or bic"),
               level: float = typer.Option(0.95)) -> None:
    """Partition unlabeled data (K chosen by a stated criterion) and size each partition."""
    def make():
        df = read_csv(file)
        response = None if y is None else numeric_column(df, y, file)
        X = numeric_frame(df.drop(columns=[y] if y else []), None, file)
        choice, plan = sl.samplesize.partition_plan(X, width, y=response, sigma=sigma, kind=kind, level=level,
                                         criterion=criterion)
        console.print(choice.clusters)
        return f"{choice}\n{plan}", {"clusters": choice, "plan": plan}
    answer(make)
