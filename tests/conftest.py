"""Shared fixtures: paths to ../shared data (tests needing it skip with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's ../shared/data folder), which is absent here")
    return path


@pytest.fixture(scope="session")
def chinchilla_curve():
    """Epoch AI's extraction of Hoffmann et al. 2022 fig. 4, as Besiroglu et al. 2024 use it:
    D = FLOP / (6 N), the 5 highest-loss points dropped -> 240 points."""
    import scalinglab as sl
    df = pd.read_csv(shared_file("chinchilla_svg_extracted_data.csv"))
    df["D"] = df["Training FLOP"] / (6 * df["Model Size"])
    df = df.sort_values("loss").iloc[:-5]
    return sl.Curve(np.c_[df["Model Size"], df["D"]], df["loss"].to_numpy(), metric="loss",
                    x_names=("N", "D"))
