"""The search page in Debian's Chromium (via Playwright) against the real app, model and index."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from rag.corpus import Corpus
from tests.conftest import pair_by_question

pytestmark = pytest.mark.browser

# expect() is imported lazily so that collection works without playwright (the fixtures skip then).
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped by the browser fixture
    expect = None  # type: ignore[assignment]


def search_via_api(api: httpx.Client, question: str, **body: Any) -> dict[str, Any]:
    r = api.post("/search", json={"question": question, "k": 10, "split": True, **body})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def search(page: Any, question: str) -> None:
    """Type a question and press Enter; wait until the results are rendered."""
    page.fill("#vraag", question)
    with page.expect_response(lambda r: r.url.endswith("/search")):
        page.press("#vraag", "Enter")
    wait_idle(page)


def wait_idle(page: Any) -> None:
    """The page sets aria-busy=false on the results in the same task that renders them."""
    expect(page.locator("#resultaten")).to_have_attribute("aria-busy", "false")


def card_ids(page: Any, scope: str = "#resultaten") -> list[str]:
    ids: list[str] = page.locator(f"{scope} article.result").evaluate_all("els => els.map(e => e.dataset.pairId)")
    return ids


def card(page: Any, pair_id: str) -> Any:
    return page.locator(f'#resultaten article.result[data-pair-id="{pair_id}"]')


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- searching ------------------------------------------------------------------------------------


def test_enter_searches_and_shows_the_reworded_pair(page: Any, corpus: Corpus, shot: Any) -> None:
    want = pair_by_question(corpus, "Maakt de overstap van de Belastingdienst naar Microsoft 365 onze overheid")
    textarea = page.locator("#vraag")

    # Shift+Enter is a new line, not a search
    textarea.click()
    textarea.type("Eerste regel")
    textarea.press("Shift+Enter")
    textarea.type("tweede regel")
    assert textarea.input_value() == "Eerste regel\ntweede regel"
    expect(page.locator("#resultaten article.result")).to_have_count(0)

    search(page, "Wordt de overheid afhankelijker van Amerika nu de Belastingdienst overstapt op Microsoft 365?")
    assert want in card_ids(page)[:3]
    hit = card(page, want)
    expect(hit).to_be_visible()
    expect(hit.locator(".badge-open")).to_have_text("Nog niet beantwoord")
    expect(hit.locator(".result-title")).to_contain_text("De overstap van de Belastingdienst naar Microsoft")
    expect(hit.locator(".meta")).to_contain_text("Heijnen en van Marum")
    expect(hit.locator(".meta")).to_contain_text("Jesse Six Dijkstra (NSC) en Barbara Kathmann (PvdA)")
    marks = hit.locator(".question mark").all_inner_texts()
    assert {"Belastingdienst", "Microsoft"} <= set(marks), marks
    expect(page.locator("#zoekknop")).to_be_enabled()
    expect(page.locator("#zoekknop")).to_have_text("Zoeken")
    shot(page, "01-resultaten", at=page.locator("#status"))


def test_a_set_of_questions_gets_a_heading_per_sub_question(page: Any, corpus: Corpus, shot: Any) -> None:
    text = (
        "1. Hoeveel VOG-aanvragen liepen vertraging op door de storing bij het OM?\n"
        "2. Welke Europese alternatieven voor Microsoft 365 zijn onderzocht?"
    )
    page.fill("#vraag", text)
    with page.expect_response(lambda r: r.url.endswith("/search")):
        page.get_by_role("button", name="Zoeken").click()
    wait_idle(page)
    expect(page.locator("#status")).to_contain_text("2 deelvragen")
    headings = page.locator("#resultaten h2.sub-heading")
    expect(headings).to_have_count(2)
    expect(headings.nth(0)).to_contain_text("Deelvraag 1 van 2")
    expect(headings.nth(0)).to_contain_text("Hoeveel VOG-aanvragen liepen vertraging op")
    expect(headings.nth(1)).to_contain_text("Deelvraag 2 van 2")
    vog = pair_by_question(corpus, "Hoeveel VOG-aanvragen zijn er sinds 17 juli 2025 ingediend")
    alt = pair_by_question(corpus, "welke Europese alternatieven zijn onderzocht voordat de keuze")
    assert vog in card_ids(page, "#deelvraag-1")[:3]
    assert alt in card_ids(page, "#deelvraag-2")[:3]
    shot(page, "02-deelvragen", at=page.locator("#status"))


# --- filters --------------------------------------------------------------------------------------


def test_filters_narrow_the_results_and_rerun_the_search(page: Any, api: httpx.Client, shot: Any) -> None:
    q = "Wat doet de regering tegen de afhankelijkheid van Amerikaanse clouddiensten?"
    search(page, q)
    assert page.locator("#resultaten article.result.is-open").count() > 0, (
        "expected unanswered results before filtering"
    )

    with page.expect_response(lambda r: r.url.endswith("/search")) as resp:
        page.get_by_label("Alleen beantwoorde vragen").check()
    wait_idle(page)
    assert resp.value.request.post_data_json["answered_only"] is True
    expect(page.locator("#status")).to_contain_text("filters actief")
    expect(page.locator("#resultaten article.result.is-open")).to_have_count(0)
    want = [h["id"] for h in search_via_api(api, q, answered_only=True)["results"]]
    assert want and card_ids(page) == want
    expect(page.locator("#resultaten .badge-open")).to_have_count(0)
    expect(page.locator("#resultaten .badge-answered")).to_have_count(len(want))
    expect(page.locator("#resultaten .badge-answered").first).to_have_text("Beantwoord")
    shot(page, "03-filter-beantwoord", at=page.locator(".filters"))

    with page.expect_response(lambda r: r.url.endswith("/search")):
        page.get_by_label("Bewindspersoon").select_option("Moes")
    wait_idle(page)
    want = [h["id"] for h in search_via_api(api, q, answered_only=True, minister="Moes")["results"]]
    expect(page.locator("#resultaten article.result")).to_have_count(len(want))
    assert card_ids(page) == want
    for meta in page.locator("#resultaten article.result .meta").all_inner_texts():
        assert "Moes" in meta


# --- copying a citation ---------------------------------------------------------------------------

COPY_Q = "Welke maatregelen neemt de regering om de schade door de hack bij het bevolkingsonderzoek te beperken?"


def test_copy_puts_the_exact_citation_on_the_clipboard(page: Any, api: httpx.Client, shot: Any) -> None:
    search(page, COPY_Q)
    second = page.locator("#resultaten article.result").nth(1)
    pair_id = second.get_attribute("data-pair-id")
    expected = next(h for h in search_via_api(api, COPY_Q)["results"] if h["id"] == pair_id)["citation"]["text"]
    expect(second.locator(".citation-text")).to_have_text(expected)
    # an answered result: its answer is shown with the query words marked
    expect(second.locator(".badge-answered")).to_have_text("Beantwoord")
    assert second.locator(".answer mark").count() > 0

    second.get_by_role("button", name="Kopieer bronvermelding").click()
    expect(second.locator(".copy-msg")).to_have_text("Gekopieerd")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    expect(second.locator(".copy-fallback")).to_be_hidden()
    second.scroll_into_view_if_needed()
    shot(page, "04-gekopieerd")


def test_copy_falls_back_to_a_selected_visible_field(new_page: Any, api: httpx.Client, shot: Any) -> None:
    page = new_page(init_script="Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});")
    assert page.evaluate("navigator.clipboard === undefined")
    search(page, COPY_Q)
    first = page.locator("#resultaten article.result").first
    pair_id = first.get_attribute("data-pair-id")
    expected = next(h for h in search_via_api(api, COPY_Q)["results"] if h["id"] == pair_id)["citation"]["text"]

    first.get_by_role("button", name="Kopieer bronvermelding").click()
    field = first.locator(".copy-fallback textarea")
    expect(field).to_be_visible()
    expect(field).to_have_value(expected)
    expect(field).to_have_attribute("readonly", "")
    expect(field).to_be_focused()
    selected = field.evaluate("f => f.value.substring(f.selectionStart, f.selectionEnd)")
    assert selected == expected
    expect(first.locator(".copy-msg")).not_to_be_empty()
    shot(page, "05-kopieer-terugval")


def test_long_answers_are_cut_with_toon_meer_and_nothing_overflows(new_page: Any, shot: Any) -> None:
    page = new_page()
    search(page, COPY_Q)
    cards = page.locator("#resultaten article.result")
    states = cards.evaluate_all(
        """els => els.filter(e => e.querySelector('.clamp')).map(e => {
               const c = e.querySelector('.clamp'), b = e.querySelector('.btn-more');
               return {id: e.dataset.pairId, cut: c.scrollHeight > c.clientHeight + 4,
                       shown: !!(b.offsetWidth || b.offsetHeight)}; })"""
    )
    assert any(s["cut"] for s in states) and any(not s["cut"] for s in states), states
    for s in states:  # "Toon meer" exactly where the answer is cut off
        assert s["cut"] == s["shown"], s
    long_id = next(s["id"] for s in states if s["cut"])
    long_card = card(page, long_id)
    more = long_card.get_by_role("button", name="Toon meer")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(long_card.locator(".btn-more")).to_have_text("Toon minder")
    expect(long_card.locator(".btn-more")).to_have_attribute("aria-expanded", "true")
    assert long_card.locator(".clamp").evaluate("c => c.scrollHeight <= c.clientHeight + 1")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    phone = new_page(width=390, height=844)
    search(phone, COPY_Q)
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(phone, "15-smal-scherm", at=phone.locator("#status"))


# --- no relevant match ----------------------------------------------------------------------------


def test_out_of_corpus_question_shows_the_no_match_state(page: Any, api: httpx.Client, shot: Any) -> None:
    q = "Hoeveel paling mag er nog gevangen worden in het IJsselmeer?"
    data = search_via_api(api, q)
    search(page, q)
    shot(page, "06-geen-antwoord", at=page.locator("#status"))
    assert data["no_relevant_match"] is True, (
        "the relevance gate did not fire for an out-of-corpus question "
        f"(top_dense_score={data['top_dense_score']}, best hit {data['results'][0]['id']}); "
        "the page shows these results as relevant"
    )
    nomatch = page.locator("#resultaten .nomatch")
    expect(nomatch.locator(".nomatch-title")).to_have_text("Geen eerder antwoord gevonden")
    weak = nomatch.locator("details.weak-results")
    expect(weak).not_to_have_attribute("open", "")
    expect(weak.locator("summary")).to_contain_text("waarschijnlijk niet relevant")
    expect(weak.locator("article.result").first).to_be_hidden()
    weak.locator("summary").click()
    expect(weak.locator("article.result").first).to_be_visible()
    assert card_ids(page) == [h["id"] for h in data["results"]]


def test_no_match_state_rendering(page: Any, api: httpx.Client, shot: Any) -> None:
    """The no-match state itself: a real /search answer with the gate's verdict forced on."""
    q = "Hoeveel paling mag er nog gevangen worden in het IJsselmeer?"

    def gated(route: Any) -> None:
        body = route.fetch().json()
        body["no_relevant_match"] = True
        for sub in body.get("questions") or []:
            sub["no_relevant_match"] = True
        route.fulfill(json=body)

    page.route("**/search", gated)
    search(page, q)
    nomatch = page.locator("#resultaten .nomatch")
    expect(nomatch.locator(".nomatch-title")).to_have_text("Geen eerder antwoord gevonden")
    expect(nomatch).to_contain_text("beste overeenkomst")
    weak = nomatch.locator("details.weak-results")
    expect(weak.locator("summary")).to_have_text(
        re.compile(r"Toon \d+ zwakke resultaten \(waarschijnlijk niet relevant\)")
    )
    expect(weak.locator("article.result").first).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("geen eerder antwoord gevonden")
    weak.locator("summary").click()
    expect(weak.locator("article.result").first).to_be_visible()
    expect(weak.locator(".weak-note")).to_be_visible()
    shot(page, "06b-geen-antwoord-opengeklapt", at=page.locator("#status"))


