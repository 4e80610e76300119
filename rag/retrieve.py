"""Search: dense (FAISS), lexical (BM25) or a fusion of both, with filters, citations and a relevance gate."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from index import VectorIndex
from rag.cite import Citation, cite
from rag.config import Settings
from rag.corpus import Corpus, SearchFilters
from rag.embed import Embedder, load_embedder
from rag.gate import GateModel, gate_features, load_gate
from rag.indexing import ANCHORS_FILE, expected_manifest
from rag.lexical import LexicalIndex
from rag.questions import split_questions

Mode = Literal["dense", "bm25", "hybrid"]

# Function words that mark a query as Dutch; BM25 over a Dutch corpus is noise for other languages.
_DUTCH_MARKERS = frozenset(
    "de het een en van in op te dat die is zijn niet met voor aan bij ook door u uw wat hoe welke "
    "waarom wanneer kunt heeft hebben wordt worden er naar over nog al om deze dit of als".split()
)
_ENGLISH_MARKERS = frozenset(
    "the of and to in is are was were what how which why when does did do has have will would could "
    "should minister government about for with this that any".split()
)


class SearchHit(BaseModel):
    """One ranked pair with its citation."""

    id: str
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    question: str
    answer: str | None
    answered: bool
    document_id: str
    citation: Citation


class SearchResult(BaseModel):
    """Ranked pairs for one query, and whether anything relevant was found."""

    query: str
    results: list[SearchHit]
    no_relevant_match: bool = Field(description="True when the best match falls below the relevance gate")
    top_dense_score: float | None = None
    out_of_corpus_probability: float | None = Field(
        None, description="the gate's estimate that nothing relevant exists"
    )


def query_language(text: str) -> Literal["nl", "en", "unknown"]:
    """A cheap language check from function words."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    nl = sum(w in _DUTCH_MARKERS for w in words)
    en = sum(w in _ENGLISH_MARKERS for w in words)
    if nl == en:
        return "unknown"
    return "nl" if nl > en else "en"


