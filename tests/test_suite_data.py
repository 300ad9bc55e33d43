"""The data shipped with the repository: the reference files in tests/data (sha256 as listed
in tests/data/README.md) and the extrapolation suite of benchmarks/ (benchmarks/suite.py)."""

from __future__ import annotations

import hashlib

import pytest

from conftest import data_file

SHIPPED = {
    ("chinchilla_points.csv",): "fbc8686ae5ccd78c26eb5806d29b8bf463f20d353f7a8563ecb16ef83bb50083",
    ("nist_strd", "DanWood.dat"): "e8d05d54bc3646796cf8d5291c5e39c826049df4771587263357d76c18c393c2",
    ("nist_strd", "Bennett5.dat"): "e2be71fffe2a78821361ff3e71eef4549df7015911e3e8e893f3914829872ab4",
}


@pytest.mark.parametrize("parts", list(SHIPPED), ids=lambda p: "/".join(p))
def test_shipped_reference_data_is_unchanged(parts):
    assert hashlib.sha256(data_file(*parts).read_bytes()).hexdigest() == SHIPPED[parts]


def test_chinchilla_points_are_the_245_runs():
    import pandas as pd
    df = pd.read_csv(data_file("chinchilla_points.csv"))
    assert list(df.columns) == ["Model Size", "Training FLOP", "loss"]
    assert len(df) == 245 and df.notna().all().all() and (df > 0).all().all()
