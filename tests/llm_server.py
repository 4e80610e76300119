"""A tiny OpenAI-compatible chat server for tests: its reply is derived from the request's numbered sources.

The model name picks the behaviour:
- ``echo``: the first sentence of source [1] with " [1]" (and of source [2] with " [2]" when present);
- ``bad-marker``: the same sentence citing a source that was not provided ([99]);
- ``unmarked``: a good sentence followed by one without a marker;
- ``error``: HTTP 500;
- ``slow``: waits ``SLOW_SECONDS`` before answering like ``echo``;
- ``empty``: an empty message.

A commitment-labelling prompt ("Antwoord, per zin genummerd:") is answered with JSON labels instead:
- ``rules-json``: the rule classifier's label for every numbered sentence, in a ```json fence;
- ``drop-last``: the same without the last sentence (an incomplete reply);
- any other model: the mode's reply as above (not JSON).
"""

from __future__ import annotations

import json
import re
import time
from contextlib import AbstractContextManager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from eval.replay_server import in_background

SLOW_SECONDS = 3.0
_SOURCE = re.compile(r"^\[(\d+)\] Eerdere vraag: .*?\nAntwoord: (.*?)$", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9«(“‘\"'-])")


def sources_in(prompt: str) -> dict[int, str]:
    """The numbered source answers found in a prompt."""
    return {int(n): text.strip() for n, text in _SOURCE.findall(prompt)}


def first_sentence(text: str) -> str:
    """The first sentence of a text."""
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip()


_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.M)
_DUTCH = {"commitment": "toezegging", "refusal": "weigering", None: "geen"}


def label_reply(model: str, prompt: str) -> str:
    """JSON labels for the numbered sentences of a commitment prompt, from the rules."""
    from rag.commitments import classify

    question = prompt.split("\n", 1)[0].removeprefix("Vraag: ")
    rows = []
    for n, sentence in _NUMBERED.findall(prompt.split("Antwoord, per zin genummerd:", 1)[1]):
        label = classify(sentence, question)
        rows.append({"n": int(n), "label": _DUTCH[label.kind], "termijn": label.term})
    if model == "drop-last":
        rows = rows[:-1]
    return "```json\n" + json.dumps(rows, ensure_ascii=False) + "\n```"


def reply_for(model: str, prompt: str) -> str:
    """The reply text the given mode derives from the prompt."""
    if "Antwoord, per zin genummerd:" in prompt and model in ("rules-json", "drop-last"):
        return label_reply(model, prompt)
    sources = sources_in(prompt)
    first = first_sentence(sources.get(1, "Geen bron ontvangen."))
    if model == "bad-marker":
        return f"{first} [99]"
    if model == "unmarked":
        return f"{first} [1] Dit is een zin zonder bronvermelding."
    if model == "empty":
        return ""
    parts = [f"{first} [1]"]
    if 2 in sources:
        parts.append(f"{first_sentence(sources[2])} [2]")
    return " ".join(parts)


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.wfile.write(data)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append({"headers": dict(self.headers), "body": body})
        model = str(body.get("model", "echo"))
        if model == "error":
            self._send(500, {"error": {"message": "internal error (test mode)"}})
            return
        if model == "slow":
            time.sleep(SLOW_SECONDS)
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
        content = reply_for("echo" if model == "slow" else model, prompt)
        self._send(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            },
        )


class LoopbackServer(ThreadingHTTPServer):
    """The HTTP server, remembering every request it received."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        """Where to point an OpenAI-compatible client."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"


def running() -> AbstractContextManager[LoopbackServer]:
    """Serve on a free port in a background thread for the duration of the block."""
    return in_background(LoopbackServer())