def reciprocal_rank_fusion(runs: list[dict[str, float]], k: int = 60) -> dict[str, float]:
    """Plain RRF: sum of 1 / (k + rank) over the runs."""
    fused: dict[str, float] = {}
    for run in runs:
        for rank, (pid, _) in enumerate(sorted(run.items(), key=lambda kv: (-kv[1], kv[0])), 1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (k + rank)
    return fused


class Retriever:
    """Everything needed to answer searches, loaded once."""

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        embedder: Embedder,
        vectors: VectorIndex,
        lexical: LexicalIndex | None,
        anchors: np.ndarray | None = None,
        folder: Path | None = None,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.embedder = embedder
        self.vectors = vectors
        self.lexical = lexical
        self.gate: GateModel | None = load_gate()
        self.anchors: np.ndarray | None = anchors
        self.folder = folder  # the index build loaded (where commitments are stored)

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> Retriever:
        """Parse the corpus, load the model and the index; stop with a clear message on a mismatch."""
        corpus = Corpus.load(settings.corpus_path, allow_errors=settings.allow_corpus_errors)
        folder = VectorIndex.live_folder(settings.index_dir)  # pin one build: a rebuild may swap the link
        vectors = VectorIndex.load(folder, expect=expected_manifest(settings, corpus))
        lexical = LexicalIndex.load(folder)
        anchors = np.load(folder / ANCHORS_FILE) if (folder / ANCHORS_FILE).exists() else None
        return cls(settings, corpus, embedder or load_embedder(settings), vectors, lexical, anchors, folder)

    def with_settings(self, settings: Settings) -> Retriever:
        """A retriever with other query-time settings (fusion weights, gate) sharing the loaded model and index."""
        return Retriever(settings, self.corpus, self.embedder, self.vectors, self.lexical, self.anchors, self.folder)

    # --- scoring -------------------------------------------------------------------------------

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector, shape (1, dim)."""
        return self.embedder.embed_batch([self.settings.query_prefix + query])

    def top_anchor(self, qvec: np.ndarray) -> float:
        """Similarity of the query to its nearest out-of-domain anchor question."""
        return float((self.anchors @ qvec[0]).max()) if self.anchors is not None and len(self.anchors) else 0.0

    def dense_scores(self, query: str, qvec: np.ndarray | None = None) -> dict[str, float]:
        """Best chunk score per pair for the query."""
        if qvec is None:
            qvec = self.embed_query(query)
        n = len(self.vectors) if len(self.vectors) <= 20000 else 2000
        best: dict[str, float] = {}
        for chunk_id, score in self.vectors.search(qvec, n)[0]:
            pid = chunk_id.split("#", 1)[0]
            if score > best.get(pid, -1.0):
                best[pid] = score
        return best

    def lexical_scores(self, query: str) -> dict[str, float]:
        """BM25 score per pair (only pairs with a positive score)."""
        if self.lexical is None:
            return {}
        scores = self.lexical.scores(query)
        nz = np.nonzero(scores > 0)[0]
        return {self.lexical.ids[i]: float(scores[i]) for i in nz}

    def fuse(self, query: str, dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
        """Dense score plus a weighted, max-normalised BM25 score, only for Dutch queries."""
        if self.settings.fusion == "rrf":
            return reciprocal_rank_fusion([dense, lexical])
        weight = self.settings.hybrid_weight
        fused = dict(dense)
        if lexical and query_language(query) != "en" and weight > 0:
            top = max(lexical.values())
            fused = {pid: d + weight * lexical.get(pid, 0.0) / top for pid, d in dense.items()}
        return self.document_prior(fused)

    def document_prior(self, scores: dict[str, float]) -> dict[str, float]:
        """Add each document's score (mean of its best pairs) to its pairs: relevant pairs cluster by document."""
        weight, top = self.settings.doc_prior_weight, self.settings.doc_prior_top
        if weight <= 0 or not scores:
            return scores
        per_doc: dict[str, list[float]] = {}
        for pid, s in scores.items():
            per_doc.setdefault(self.corpus.pairs[pid].document_id, []).append(s)
        doc_score = {d: float(np.mean(sorted(v, reverse=True)[:top])) for d, v in per_doc.items()}
        return {pid: s + weight * doc_score[self.corpus.pairs[pid].document_id] for pid, s in scores.items()}

    # --- public API ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: Mode | None = None,
    ) -> SearchResult:
        """Ranked pairs for one question."""
        mode = mode or self.settings.retrieval_mode
        qvec = self.embed_query(query) if mode in ("dense", "hybrid") else None
        dense = self.dense_scores(query, qvec) if qvec is not None else {}
        lexical = self.lexical_scores(query) if mode in ("bm25", "hybrid") else {}
        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            fused = lexical
        else:
            fused = self.fuse(query, dense, lexical)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        hits: list[SearchHit] = []
        for pid, score in ranked:
            pair = self.corpus.pairs[pid]
            if not self.corpus.matches(pair, filters):
                continue
            doc = self.corpus.document_of(pair)
            hits.append(
                SearchHit(
                    id=pid,
                    score=round(score, 6),
                    dense_score=round(dense[pid], 6) if pid in dense else None,
                    lexical_score=round(lexical[pid], 4) if pid in lexical else None,
                    question=pair.question,
                    answer=pair.resolved_answer,
                    answered=pair.answered,
                    document_id=doc.id,
                    citation=cite(doc, pair),
                )
            )
            if len(hits) >= k:
                break
        top_dense = max(dense.values()) if dense else None
        prob = (
            self.out_of_corpus_probability(query, dense, lexical, self.top_anchor(qvec))
            if hits and dense and qvec is not None
            else None
        )
        return SearchResult(
            query=query,
            results=hits,
            no_relevant_match=not hits or (prob is not None and prob >= self._gate_threshold()),
            top_dense_score=round(top_dense, 6) if top_dense is not None else None,
            out_of_corpus_probability=round(prob, 4) if prob is not None else None,
        )

    def _gate_threshold(self) -> float:
        if self.settings.gate_threshold is not None:
            return self.settings.gate_threshold
        return self.gate.threshold if self.gate else 0.5

    def gate_features(
        self, query: str, dense: dict[str, float], lexical: dict[str, float], top_anchor: float
    ) -> dict[str, float]:
        """The relevance gate's inputs for one search."""
        dutch = query_language(query) != "en"
        coverage = self.lexical.coverage(query) if self.lexical and dutch else 0.0
        if dutch and not lexical and self.lexical:
            lexical = self.lexical_scores(query)
        return gate_features(list(dense.values()), coverage, max(lexical.values(), default=0.0), dutch, top_anchor)

    def out_of_corpus_probability(
        self, query: str, dense: dict[str, float], lexical: dict[str, float], top_anchor: float
    ) -> float:
        """P(nothing in the corpus answers this); without a fitted gate, 1 - best dense similarity."""
        feats = self.gate_features(query, dense, lexical, top_anchor)
        if self.gate is None:
            return 1.0 - feats["top"]
        return self.gate.probability(feats)

    def search_many(
        self, text: str, k: int = 10, filters: SearchFilters | None = None, mode: Mode | None = None
    ) -> list[SearchResult]:
        """Split a draft into sub-questions and search each."""
        return [self.search(q, k, filters, mode) for q in split_questions(text, self.settings.max_questions)]
