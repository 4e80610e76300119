"""Fit the relevance gate on the gold set's dev split: `python -m eval.calibrate_gate`."""

from __future__ import annotations

import json
import sys

import numpy as np

from eval.gold import OUT_OF_CORPUS, load_queries
from rag.config import get_settings
from rag.gate import FEATURES, MODEL_FILE, GateModel
from rag.retrieve import Retriever

MAX_FALSE_FLAGS = 0.05


def collect(retriever: Retriever, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Gate features and labels (1 = out of corpus) for one split."""
    xs, ys, ids = [], [], []
    for q in load_queries():
        if q.split != split:
            continue
        qvec = retriever.embed_query(q.text)
        dense = retriever.dense_scores(q.text, qvec)
        lexical = retriever.lexical_scores(q.text)
        f = retriever.gate_features(q.text, dense, lexical, retriever.top_anchor(qvec))
        xs.append([f[name] for name in FEATURES])
        ys.append(int(q.kind == OUT_OF_CORPUS))
        ids.append(q.id)
    return np.array(xs), np.array(ys), ids


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The threshold that flags most out-of-corpus queries with at most 5% false flags, centred in its gap."""
    candidates = sorted(set(np.round(p, 6)) | {0.5})
    best: tuple[float, float, float] | None = None
    for t in candidates:
        flags = p >= t
        false_rate = flags[y == 0].mean() if (y == 0).any() else 0.0
        recall = flags[y == 1].mean() if (y == 1).any() else 0.0
        if false_rate <= MAX_FALSE_FLAGS and (best is None or recall > best[0]):
            best = (recall, t, false_rate)
    if best is None:
        return 0.5
    # centre the threshold between the lowest flagged and the highest unflagged score it separates
    t = best[1]
    below = p[p < t]
    return float((t + below.max()) / 2) if below.size else t


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float, repeats: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities on dev (repeated stratified 5-fold), with their labels."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    probs, labels = [], []
    for seed in range(repeats):
        for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            mean, scale = x[train].mean(0), x[train].std(0) + 1e-9
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=10000)
            clf.fit((x[train] - mean) / scale, y[train])
            probs.append(clf.predict_proba((x[held] - mean) / scale)[:, 1])
            labels.append(y[held])
    return np.concatenate(probs), np.concatenate(labels)


def main() -> None:
    """Choose C and the threshold by cross-validation on dev, fit on dev, report dev and test."""
    from sklearn.linear_model import LogisticRegression

    retriever = Retriever.load(get_settings())
    x_dev, y_dev, _ = collect(retriever, "dev")
    x_test, y_test, _ = collect(retriever, "test")
    best: tuple[float, float, float] | None = None  # (cv recall at <=5% false flags, C, threshold)
    for c in (0.1, 0.3, 1.0, 3.0, 10.0):
        p, y = out_of_fold(x_dev, y_dev, c)
        t = choose_threshold(p, y)
        recall = float((p[y == 1] >= t).mean())
        if best is None or recall > best[0]:
            best = (recall, c, t)
    assert best is not None
    _, c_best, threshold = best
    mean, scale = x_dev.mean(0), x_dev.std(0) + 1e-9
    clf = LogisticRegression(C=c_best, class_weight="balanced", max_iter=10000)
    clf.fit((x_dev - mean) / scale, y_dev)
    model = GateModel(
        features=FEATURES,
        mean=[float(v) for v in mean],
        scale=[float(v) for v in scale],
        coef=[float(v) for v in clf.coef_[0]],
        intercept=float(clf.intercept_[0]),
        threshold=round(threshold, 4),
        note=f"fitted on eval/gold dev split by eval/calibrate_gate.py; C={c_best}, threshold by 5x5-fold CV on dev",
    )
    report = {}
    for split, x, y in (("dev", x_dev, y_dev), ("test", x_test, y_test)):
        p = np.array([model.probability(dict(zip(FEATURES, row, strict=True))) for row in x])
        flags = p >= model.threshold
        report[split] = {
            "out_of_corpus_flagged": round(float(flags[y == 1].mean()), 3),
            "false_flags": round(float(flags[y == 0].mean()), 3),
            "n_out": int((y == 1).sum()),
            "n_in": int((y == 0).sum()),
        }
    MODEL_FILE.write_text(model.model_dump_json(indent=2) + "\n", encoding="utf-8")
    json.dump({"threshold": model.threshold, **report}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
