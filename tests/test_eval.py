"""Metrics against hand-computed values, fusion, the relevance gate, and the pinned evaluation (slow)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from eval.gold import load_qrels, load_queries, write_run
from eval.metrics import evaluate_run, gate_scores
from rag.config import ROOT
from rag.gate import GateModel, gate_features, load_gate
from rag.retrieve import Retriever, query_language, reciprocal_rank_fusion

QRELS = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
RUN = {"q1": {"x": 0.9, "a": 0.5, "b": 0.1}, "q2": {"y": 0.9, "z": 0.8, "w": 0.7, "v": 0.6, "u": 0.5, "c": 0.4}}


def test_metrics_match_hand_computed_values() -> None:
    pq = evaluate_run(QRELS, RUN)
    # q1: ranking x(0), a(2), b(1). DCG = 2/log2(3) + 1/log2(4); ideal = 2/log2(2) + 1/log2(3)
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert pq["q1"]["ndcg@10"] == pytest.approx(dcg / idcg, abs=1e-9)
    assert pq["q1"]["mrr@10"] == pytest.approx(0.5)
    assert pq["q1"]["recall@5"] == pytest.approx(1.0)
    # q2: the only relevant pair is 6th
    assert pq["q2"]["recall@5"] == 0.0
    assert pq["q2"]["recall@10"] == 1.0
    assert pq["q2"]["mrr@10"] == pytest.approx(1 / 6)
    assert pq["q2"]["ndcg@10"] == pytest.approx(1 / math.log2(7), abs=1e-9)


def test_trec_run_file(tmp_path: Path) -> None:
    write_run(tmp_path / "r.trec", RUN, "t")
    lines = (tmp_path / "r.trec").read_text().splitlines()
    assert lines[0] == "q1 Q0 x 1 0.900000 t"
    assert lines[2] == "q1 Q0 b 3 0.100000 t"
    assert len(lines) == 9


def test_gold_set_is_consistent(corpus: object) -> None:
    queries = load_queries()
    qrels = load_qrels()
    assert len(queries) >= 100
    assert {q.split for q in queries} == {"dev", "test"}
    pair_ids = set(corpus.pairs)  # type: ignore[attr-defined]
    for q in queries:
        judged = qrels.get(q.id, {})
        if q.kind == "out_of_corpus":
            assert not judged, q.id
        else:
            assert judged and set(judged) <= pair_ids, q.id


def test_rrf() -> None:
    fused = reciprocal_rank_fusion([{"a": 0.9, "b": 0.5}, {"b": 10.0, "c": 3.0}], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)


def test_language_check() -> None:
    assert query_language("Heeft de minister toegezegd de Kamer te informeren?") == "nl"
    assert query_language("Will the minister inform parliament about the hack?") == "en"


def test_fusion_skips_bm25_for_english_and_adds_document_prior(retriever: Retriever) -> None:
    dense = {p: 0.5 for p in list(retriever.corpus.pairs)[:4]}
    lexical = {list(dense)[0]: 10.0}
    s = retriever.settings
    en = retriever.fuse("What did the minister say about the hack?", dense, lexical)
    nl = retriever.fuse("Wat zei de minister over de hack?", dense, lexical)
    first = list(dense)[0]
    # the four pairs share one document; its score is the mean of its 3 best pair scores
    assert len({round(v, 9) for v in en.values()}) == 1
    assert en[first] == pytest.approx(0.5 + s.doc_prior_weight * 0.5)
    boosted = 0.5 + s.hybrid_weight
    doc = (boosted + 0.5 + 0.5) / 3
    assert nl[first] == pytest.approx(boosted + s.doc_prior_weight * doc)
    assert nl[list(dense)[1]] == pytest.approx(0.5 + s.doc_prior_weight * doc)


def test_gate_features_and_model() -> None:
    f = gate_features([0.9, 0.8, 0.8, 0.8, 0.7], coverage=0.5, top_bm25=3.0, dutch=True)
    assert f["top"] == 0.9 and f["gap5"] == pytest.approx(0.2)
    assert f["log_bm25"] == pytest.approx(math.log1p(3.0))
    en = gate_features([0.9, 0.8], coverage=0.5, top_bm25=3.0, dutch=False)
    assert en["coverage"] == 0.0 and en["dutch"] == 0.0
    m = GateModel(features=["top"], mean=[0.85], scale=[0.01], coef=[-2.0], intercept=0.0, threshold=0.5)
    assert m.probability({"top": 0.85}) == pytest.approx(0.5)
    assert m.probability({"top": 0.90}) < 0.01 < 0.99 < m.probability({"top": 0.80})


def test_gate_separates_real_queries(retriever: Retriever) -> None:
    assert load_gate() is not None, "run `python -m eval.calibrate_gate` to fit the gate"
    inside = retriever.search("Hoeveel VOG-aanvragen zijn vertraagd door de storing bij het Openbaar Ministerie?", k=3)
    outside = retriever.search("Hoeveel paling mag er nog gevangen worden in het IJsselmeer?", k=3)
    assert inside.no_relevant_match is False
    assert outside.no_relevant_match is True
    assert outside.out_of_corpus_probability is not None and inside.out_of_corpus_probability is not None
    assert outside.out_of_corpus_probability > inside.out_of_corpus_probability


def test_gate_on_test_split(retriever: Retriever) -> None:
    """The fitted gate meets its targets on the untouched test split."""
    flags = {}
    queries = [q for q in load_queries() if q.split == "test"]
    for q in queries:
        flags[q.id] = retriever.search(q.text, k=1).no_relevant_match
    g = gate_scores(flags, {q.id for q in queries if q.kind == "out_of_corpus"})
    assert g["ooc_flagged"] >= 0.9
    assert g["false_flags"] <= 0.05


@pytest.mark.slow
def test_no_condition_regresses() -> None:
    """Full evaluation against the pinned scores in eval/expected.json (minutes)."""
    from eval.harness import check_expected, run_eval

    out = ROOT / "var" / "eval-check"
    results = run_eval(conditions=["bm25", "dense", "hybrid"], out=out, runs_dir=out / "runs", log=lambda _: None)
    assert check_expected(results) == []
