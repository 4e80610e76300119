"""Turn pairs into embeddable texts that fit the model's window, counted with its own tokenizer."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel

from rag.types import Document, QAPair

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z0-9«(“‘\"'-])|\n+")


class Chunk(BaseModel):
    """One embeddable text and the pair it belongs to."""

    id: str
    pair_id: str
    text: str


def pair_text(pair: QAPair, doc: Document | None = None) -> str:
    """The searchable text of a pair: question, then answer with references resolved."""
    head = f"{doc.title}\n" if doc is not None and doc.title else ""
    answer = pair.resolved_answer or pair.answer or ""
    return f"{head}{pair.question}\n{answer}".strip()


def split_sentences(text: str) -> list[str]:
    """Split Dutch prose into sentences (a simple rule: end mark, space, capital)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def chunk_pair(
    pair: QAPair,
    count_tokens: Callable[[str], int],
    prefix: str,
    max_tokens: int = 512,
    doc: Document | None = None,
    question_vector: bool = False,
) -> list[Chunk]:
    """Question+answer chunks that fit the window, plus (optionally) the question alone for answered pairs.

    A pair that fits is one chunk; a longer one repeats the question (and title) with successive
    answer parts. Search takes the best chunk per pair.
    """
    extra = []
    if question_vector and pair.answered:
        head = (f"{doc.title}\n" if doc is not None and doc.title else "") + pair.question
        extra = [Chunk(id=f"{pair.id}#q", pair_id=pair.id, text=head)]
    full = pair_text(pair, doc)
    if count_tokens(prefix + full) <= max_tokens:
        return [Chunk(id=f"{pair.id}#0", pair_id=pair.id, text=full), *extra]
    head = (f"{doc.title}\n" if doc is not None and doc.title else "") + pair.question
    budget = max_tokens - count_tokens(prefix + head) - 4
    pieces: list[str] = []
    for sent in split_sentences(pair.resolved_answer or pair.answer or ""):
        n = count_tokens(sent) - 2
        if n > budget:  # one very long sentence: cut it by words
            words = sent.split()
            step = max(8, int(len(words) * budget / max(n, 1)) - 4)
            pieces.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
        else:
            pieces.append(sent)
    chunks: list[str] = []
    cur: list[str] = []
    used = 0
    for piece in pieces:
        n = count_tokens(piece) - 2
        if cur and used + n > budget:
            chunks.append(" ".join(cur))
            cur, used = [], 0
        cur.append(piece)
        used += n + 1
    if cur:
        chunks.append(" ".join(cur))
    if not chunks:  # the question itself is too long: the model will truncate it
        chunks = [""]
    return [
        Chunk(id=f"{pair.id}#{i}", pair_id=pair.id, text=f"{head}\n{body}".strip()) for i, body in enumerate(chunks)
    ] + extra
