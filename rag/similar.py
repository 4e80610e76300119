"""'Asked before?': compare a draft question with every existing question text by cosine similarity."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from rag.cite import Citation, cite
from rag.retrieve import Retriever


class SimilarMatch(BaseModel):
    """An existing question and how close it is to the draft."""

    id: str
    similarity: float
    question: str
    answered: bool
    citation: Citation


class SimilarResult(BaseModel):
    """Whether the draft was asked before, by the calibrated threshold, and the closest questions."""

    question: str
    asked_before: bool
    threshold: float
    matches: list[SimilarMatch]


class SimilarQuestions:
    """Question vectors for the whole corpus, embedded once, on first use."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self.ids = list(retriever.corpus.pairs)
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def _embed(self, texts: list[str]) -> np.ndarray:
        # Question against question is a symmetric task: the query prefix on both sides.
        prefix = self.retriever.settings.query_prefix
        return self.retriever.embedder.embed_all([prefix + t for t in texts], self.retriever.settings.embed_batch_size)

    def cache_file(self, questions: list[str]) -> Path:
        """Where the question vectors are kept between runs: keyed by model, prefix and the texts."""
        emb = self.retriever.embedder
        key = "\n".join([type(emb).__name__, emb.model_id, self.retriever.settings.query_prefix, *questions])
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        return self.retriever.settings.index_dir.parent / "cache" / f"questions-{digest}.npy"

    def vectors(self) -> np.ndarray:
        """One L2-normalised vector per corpus question, in corpus order; embedded once, then kept on disk."""
        with self._lock:
            if self._vectors is None:
                questions = [self.retriever.corpus.pairs[p].question for p in self.ids]
                path = self.cache_file(questions)
                vecs = _read(path, len(questions))
                if vecs is None:
                    vecs = self._embed(questions)
                    _write(path, vecs)
                self._vectors = vecs
            return self._vectors

    def similarities(self, question: str) -> np.ndarray:
        """Cosine of the draft to every corpus question, in corpus order."""
        qvec = self._embed([question.strip()])[0]
        return self.vectors() @ qvec

    def similarity_to(self, question: str, pair_id: str) -> float:
        """Cosine of the draft to one corpus question."""
        return float(self.similarities(question)[self.ids.index(pair_id)])

    def check(self, question: str, k: int = 5, threshold: float | None = None) -> SimilarResult:
        """The k closest existing questions; asked_before when the best reaches the threshold."""
        t = self.retriever.settings.similar_threshold if threshold is None else threshold
        sims = self.similarities(question)
        order = sorted(range(len(self.ids)), key=lambda i: (-float(sims[i]), i))[:k]
        corpus = self.retriever.corpus
        matches = []
        for i in order:
            pair = corpus.pairs[self.ids[i]]
            matches.append(
                SimilarMatch(
                    id=pair.id,
                    similarity=round(float(sims[i]), 6),
                    question=pair.question,
                    answered=pair.answered,
                    citation=cite(corpus.document_of(pair), pair),
                )
            )
        best = matches[0].similarity if matches else 0.0
        return SimilarResult(question=question.strip(), asked_before=best >= t, threshold=t, matches=matches)


def _read(path: Path, rows: int) -> np.ndarray | None:
    try:
        vecs = np.load(path)
    except (OSError, ValueError):
        return None
    return vecs if vecs.ndim == 2 and vecs.shape[0] == rows else None


def _write(path: Path, vecs: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
        np.save(tmp, vecs)
        tmp.replace(path)
    except OSError:  # a read-only install still works, it just embeds again next time
        pass
