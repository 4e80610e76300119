"""A text → vector cache shared by drafting, commitments and "asked before?"."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from rag.embed import Embedder


class TextVectors:
    """Vectors keyed by text: embedded once, kept in memory and (optionally) in a file between runs."""

    def __init__(self, embedder: Embedder, prefix: str, path: Path | None) -> None:
        self.embedder = embedder
        self.prefix = prefix
        self.path = path
        self._lock = threading.Lock()
        self._rows: dict[str, np.ndarray] = self._load()

    @staticmethod
    def key(text: str) -> str:
        """The cache key of a sentence."""
        return hashlib.sha1(text.encode()).hexdigest()

    def _load(self) -> dict[str, np.ndarray]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            with np.load(self.path) as data:
                keys, vecs = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return {}
        if vecs.ndim != 2 or vecs.shape[1] != self.embedder.dim or len(keys) != len(vecs):
            return {}
        return {str(k): v for k, v in zip(keys, vecs, strict=True)}

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.stem}.{os.getpid()}.tmp.npz")
            keys = list(self._rows)
            np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._rows[k] for k in keys]))
            tmp.replace(self.path)
        except OSError:  # a read-only install still works; it embeds again next run
            pass

    def preload(self, rows: dict[str, np.ndarray]) -> None:
        """Add vectors computed elsewhere (keyed by `key(text)`); rows of another dimension are ignored."""
        with self._lock:
            for k, v in rows.items():
                if v.shape == (self.embedder.dim,):
                    self._rows.setdefault(k, v)

    def get(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text; missing ones are embedded in a single batch."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        keys = [self.key(t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._rows))
        if missing:
            vecs = self.embedder.embed_all([self.prefix + t for t in missing])
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    self._rows[self.key(t)] = v
                self._save()
        with self._lock:
            return np.stack([self._rows[k] for k in keys])
