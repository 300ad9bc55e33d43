"""LCDB 1.0 learning curves (Mohr, Viering, Loog & van Rijn 2022; MIT license), fetched, not committed.

``runs()`` returns one row per (OpenML dataset, learner, training size, outer seed, inner
seed) with the validation accuracy ``score_valid``: the file ``lcdb/database-accuracy.csv``
of the ``lcdb`` 0.1.0 source distribution on the package index (~68 MB download, 1,953,371
rows, no missing values). It is fetched once with ``pip download lcdb==0.1.0 --no-deps`` and
reduced to a compressed .npz (~10 MB) in ``~/.cache/scalinglab/lcdb``; the archive itself is
not kept and nothing is written into the repository.

``split_by_dataset`` gives the two halves of the datasets used by the benchmarks: the
interval calibration shipped with the package is made on the "calib" half, so coverage is
out of sample only on the "eval" half.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path.home() / ".cache" / "scalinglab" / "lcdb"
RUNS = CACHE / "lcdb-accuracy-runs.npz"
COLUMNS = ["openmlid", "learner", "size_train", "outer_seed", "inner_seed", "score_valid"]


def _download_accuracy_csv(target_dir: Path) -> Path:
    """Fetch the lcdb 0.1.0 sdist from the package index and extract database-accuracy.csv."""
    print("downloading lcdb==0.1.0 (source distribution, ~68 MB) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "lcdb==0.1.0", "--no-deps", "--no-binary", ":all:",
                    "-d", str(target_dir), "-q"], check=True)
    archive = next(target_dir.glob("lcdb-0.1.0.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extract("lcdb-0.1.0/lcdb/database-accuracy.csv", target_dir, filter="data")
    return target_dir / "lcdb-0.1.0" / "lcdb" / "database-accuracy.csv"


def runs() -> pd.DataFrame:
    """Every LCDB 1.0 accuracy measurement (columns ``COLUMNS``; ``learner`` categorical),
    from the cache or fetched once."""
    if not RUNS.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            df = pd.read_csv(_download_accuracy_csv(Path(tmp)), usecols=COLUMNS)
        learners, codes = np.unique(df["learner"].to_numpy(str), return_inverse=True)
        partial = RUNS.with_suffix(".partial.npz")
        np.savez_compressed(partial, openmlid=df["openmlid"].to_numpy(np.int32), learners=learners,
                            learner=codes.astype(np.int16), size_train=df["size_train"].to_numpy(np.int64),
                            outer_seed=df["outer_seed"].to_numpy(np.int16),
                            inner_seed=df["inner_seed"].to_numpy(np.int16),
                            score_valid=df["score_valid"].to_numpy(float))
        partial.replace(RUNS)          # an interrupted download leaves no half-written cache
    data = np.load(RUNS)
    learner = pd.Categorical.from_codes(data["learner"], categories=data["learners"])
    return pd.DataFrame({"openmlid": data["openmlid"], "learner": learner,
                         "size_train": data["size_train"], "outer_seed": data["outer_seed"],
                         "inner_seed": data["inner_seed"], "score_valid": data["score_valid"]})


def split_by_dataset(names, which: str, seed: int = 0) -> list:
    """The curve names ("openmlid/learner") of half of the OpenML datasets ("calib"), of the
    other half ("eval"), or all of them ("all"); the halves are drawn by dataset id with ``seed``."""
    if which not in ("calib", "eval", "all"):
        raise ValueError(f"which must be 'calib', 'eval' or 'all', got {which!r}")
    names = list(names)
    if which == "all":
        return names
    ids = sorted({name.split("/")[0] for name in names})
    np.random.default_rng(seed).shuffle(ids)
    first = set(ids[: len(ids) // 2])
    return [name for name in names if (name.split("/")[0] in first) == (which == "calib")]
