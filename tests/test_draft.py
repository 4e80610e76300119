"""Answer drafts: marker validation, the extractive draft on the real corpus, and POST /draft."""

from __future__ import annotations

from typing import Any

import pytest

from rag.chunk import split_sentences
from rag.corpus import Corpus
from rag.draft import (
    NO_MATCH,
    Drafter,
    DraftSentence,
    DraftValidationError,
    QuestionDraft,
    parse_markers,
    render,
)
from rag.normalise import is_pointer
from rag.retrieve import Retriever
from tests.conftest import pair_by_question

VOG_QUESTION = "Hoeveel VOG-aanvragen zijn vertraagd door de storing bij het Openbaar Ministerie?"
OUT_OF_CORPUS = "Hoe staat het met de subsidie voor de aanleg van fietspaden in Drenthe?"


@pytest.fixture(scope="module")
def drafter(retriever: Retriever) -> Drafter:
    return Drafter(retriever)


def answer_sentences(corpus: Corpus, pair_id: str) -> list[str]:
    pair = corpus.pairs[pair_id]
    return [s for para in pair.answer_paragraphs for s in split_sentences(para)]


def assert_well_formed(d: QuestionDraft, corpus: Corpus) -> None:
    """Each sentence is marked, each marker names a source, each sentence is quoted from the pair it cites."""
    numbers = {s.n: s.pair_id for s in d.sources}
    assert d.sentences, "a draft has at least one sentence"
    for sent in d.sentences:
        assert sent.markers, sent.text
        for n in sent.markers:
            assert n in numbers, f"[{n}] names no source"
            assert sent.text in answer_sentences(corpus, numbers[n]), f"{sent.text!r} is not in {numbers[n]}"
    for src in d.sources:
        assert src.citation.answered, "drafts only draw on answered pairs"
        assert src.citation.text
    assert d.draft == render(d.sentences)


# --- marker validation ---------------------------------------------------------------------------


def test_markers_after_the_full_stop_are_parsed() -> None:
    got = parse_markers("De systemen zijn weer online. [1] Het onderzoek loopt nog [2].", n_sources=2)
    assert got == [
        DraftSentence(text="De systemen zijn weer online.", markers=[1]),
        DraftSentence(text="Het onderzoek loopt nog.", markers=[2]),
    ]


def test_several_markers_on_one_sentence() -> None:
    got = parse_markers("Beide bronnen zeggen dit [1][2]. Ook dit [1, 3].", n_sources=3)
    assert [s.markers for s in got] == [[1, 2], [1, 3]]


def test_render_and_parse_round_trip() -> None:
    sentences = [
        DraftSentence(text="Eerste zin.", markers=[2]),
        DraftSentence(text="Tweede zin?", markers=[1, 2]),
    ]
    assert parse_markers(render(sentences), n_sources=2) == sentences


def test_unknown_source_number_is_rejected() -> None:
    with pytest.raises(DraftValidationError, match=r"\[3\]"):
        parse_markers("Dit staat in bron drie. [3]", n_sources=2)


def test_zero_is_not_a_source() -> None:
    with pytest.raises(DraftValidationError, match=r"\[0\]"):
        parse_markers("Dit staat nergens. [0]", n_sources=2)


def test_sentence_without_marker_is_rejected() -> None:
    with pytest.raises(DraftValidationError, match="zin 2 heeft geen bronverwijzing"):
        parse_markers("Dit klopt. [1] Dit is verzonnen. Dit weer niet [1].", n_sources=1)


def test_empty_reply_is_rejected() -> None:
    with pytest.raises(DraftValidationError):
        parse_markers("   ", n_sources=1)


# --- extractive drafts on the real corpus --------------------------------------------------------


def test_vog_question_cites_the_vog_numbers(drafter: Drafter, corpus: Corpus) -> None:
    result = drafter.draft(VOG_QUESTION)
    assert len(result.questions) == 1
    d = result.questions[0]
    assert not d.no_relevant_match
    assert d.backend == "extractive"
    assert_well_formed(d, corpus)
    target = pair_by_question(corpus, "Hoeveel VOG-aanvragen zijn er sinds 17 juli 2025 ingediend")
    by_pair = {s.pair_id: s.n for s in d.sources}
    assert target in by_pair, [s.pair_id for s in d.sources]
    numbers = [s for s in d.sentences if "429.984" in s.text]
    assert numbers and by_pair[target] in numbers[0].markers
    assert len(d.sentences) <= 4
    assert len({s.text for s in d.sentences}) == len(d.sentences)


def test_pointer_answers_are_followed_not_quoted(drafter: Drafter, corpus: Corpus) -> None:
    q = "Worden de kosten van een tweede VOG-aanvraag na de storing bij het OM vergoed?"
    d = drafter.draft(q).questions[0]
    assert not d.no_relevant_match
    assert_well_formed(d, corpus)
    assert not any(is_pointer(s.text) or s.text.startswith("Zie ") for s in d.sentences)
    target = pair_by_question(corpus, "Klopt het dat Justis in sommige gevallen aan werkgevers")
    assert target in {s.pair_id for s in d.sources}


def test_out_of_corpus_question_gets_the_plain_statement(drafter: Drafter) -> None:
    d = drafter.draft(OUT_OF_CORPUS).questions[0]
    assert d.no_relevant_match
    assert d.draft == NO_MATCH
    assert d.sources == []
    assert [s.text for s in d.sentences] == [NO_MATCH]


def test_a_pasted_set_is_drafted_per_question(drafter: Drafter, corpus: Corpus) -> None:
    result = drafter.draft(f"1. {VOG_QUESTION}\n2. {OUT_OF_CORPUS}")
    assert [q.question for q in result.questions] == [VOG_QUESTION, OUT_OF_CORPUS]
    assert not result.questions[0].no_relevant_match
    assert result.questions[1].no_relevant_match


# --- POST /draft ---------------------------------------------------------------------------------


def test_post_draft(client: Any, corpus: Corpus) -> None:
    r = client.post("/draft", json={"question": VOG_QUESTION, "k": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    d = QuestionDraft(**body["questions"][0])
    assert_well_formed(d, corpus)
    assert body["questions"][0]["sources"][0]["citation"]["text"].startswith("Antwoord op vraag")


@pytest.mark.parametrize(
    "payload",
    [
        {"question": ""},
        {"question": "   "},
        {"question": "Vraag?", "backend": "gpt"},
        {"question": "Vraag?", "k": 0},
    ],
)
def test_post_draft_rejects_bad_input(client: Any, payload: dict[str, Any]) -> None:
    r = client.post("/draft", json=payload)
    assert r.status_code == 422
    assert "detail" in r.json()


def test_llm_backend_without_endpoint_falls_back(client: Any) -> None:
    r = client.post("/draft", json={"question": VOG_QUESTION, "backend": "llm"})
    assert r.status_code == 200
    d = r.json()["questions"][0]
    assert d["backend"] == "extractive"
    assert any("geen taalmodel ingesteld" in w for w in d["warnings"])
