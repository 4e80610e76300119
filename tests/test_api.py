"""The HTTP API through TestClient, with the real model and index on the real corpus."""

from __future__ import annotations

from typing import Any

import pytest

from rag.corpus import Corpus
from tests.conftest import pair_by_question


def _search(client: Any, **body: Any) -> dict[str, Any]:
    r = client.post("/search", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_health(client: Any) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok"
    assert (h["documents"], h["pairs"], h["answered"]) == (20, 217, 111)
    assert h["model"] == "intfloat/multilingual-e5-small"
    assert h["index_built_at"]


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        # reworded Dutch questions find their original pair first
        (
            "Hoeveel aanvragen voor een verklaring omtrent gedrag zijn vertraagd door de storing bij het OM "
            "sinds juli?",
            "Hoeveel VOG-aanvragen zijn er sinds 17 juli 2025 ingediend",
        ),
        (
            "Dient de verhuizing van de IT-systemen van de Belastingdienst naar Microsoft de strategische autonomie?",
            "Acht u de keuze voor de Belastingdienst om de eigen ICT te verhuizen naar Microsoft",
        ),
        # an English question finds the Dutch pair
        (
            "How many criminal investigations has the public prosecutor started for breaching the Russia sanctions?",
            "Hoeveel keer is het OM overgegaan tot vervolging",
        ),
    ],
)
def test_reworded_question_finds_original_first(client: Any, corpus: Corpus, query: str, needle: str) -> None:
    want = pair_by_question(corpus, needle)
    data = _search(client, question=query, k=5)
    assert data["results"][0]["id"] == want
    assert data["no_relevant_match"] is False


def test_result_shape_and_citation(client: Any, corpus: Corpus) -> None:
    data = _search(
        client, question="Zijn er strafrechtelijke onderzoeken naar het niet naleven van Ruslandsancties?", k=3
    )
    hit = data["results"][0]
    assert set(hit) >= {"id", "score", "question", "answer", "citation"}
    c = hit["citation"]
    assert c["document_title"] == "Het niet naleven van sancties tegen Rusland door Nederlandse internetproviders"
    assert c["submitters"] == [{"name": "Sarah Dobbe", "party": "SP", "role": None}]
    assert c["ministers"][0]["name"] == "David van Weel"
    assert c["answered"] is True
    assert c["source"] == "kamervragen-2025-digitaal.txt"
    assert c["line_start"] <= c["line_end"]
    assert c["text"].startswith("Antwoord op vraag ")
    assert "Sarah Dobbe (SP)" in c["text"]
    scores = [h["score"] for h in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_filters(client: Any, corpus: Corpus) -> None:
    q = "Wat doet de regering tegen de afhankelijkheid van Amerikaanse clouddiensten?"
    answered = _search(client, question=q, k=20, answered_only=True)["results"]
    assert answered and all(h["answered"] for h in answered)
    party = _search(client, question=q, k=20, party="pvdA")["results"]
    assert party and all(any(s["party"] == "PvdA" for s in h["citation"]["submitters"]) for h in party)
    minister = _search(client, question=q, k=20, minister="van weel")["results"]
    assert minister and all(any(m["name"] == "David van Weel" for m in h["citation"]["ministers"]) for h in minister)
    nobody = _search(client, question=q, k=5, submitter="Niemand Bestaat")
    assert nobody["results"] == [] and nobody["no_relevant_match"] is True


def test_split_returns_per_question_results(client: Any) -> None:
    text = (
        "1. Hoeveel VOG-aanvragen liepen vertraging op?\n"
        "2. Welke Europese alternatieven voor Microsoft 365 zijn onderzocht?"
    )
    data = _search(client, question=text, k=3, split=True)
    assert [q["query"] for q in data["questions"]] == [
        "Hoeveel VOG-aanvragen liepen vertraging op?",
        "Welke Europese alternatieven voor Microsoft 365 zijn onderzocht?",
    ]
    assert "VOG" in data["questions"][0]["results"][0]["question"]
    assert "Europese alternatieven" in data["questions"][1]["results"][0]["question"]
    batch = client.post(
        "/search/batch", json={"questions": ["Palantir ketenpartners?", "2GHz frequentie Starlink?"], "k": 2}
    )
    assert batch.status_code == 200
    assert len(batch.json()["questions"]) == 2


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t "}, "empty or whitespace"),
        ({"question": "x" * 4001}, "at most 4000"),
        ({"question": "VOG", "k": 0}, "k"),
        ({"question": "VOG", "k": 101}, "k"),
        ({"question": "VOG", "k": "tien"}, "k"),
        ({"question": 42}, "question"),
        ({"vraag": "VOG"}, "question"),
        ({"question": "VOG", "mode": "magic"}, "mode"),
    ],
)
def test_bad_input_is_422_with_message(client: Any, body: dict[str, Any], needle: str) -> None:
    r = client.post("/search", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and needle in detail
    assert "Traceback" not in r.text


def test_malformed_json_is_422(client: Any) -> None:
    r = client.post("/search", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "Traceback" not in r.text


def test_pairs_and_documents(client: Any, corpus: Corpus) -> None:
    pid = pair_by_question(corpus, "Palantir")
    r = client.get(f"/pairs/{pid}")
    assert r.status_code == 200
    body = r.json()
    assert body["pair"]["id"] == pid and body["document"]["title"] == "Palantir"
    assert body["citation"]["question_number"] == body["pair"]["number"]
    d = client.get(f"/documents/{body['document']['id']}")
    assert d.status_code == 200
    assert len(d.json()["pairs"]) == 5
    assert client.get("/pairs/kv-000000000000-q01").status_code == 404
    nf = client.get("/documents/nope")
    assert nf.status_code == 404 and "nope" in nf.json()["detail"]


def test_openapi_and_facets(client: Any) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/search" in spec["paths"] and "/health" in spec["paths"]
    f = client.get("/facets").json()
    assert "David van Weel" in f["ministers"] and "PvdA" in f["parties"]
