"""BM25 over pair texts (bm25s), with Dutch stopwords and the Snowball Dutch stemmer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_STEMMER = Stemmer.Stemmer("dutch")
FOLDER = "bm25"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-case, drop Dutch stopwords, stem."""
    out = bm25s.tokenize(list(texts), stopwords="nl", stemmer=_STEMMER.stemWords, return_ids=False, show_progress=False)
    return [list(toks) for toks in out]


class LexicalIndex:
    """A bm25s index whose rows are keyed by pair id."""

    def __init__(self, retriever: bm25s.BM25, ids: Sequence[str]) -> None:
        self._bm25 = retriever
        self.ids = list(ids)

    @classmethod
    def build(cls, texts: Sequence[str], ids: Sequence[str]) -> LexicalIndex:
        """Index texts (row-aligned with ids)."""
        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, ids)

    def save(self, folder: Path) -> None:
        """Write into folder/bm25 (inside an index build, so it goes live atomically with it)."""
        target = Path(folder) / FOLDER
        self._bm25.save(str(target), show_progress=False)
        (target / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Load from folder/bm25."""
        target = Path(folder) / FOLDER
        retriever = bm25s.BM25.load(str(target))
        ids = json.loads((target / "ids.json").read_text(encoding="utf-8"))
        return cls(retriever, ids)

    def coverage(self, query: str) -> float:
        """Share of the query's (stemmed, non-stopword) terms that occur anywhere in the index."""
        toks = tokenize([query])[0]
        return sum(t in self._bm25.vocab_dict for t in toks) / len(toks) if toks else 0.0

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for the query (zeros when no query term is in the vocabulary)."""
        toks = tokenize([query])[0]
        known = [t for t in toks if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