# --- errors and loading -----------------------------------------------------------------------------


def test_too_long_question_shows_a_readable_422(page: Any, shot: Any) -> None:
    long_text = ("Waarom duurt de afhandeling van deze Kamervragen zo lang? " * 90)[:5000]
    assert len(long_text) == 5000
    page.fill("#vraag", long_text)
    expect(page.locator("#vraag-teller")).to_contain_text("te lang")
    with page.expect_response(lambda r: r.url.endswith("/search")) as resp:
        page.press("#vraag", "Enter")
    assert resp.value.status == 422
    error = page.locator("#fout")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("De tekst is te lang: maximaal 4.000 tekens")
    expect(error).to_contain_text("U stuurde 5.000 tekens")
    expect(error).to_contain_text("Melding van de server: question: String should have at most 4000 characters")
    expect(page.locator("#zoekknop")).to_be_enabled()
    expect(page.locator("#resultaten article.result")).to_have_count(0)
    shot(page, "07-fout-te-lang")


def test_server_error_and_network_failure_are_readable(page: Any, shot: Any) -> None:
    page.route(
        "**/search",
        lambda route: route.fulfill(status=500, json={"detail": "internal error; see the server log"}),
    )
    search_no_wait(page, "Wat is de stand van zaken rond de hack bij het OM?")
    error = page.locator("#fout")
    expect(error).to_contain_text("Er ging iets mis op de server bij het zoeken (fout 500)")
    expect(error).to_contain_text("internal error; see the server log")
    expect(page.locator("#zoekknop")).to_be_enabled()

    page.unroute("**/search")
    page.route("**/search", lambda route: route.abort("internetdisconnected"))
    search_no_wait(page, "Wat is de stand van zaken rond de hack bij het OM?")
    expect(error).to_contain_text("Geen verbinding met Vraagbaak bij het zoeken")
    expect(page.locator("#zoekknop")).to_be_enabled()
    shot(page, "08-fout-netwerk")


