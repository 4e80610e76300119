"""A FAISS index with string ids and a JSON manifest; FAISS row numbers stay inside this module.

On disk, `<dir>` is a symlink to `<dir>.builds/<build-id>/` holding `faiss.index`, `ids.txt`,
`manifest.json` and any extra files a caller writes. A build is written to a fresh folder and the
symlink is swapped with an atomic rename, so a crash mid-build leaves the previous index in place.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

MANIFEST = "manifest.json"
IDS = "ids.txt"
FAISS_FILE = "faiss.index"
KEEP_BUILDS = 2


class IndexNotFoundError(FileNotFoundError):
    """No complete index exists at the given path."""


class IndexMismatchError(RuntimeError):
    """The stored index was built with other settings or data than those asked for."""


class VectorIndex:
    """Inner-product search over L2-normalised vectors, keyed by string ids."""

    def __init__(self, index: faiss.Index, ids: Sequence[str], manifest: Mapping[str, Any]) -> None:
        if index.ntotal != len(ids):
            raise ValueError(f"index holds {index.ntotal} vectors but {len(ids)} ids were given")
        self._index = index
        self._ids = list(ids)
        self.manifest: dict[str, Any] = dict(manifest)

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: Sequence[str], manifest: Mapping[str, Any], factory: str = "Flat"
    ) -> VectorIndex:
        """Build an index from row-aligned vectors and ids."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[0] != len(ids):
            raise ValueError(f"vectors of shape {vecs.shape} do not match {len(ids)} ids")
        index = faiss.index_factory(vecs.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        if not index.is_trained:
            index.train(vecs)
        index.add(vecs)
        full = dict(manifest)
        full.update(
            dim=int(vecs.shape[1]),
            vectors=len(ids),
            faiss_factory=factory,
            faiss_version=faiss.__version__,
        )
        return cls(index, ids, full)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self._index.d)

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Top-k (id, score) per query row, best first."""
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        k = max(1, min(k, len(self._ids)))
        scores, rows = self._index.search(q, k)
        return [
            [(self._ids[r], float(s)) for r, s in zip(row_ids, row_scores, strict=True) if r >= 0]
            for row_ids, row_scores in zip(rows, scores, strict=True)
        ]

    def save(self, directory: Path, extra: Callable[[Path], None] | None = None) -> Path:
        """Write atomically; `extra(folder)` may add files to the same build before it goes live."""

        def write(tmp: Path, build_id: str) -> dict[str, Any]:
            faiss.write_index(self._index, str(tmp / FAISS_FILE))
            (tmp / IDS).write_text("\n".join(self._ids) + "\n", encoding="utf-8")
            if extra:
                extra(tmp)
            return dict(self.manifest, build_id=build_id)

        final, self.manifest = _publish(Path(directory), write)
        return final

    @staticmethod
    def derive(
        directory: Path, extra: Callable[[Path], None], replaces: Iterable[str], manifest_update: Mapping[str, Any]
    ) -> Path:
        """A new build made from the live one: its files linked except `replaces`, which `extra(folder)`
        writes afresh, and its manifest updated; switched live atomically like `save`."""
        live = VectorIndex.live_folder(directory)
        manifest = VectorIndex.read_manifest(directory)
        skip = set(replaces) | {MANIFEST}

        def write(tmp: Path, build_id: str) -> dict[str, Any]:
            for src in sorted(live.rglob("*")):
                rel = src.relative_to(live)
                if rel.parts[0] in skip:
                    continue
                dst = tmp / rel
                if src.is_dir():
                    dst.mkdir(parents=True, exist_ok=True)
                    continue
                dst.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(src, dst)  # shared, never written: every build's files are immutable
                except OSError:
                    shutil.copy2(src, dst)
            extra(tmp)
            return dict(manifest, **manifest_update, build_id=build_id, derived_from=manifest.get("build_id"))

        return _publish(Path(directory), write)[0]

    @staticmethod
    def read_manifest(directory: Path) -> dict[str, Any]:
        """The manifest of the live build, without loading vectors."""
        path = Path(directory) / MANIFEST
        if not path.exists():
            raise IndexNotFoundError(f"no index at {directory}; build one with `rag index`.")
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    @classmethod
    def load(cls, directory: Path, expect: Mapping[str, Any] | None = None) -> VectorIndex:
        """Load the live build; raise IndexMismatchError naming each manifest field that differs."""
        directory = Path(directory)
        manifest = cls.read_manifest(directory)
        if expect:
            diffs = [
                f"{key}: index has {manifest.get(key)!r}, settings want {want!r}"
                for key, want in expect.items()
                if manifest.get(key) != want
            ]
            if diffs:
                raise IndexMismatchError(
                    f"the index at {directory} does not match the current settings or corpus:\n  "
                    + "\n  ".join(diffs)
                    + "\nRebuild it with `rag index`."
                )
        index = faiss.read_index(str(directory / FAISS_FILE))
        ids = (directory / IDS).read_text(encoding="utf-8").splitlines()
        return cls(index, ids, manifest)

    @staticmethod
    def live_folder(directory: Path) -> Path:
        """The build folder the link points at (where callers' extra files live)."""
        return Path(directory).resolve()


def _publish(directory: Path, write: Callable[[Path, str], dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """Fill a fresh build folder with `write(folder, build_id)` (which returns the manifest), then swap it live."""
    builds = directory.parent / f"{directory.name}.builds"
    builds.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()
    build_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f".{now % 10**9:09d}-{os.getpid()}"
    tmp = builds / f".tmp-{build_id}"
    tmp.mkdir()
    try:
        manifest = write(tmp, build_id)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _fsync_tree(tmp)
        final = builds / build_id
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if directory.exists() and not directory.is_symlink():
        raise IndexMismatchError(f"{directory} is a real folder, not an index link; move it away and rebuild.")
    link_tmp = directory.parent / f".{directory.name}.link-{build_id}"
    link_tmp.symlink_to(Path(builds.name) / build_id)
    os.replace(link_tmp, directory)  # the atomic switch
    _prune(builds, keep=final.name)
    return final, manifest


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def _prune(builds: Path, keep: str) -> None:
    """Remove failed temp folders and all but the newest KEEP_BUILDS builds."""
    done = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in done[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in builds.glob(".tmp-*"):
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
