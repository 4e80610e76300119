"""'Asked before?': compare a draft question with every existing question text by cosine similarity."""

from __future__ import annotations

import hashlib

import numpy as np
from pydantic import BaseModel

from rag.cite import Citation, cite
from rag.retrieve import Retriever
from rag.vector_cache import TextVectors


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
        emb, settings = retriever.embedder, retriever.settings
        digest = hashlib.sha1(f"{type(emb).__name__}\n{emb.model_id}\n{settings.query_prefix}".encode()).hexdigest()
        # Question against question is a symmetric task: the query prefix on both sides.
        self._cache = TextVectors(
            emb, settings.query_prefix, settings.index_dir.parent / "cache" / f"questions-{digest[:16]}.npz"
        )

    def vectors(self) -> np.ndarray:
        """One L2-normalised vector per corpus question, in corpus order; embedded once, then kept on disk."""
        return self._cache.get([self.retriever.corpus.pairs[p].question for p in self.ids])

    def similarities(self, question: str) -> np.ndarray:
        """Cosine of the draft to every corpus question, in corpus order."""
        return self.vectors() @ self.retriever.embed_query(question.strip())[0]

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
