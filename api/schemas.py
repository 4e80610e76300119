"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.retrieve import SearchResult
from rag.types import Document, QAPair

MAX_QUESTION_CHARS = 4000


class SearchRequest(BaseModel):
    """A search: one question or a pasted set of questions, with optional filters."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        ..., min_length=1, max_length=MAX_QUESTION_CHARS, description="question text (Dutch or English)"
    )
    k: int = Field(10, ge=1, le=100, description="results per question")
    minister: str | None = Field(None, max_length=200, description="answering minister (substring)")
    submitter: str | None = Field(None, max_length=200, description="submitting MP (substring)")
    party: str | None = Field(None, max_length=200, description="party of a submitter (substring)")
    answered_only: bool = False
    mode: str | None = Field(None, pattern="^(dense|bm25|hybrid)$", description="retrieval mode; default hybrid")
    split: bool = Field(False, description="split the text into sub-questions and search each")

    @field_validator("question")
    @classmethod
    def not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question must not be empty or whitespace only")
        return v.strip()


class SearchResponse(SearchResult):
    """Results for one question; `questions` holds per-sub-question results when split was asked."""

    questions: list[SearchResult] | None = None


class BatchRequest(BaseModel):
    """Several questions at once, or one pasted draft to split."""

    model_config = ConfigDict(extra="forbid")

    questions: list[str] | None = Field(None, max_length=25)
    text: str | None = Field(None, max_length=MAX_QUESTION_CHARS * 5)
    k: int = Field(5, ge=1, le=100)
    minister: str | None = None
    submitter: str | None = None
    party: str | None = None
    answered_only: bool = False


class BatchResponse(BaseModel):
    """Per sub-question results."""

    questions: list[SearchResult]


class HealthResponse(BaseModel):
    """Service status."""

    status: str
    documents: int
    pairs: int
    answered: int
    chunks: int
    model: str
    embed_backend: str
    index_built_at: str | None
    corpus: str


class DocumentResponse(BaseModel):
    """A whole document with its pairs."""

    document: Document
    pairs: list[QAPair]
    answered: bool


class PairResponse(BaseModel):
    """One pair with its document and citation."""

    pair: QAPair
    document: Document
    citation: dict[str, object]


class FacetsResponse(BaseModel):
    """Values for the filter menus."""

    ministers: list[str]
    submitters: list[str]
    parties: list[str]
