"""A minimal client for any OpenAI-compatible `/v1/chat/completions` endpoint."""

from __future__ import annotations

import httpx
from pydantic import BaseModel

from rag.config import Settings


class LLMError(RuntimeError):
    """The endpoint is not configured, unreachable, slow or answered something unusable."""


class ChatMessage(BaseModel):
    """One message of a chat prompt."""

    role: str
    content: str


def _endpoint(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


class ChatClient:
    """Sends a chat prompt and returns the first choice's text."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        self.url = _endpoint(base_url)
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        """A client for the configured endpoint; LLMError when base URL or model is missing."""
        if not settings.llm_base_url or not settings.llm_model:
            raise LLMError("geen taalmodel ingesteld (zet VRAAGBAAK_LLM_BASE_URL en VRAAGBAAK_LLM_MODEL)")
        return cls(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s)

    def complete(self, messages: list[ChatMessage], temperature: float = 0.0, max_tokens: int = 800) -> str:
        """The reply text; LLMError with a readable message on any failure."""
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = {
            "model": self.model,
            "messages": [m.model_dump() for m in messages],
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        try:
            resp = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException:
            raise LLMError(f"het taalmodel antwoordde niet binnen {self.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"het taalmodel is niet bereikbaar: {exc}") from None
        if resp.status_code != 200:
            raise LLMError(f"het taalmodel gaf HTTP {resp.status_code}: {resp.text[:200]}")
        try:
            data = resp.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError("het taalmodel gaf geen choices[0].message.content terug") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("het taalmodel gaf een leeg bericht terug")
        return content
