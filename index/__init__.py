"""Vector index storage: FAISS plus an id file and a manifest, written atomically."""

from index.store import IndexMismatchError, IndexNotFoundError, VectorIndex

__all__ = ["IndexMismatchError", "IndexNotFoundError", "VectorIndex"]
