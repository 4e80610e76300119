"""An OpenAI-compatible chat endpoint on loopback that answers from recorded replies, keyed by the prompt.

It stands in for a language model that cannot run here: the product's real client, HTTP path and
reply parser run unchanged against it. A prompt without a recorded reply gets HTTP 404.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar


def prompt_key(messages: Sequence[Mapping[str, Any]]) -> str:
    """The key of a prompt: the hash of its role/content pairs."""
    blob = json.dumps([[m["role"], m["content"]] for m in messages], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        reply = self.server.replies.get(prompt_key(body.get("messages", [])))
        if reply is None:
            self.server.missing += 1
            self._send(404, {"error": {"message": "no recorded reply for this prompt"}})
            return
        message = {"role": "assistant", "content": reply}
        self._send(200, {"object": "chat.completion", "choices": [{"index": 0, "message": message}]})


class ReplayServer(ThreadingHTTPServer):
    """Serves recorded replies; counts prompts it had no reply for."""

    daemon_threads = True

    def __init__(self, replies: Mapping[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies = dict(replies)
        self.missing = 0

    @property
    def base_url(self) -> str:
        """Where to point the chat client."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"


S = TypeVar("S", bound=ThreadingHTTPServer)


@contextmanager
def in_background(server: S) -> Iterator[S]:
    """Serve in a background thread for the duration of the block, then shut down and close."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def serving(replies: Mapping[str, str]) -> AbstractContextManager[ReplayServer]:
    """Run a replay server in a background thread for the duration of the block."""
    return in_background(ReplayServer(replies))