def search_no_wait(page: Any, question: str) -> None:
    page.fill("#vraag", question)
    page.press("#vraag", "Enter")


def test_slow_search_shows_a_loading_state(page: Any, shot: Any) -> None:
    held: list[Any] = []
    page.route("**/search", lambda route: held.append(route))
    search_no_wait(page, "Wat is de stand van zaken rond de hack bij het OM?")
    button = page.locator("#zoekknop")
    expect(button).to_be_disabled()
    expect(button).to_have_text("Bezig met zoeken…")
    expect(page.locator("#status")).to_have_text("Bezig met zoeken…")
    expect(page.locator("#status")).to_have_attribute("aria-live", "polite")
    shot(page, "09-bezig-met-zoeken")
    assert held, "the search request was not sent"
    held[0].continue_()
    expect(page.locator("#status")).to_contain_text("Klaar")
    expect(button).to_be_enabled()
    assert page.locator("#resultaten article.result").count() > 0


# --- opening a pair and a whole document -----------------------------------------------------------


def test_open_pair_and_whole_document(page: Any, api: httpx.Client, shot: Any) -> None:
    search(page, COPY_Q)
    first = page.locator("#resultaten article.result").first
    pair_id = first.get_attribute("data-pair-id")
    doc_id = first.get_attribute("data-document-id")
    pair = api.get(f"/pairs/{pair_id}").json()

    opener = first.get_by_role("button", name="Toon vraag en antwoord")
    opener.click()
    dialog = page.locator("dialog#paneel")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#paneel-titel")).to_have_text("Vraag en antwoord")
    expect(dialog.locator(".citation-text")).to_have_text(pair["citation"]["text"])
    body = norm(dialog.inner_text())
    assert norm(pair["pair"]["question"]) in body
    for para in pair["pair"]["answer_paragraphs"]:
        assert norm(para) in body
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    first.get_by_role("button", name="Open hele document").click()
    expect(dialog.locator("#paneel-titel")).to_have_text("Hele document")
    doc = api.get(f"/documents/{doc_id}").json()
    items = dialog.locator("li.doc-pair")
    expect(items).to_have_count(len(doc["pairs"]))
    expect(dialog.locator(".doc-title")).to_have_text(doc["document"]["title"])
    body = norm(dialog.inner_text())
    for p in doc["pairs"]:
        assert norm(p["question"]) in body
        for para in p["answer_paragraphs"]:
            assert norm(para) in body
    current = dialog.locator("li.doc-pair.current")
    expect(current).to_have_attribute("data-pair-id", pair_id)
    expect(current).to_be_in_viewport()
    shot(page, "10-heel-document")
    dialog.get_by_role("button", name="Sluiten").click()
    expect(dialog).to_be_hidden()


