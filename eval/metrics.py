"""IR metrics through ranx, overall and per group, plus the relevance-gate confusion counts."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from pydantic import BaseModel

METRICS = ["ndcg@10", "recall@5", "recall@10", "recall@100", "mrr@10"]


def evaluate_run(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]], metrics: Iterable[str] = METRICS
) -> dict[str, dict[str, float]]:
    """Per-query scores for every metric (queries without judgments are skipped)."""
    from ranx import Qrels, Run, evaluate

    qids = [q for q in qrels if qrels[q]]
    if not qids:
        return {}
    q = Qrels({qid: qrels[qid] for qid in qids})
    r = Run({qid: (run.get(qid) or {"__none__": 0.0}) for qid in qids})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluate(q, r, list(metrics), return_mean=False)
    per_query: dict[str, dict[str, float]] = {qid: {} for qid in qids}
    for m in metrics:
        for qid, v in r.scores[m].items():
            per_query[qid][m] = float(v)
    return per_query


def mean(per_query: dict[str, dict[str, float]], qids: Iterable[str], metric: str) -> float | None:
    """Mean of a metric over the given queries that have a score."""
    vals = [per_query[q][metric] for q in qids if q in per_query]
    return sum(vals) / len(vals) if vals else None


def gate_scores(flags: dict[str, bool], out_of_corpus: set[str]) -> dict[str, float]:
    """How well `no_relevant_match` separates out-of-corpus queries from the rest."""
    ooc = [q for q in flags if q in out_of_corpus]
    inc = [q for q in flags if q not in out_of_corpus]
    tp = sum(flags[q] for q in ooc)
    fp = sum(flags[q] for q in inc)
    flagged = tp + fp
    return {
        "ooc_flagged": tp / len(ooc) if ooc else 0.0,  # recall on out-of-corpus questions
        "false_flags": fp / len(inc) if inc else 0.0,  # share of in-corpus questions flagged
        "precision": tp / flagged if flagged else 1.0,
        "n_ooc": float(len(ooc)),
        "n_in": float(len(inc)),
    }


class Confusion(BaseModel):
    """Binary classification counts and the rates derived from them."""

    tp: int
    fp: int
    fn: int
    tn: int = 0

    @property
    def precision(self) -> float:
        """tp / predicted; 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / gold; 1.0 when there is no gold item."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        """Share of items classified right."""
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else 0.0
