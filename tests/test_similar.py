"""'Asked before?': question similarity on the real corpus, and POST /similar."""

from __future__ import annotations

from typing import Any

import pytest

from rag.corpus import Corpus
from rag.retrieve import Retriever
from rag.similar import SimilarQuestions
from tests.conftest import pair_by_question

PARAPHRASE = (
    "Wilt u de exitstrategie van de Belastingdienst voor Microsoft 365 met de Kamer delen, "
    "en is negen maanden om over te stappen snel genoeg?"
)
UNRELATED = "Hoeveel wolven leven er in Nederland?"


@pytest.fixture(scope="module")
def similar(retriever: Retriever) -> SimilarQuestions:
    return SimilarQuestions(retriever)


def test_reworded_question_was_asked_before(similar: SimilarQuestions, corpus: Corpus) -> None:
    result = similar.check(PARAPHRASE)
    target = pair_by_question(corpus, "Kunt u de gekozen exitstrategie met de Kamer delen?")
    assert result.asked_before
    assert result.matches[0].id == target
    assert result.matches[0].similarity >= result.threshold
    assert not result.matches[0].answered  # unanswered questions count as asked, too
    assert "nog niet beantwoord" in result.matches[0].citation.text


def test_exact_question_scores_one(similar: SimilarQuestions, corpus: Corpus) -> None:
    pid = pair_by_question(corpus, "Hoeveel VOG-aanvragen zijn er sinds 17 juli 2025 ingediend")
    result = similar.check(corpus.pairs[pid].question, k=3)
    assert result.matches[0].id == pid and result.matches[0].similarity > 0.99


def test_unrelated_question_was_not_asked(similar: SimilarQuestions, retriever: Retriever) -> None:
    result = similar.check(UNRELATED, k=4)
    assert not result.asked_before
    assert result.threshold == retriever.settings.similar_threshold
    sims = [m.similarity for m in result.matches]
    assert len(sims) == 4 and sims == sorted(sims, reverse=True)
    assert sims[0] < result.threshold


def test_post_similar(client: Any) -> None:
    r = client.post("/similar", json={"question": PARAPHRASE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["asked_before"] is True
    assert set(body["matches"][0]) == {"id", "similarity", "question", "answered", "citation"}
    assert body["matches"][0]["citation"]["text"]


@pytest.mark.parametrize("payload", [{"question": ""}, {"question": "  \n "}, {"question": "Vraag?", "extra": 1}, {}])
def test_post_similar_rejects_bad_input(client: Any, payload: dict[str, Any]) -> None:
    r = client.post("/similar", json=payload)
    assert r.status_code == 422
    assert "detail" in r.json()