def test_header_missing_document_is_labelled_honestly(page: Any, api: httpx.Client, corpus: Corpus, shot: Any) -> None:
    search(page, "Welke voorwaarden gelden voor het gebruik van de 2GHz-frequentie voor satellietcommunicatie?")
    headerless = [d for d in corpus.documents.values() if d.header_missing]
    titles = [d.title for d in corpus.documents.values() if d.title]
    first = page.locator("#resultaten article.result").first
    doc_id = first.get_attribute("data-document-id")
    assert doc_id in {d.id for d in headerless}
    expect(first.locator(".badge-warn")).to_have_text("Kop ontbreekt in bron")
    expect(first).to_contain_text("Kop ontbreekt in bron; de Kamervragen beginnen met")
    expect(first.locator(".meta")).to_contain_text("Niet vermeld: de kop ontbreekt in de bron.")
    text = first.inner_text()
    for title in titles:  # no title of any other document is shown for it
        assert title not in text
    shot(first, "11-kop-ontbreekt-resultaat")

    first.get_by_role("button", name="Open hele document").click()
    dialog = page.locator("dialog#paneel")
    expect(dialog.locator(".doc-header .badge-warn")).to_have_text("Kop ontbreekt in bron")
    expect(dialog.locator(".doc-title")).to_have_text("Kamervragen zonder titel")
    doc = api.get(f"/documents/{doc_id}").json()
    expect(dialog.locator("li.doc-pair")).to_have_count(len(doc["pairs"]))
    body = dialog.inner_text()
    for title in titles:
        assert title not in body
    shot(page, "11-kop-ontbreekt-document")


# --- keyboard and accessibility basics ----------------------------------------------------------------


def test_keyboard_use_labels_and_focus_styles(page: Any) -> None:
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
               .map(e => e.outerHTML)"""
    )
    assert unlabeled == []
    expect(page.locator("#status")).to_have_attribute("aria-live", "polite")
    assert page.locator("[onclick], a:not([href]), div[role=button]").count() == 0

    search(page, COPY_Q)
    # Tab from the search box through the filters to the results
    page.focus("#vraag")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement;
                       return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 40),
                               inResult: !!e.closest('article.result'),
                               outline: getComputedStyle(e).outlineStyle} }"""
        )
        seen.append(info)
        if info["inResult"]:
            break
    ids = [s["id"] for s in seen]
    assert ids[:5] == [
        "filter-minister",
        "filter-partij",
        "filter-kamerlid",
        "filter-aantal",
        "filter-beantwoord",
    ], ids
    assert seen[-1]["inResult"] and seen[-1]["tag"] == "BUTTON", seen
    assert all(s["outline"] != "none" for s in seen), seen
