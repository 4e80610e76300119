"""The generative draft against a real OpenAI-compatible HTTP server on 127.0.0.1, and tiktoken offline."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.chunk import split_sentences
from rag.commitments import CommitmentIndex, extract
from rag.commitments_llm import LLMClassifier, ReplyError, make_classifier, parse_reply
from rag.corpus import Corpus
from rag.draft import ANSWER_TOKENS, Drafter
from rag.llm import ChatClient, ChatMessage, LLMError
from rag.retrieve import Retriever
from rag.tokens import cache_path, count_tokens, get_encoding, seed_cache
from tests.llm_server import SLOW_SECONDS, LoopbackServer, running

QUESTION = "Hoeveel VOG-aanvragen zijn vertraagd door de storing bij het Openbaar Ministerie?"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with running() as s:
        yield s


@pytest.fixture(scope="module")
def base(retriever: Retriever) -> Drafter:
    return Drafter(retriever)


def drafter_for(base: Drafter, server: LoopbackServer, model: str, **extra: object) -> Drafter:
    s = base.settings.model_copy(
        update={"llm_base_url": server.base_url, "llm_model": model, "llm_api_key": "test-key", **extra}
    )
    return base.with_settings(s)


def test_good_reply_passes_validation(base: Drafter, server: LoopbackServer) -> None:
    before = len(server.requests)
    d = drafter_for(base, server, "echo").draft(QUESTION, backend="llm").questions[0]
    assert d.backend == "llm", d.warnings
    assert d.warnings == []
    assert len(server.requests) == before + 1
    req = server.requests[-1]
    assert req["headers"].get("Authorization") == "Bearer test-key"
    assert req["body"]["model"] == "echo"
    # The server echoed the first sentence of source [1] (and [2]); both must come back with their markers.
    first = split_sentences(" ".join(base.retriever.corpus.pairs[d.sources[0].pair_id].answer_paragraphs))[0]
    assert d.sentences[0].text == first
    assert d.sentences[0].markers == [1]
    assert all(s.markers for s in d.sentences)
    assert {n for s in d.sentences for n in s.markers} <= {s.n for s in d.sources}


def test_prompt_fits_the_token_budget(base: Drafter, server: LoopbackServer) -> None:
    for budget in (3000, ANSWER_TOKENS + 450):
        drafter = drafter_for(base, server, "echo", llm_context_tokens=budget)
        hits = drafter.relevant_hits(QUESTION, 5)
        sources, messages, dropped = drafter.pack_sources(QUESTION, hits)
        used = sum(count_tokens(m.content) for m in messages)
        assert used <= budget - ANSWER_TOKENS, (budget, used)
        assert sources and [s.n for s in sources] == list(range(1, len(sources) + 1))
        if budget < 1000:
            assert dropped > 0, "a tight budget leaves sources out"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("bad-marker", "[99]"),
        ("unmarked", "geen bronverwijzing"),
        ("error", "HTTP 500"),
        ("empty", "leeg"),
    ],
)
def test_bad_output_falls_back_with_a_warning(base: Drafter, server: LoopbackServer, model: str, expected: str) -> None:
    d = drafter_for(base, server, model).draft(QUESTION, backend="llm").questions[0]
    assert d.backend == "extractive"
    assert len(d.warnings) == 1 and expected in d.warnings[0], d.warnings
    assert d.sentences and all(s.markers for s in d.sentences)


def test_timeout_falls_back(base: Drafter, server: LoopbackServer) -> None:
    t0 = time.perf_counter()
    d = drafter_for(base, server, "slow", llm_timeout_s=0.5).draft(QUESTION, backend="llm").questions[0]
    assert time.perf_counter() - t0 < SLOW_SECONDS
    assert d.backend == "extractive"
    assert "0.5 s" in d.warnings[0]


def test_unreachable_endpoint_falls_back(base: Drafter) -> None:
    s = base.settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "echo"})
    d = base.with_settings(s).draft(QUESTION, backend="llm").questions[0]
    assert d.backend == "extractive"
    assert "niet bereikbaar" in d.warnings[0]


def test_no_match_does_not_call_the_model(base: Drafter, server: LoopbackServer) -> None:
    before = len(server.requests)
    d = drafter_for(base, server, "echo").draft("Hoeveel wolven leven er in Nederland?", backend="llm").questions[0]
    assert d.no_relevant_match
    assert len(server.requests) == before


def test_client_reports_http_errors_plainly(server: LoopbackServer) -> None:
    with pytest.raises(LLMError, match="HTTP 500"):
        ChatClient(server.base_url, "error").complete([ChatMessage(role="user", content="Hallo")])


# --- tiktoken offline ----------------------------------------------------------------------------


def test_seeded_cache_is_where_tiktoken_looks(tmp_path: Path) -> None:
    path = seed_cache("cl100k_base", tmp_path)
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    assert path == cache_path("cl100k_base", tmp_path) == tmp_path / hashlib.sha1(url.encode()).hexdigest()
    expected = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
    assert get_encoding("cl100k_base", tmp_path).encode("hello world") == [15339, 1917]


def test_token_count_needs_no_network(tmp_path: Path) -> None:
    # A fresh process, an empty cache dir and a proxy that refuses everything: only the seeded file can work.
    code = (
        "from pathlib import Path; from rag.tokens import get_encoding; "
        f"enc = get_encoding('cl100k_base', Path({str(tmp_path)!r})); "
        "print(len(enc.encode('Er is geen eerder antwoord.')))"
    )
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    env.pop("TIKTOKEN_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == count_tokens("Er is geen eerder antwoord.") > 0


# --- commitments labelled by the chat model ------------------------------------------------------


def llm_classifier(server: LoopbackServer, model: str, cache: Path | None = None) -> LLMClassifier:
    return LLMClassifier(ChatClient(server.base_url, model, timeout_s=10), cache)


def test_llm_labels_travel_over_http_into_commitments(server: LoopbackServer, corpus: Corpus, tmp_path: Path) -> None:
    before = len(server.requests)
    clf = llm_classifier(server, "rules-json", tmp_path / "cache.jsonl")
    got = list(extract(corpus, clf))
    want = list(extract(corpus))
    # the server labels with the rules, so the same sentences come back, now attributed to the model
    assert [(c.id, c.kind, c.term) for c in got] == [(c.id, c.kind, c.term) for c in want]
    assert {c.rule for c in got} == {"taalmodel"} and not clf.fallbacks
    answered = sum(1 for p in corpus.pairs.values() if p.answered and any(s.strip() for s in p.answer_paragraphs))
    assert len(server.requests) - before == clf.asked == answered
    prompt = server.requests[-1]["body"]["messages"]
    assert prompt[0]["role"] == "system" and "toezegging" in prompt[0]["content"]
    assert "Antwoord, per zin genummerd:\n[1] " in prompt[1]["content"]
    # a second run reads the replies from the cache and sends nothing
    again = llm_classifier(server, "rules-json", tmp_path / "cache.jsonl")
    assert [c.id for c in extract(corpus, again)] == [c.id for c in got]
    assert again.asked == 0 and len(server.requests) - before == answered


@pytest.mark.parametrize("model", ["drop-last", "echo", "error"])
def test_unusable_replies_fall_back_to_the_rules(server: LoopbackServer, corpus: Corpus, model: str) -> None:
    clf = llm_classifier(server, model)
    got = list(extract(corpus, clf))
    assert [(c.id, c.kind, c.rule) for c in got] == [(c.id, c.kind, c.rule) for c in extract(corpus)]
    assert clf.fallbacks and len(clf.fallbacks) == clf.asked


def test_parse_reply_checks_every_sentence() -> None:
    sents = ["Ik zal uw Kamer voor de zomer informeren.", "Dat is niet mogelijk."]
    ok = '{"labels": [{"n": 1, "label": "toezegging", "termijn": "voor de zomer"}, {"n": 2, "label": "geen"}]}'
    labels = parse_reply(ok, sents)
    assert [x.kind for x in labels] == ["commitment", None] and labels[0].term == "voor de zomer"
    invented = '[{"n": 1, "label": "toezegging", "termijn": "in mei"}, {"n": 2, "label": "weigering"}]'
    labels = parse_reply(invented, sents)
    assert labels[0].term == "voor de zomer" and labels[1].kind == "refusal"  # a term must be quoted
    for bad, problem in [
        ('[{"n": 1, "label": "geen"}]', "geen label voor zin 2"),
        ('[{"n": 1, "label": "geen"}, {"n": 1, "label": "geen"}]', "twee labels"),
        ('[{"n": 1, "label": "belofte"}, {"n": 2, "label": "geen"}]', "onbekend label"),
        ('[{"n": 3, "label": "geen"}]', "bestaat niet"),
        ("Zin 1 is een toezegging.", "geen geldige JSON"),
    ]:
        with pytest.raises(ReplyError, match=problem):
            parse_reply(bad, sents)


def test_llm_backend_without_endpoint_is_a_clear_error(retriever: Retriever) -> None:
    s = retriever.settings.model_copy(update={"commitments_backend": "llm", "llm_base_url": None})
    with pytest.raises(LLMError, match="VRAAGBAAK_LLM_BASE_URL"):
        make_classifier(s)


def test_switching_to_the_chat_model_serves_stored_labels_until_reindexed(
    server: LoopbackServer, retriever: Retriever
) -> None:
    """No request per answer at query time: the stored rule labels are served, marked stale."""
    before = len(server.requests)
    index = CommitmentIndex(retriever, llm_classifier(server, "rules-json"))
    assert index.source == "index" and index.classifier.startswith("rules-")
    assert index.stale is not None and "rag index --if-needed" in index.stale
    assert index.search("storing", limit=3) and len(server.requests) == before


def test_answers_are_labelled_concurrently_in_corpus_order(
    server: LoopbackServer, corpus: Corpus, tmp_path: Path
) -> None:
    clf = LLMClassifier(ChatClient(server.base_url, "rules-json", timeout_s=10), tmp_path / "c.jsonl", workers=4)
    seen: list[tuple[int, int]] = []
    got = list(extract(corpus, clf, lambda done, total: seen.append((done, total))))
    assert [(c.id, c.kind) for c in got] == [(c.id, c.kind) for c in extract(corpus)]
    answered = sum(1 for p in corpus.pairs.values() if p.answered)
    assert clf.asked == answered and not clf.fallbacks
    assert [d for d, _ in seen] == list(range(1, answered + 1)) and {t for _, t in seen} == {answered}
