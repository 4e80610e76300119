"""The relevance gate: says when nothing in the corpus answers a question.

A small logistic model over features of the search itself: how high and how peaked the dense
scores are, how far the best pair beats the nearest out-of-domain anchor question (questions on
other policy areas, in gate_background.txt), and for Dutch queries how much lexical evidence there
is. Its coefficients are data, fitted on the gold set's dev split by `python -m eval.calibrate_gate`,
and stored in gate_model.json.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from pydantic import BaseModel

MODEL_FILE = Path(__file__).with_name("gate_model.json")
BACKGROUND_FILE = Path(__file__).with_name("gate_background.txt")
FEATURES = ["top", "z", "gap5", "coverage", "log_bm25", "dutch", "anchor_margin"]


def background_questions(path: Path = BACKGROUND_FILE) -> list[str]:
    """Out-of-domain anchor questions (one per line, # comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


class GateModel(BaseModel):
    """Standardised logistic regression; flags a query when P(out of corpus) ≥ threshold."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float
    note: str = ""

    def probability(self, feats: dict[str, float]) -> float:
        """P(out of corpus) for the feature values."""
        x = [(feats[f] - m) / s for f, m, s in zip(self.features, self.mean, self.scale, strict=True)]
        logit = self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def load_gate(path: Path = MODEL_FILE) -> GateModel | None:
    """The fitted gate, or None when none has been fitted yet."""
    if not path.exists():
        return None
    return GateModel.model_validate_json(path.read_text(encoding="utf-8"))


def gate_features(
    dense: list[float], coverage: float, top_bm25: float, dutch: bool, top_anchor: float = 0.0
) -> dict[str, float]:
    """Features of one search: candidates' dense scores, query-term coverage, best BM25 and anchor scores."""
    arr = np.sort(np.asarray(dense, dtype=np.float64))[::-1]
    top = float(arr[0]) if arr.size else 0.0
    std = float(arr.std()) if arr.size > 1 else 0.0
    return {
        "top": top,
        "z": (top - float(arr.mean())) / std if std > 1e-9 else 0.0,
        "gap5": top - float(arr[min(4, arr.size - 1)]) if arr.size else 0.0,
        "coverage": coverage if dutch else 0.0,
        "log_bm25": math.log1p(top_bm25) if dutch else 0.0,
        "dutch": 1.0 if dutch else 0.0,
        "anchor_margin": top - top_anchor,
    }
