"""Feed bad inputs to every scalinglab command and count how each one ends.

    OMP_NUM_THREADS=1 python scripts/fuzz_cli.py [--only CATEGORY ...] [--timeout 60] [--json OUT]

Every case runs in this process through typer's CliRunner (fast: no interpreter start-up), under
an address-space limit (``--memory-gb``, default 6) and a time limit per case (``--timeout``).
Outcomes (tests/helpers_cli.py): ``clean`` (non-zero exit, one line ``error: ...`` naming the
file, column or option), ``ok`` (success where success is allowed), and the failures: ``vague``
(no traceback, but not one line or not naming the culprit), ``accepted`` (exit 0 on an input
that must be refused), ``traceback``, ``internal`` (a bug the CLI caught), ``memory``, ``hang``.

Run it on any checkout: the cases use only the command line, so the same script measures the
code before and after a change (``PYTHONPATH=/old/checkout/src python scripts/fuzz_cli.py``).
The exit status is 1 if any case ends in a failure outcome.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import signal
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from helpers_cli import BAD, HANG, MEMORY, classify  # noqa: E402


@dataclass
class Case:
    category: str
    command: str                  # first words, for the per-command table
    args: list[str]
    needles: tuple = ()           # one of them must appear in the error line
    must_fail: bool = True        # False: success is a right answer too
    outcome: str = ""
    seconds: float = 0.0
    message: str = field(default="", repr=False)


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no handler in the CLI swallows it."""


