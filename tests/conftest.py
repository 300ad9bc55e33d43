"""Shared fixtures: the test data shipped in tests/data (see its README for sources and credits).

The files are part of the repository, so the correctness tests that read them (NIST StRD,
Chinchilla) run in a fresh clone; a missing file is an error, never a skip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

TEST_DATA = Path(__file__).resolve().parent / "data"


def data_file(*parts: str) -> Path:
    """A file under tests/data; fails (does not skip) when it is missing."""
    path = TEST_DATA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"test data {path} is missing: it ships with the repository (tests/data)")
    return path


@pytest.fixture(scope="session")
def chinchilla_curve():
    """Epoch AI's extraction of Hoffmann et al. 2022 fig. 4, as Besiroglu et al. 2024 use it:
    D = FLOP / (6 N), the 5 highest-loss points dropped -> 240 points."""
    import scalinglab as sl
    df = pd.read_csv(data_file("chinchilla_points.csv"))
    df["D"] = df["Training FLOP"] / (6 * df["Model Size"])
    df = df.sort_values("loss").iloc[:-5]
    return sl.Curve(np.c_[df["Model Size"], df["D"]], df["loss"].to_numpy(), metric="loss",
                    x_names=("N", "D"))
