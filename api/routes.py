"""HTTP routes; each translates between JSON and the rag library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from api.schemas import (
    BatchRequest,
    BatchResponse,
    DocumentResponse,
    FacetsResponse,
    HealthResponse,
    PairResponse,
    SearchRequest,
    SearchResponse,
)
from rag.cite import cite
from rag.config import Settings, get_settings
from rag.corpus import SearchFilters
from rag.questions import split_questions
from rag.retrieve import Retriever

router = APIRouter()


def get_retriever(request: Request) -> Retriever:
    """The retriever loaded at start-up."""
    retriever: Retriever = request.app.state.retriever
    return retriever


RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@router.get("/health", response_model=HealthResponse)
def health(retriever: RetrieverDep) -> HealthResponse:
    """Status, counts, model and index build time."""
    m = retriever.vectors.manifest
    pairs = retriever.corpus.pairs.values()
    return HealthResponse(
        status="ok",
        documents=len(retriever.corpus.documents),
        pairs=len(retriever.corpus.pairs),
        answered=sum(p.answered for p in pairs),
        chunks=len(retriever.vectors),
        model=str(m.get("model_id")),
        embed_backend=str(m.get("embed_backend")),
        index_built_at=m.get("built_at"),
        corpus=str(m.get("corpus_path")),
    )


def _filters(req: SearchRequest | BatchRequest) -> SearchFilters:
    return SearchFilters(
        minister=req.minister, submitter=req.submitter, party=req.party, answered_only=req.answered_only
    )


@router.post("/search", response_model=SearchResponse)
def search(req: SearchRequest, retriever: RetrieverDep, settings: SettingsDep) -> SearchResponse:
    """Ranked earlier pairs for a question, each with a citation; `split` adds per-sub-question results."""
    if req.k > settings.max_k:
        raise HTTPException(422, f"k must be at most {settings.max_k}")
    filters = _filters(req)
    result = retriever.search(req.question, req.k, filters, req.mode)  # type: ignore[arg-type]
    response = SearchResponse(**result.model_dump())
    if req.split:
        subs = split_questions(req.question, settings.max_questions)
        if len(subs) > 1:
            response.questions = [retriever.search(q, req.k, filters, req.mode) for q in subs]  # type: ignore[arg-type]
        else:
            response.questions = [result]
    return response


@router.post("/search/batch", response_model=BatchResponse)
def search_batch(req: BatchRequest, retriever: RetrieverDep, settings: SettingsDep) -> BatchResponse:
    """Results per sub-question, from a list of questions or one pasted draft."""
    if req.questions:
        subs = [q.strip() for q in req.questions if q.strip()]
    elif req.text and req.text.strip():
        subs = split_questions(req.text, settings.max_questions)
    else:
        raise HTTPException(422, "give `questions` (a non-empty list) or `text` (a pasted draft)")
    if not subs:
        raise HTTPException(422, "all questions are empty")
    too_long = [i + 1 for i, q in enumerate(subs) if len(q) > settings.max_question_chars]
    if too_long:
        raise HTTPException(422, f"question(s) {too_long} exceed {settings.max_question_chars} characters")
    filters = _filters(req)
    return BatchResponse(questions=[retriever.search(q, req.k, filters) for q in subs])


@router.get("/pairs/{pair_id}", response_model=PairResponse)
def get_pair(pair_id: str, retriever: RetrieverDep) -> PairResponse:
    """One question/answer pair with its document and citation."""
    pair = retriever.corpus.pairs.get(pair_id)
    if pair is None:
        raise HTTPException(404, f"no pair with id {pair_id[:100]!r}")
    doc = retriever.corpus.document_of(pair)
    return PairResponse(pair=pair, document=doc, citation=cite(doc, pair).model_dump())


@router.get("/documents/{document_id}", response_model=DocumentResponse)
def get_document(document_id: str, retriever: RetrieverDep) -> DocumentResponse:
    """A whole document with all its pairs."""
    doc = retriever.corpus.documents.get(document_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {document_id[:100]!r}")
    pairs = [retriever.corpus.pairs[p] for p in doc.pair_ids]
    return DocumentResponse(document=doc, pairs=pairs, answered=any(p.answered for p in pairs))


@router.get("/facets", response_model=FacetsResponse)
def facets(retriever: RetrieverDep) -> FacetsResponse:
    """Ministers, submitters and parties for filter menus."""
    c = retriever.corpus
    return FacetsResponse(ministers=c.ministers(), submitters=c.submitters(), parties=c.parties())
