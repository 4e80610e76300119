"""The FAISS store: round trip, manifest checks, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import IndexMismatchError, IndexNotFoundError, VectorIndex
from rag.config import Settings
from rag.corpus import Corpus
from rag.embed import Embedder
from rag.indexing import build_index, expected_manifest, index_is_current
from rag.retrieve import Retriever


def _texts(corpus: Corpus, n: int) -> tuple[list[str], list[str]]:
    pairs = list(corpus.pairs.values())[:n]
    return [p.id for p in pairs], ["query: " + p.question for p in pairs]


def test_round_trip_with_real_vectors(tmp_path: Path, corpus: Corpus, embedder: Embedder) -> None:
    ids, texts = _texts(corpus, 12)
    vecs = embedder.embed_batch(texts)
    built = VectorIndex.build(vecs, ids, {"model_id": embedder.model_id})
    built.save(tmp_path / "idx")
    loaded = VectorIndex.load(tmp_path / "idx", expect={"model_id": embedder.model_id, "dim": embedder.dim})
    assert len(loaded) == 12 and loaded.dim == embedder.dim
    for i, row in enumerate(loaded.search(vecs, 3)):
        assert row[0][0] == ids[i]
        assert row[0][1] == pytest.approx(1.0, abs=1e-4)
    assert loaded.manifest["faiss_version"]
    assert (tmp_path / "idx").is_symlink()


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="rag index"):
        VectorIndex.load(tmp_path / "nothing")


def test_manifest_mismatch_names_fields(tmp_path: Path) -> None:
    VectorIndex.build(np.eye(4, dtype=np.float32), list("abcd"), {"model_id": "m1", "corpus_sha256": "x"}).save(
        tmp_path / "idx"
    )
    with pytest.raises(IndexMismatchError) as err:
        VectorIndex.load(tmp_path / "idx", expect={"model_id": "m2", "corpus_sha256": "x"})
    msg = str(err.value)
    assert "model_id: index has 'm1', settings want 'm2'" in msg
    assert "corpus_sha256" not in msg
    assert "rag index" in msg


def test_crash_mid_build_keeps_previous_index(tmp_path: Path) -> None:
    target = tmp_path / "idx"
    VectorIndex.build(np.eye(3, dtype=np.float32), ["a", "b", "c"], {"gen": 1}).save(target)

    def crash(folder: Path) -> None:
        (folder / "partial.bin").write_bytes(b"half")
        raise RuntimeError("killed mid-build")

    with pytest.raises(RuntimeError, match="killed"):
        VectorIndex.build(np.eye(4, dtype=np.float32), list("wxyz"), {"gen": 2}).save(target, extra=crash)
    still = VectorIndex.load(target)
    assert still.manifest["gen"] == 1 and len(still) == 3
    assert not list((tmp_path / "idx.builds").glob(".tmp-*"))


def test_rebuild_switches_and_prunes(tmp_path: Path) -> None:
    target = tmp_path / "idx"
    for gen in range(4):
        VectorIndex.build(np.eye(2, dtype=np.float32), ["a", "b"], {"gen": gen}).save(target)
    assert VectorIndex.load(target).manifest["gen"] == 3
    assert len([p for p in (tmp_path / "idx.builds").iterdir()]) == 2


def test_changed_corpus_is_detected(settings: Settings, corpus: Corpus, tmp_path: Path) -> None:
    assert index_is_current(settings, corpus)
    edited = tmp_path / "edited.txt"
    edited.write_text(
        Path(settings.corpus_path).read_text(encoding="utf-8").replace("Palantir", "Palantír"), encoding="utf-8"
    )
    other = settings.model_copy(update={"corpus_path": edited})
    assert not index_is_current(other, Corpus.load(edited))
    with pytest.raises(IndexMismatchError, match="corpus_sha256"):
        Retriever.load(other)


def test_prefix_change_requires_reindex(settings: Settings, corpus: Corpus) -> None:
    other = settings.model_copy(update={"passage_prefix": "passage: "})
    assert expected_manifest(other, corpus)["passage_prefix"] == "passage: "
    with pytest.raises(IndexMismatchError, match="passage_prefix"):
        Retriever.load(other)


def test_full_build_counts(settings: Settings, corpus: Corpus, embedder: Embedder, tmp_path: Path) -> None:
    manifest = VectorIndex.read_manifest(settings.index_dir)
    assert manifest["counts"]["pairs"] == 217
    assert manifest["counts"]["documents"] == 20
    assert manifest["counts"]["chunks"] >= 217
    assert manifest["vectors"] == manifest["counts"]["chunks"]
    assert manifest["model_id"] == embedder.model_id
    assert manifest["dim"] == embedder.dim
    for key in ("corpus_sha256", "query_prefix", "passage_prefix", "versions", "built_at"):
        assert key in manifest


def test_chunks_fit_the_window(corpus: Corpus, embedder: Embedder, settings: Settings) -> None:
    from rag.indexing import make_chunks

    chunks = make_chunks(corpus, embedder, settings)
    assert {c.pair_id for c in chunks} == set(corpus.pairs)
    for c in chunks:
        assert embedder.count_tokens(settings.passage_prefix + c.text) <= settings.max_tokens
    long = [c for c in chunks if c.id.split("#")[1] not in ("0", "q")]
    assert long, "the corpus has answers longer than one window"
    for c in long:
        assert c.text.startswith(corpus.pairs[c.pair_id].question)
    alone = {c.pair_id: c.text for c in chunks if c.id.endswith("#q")}
    assert set(alone) == {p.id for p in corpus.pairs.values() if p.answered}
    assert all(alone[pid] == corpus.pairs[pid].question for pid in alone)


def test_build_into_fresh_dir(settings: Settings, corpus: Corpus, embedder: Embedder, tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text(
        "Titel een |\n|\nA (D66) |\n|\nMinister B |\n|\n|\nHoe staat het met de glasvezel op het platteland?\n"
        "De uitrol is bijna klaar.\nWat kost een paspoort?\n",
        encoding="utf-8",
    )
    s = settings.model_copy(update={"corpus_path": small, "index_dir": tmp_path / "ix"})
    c = Corpus.load(small)
    m = build_index(s, c, embedder)
    # two question+answer chunks, plus the answered pair's question on its own
    assert m["counts"] == {"documents": 1, "pairs": 2, "chunks": 3, "answered": 1}
    r = Retriever.load(s, embedder=embedder)
    hit = r.search("internet op het platteland", k=1, mode="dense").results[0]
    assert "glasvezel" in hit.question


def test_model_is_one_setting(settings: Settings, corpus: Corpus) -> None:
    other = settings.model_copy(update={"model_path": "intfloat/multilingual-e5-base", "model_id": ""})
    other = type(settings).model_validate(other.model_dump())
    assert other.model_id == "intfloat/multilingual-e5-base"
    assert not other.uses_bundled_model
    assert not index_is_current(other, corpus)
    with pytest.raises(IndexMismatchError, match="model_id: index has 'intfloat/multilingual-e5-small'"):
        Retriever.load(other)


def test_derived_build_shares_files_and_leaves_the_old_build_intact(tmp_path: Path) -> None:
    target = tmp_path / "idx"

    def first(folder: Path) -> None:
        (folder / "labels.txt").write_text("old", encoding="utf-8")
        (folder / "sub").mkdir()
        (folder / "sub" / "kept.txt").write_text("kept", encoding="utf-8")

    old = VectorIndex.build(np.eye(3, dtype=np.float32), ["a", "b", "c"], {"gen": 1}).save(target, extra=first)

    def relabel(folder: Path) -> None:
        (folder / "labels.txt").write_text("new", encoding="utf-8")

    new = VectorIndex.derive(target, relabel, ["labels.txt"], {"labels": 2})
    live = VectorIndex.load(target)
    assert new != old and VectorIndex.live_folder(target) == new
    assert live.manifest["gen"] == 1 and live.manifest["labels"] == 2 and live.manifest["derived_from"] == old.name
    assert len(live) == 3 and (target / "sub" / "kept.txt").read_text(encoding="utf-8") == "kept"
    assert (target / "labels.txt").read_text(encoding="utf-8") == "new"
    assert (old / "labels.txt").read_text(encoding="utf-8") == "old"  # never written through a shared link
    assert (old / "faiss.index").stat().st_ino == (new / "faiss.index").stat().st_ino


def test_crash_while_deriving_keeps_the_live_build(tmp_path: Path) -> None:
    target = tmp_path / "idx"
    old = VectorIndex.build(np.eye(2, dtype=np.float32), ["a", "b"], {"gen": 1}).save(target)

    def crash(folder: Path) -> None:
        raise RuntimeError("killed while labelling")

    with pytest.raises(RuntimeError, match="killed"):
        VectorIndex.derive(target, crash, [], {"gen": 2})
    assert VectorIndex.live_folder(target) == old and VectorIndex.load(target).manifest["gen"] == 1
    assert not list((tmp_path / "idx.builds").glob(".tmp-*"))
