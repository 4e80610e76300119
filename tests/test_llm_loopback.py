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
