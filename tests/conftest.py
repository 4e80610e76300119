"""Shared fixtures: the real corpus, the real model and a real index (built once per session if needed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import IndexMismatchError, IndexNotFoundError, VectorIndex
from rag.commitments import RULES, load_commitments
from rag.config import ROOT, Settings, get_settings
from rag.corpus import Corpus
from rag.embed import Embedder, load_embedder
from rag.indexing import build_index, expected_manifest
from rag.retrieve import Retriever

CORPUS = ROOT / "data" / "kamervragen-2025-digitaal.txt"


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return Corpus.load(CORPUS)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return get_settings().model_copy(update={"corpus_path": CORPUS})


@pytest.fixture(scope="session")
def embedder(base_settings: Settings) -> Embedder:
    return load_embedder(base_settings)


@pytest.fixture(scope="session")
def settings(
    base_settings: Settings, corpus: Corpus, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings pointing at a current index (commitments too): the one `make run` built, or a fresh one."""
    try:
        VectorIndex.load(base_settings.index_dir, expect=expected_manifest(base_settings, corpus))
        stored = load_commitments(VectorIndex.live_folder(base_settings.index_dir))
        if stored is None or stored[0].classifier != RULES.version:
            raise IndexMismatchError("the stored commitments were labelled by other rules")
        return base_settings
    except (IndexNotFoundError, IndexMismatchError):
        tmp = tmp_path_factory.mktemp("index") / "index"
        s = base_settings.model_copy(update={"index_dir": tmp})
        build_index(s, corpus, embedder)
        return s


@pytest.fixture(scope="session")
def retriever(settings: Settings, embedder: Embedder) -> Retriever:
    return Retriever.load(settings, embedder=embedder)


@pytest.fixture(scope="session")
def client(settings: Settings, retriever: Retriever) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(settings, retriever=retriever)
    with TestClient(app) as c:
        yield c


def pair_by_question(corpus: Corpus, needle: str) -> str:
    """The id of the pair whose question contains needle (exactly one)."""
    found = [p.id for p in corpus.pairs.values() if needle in p.question]
    assert len(found) == 1, f"{needle!r} matched {found}"
    return found[0]


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    return tmp_path / "corpus.txt"
