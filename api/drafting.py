"""HTTP routes for drafting: answer drafts, commitments and 'asked before?'."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas import MAX_QUESTION_CHARS
from rag.commitments import CommitmentIndex, RankedCommitment
from rag.commitments_llm import make_classifier
from rag.config import Settings, get_settings
from rag.draft import Drafter, DraftResponse
from rag.llm import LLMError
from rag.retrieve import Retriever
from rag.similar import SimilarMatch, SimilarQuestions

router = APIRouter()

MAX_DRAFT_CHARS = 20000
_lock = threading.Lock()
T = TypeVar("T")


def _lazy(request: Request, name: str, build: Callable[[Retriever], T]) -> T:
    """One helper object per app, built on first use from the loaded retriever."""
    state = request.app.state
    with _lock:
        obj: T | None = getattr(state, name, None)
        if obj is None:
            obj = build(state.retriever)
            setattr(state, name, obj)
    return obj


def get_drafter(request: Request) -> Drafter:
    """The app's drafter, with the app's settings (LLM endpoint, gate)."""
    settings: Settings = request.app.state.settings
    return _lazy(request, "drafter", lambda r: Drafter(r, settings))


def get_commitments(request: Request) -> CommitmentIndex:
    """The app's commitment index: as stored with the index build, labelled by the configured classifier."""
    settings: Settings = request.app.state.settings
    try:
        return _lazy(request, "commitment_index", lambda r: CommitmentIndex(r, make_classifier(settings)))
    except LLMError as exc:
        raise HTTPException(503, f"commitments unavailable: {exc}") from None


def get_similar(request: Request) -> SimilarQuestions:
    """The app's question-similarity index."""
    return _lazy(request, "similar_questions", SimilarQuestions)


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("question must not be empty or whitespace only")
    return v.strip()


class DraftRequest(BaseModel):
    """One question or a pasted set of questions to draft answers for."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=MAX_DRAFT_CHARS, description="question text or pasted set")
    k: int = Field(5, ge=1, le=20, description="earlier pairs to draw from per question")
    backend: Literal["extractive", "llm"] = "extractive"

    _check = field_validator("question")(_not_blank)


class SimilarRequest(BaseModel):
    """A draft question to compare with existing questions."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int = Field(5, ge=1, le=50, description="closest questions to return")

    _check = field_validator("question")(_not_blank)


class SimilarResponse(BaseModel):
    """Whether the question was asked before, and the closest existing questions."""

    asked_before: bool
    threshold: float
    matches: list[SimilarMatch]


class CommitmentsResponse(BaseModel):
    """Commitments and refusals, ranked by relevance to q when given."""

    q: str | None
    count: int
    classifier: str = Field(description="who labelled them: the rules' or the chat model's version")
    warnings: list[str] = Field(default_factory=list, description="e.g. labels from another classifier than set")
    commitments: list[RankedCommitment]


@router.post("/draft", response_model=DraftResponse)
def draft(req: DraftRequest, drafter: Annotated[Drafter, Depends(get_drafter)]) -> DraftResponse:
    """Draft answers from earlier answers, every sentence marked with its source [n]."""
    return drafter.draft(req.question, req.k, req.backend)


@router.get("/commitments", response_model=CommitmentsResponse)
def commitments(
    index: Annotated[CommitmentIndex, Depends(get_commitments)],
    q: Annotated[str | None, Query(max_length=MAX_QUESTION_CHARS, description="rank by relevance to this text")] = None,
    minister: Annotated[str | None, Query(max_length=200, description="answering minister (substring)")] = None,
    kind: Annotated[Literal["commitment", "refusal"] | None, Query(description="commitment or refusal")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> CommitmentsResponse:
    """Commitments (toezeggingen) and refusals from earlier answers, with citations."""
    query = q.strip() if q and q.strip() else None
    found = index.search(query, minister, kind, limit)
    return CommitmentsResponse(
        q=query,
        count=len(found),
        classifier=index.classifier,
        warnings=[index.stale] if index.stale else [],
        commitments=found,
    )


@router.post("/similar", response_model=SimilarResponse)
def similar(req: SimilarRequest, index: Annotated[SimilarQuestions, Depends(get_similar)]) -> SimilarResponse:
    """Has this question been asked before? The closest existing questions by similarity."""
    if not index.ids:
        raise HTTPException(503, "the corpus holds no questions")
    result = index.check(req.question, req.k)
    return SimilarResponse(asked_before=result.asked_before, threshold=result.threshold, matches=result.matches)
