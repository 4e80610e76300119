"""Commitments labelled by a chat model (any OpenAI-compatible endpoint), with the rules as fallback.

One request per answer: the question and the numbered answer sentences go in, one JSON label per
sentence comes back. A reply that does not label every sentence exactly once, or uses an unknown
label, is rejected and that answer falls back to the rules. Replies are cached on disk by the hash of
the exact prompt, so a rebuild only asks about answers it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.commitments import RULES, AnswerClassifier, SentenceLabel, action_text, classify, find_term
from rag.config import Settings
from rag.llm import ChatClient, ChatMessage, LLMError

PROMPT_VERSION = "2"

SYSTEM_PROMPT = """\
Je beoordeelt zinnen uit antwoorden van de regering op schriftelijke Kamervragen. Geef elke zin één label: \
toezegging, weigering of geen. Lees elke zin in de context van de vraag en de andere zinnen van het antwoord.

toezegging: de regering (minister, staatssecretaris, kabinet, ministerie, "wij", of een passieve zin zonder \
genoemde andere actor) zegt een eigen handeling in de toekomst toe. Voorbeelden: "zal ik uw Kamer daarover \
informeren", "Zodra …, zal ik …", "Ik ga in gesprek met …", "Het kabinet zal uw Kamer hierover \
terugkoppelen", "Via een brief zal het ministerie op korte termijn …". Ook:
- een eigen, concrete handeling voortzetten: "blijf … in gesprek", "Ik blijf uw Kamer op de hoogte \
houden", "Ik zal dit blijven monitoren";
- een plan dat als eigen komend werk wordt genoemd: "Dit nemen wij mee in de herziening", "worden \
meegenomen bij de inrichting", "Er wordt onderzocht …", "Wij streven ernaar het onderzoek in september af \
te ronden", "wordt geregeld via een wijziging van het besluit".
Geen toezegging: wat andere organisaties gaan doen, ook uitvoeringsorganisaties en toezichthouders die met \
naam als actor genoemd worden (OM, inspecties, Rijkswaterstaat, ProRail, RIVM, gemeenten, bedrijven, de \
Europese Commissie); algemeen beleid of inzet ("ik zet mij in voor het verkleinen van risico's", "volg de \
ontwikkelingen met aandacht"); vaste gewoonte ("het kabinet informeert uw Kamer regelmatig"); een huidige \
toestand ("ik sta in nauw contact"); wat al gedaan is ("heeft uw Kamer geïnformeerd").

weigering: de regering weigert, of zegt dat iets waar de Kamer om vraagt niet gebeurt, niet wenselijk is of \
niet haalbaar is. Voorbeelden: "blijkt niet uitvoerbaar", "kan Justis niet op korte termijn realiseren", \
"Hier wordt nu niet op ingezet", "Dat acht ik niet wenselijk", "Nee, het is niet aan mij …", "kan ik mij \
niet uitlaten", "Ik acht het niet opportuun om in te gaan op …", "ga niet in op individuele gevallen". Ook \
weigeren te antwoorden, een gedeeltelijke weigering ("Ik kan alleen ingaan op …"), en onuitvoerbaarheid \
die een uitvoeringsorganisatie meldt in antwoord op het verzoek van de Kamer. Een kaal "Nee." op "Bent u \
bereid …?" is een weigering; een kaal "Ja." daarop is een toezegging. Geen weigering: algemene moeilijkheid \
of onmogelijkheid ("bijzonder lastig, zo niet onmogelijk, om deze volledig te verwijderen"); ontbrekende \
informatie ("nog geen planning te geven"); verwijzing naar lopend onderzoek ("moet blijken uit de lopende \
onderzoeken"); "het is aan de gemeente / de rechter / de toezichthouder …" zonder ontkenning; een kaal \
"Nee." op een vraag naar feiten of een mening ("Klopt het …?", "Deelt u …?").

geen: al het andere.

Geef bij een toezegging de termijn letterlijk zoals die in de zin staat ("voor de zomer", "in het vierde \
kwartaal", "op korte termijn", "uiterlijk 30 juni"), anders null; een voorwaarde ("zodra …") of "te zijner \
tijd" is geen termijn.

Antwoord alleen met JSON, zonder uitleg: een lijst met voor elke zin \
{"n": <nummer>, "label": "toezegging" | "weigering" | "geen", "termijn": <tekst of null>}."""

_LABELS = {"toezegging": "commitment", "weigering": "refusal", "geen": None}
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class ReplyError(ValueError):
    """The model's reply does not label every sentence exactly once with a known label."""


