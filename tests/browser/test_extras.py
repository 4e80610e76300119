"""Conceptantwoord (POST /draft) and Toezeggingen (GET /commitments) on the page.

The page asks /openapi.json whether these endpoints exist; it hides the panels when not (or on a 404).
The rendering tests feed the page responses in the shapes of rag/draft.py and rag/commitments.py, built from
real search hits, so they do not depend on the endpoints being deployed; the last test uses the real ones.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped by the browser fixture
    expect = None  # type: ignore[assignment]

Q = "Welke maatregelen neemt de regering om de schade door de hack bij het bevolkingsonderzoek te beperken?"


def search(page: Any, question: str) -> None:
    page.fill("#vraag", question)
    with page.expect_response(lambda r: r.url.endswith("/search")):
        page.press("#vraag", "Enter")
    expect(page.locator("#resultaten")).to_have_attribute("aria-busy", "false")


def with_paths(route: Any, *extra: str) -> None:
    """The real OpenAPI document, with the given paths added (GET for /commitments, POST for /draft)."""
    spec = route.fetch().json()
    for path in extra:
        spec["paths"][path] = {"get" if path == "/commitments" else "post": {"summary": "test"}}
    route.fulfill(json=spec)


def hits(api: httpx.Client, question: str) -> list[dict[str, Any]]:
    r = api.post("/search", json={"question": question, "k": 10, "split": True})
    assert r.status_code == 200
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def test_panels_are_hidden_when_the_endpoints_answer_404(new_page: Any) -> None:
    # openapi.json unavailable: the page cannot know, tries the endpoints, and hides the panels on 404
    page = new_page()
    page.route("**/openapi.json", lambda route: route.fulfill(status=500, body="kapot"))
    page.route("**/draft", lambda route: route.fulfill(status=404, json={"detail": "Not Found"}))
    page.route("**/commitments?*", lambda route: route.fulfill(status=404, json={"detail": "Not Found"}))
    page.reload()
    page.wait_for_selector("body[data-ready]")
    with page.expect_response("**/draft"):
        search(page, Q)
    expect(page.locator(".extra.draft")).to_have_count(0)
    expect(page.locator(".extra.commitments")).to_have_count(0)
    expect(page.locator("#fout")).to_be_hidden()
    expect(page.locator("#resultaten article.result").first).to_be_visible()


def test_draft_markers_link_to_their_sources_and_commitments_are_listed(
    new_page: Any, api: httpx.Client, shot: Any
) -> None:
    results = hits(api, Q)
    answered = [h for h in results if h["answered"]][:2]
    assert len(answered) == 2
    sources = [
        {"n": n, "pair_id": h["id"], "question": h["question"], "citation": h["citation"]}
        for n, h in enumerate(answered, 1)
    ]
    draft = {
        "questions": [
            {
                "question": Q,
                "draft": (
                    "BVO NL beperkt de gevolgen van de hack. [1] Het laboratorium heeft maatregelen getroffen. [2] [1]"
                ),
                "sentences": [
                    {"text": "BVO NL beperkt de gevolgen van de hack.", "markers": [1]},
                    {"text": "Het laboratorium heeft maatregelen getroffen.", "markers": [2, 1]},
                ],
                "sources": sources,
                "no_relevant_match": False,
                "backend": "extractive",
                "warnings": [],
            }
        ]
    }
    commitments = {
        "commitments": [
            {
                "id": f"{answered[0]['id']}-c0.1",
                "pair_id": answered[0]["id"],
                "document_id": answered[0]["document_id"],
                "who": ["Judith Tielen"],
                "who_text": "Judith Tielen (Volkspartij voor Vrijheid en Democratie)",
                "text": "Ik zal uw Kamer voor de zomer informeren over de maatregelen.",
                "what": "uw Kamer voor de zomer informeren over de maatregelen",
                "term": "voor de zomer",
                "kind": "commitment",
                "rule": "zal/ga + regering",
                "score": 0.9,
                "citation": answered[0]["citation"],
            },
            {
                "id": f"{answered[1]['id']}-c0.2",
                "pair_id": answered[1]["id"],
                "document_id": answered[1]["document_id"],
                "who": ["Daniëlle Jansen"],
                "who_text": "Daniëlle Jansen (NSC)",
                "text": "Ik ben niet bereid de onderzoeksrapporten openbaar te maken.",
                "what": "Ik ben niet bereid de onderzoeksrapporten openbaar te maken",
                "term": None,
                "kind": "refusal",
                "rule": "niet bereid",
                "score": 0.8,
                "citation": answered[1]["citation"],
            },
            {
                "id": "kv-elders-q01-c0.0",
                "pair_id": "kv-elders-q01",
                "document_id": "kv-elders",
                "who": ["Iemand Anders"],
                "who_text": "Iemand Anders",
                "text": "Ik zal de Kamer informeren over iets heel anders.",
                "what": "de Kamer informeren over iets heel anders",
                "term": None,
                "kind": "commitment",
                "rule": "zal/ga + regering",
                "score": 0.95,
                "citation": answered[1]["citation"],
            },
        ]
    }
    seen: dict[str, Any] = {}

    def on_draft(route: Any) -> None:
        seen["draft"] = route.request.post_data_json
        route.fulfill(json=draft)

    def on_commitments(route: Any) -> None:
        seen["commitments"] = urllib.parse.parse_qs(urllib.parse.urlsplit(route.request.url).query)
        route.fulfill(json=commitments)

    page = new_page()
    page.route("**/openapi.json", lambda route: with_paths(route, "/draft", "/commitments"))
    page.route("**/draft", on_draft)
    page.route("**/commitments?*", on_commitments)
    page.reload()
    page.wait_for_selector("body[data-ready]")
    search(page, Q)

    panel = page.locator(".extra.draft")
    expect(panel.locator(".extra-title")).to_have_text("Conceptantwoord")
    expect(panel.locator(".draft-text")).to_contain_text("BVO NL beperkt de gevolgen van de hack.")
    assert seen["draft"]["question"] == Q
    markers = panel.locator("a.marker")
    expect(markers).to_have_text(["[1]", "[2]", "[1]"])
    assert markers.nth(1).get_attribute("href") == "#bron-1-2"

    markers.nth(1).click()
    source = page.locator("#bron-1-2")
    expect(source).to_be_focused()
    expect(source).to_have_class("draft-source flash")
    expect(source).to_contain_text(sources[1]["citation"]["text"])
    card = page.locator(f'#resultaten article.result[data-pair-id="{sources[1]["pair_id"]}"]')
    expect(card).to_have_class("result is-answered flash")
    shot(page, "12-conceptantwoord")

    # the whole draft with its numbered sources can be copied
    panel.get_by_role("button", name="Kopieer concept met bronnen").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(draft["questions"][0]["draft"])
    assert f"[2] {sources[1]['citation']['text']}" in copied

    box = page.locator(".extra.commitments")
    expect(box.locator(".extra-title")).to_have_text("Toezeggingen")
    assert seen["commitments"]["q"] == [Q]
    # collapsed below the draft, with the counts in the summary; opened by keyboard
    summary = box.locator("summary")
    expect(summary).to_contain_text("1 toezegging en 1 weigering in de gevonden antwoorden")
    expect(box.locator("li.commitment").first).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    items = box.locator("li.commitment")
    expect(items).to_have_count(2)  # not the one from an answer outside the results
    expect(box).not_to_contain_text("iets heel anders")
    expect(items.nth(0).locator(".badge")).to_have_text("Toezegging")
    expect(items.nth(0)).to_contain_text("Termijn: voor de zomer")
    expect(items.nth(0)).to_contain_text("Door Judith Tielen (Volkspartij voor Vrijheid en Democratie)")
    expect(items.nth(0).locator(".citation-text")).to_have_text(answered[0]["citation"]["text"])
    expect(items.nth(1).locator(".badge")).to_have_text("Weigering/niet uitvoerbaar")
    expect(items.nth(1)).to_contain_text("Geen termijn genoemd")
    box.scroll_into_view_if_needed()
    shot(page, "13-toezeggingen")
    # a minister filter is passed on to /commitments
    with page.expect_request("**/commitments?*") as req:
        page.get_by_label("Bewindspersoon").select_option("Judith Tielen")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req.value.url).query)
    assert query["minister"] == ["Judith Tielen"]


def test_real_draft_and_commitments_endpoints(page: Any, api: httpx.Client, shot: Any) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    if "/draft" not in paths or "/commitments" not in paths:
        pytest.skip("POST /draft or GET /commitments is not in this API yet (the page hides their panels)")
    search(page, Q)
    result_ids = {h["id"] for h in hits(api, Q)}

    real = api.post("/draft", json={"question": Q}).json()["questions"][0]
    panel = page.locator(".extra.draft")
    expect(panel).to_have_count(1)
    expect(panel.locator(".extra-title")).to_have_text("Conceptantwoord")
    assert not real["no_relevant_match"], "expected an extractive draft for an in-corpus question"
    want = [f"[{n}]" for s in real["sentences"] for n in s["markers"]]
    expect(panel.locator("a.marker")).to_have_text(want)
    expect(panel.locator("li.draft-source")).to_have_count(len(real["sources"]))
    for src in real["sources"]:
        expect(page.locator(f"#bron-1-{src['n']}")).to_contain_text(src["citation"]["text"])
    shot(page, "14-echt-conceptantwoord", at=panel)
    first = real["sentences"][0]["markers"][0]
    panel.locator("a.marker").first.click()
    expect(page.locator(f"#bron-1-{first}")).to_be_focused()

    ranked = api.get("/commitments", params={"q": Q, "limit": 200}).json()["commitments"]
    kept = [c for c in ranked if c["pair_id"] in result_ids]
    box = page.locator(".extra.commitments")
    expect(box.locator(".extra-title")).to_have_text("Toezeggingen")
    if kept:
        box.locator("summary").click()
    else:
        expect(box).to_contain_text("Geen toezeggingen of weigeringen in de gevonden antwoorden")
    items = box.locator("li.commitment")
    expect(items).to_have_count(len(kept))
    for i, c in enumerate(kept):
        badge = "Weigering/niet uitvoerbaar" if c["kind"] == "refusal" else "Toezegging"
        expect(items.nth(i).locator(".badge")).to_have_text(badge)
        expect(items.nth(i).locator(".commitment-text")).to_have_text(c["text"])
        expect(items.nth(i).locator(".term")).to_have_text(
            f"Termijn: {c['term']}" if c["term"] else "Geen termijn genoemd"
        )
    page.wait_for_timeout(600)  # let the smooth scroll from the marker click finish
    shot(page, "14b-echt-toezeggingen", at=box)


def test_out_of_corpus_draft_says_so(page: Any, api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    if "/draft" not in paths:
        pytest.skip("POST /draft is not in this API yet")
    q = "Hoeveel paling mag er nog gevangen worden in het IJsselmeer?"
    real = api.post("/draft", json={"question": q}).json()["questions"][0]
    search(page, q)
    panel = page.locator(".extra.draft")
    expect(panel.locator(".draft-view")).to_be_visible()
    if real["no_relevant_match"]:
        expect(panel).to_contain_text("Geen concept: er is geen eerder antwoord gevonden")
        expect(panel.locator("a.marker")).to_have_count(0)
    else:
        pytest.fail(f"the draft gate did not fire for an out-of-corpus question: {real['draft'][:120]!r}")


def test_asked_before_banner(page: Any, api: httpx.Client, shot: Any) -> None:
    """A near-verbatim draft question gets an 'Eerder gesteld' banner with the earlier question and its citation."""
    q = (
        "Hoeveel aanvragen voor een VOG zijn er sinds 17 juli 2025 ingediend waarbij de beoordeling vertraagd is "
        "doordat actuele gegevens in het JDS ontbraken?"
    )
    similar = api.post("/similar", json={"question": q}).json()
    assert similar["asked_before"] is True
    best = similar["matches"][0]
    with page.expect_response("**/similar"):
        search(page, q)
    banner = page.locator(".extra.similar")
    expect(banner).to_have_count(1)
    expect(banner.locator(".similar-question")).to_have_text(best["question"])
    expect(banner.locator(".citation-text")).to_have_text(best["citation"]["text"])
    shot(page, "16-eerder-gesteld", at=banner)
    banner.get_by_role("button", name="Toon die vraag en het antwoord").click()
    expect(page.locator("dialog[open]")).to_contain_text(best["question"])


def test_no_banner_for_a_new_question(page: Any, api: httpx.Client) -> None:
    q = "Hoeveel paling mag er nog gevangen worden in het IJsselmeer?"
    assert api.post("/similar", json={"question": q}).json()["asked_before"] is False
    with page.expect_response("**/similar"):
        search(page, q)
    expect(page.locator(".extra.similar")).to_have_count(0)