# -- the files every case reads ---------------------------------------------------------------------
def write_fixtures(d: Path) -> dict[str, Path]:
    """Good and bad input files in ``d``; returns name -> path."""
    f: dict[str, Path] = {}

    def text(name, content, encoding="utf-8"):
        f[name] = d / name
        f[name].write_bytes(content.encode(encoding) if isinstance(content, str) else content)

    rng = np.random.default_rng(0)
    sizes = np.repeat(np.geomspace(50, 6400, 8).round(), 2)
    err = (2 * sizes ** -0.4 + 0.03) * np.exp(rng.normal(0, 0.02, sizes.size))
    good = pd.DataFrame({"n": sizes, "seed": np.tile([0, 1], 8), "err": err, "acc": 1 - err})
    good.to_csv(d / "good.csv", index=False)
    f["good.csv"] = d / "good.csv"
    body = good[["n", "err"]].to_csv(index=False)
    lines = body.splitlines()
    text("empty.csv", "")
    text("blank.csv", "\n\n\n")
    text("header_only.csv", "n,err\n")
    text("cp1252_header.csv", "größe,fehler\n100,0.5\n200,0.4\n400,0.3\n800,0.25\n", "cp1252")
    text("cp1252_cell.csv", "n,err,note\n100,0.5,café\n200,0.4,b\n400,0.3,c\n800,0.25,d\n", "cp1252")
    text("bom.csv", "\ufeff" + body)
    text("ragged_long.csv", "\n".join(lines[:3] + [lines[3] + ",7"] + lines[4:]) + "\n")
    text("ragged_all_long.csv", lines[0] + "\n" + "\n".join(f"{row},1" for row in lines[1:]) + "\n")
    text("ragged_short.csv", "\n".join(lines[:3] + [lines[3].split(",")[0]] + lines[4:]) + "\n")
    text("text_numeric.csv", "\n".join(lines[:3] + [lines[3].split(",")[0] + ",abc"] + lines[4:]) + "\n")
    text("comma_decimal.csv", 'n,err\n100,"0,5"\n200,"0,4"\n400,"0,3"\n800,"0,2"\n')
    text("nan.csv", "\n".join(lines[:3] + [lines[3].split(",")[0] + ",nan"] + lines[4:]) + "\n")
    text("inf.csv", "\n".join(lines[:3] + [lines[3].split(",")[0] + ",inf"] + lines[4:]) + "\n")
    text("neg_size.csv", "n,err\n-100,0.5\n200,0.4\n400,0.3\n800,0.25\n1600,0.2\n")
    text("zero_size.csv", "n,err\n0,0.5\n200,0.4\n400,0.3\n800,0.25\n1600,0.2\n")
    text("zero_err.csv", "n,err\n100,0.5\n200,0.4\n400,0.3\n800,0.25\n1600,0\n")
    text("neg_err.csv", "n,err\n100,0.5\n200,0.4\n400,-0.3\n800,0.25\n1600,0.2\n")
    text("huge.csv", "n,err\n" + "".join(f"{1e300 * 2 ** -i:g},{1e300 * 2 ** -i:g}\n" for i in range(6)))
    text("huge_x.csv", "n,err\n" + "".join(f"{1e290 * 2 ** i:g},{0.5 * 2 ** -i:g}\n" for i in range(6)))
    text("tiny.csv", "n,err\n" + "".join(f"{100 * 2 ** i},{1e-300 * 2 ** -i:g}\n" for i in range(6)))
    text("one_size.csv", "n,err\n100,0.5\n100,0.4\n100,0.45\n100,0.42\n")
    text("two_rows.csv", "n,err\n100,0.5\n200,0.4\n")
    text("flat.csv", "n,err\n" + "".join(f"{100 * 2 ** i},0.25\n" for i in range(8)))
    text("mathtext.csv", "$\\sqrt{n$,$err_{\n" + "\n".join(lines[1:]) + "\n")
    text("markup.csv", "[bold red]n,[/]\n" + "\n".join(lines[1:]) + "\n")
    text("dup_cols.csv", "n,n,err\n" + "".join(f"{r.split(',')[0]},{r}\n" for r in lines[1:]))
    text("binary.csv", bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
    text("semicolon.csv", body.replace(",", ";"))
    groups = pd.concat([good.assign(estimator="logreg"), good.assign(estimator="forest", err=good["err"] * 1.5)])
    groups.to_csv(d / "groups.csv", index=False)
    f["groups.csv"] = d / "groups.csv"
    names = pd.concat([good.assign(curve=name) for name in ("../../escape", "/tmp/abs", "a b$x$", "[red]")])
    names.to_csv(d / "curve_names.csv", index=False)
    f["curve_names.csv"] = d / "curve_names.csv"
    f["folder"] = d / "a-folder"
    f["folder"].mkdir()
    f["missing"] = d / "missing.csv"
    # joint (N, D) data for `plan compute`
    N, D = np.meshgrid(np.geomspace(1e7, 1e9, 5), np.geomspace(1e9, 1e11, 5))
    N, D = N.ravel(), D.ravel()
    loss = 1.69 + 406.4 / N ** 0.34 + 410.7 / D ** 0.28
    pd.DataFrame({"N": N, "D": D, "loss": loss * np.exp(rng.normal(0, 0.01, N.size))}).to_csv(d / "joint.csv",
                                                                                               index=False)
    f["joint.csv"] = d / "joint.csv"
    return f


def write_json_fixtures(d: Path, f: dict, runner, app) -> None:
    """A fit JSON made by this checkout's own `fit --save`, and broken variants of it."""
    good = d / "fit.json"
    runner.invoke(app, ["fit", str(f["good.csv"]), "--x", "n", "--y", "err", "--law", "power_floor",
                        "--bootstrap", "200", "--save", str(good)])
    joint = d / "joint_fit.json"
    runner.invoke(app, ["fit", str(f["joint.csv"]), "--x", "N", "--x2", "D", "--y", "loss", "--law", "chinchilla",
                        "--bootstrap", "100", "--save", str(joint)])
    f["fit.json"], f["joint_fit.json"] = good, joint
    text = good.read_text() if good.exists() else "{}"

    def put(name, content):
        f[name] = d / name
        f[name].write_bytes(content if isinstance(content, bytes) else content.encode())

    put("empty.json", "")
    put("truncated.json", text[: len(text) // 2])
    put("nested.json", "[" * 100_000 + "]" * 100_000)
    put("nested_dict.json", '{"a": ' * 50_000 + "1" + "}" * 50_000)
    put("list.json", "[]")
    put("null.json", "null")
    put("string.json", '"fit"')
    put("cp1252.json", '{"law": "café"}'.encode("cp1252"))
    put("csv_as.json", f["good.csv"].read_text())
    try:
        data = json.loads(text.replace("NaN", "null"))
    except ValueError:
        data = {}
    if isinstance(data, dict) and "params" in data:
        for name, change in {
            "nan_params.json": lambda p: {k: float("nan") for k in p},
            "neg_params.json": lambda p: {k: -abs(v) - 1 for k, v in p.items()},
            "huge_params.json": lambda p: {k: 1e308 for k in p},
            "str_params.json": lambda p: {k: "x" for k in p},
            "missing_param.json": lambda p: dict(list(p.items())[1:]),
        }.items():
            put(name, json.dumps({**data, "params": change(data["params"])}))
        put("bad_law.json", json.dumps({**data, "law": {"name": "nope", "options": {}}}))
        put("no_law.json", json.dumps({k: v for k, v in data.items() if k != "law"}))
        put("law_list.json", json.dumps({**data, "law": [1, 2]}))
        if data.get("draws"):
            put("nan_draws.json", json.dumps({**data, "draws": [[float("nan")] * len(r) for r in data["draws"]]}))
            put("ragged_draws.json", json.dumps({**data, "draws": [r[:1] for r in data["draws"]]}))
            put("neg_draws.json", json.dumps({**data, "draws": [[-1e9] * len(r) for r in data["draws"]]}))
        for key in ("curve", "x", "y"):
            if key in data:
                put(f"no_{key}.json", json.dumps({k: v for k, v in data.items() if k != key}))
        put("inf_literal.json", text.replace('"params": {', '"params": {"zz": 1e999, ', 1))


def write_toml_fixtures(d: Path, f: dict) -> None:
    good = '''name = "fz"
dataset = "iris"
seeds = [0, 1]
sizes = [20, 40, 80]
[estimators.logreg]
class = "sklearn.linear_model.LogisticRegression"
params = {max_iter = 300}
'''
    variants = {
        "good.toml": good,
        "syntax.toml": good.replace('name = "fz"', 'name = "fz'),
        "empty.toml": "",
        "sizes_text.toml": good.replace("sizes = [20, 40, 80]", 'sizes = "abc"'),
        "seeds_text.toml": good.replace("seeds = [0, 1]", 'seeds = "12"'),
        "seeds_float.toml": good.replace("seeds = [0, 1]", "seeds = [1.5]"),
        "sizes_float.toml": good.replace("sizes = [20, 40, 80]", "sizes = [10.7, 20.2, 40.1]"),
        "sizes_negative.toml": good.replace("sizes = [20, 40, 80]", "sizes = [-20, 40, 80]"),
        "geometric_huge.toml": good.replace("sizes = [20, 40, 80]",
                                            "sizes = {base = 20, factor = 2, count = 100000}"),
        "unknown_key.toml": good + "colour = 'blue'\n",
        "no_estimators.toml": good.split("[estimators")[0],
        "dataset_nope.toml": good.replace('"iris"', '"nope"'),
        "class_nope.toml": good.replace("sklearn.linear_model.LogisticRegression", "sklearn.nope.Nope"),
        "class_os_system.toml": good.replace("sklearn.linear_model.LogisticRegression", "os.system").replace(
            "{max_iter = 300}", f'{{command = "touch {d}/pwned"}}'),
        "class_not_estimator.toml": good.replace("sklearn.linear_model.LogisticRegression", "collections.Counter"),
        "params_text.toml": good.replace("params = {max_iter = 300}", 'params = "x"'),
        "metric_nope.toml": good.replace('dataset = "iris"', 'dataset = "iris"\nmetric = "nope"'),
    }
    for name, content in variants.items():
        f[name] = d / name
        f[name].write_text(content)
    f["cp1252.toml"] = d / "cp1252.toml"
    f["cp1252.toml"].write_bytes(good.replace('"fz"', '"café"').encode("cp1252"))


def write_store_fixtures(d: Path, f: dict, runner, app) -> None:
    db = d / "good.db"
    runner.invoke(app, ["study", "run", str(f["good.toml"]), "--db", str(db), "--no-report"])
    f["good.db"] = db
    f["text.db"] = d / "text.db"
    f["text.db"].write_text("this is not a database\n" * 100)
    f["empty.db"] = d / "empty.db"
    f["empty.db"].write_bytes(b"")


# -- the cases --------------------------------------------------------------------------------------
CSV_BAD = ["empty.csv", "blank.csv", "header_only.csv", "cp1252_header.csv", "cp1252_cell.csv", "ragged_long.csv",
           "ragged_all_long.csv", "text_numeric.csv", "comma_decimal.csv", "inf.csv", "neg_size.csv",
           "zero_size.csv", "neg_err.csv", "huge_x.csv", "one_size.csv", "two_rows.csv",
           "dup_cols.csv", "binary.csv", "semicolon.csv", "missing"]
# Inputs that have a right answer (or a clear refusal): success is allowed.
CSV_MAYBE = ["bom.csv", "ragged_short.csv", "nan.csv", "zero_err.csv", "huge.csv", "tiny.csv", "flat.csv"]
NUMBERS = ["0", "-1", "nan", "inf", "-inf", "1e300", "-1e300", "1e-300"]


def cases(f: dict) -> list[Case]:
    out: list[Case] = []
    P = {k: str(v) for k, v in f.items()}

    def add(category, args, needles=(), must_fail=True):
        command = " ".join(a for a in args[:2] if not a.startswith("-") and "/" not in a)
        out.append(Case(category, command, list(args), tuple(needles), must_fail))

    # CSV files through every command that reads one
    readers = {
        "fit": lambda p: ["fit", p, "--x", "n", "--y", "err", "--law", "power_floor"],
        "backtest": lambda p: ["backtest", p, "--x", "n", "--y", "err", "--n-boot", "50"],
        "extrapolate": lambda p: ["extrapolate", p, "--x", "n", "--y", "err", "--at", "1e5"],
        "plan gain": lambda p: ["plan", "gain", p, "--x", "n", "--y", "err"],
        "plan target": lambda p: ["plan", "target", p, "--x", "n", "--y", "err", "--target", "0.05"],
        "powerlaw": lambda p: ["powerlaw", p, "--column", "err"],
        "samplesize intrinsic": lambda p: ["samplesize", "intrinsic", p],
        "samplesize partitions": lambda p: ["samplesize", "partitions", p, "--width", "1", "--sigma", "0.1"],
    }
    for name in CSV_BAD + CSV_MAYBE:
        for make in readers.values():
            add("csv", make(P[name]), (P[name], name, "n", "err", "--"), must_fail=name in CSV_BAD)
    for cols in (("size", "err"), ("n", "value"), ("err", "err")):
        add("csv", ["fit", P["good.csv"], "--x", cols[0], "--y", cols[1]], cols, must_fail=cols[0] != "err")
    add("csv", ["fit", P["good.csv"], "--x", "n", "--x2", "nope", "--y", "err"], ("nope",))
    add("csv", ["fit", P["good.csv"], "--x", "n", "--y", "err", "--seed-col", "nope"], ("nope",))
    add("csv", ["powerlaw", P["good.csv"], "--column", "nope"], ("nope",))
    add("csv", ["powerlaw", P["cp1252_cell.csv"], "--column", "note"], ("note", "cp1252_cell"))
    add("csv", ["powerlaw", P["groups.csv"], "--column", "estimator"], ("estimator",))
    add("csv", ["powerlaw", P["text_numeric.csv"], "--spectrum"], ("text_numeric",))
    add("csv", ["samplesize", "intrinsic", P["good.csv"], "--column", "nope"], ("nope",))
    add("csv", ["samplesize", "partitions", P["good.csv"], "--width", "1", "--y", "nope"], ("nope",))
    # several curves in one file: group or refuse
    for args in (["fit", P["groups.csv"], "--x", "n", "--y", "err"],
                 ["fit", P["groups.csv"], "--x", "n", "--y", "err", "--seed-col", "seed"],
                 ["backtest", P["groups.csv"], "--x", "n", "--y", "err", "--n-boot", "50"],
                 ["extrapolate", P["groups.csv"], "--x", "n", "--y", "err", "--at", "1e5"],
                 ["plan", "gain", P["groups.csv"], "--x", "n", "--y", "err"]):
        add("groups", args, ("estimator", "--curve", "curve"))
    add("groups", ["extrapolate", P["curve_names.csv"], "--x", "n", "--y", "err", "--at", "1e5", "--curve", "curve"],
        must_fail=False)
    add("groups", ["backtest", P["groups.csv"], "--x", "n", "--y", "err", "--curve", "nope"], ("nope",))
    (f["folder"].parent / "figs").mkdir()
    add("groups", ["fit", P["curve_names.csv"], "--x", "n", "--y", "err", "--law", "power", "--curve", "curve",
                   "--plot", str(f["folder"].parent / "figs" / "fit.png")], must_fail=False)
    # column names that matplotlib or rich would interpret
    png = str(f["folder"].parent / "out.png")
    add("names", ["fit", P["mathtext.csv"], "--x", "$\\sqrt{n$", "--y", "$err_{", "--law", "power", "--plot", png],
        must_fail=False)
    add("names", ["fit", P["markup.csv"], "--x", "[bold red]n", "--y", "[/]", "--law", "power", "--plot", png],
        must_fail=False)
    add("names", ["fit", P["markup.csv"], "--x", "[bold red]n", "--y", "[/]", "--bootstrap", "100"],
        must_fail=False)
    add("names", ["fit", P["good.csv"], "--x", "[/]", "--y", "err"], ("[/]",))
    add("names", ["extrapolate", P["markup.csv"], "--x", "[bold red]n", "--y", "[/]", "--at", "1e5"],
        must_fail=False)
    # option values
    fit = ["fit", P["good.csv"], "--x", "n", "--y", "err", "--law", "power_floor"]   # one law: fast
    for value in ["-1", "1", "2", "49", "100000000", "1e3", "x"]:
        add("options", [*fit, "--bootstrap", value], ("--bootstrap", "bootstrap"))
    for value in ["0", "1", "1.5", "-0.5", "nan", "inf"]:
        add("options", [*fit, "--bootstrap", "100", "--level", value], ("--level", "level"))
    for value in ["0", "-1", "nan", "inf", "1e300"]:
        add("options", [*fit, "--delta", value], ("--delta", "delta"), must_fail=value != "1e300")
    for opt, value in [("--law", "nope"), ("--loss", "nope"), ("--space", "nope"), ("--by", "nope"),
                       ("--by", "seed"), ("--seed", "-1"), ("--seed", "99999999999999999999999")]:
        extra = ["--bootstrap", "100"] if opt in ("--by", "--seed") else []
        add("options", [*fit, *extra, opt, value], (opt, opt.strip("-"), value),
            must_fail=value != "99999999999999999999999")
    add("options", [*fit, "--x2", "n"], ("n", "--x2"))
    back = ["backtest", P["good.csv"], "--x", "n", "--y", "err"]
    for opt, values in {"--n-boot": ["0", "-1", "1", "100000000"], "--n-jobs": ["0", "-2", "100000"]}.items():
        for value in values:
            add("options", [*back, opt, value], (opt, opt.strip("-")), must_fail=value not in ("-2", "100000"))
    ext = ["extrapolate", P["good.csv"], "--x", "n", "--y", "err"]
    for value in NUMBERS + ["100"]:
        add("options", [*ext, "--at", value], ("--at", "at", value),
            must_fail=value not in ("1e300", "100"))
    plan_json = lambda sub: ["plan", sub, P["fit.json"]]  # noqa: E731
    for value in NUMBERS + ["1"]:
        add("options", [*plan_json("target"), "--target", value], ("--target", "target"),
            must_fail=value in ("nan", "inf", "-inf", "-1", "-1e300"))
        add("options", [*plan_json("gain"), "--factor", value], ("--factor", "factor"),
            must_fail=value not in ("1e300", "1"))
        add("options", [*plan_json("regime"), "--level", value], ("--level", "level"), must_fail=value != "1e-300")
        add("options", [*plan_json("economics"), "--cost", value, "--value", "100"], ("--cost", "cost"),
            must_fail=value not in ("1e300", "1e-300", "0", "1"))
        add("options", [*plan_json("economics"), "--cost", "0.01", "--value", value], ("--value", "value"),
            must_fail=value not in ("1e300", "1e-300", "1", "0"))
        add("options", [*plan_json("next"), "--step", value], ("--step", "step"), must_fail=value not in ("1e300",))
        add("options", [*plan_json("next"), "--target", "0.05", "--tight", value], ("--tight", "tight"),
            must_fail=value not in ("1e300", "1e-300", "1"))
        add("options", ["plan", "compute", P["joint_fit.json"], "--flops", value], ("--flops", "flops"),
            must_fail=value not in ("1e300", "1"))
        add("options", ["plan", "compute", P["joint_fit.json"], "--target-loss", value, "--inference-tokens", "1e12"],
            ("--target-loss", "target"), must_fail=value in ("nan", "inf", "-inf", "-1", "-1e300", "0"))
    add("options", ["plan", "compute", P["fit.json"], "--flops", "1e20"], ("joint", "N, D", "compute"))
    add("options", ["plan", "compute", P["joint_fit.json"]], ("--flops",))
    rep = ["report", P["good.db"], "--out", str(f["folder"].parent / "r.html")]
    for value in ["-1", "0", "1", "100000000"]:
        add("options", [*rep, "--bootstrap", value], ("--bootstrap", "bootstrap"), must_fail=value != "0")
    for value in ["nan", "-1", "inf"]:
        add("options", [*rep, "--bootstrap", "50", "--target", value], ("--target", "target"))
    for opt, value in [("--n-jobs", "0"), ("--n-jobs", "-5"), ("--bootstrap", "-1"), ("--bootstrap", "1"),
                       ("--bootstrap", "100000000"), ("--out", P["good.csv"])]:
        add("options", ["demo", opt, value, *(["--out", str(f["folder"].parent / "demo")] if opt != "--out" else [])],
            (opt, opt.strip("-"), value))
    lit = ["literature"]
    for args in (["--x", "flops"], ["--kind", "nope"], ["("], ["[/]"], ["$x$"], ["x" * 10_000], ["\\"]):
        add("options", [*lit, *args], ("--x", "--kind", "flops", "nope"),
            must_fail=args[0] in ("--x", "--kind"))
    st = ["samplesize"]
    for opt in ("--effect", "--n", "--power", "--alpha", "--ratio"):
        for value in ["0", "-1", "nan", "inf", "1e300", "1.5"]:
            others = {"--effect": "0.5", "--power": "0.8"} if opt not in ("--effect", "--power") else \
                {"--effect": "0.5", "--n": "64"} if opt == "--power" else {"--n": "64", "--power": "0.8"}
            args = [*st, "ttest", opt, value, *[x for k, v in others.items() if k != opt for x in (k, v)]]
            add("options", args, (opt, opt.strip("-")), must_fail=not (opt == "--ratio" and value in ("1e300", "1.5"))
                and not (opt == "--effect" and value in ("1e300", "1.5")) and not (opt == "--n" and value in (
                    "1e300", "1.5")))
    for opt, values in {"--p1": ["1.5", "nan", "-1", "inf"], "--p2": ["1.5", "nan"]}.items():
        for value in values:
            args = [*st, "proportions", "--p1", "0.5", "--p2", "0.4", "--power", "0.8"]
            args[args.index(opt) + 1] = value
            add("options", args, (opt, opt.strip("-"), "p1", "p2"))
    for value in ["0", "-1", "nan", "inf"]:
        add("options", [*st, "interval", "mean", "--width", value, "--sigma", "1"], ("--width", "width"))
        add("options", [*st, "interval", "mean", "--width", "1", "--sigma", value], ("--sigma", "sigma"))
        add("options", [*st, "pac", "--vc", "10", "--eps", value, "--delta", "0.05"], ("--eps", "eps"))
        add("options", [*st, "pac", "--vc", "10", "--eps", "0.1", "--delta", value], ("--delta", "delta"))
        add("options", [*st, "majority", "--margin", value], ("--margin", "margin"))
    add("options", [*st, "interval", "nope", "--width", "1", "--sigma", "1"], ("kind", "nope"))
    add("options", [*st, "pac", "--vc", "-1", "--eps", "0.1", "--delta", "0.05"], ("--vc", "vc"))
    add("options", [*st, "vc", "--weights", "-1", "--units", "0"], ("--weights", "weights", "--units", "units"))
    for value in ["0", "-1", "nan"]:
        add("options", ["powerlaw", P["good.csv"], "--column", "n", "--xmin", value], ("--xmin", "xmin"))
    for value in ["-1", "100000000"]:
        add("options", ["powerlaw", P["good.csv"], "--column", "n", "--gof", value], ("--gof", "gof"))
    add("options", ["powerlaw", P["good.csv"], "--column", "n", "--compare", "nope"], ("--compare", "nope"))
    # output paths
    nowhere = f["folder"] / "no" / "such"
    fit_pl = [*fit, "--law", "power"]
    for opt, target in [("--save", nowhere / "x.json"), ("--save", f["folder"]), ("--plot", nowhere / "x.png"),
                        ("--plot", f["folder"]), ("--plot", f["folder"].parent / "x.xyz"),
                        ("--save", f["good.csv"].parent / "good.csv" / "x.json"),
                        ("--json", nowhere / "x.json")]:           # fit --json FILE.json: the earlier name
        add("output", [*fit_pl, opt, str(target)], (str(target), opt))
    for target in (nowhere / "r.html", f["folder"]):
        add("output", ["report", P["good.db"], "--bootstrap", "50", "--out", str(target)], (str(target), "--out"))
    add("output", ["study", "export", P["good.db"], "--csv", str(nowhere / "x.csv")], (str(nowhere / "x.csv"),))
    add("output", ["powerlaw", P["good.csv"], "--column", "n", "--plot", str(f["folder"].parent / "x.xyz")],
        ("x.xyz", "--plot"))
    # fit JSON files read by plan
    for name in sorted(k for k in f if k.endswith(".json") and k not in ("fit.json", "joint_fit.json")):
        add("json", ["plan", "gain", P[name]], (P[name], name))
        add("json", ["plan", "target", P[name], "--target", "0.05"], (P[name], name))
        add("json", ["plan", "regime", P[name]], (P[name], name))
    # TOML specs read by study run
    for name in sorted(k for k in f if k.endswith(".toml") and k != "good.toml"):
        add("toml", ["study", "run", P[name], "--db", str(f["folder"].parent / f"{name}.db"), "--no-report"],
            (P[name], name, "sizes", "seeds", "class", "dataset", "metric", "estimators", "colour", "params"),
            must_fail=name not in ("cp1252.toml",))
    add("toml", ["study", "run", P["good.toml"], "--db", str(f["folder"].parent / "j.db"), "--n-jobs", "0",
                 "--no-report"], ("--n-jobs", "n_jobs", "n-jobs"))
    add("toml", ["study", "run", P["good.toml"], "--db", str(f["folder"].parent / "e.db"), "--executor", "nope",
                 "--no-report"], ("--executor", "executor", "nope"))
    # stores
    for store in (P["text.db"], P["empty.db"], str(f["folder"]), str(f["folder"] / "typo.db"), "foo://x/y",
                  "postgresql+nodriver://u:secret@localhost/x", "sqlite:///" + str(nowhere / "x.db"), "::::"):
        for cmd in (["report", store, "--bootstrap", "50", "--out", str(f["folder"].parent / "s.html")],
                    ["study", "status", store], ["study", "export", store, "--csv", str(f["folder"].parent / "s.csv")]):
            add("store", cmd, (store.replace("secret", "***"), Path(store).name, "store", "URL", "dialect"))
    return out


# -- running ----------------------------------------------------------------------------------------
def run_case(runner, app, case: Case, timeout: float) -> None:
    """Run one case; ``timeout`` is in CPU seconds of this process (a loaded machine does not turn
    a slow case into a hang), with a wall-clock guard of ten times that."""
    def alarm(signum, frame):
        raise Hang()
    old = {sig: signal.signal(sig, alarm) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, timeout)
    signal.setitimer(signal.ITIMER_REAL, 10 * timeout)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = runner.invoke(app, case.args)
        case.outcome = classify(result, case.needles, case.must_fail)
        exc = result.exception
        case.message = (f"{type(exc).__name__}: {exc}" if exc is not None and not isinstance(exc, SystemExit)
                        else (result.stderr or result.output).strip()[-400:])
    except Hang:
        case.outcome, case.message = HANG, f"more than {timeout:g} CPU s"
    except MemoryError:
        case.outcome, case.message = MEMORY, "MemoryError"
    finally:
        for timer in (signal.ITIMER_PROF, signal.ITIMER_REAL):
            signal.setitimer(timer, 0)
        for sig, handler in old.items():
            signal.signal(sig, handler)
        case.seconds = time.perf_counter() - start
    if "secret" in case.message:               # a store URL's password reached the terminal
        case.outcome = "vague"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="categories to run (csv, groups, names, options, output, json, toml, "
                                              "store)")
    ap.add_argument("--match", help="run only cases whose command line contains this text")
    ap.add_argument("--timeout", type=float, default=30.0, help="CPU seconds per case")
    ap.add_argument("--memory-gb", type=float, default=6.0, help="address-space limit of this process")
    ap.add_argument("--json", type=Path, help="write every case and its outcome here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every failing case")
    args = ap.parse_args(argv)
    limit = int(args.memory_gb * 2 ** 30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from scalinglab.cli import app
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="scalinglab-fuzz-") as tmp:
        d = Path(tmp)
        os.chdir(d)                            # a command that writes by default writes here
        f = write_fixtures(d)
        write_json_fixtures(d, f, runner, app)
        write_toml_fixtures(d, f)
        write_store_fixtures(d, f, runner, app)
        todo = [c for c in cases(f) if (not args.only or c.category in args.only)
                and (not args.match or args.match in " ".join(c.args))]
        t0 = time.perf_counter()
        for i, case in enumerate(todo, 1):
            run_case(runner, app, case, args.timeout)
            if args.verbose and case.outcome in BAD:
                print(f"[{i}/{len(todo)}] {case.outcome:9s} {case.seconds:5.1f}s {' '.join(case.args)}\n"
                      f"    {case.message[:300]}", flush=True)
        pwned = (d / "pwned").exists()
        escaped = sorted(str(p) for p in (*d.parent.glob("escape*"), *Path("/tmp").glob("abs*")))
        total = time.perf_counter() - t0
    by_cat: dict = collections.defaultdict(collections.Counter)
    by_cmd: dict = collections.defaultdict(collections.Counter)
    for c in todo:
        by_cat[c.category][c.outcome] += 1
        by_cmd[c.command][c.outcome] += 1
    outcomes = ["clean", "ok", *BAD]
    for title, table in (("category", by_cat), ("command", by_cmd)):
        print(f"\n{title:22s} " + " ".join(f"{o:>9s}" for o in ["cases", *outcomes]))
        for key in sorted(table):
            row = table[key]
            print(f"{key:22s} {sum(row.values()):9d} " + " ".join(f"{row[o]:9d}" for o in outcomes))
    every = collections.Counter(c.outcome for c in todo)
    print(f"\n{len(todo)} cases in {total:.0f} s: " + ", ".join(f"{every[o]} {o}" for o in outcomes if every[o])
          + f"; slowest case {max((c.seconds for c in todo), default=0):.1f} s"
          + ("; A SPEC RAN A SHELL COMMAND (pwned file written)" if pwned else "")
          + (f"; FILES WRITTEN OUTSIDE THEIR FOLDER: {escaped}" if escaped else ""))
    if args.json:
        args.json.write_text(json.dumps([{**c.__dict__} for c in todo], indent=1, default=str))
    return 1 if pwned or escaped or any(c.outcome in BAD for c in todo) else 0


if __name__ == "__main__":
    sys.exit(main())
