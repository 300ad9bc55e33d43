"""Finding published fits like yours, and turning them into a prior."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScalingLabError
from .rows import load

X_KINDS = ("data", "params", "compute")
KINDS = ("loss", "allocation", "hyperparameter", "starting_point", "other")
_SYNONYMS = {"image": {"vision", "imagenet", "images"}, "vision": {"image", "imagenet"},
             "language": {"lm", "text", "llm"}, "text": {"language"}, "speech": {"audio"},
             "translation": {"nmt"}, "classification": {"top-1", "top-5"}, "code": {"github", "python"}}
_SEARCHED = ("domain", "task", "metric", "model_family")


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9\-]+", str(text).lower()) if len(w) > 1}


def query(text: str | None = None, *, domain: str | None = None, x: str | None = None, kind: str | None = "loss",
          confidence: str | None = None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows whose domain/task/metric/family/paper mention every word of ``text`` (or a
    synonym), filtered by ``domain`` (substring), ``x`` ("data", "params", "compute"),
    ``kind`` ("loss" by default; None for all) and ``confidence`` ("verified")."""
    df = load() if table is None else table
    if x is not None and x not in X_KINDS:
        raise ScalingLabError(f"x must be one of {X_KINDS}, got {x!r}")
    if kind is not None and kind not in KINDS:
        raise ScalingLabError(f"kind must be one of {KINDS} or None, got {kind!r}")
    mask = np.ones(len(df), bool)
    if domain:
        mask &= df["domain"].str.lower().str.contains(domain.lower(), regex=False).to_numpy()
    if x:
        mask &= (df["x_kind"] == x).to_numpy()
    if kind:
        mask &= (df["kind"] == kind).to_numpy()
    if confidence:
        mask &= (df["confidence"] == confidence).to_numpy()
    if text:
        haystacks = [_words(" ".join(str(r[c]) for c in _SEARCHED)) for _, r in df.iterrows()]
        for word in _words(text):
            options = {word} | _SYNONYMS.get(word, set())
            mask &= np.array([bool(options & h) or any(o in h2 for o in options for h2 in h) for h in haystacks])
    return df[mask]


@dataclass(frozen=True)
class Matches:
    """Rows returned by :func:`similar`, each with a one-line summary."""

    rows: pd.DataFrame
    question: str
    best_rows: pd.DataFrame | None = None      # the rows that match the most words

    def summaries(self) -> list[str]:
        out = []
        for _, r in self.rows.iterrows():
            exp = "—" if pd.isna(r["exponent_pos"]) else f"{r['exponent_pos']:.3g}"
            mine = "" if r.get("source", "shipped") == "shipped" else f" [your row: {r['source']}]"
            out.append(f"{str(r['task'])[:60]} — {r['x_kind']} exponent {exp} ({str(r['exponent_name'])[:30]}; "
                       f"published {r['exponent']}) — {r['citation']} [{r['confidence']}]{mine}")
        return out

    @property
    def exponents(self) -> np.ndarray:
        return self.rows["exponent_pos"].dropna().to_numpy(float)

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        if not len(self.rows):
            return f"no published fit matches {self.question!r}"
        return f"{len(self.rows)} published fit(s) like {self.question!r}:\n" + "\n".join(
            f"- {s}" for s in self.summaries())


def similar(description: str, *, x: str = "data", kind: str = "loss", limit: int = 10,
            table: pd.DataFrame | None = None) -> Matches:
    """Published fits most like ``description`` (e.g. "image classification"): rows ranked by
    how many of its words (or synonyms) they mention, then verified before from-memory.
    ``table``: the rows to search (default :func:`scalinglab.literature.rows`; pass
    ``table(extra=[path])`` to search rows of your own too)."""
    df = query(x=x, kind=kind, table=table)
    words = _words(description)
    if not words:
        raise ScalingLabError("describe the task in a few words, e.g. 'image classification'")

    def score(r):
        hay = _words(" ".join(str(r[c]) for c in _SEARCHED))
        return sum(bool(({w} | _SYNONYMS.get(w, set())) & hay) for w in words)

    scored = df.assign(_score=df.apply(score, axis=1))
    scored = scored[scored["_score"] > 0]
    scored = scored.assign(_verified=(scored["confidence"] == "verified").astype(int))
    scored = scored.sort_values(["_score", "_verified"], ascending=False).head(limit)
    best = int(scored["_score"].max()) if len(scored) else 0
    return Matches(scored.drop(columns=["_score", "_verified"]), description,
                   best_rows=scored[scored["_score"] == best].drop(columns=["_score", "_verified"]))