def build_messages(question: str, sentences: Sequence[str], system: str = SYSTEM_PROMPT) -> list[ChatMessage]:
    """The Dutch prompt for one answer: the question, then every sentence numbered from 1."""
    numbered = "\n".join(f"[{n}] {' '.join(s.split())}" for n, s in enumerate(sentences, 1))
    user = f"Vraag: {' '.join(question.split())}\n\nAntwoord, per zin genummerd:\n{numbered}"
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]


def parse_reply(reply: str, sentences: Sequence[str]) -> list[SentenceLabel]:
    """One label per sentence from the model's JSON; ReplyError naming the first problem."""
    text = _FENCE.sub("", reply.strip())
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise ReplyError(f"geen geldige JSON: {exc}") from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"labels": [...]}
    if not isinstance(data, list):
        raise ReplyError("verwacht een JSON-lijst")
    found: dict[int, SentenceLabel] = {}
    for row in data:
        if not isinstance(row, dict):
            raise ReplyError(f"verwacht een object per zin, kreeg {row!r}")
        n, label = row.get("n"), row.get("label")
        if not isinstance(n, int) or not 1 <= n <= len(sentences):
            raise ReplyError(f"zin {n!r} bestaat niet (1–{len(sentences)})")
        if n in found:
            raise ReplyError(f"zin {n} heeft twee labels")
        if label not in _LABELS:
            raise ReplyError(f"onbekend label {label!r} bij zin {n}")
        kind = _LABELS[label]
        sent = " ".join(sentences[n - 1].split())
        if kind is None:
            found[n] = SentenceLabel(kind=None)
            continue
        term = row.get("termijn")
        if kind != "commitment" or not isinstance(term, str) or term.casefold() not in sent.casefold():
            term = find_term(sent) if kind == "commitment" else None  # a term not in the sentence is not quoted
        found[n] = SentenceLabel(kind=kind, rule="taalmodel", term=term, what=action_text(sent, None))
    missing = [n for n in range(1, len(sentences) + 1) if n not in found]
    if missing:
        raise ReplyError(f"geen label voor zin {', '.join(map(str, missing[:5]))}")
    return [found[n] for n in range(1, len(sentences) + 1)]


class LLMClassifier:
    """Labels each answer with one chat request; answers whose reply is unusable get the rules' labels."""

    def __init__(
        self, client: ChatClient, cache_path: Path | None = None, system: str = SYSTEM_PROMPT, workers: int = 1
    ) -> None:
        self.client = client
        self.workers = workers  # answers asked at the same time
        self.system = system
        tag = PROMPT_VERSION if system == SYSTEM_PROMPT else "x" + hashlib.sha256(system.encode()).hexdigest()[:8]
        self.version = f"llm-{client.model}-p{tag}"
        self.cache_path = cache_path
        self._cache: dict[str, str] = self._load()
        self._lock = threading.Lock()
        self.asked = 0
        self.fallbacks: list[str] = []

    def _load(self) -> dict[str, str]:
        if self.cache_path is None or not self.cache_path.exists():
            return {}
        out: dict[str, str] = {}
        for line in self.cache_path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                out[row["key"]] = row["reply"]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut off by a crash: that answer is asked again
        return out

    def _remember(self, key: str, reply: str) -> None:
        with self._lock:
            self._cache[key] = reply
            if self.cache_path is None:
                return
            try:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.cache_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": key, "reply": reply}, ensure_ascii=False) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError:
                pass  # a read-only install still works; it asks again next run

    def key(self, messages: list[ChatMessage]) -> str:
        """The cache key: model and exact prompt."""
        blob = json.dumps([self.client.model] + [m.model_dump() for m in messages], ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def classify_answer(self, question: str, sentences: Sequence[str]) -> list[SentenceLabel]:
        """The model's labels for one answer, or the rules' when the model fails or answers badly."""
        if not sentences:
            return []
        messages = build_messages(question, sentences, self.system)
        key = self.key(messages)
        reply = self._cache.get(key)
        try:
            if reply is None:
                with self._lock:
                    self.asked += 1
                reply = self.client.complete(messages, max_tokens=40 + 30 * len(sentences))
                labels = parse_reply(reply, sentences)
                self._remember(key, reply)
                return labels
            return parse_reply(reply, sentences)
        except (LLMError, ReplyError) as exc:
            with self._lock:
                self.fallbacks.append(str(exc))
            return [classify(s, question) for s in sentences]


def make_classifier(settings: Settings) -> AnswerClassifier:
    """The configured classifier: the rules, or the chat model when `commitments_backend` is llm."""
    if settings.commitments_backend == "rules":
        return RULES
    client = ChatClient.from_settings(settings)
    cache = settings.index_dir.parent / "cache" / "commitments-llm.jsonl"
    return LLMClassifier(client, cache, workers=settings.llm_concurrency)
