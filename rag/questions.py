"""Split a pasted draft into its sub-questions (numbered, one per line, or one per sentence)."""

from __future__ import annotations

import re

_NUMBERED = re.compile(r"^\s*(?:vraag\s+)?(\d{1,2})\s*[.):]\s+|^\s*[-•*]\s+", re.IGNORECASE)
_SENT_Q = re.compile(r"(?<=\?)\s+(?=\S)")


def split_questions(text: str, limit: int = 25) -> list[str]:
    """Sub-questions of a draft; a single question comes back as a list of one."""
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    numbered = [ln for ln in lines if _NUMBERED.match(ln)]
    parts: list[str]
    if len(numbered) >= 2:
        parts, cur = [], ""
        for ln in lines:
            if _NUMBERED.match(ln):
                if cur:
                    parts.append(cur)
                cur = _NUMBERED.sub("", ln, count=1)
            else:
                cur = f"{cur} {ln}".strip()
        if cur:
            parts.append(cur)
    elif sum(ln.endswith("?") for ln in lines) >= 2:
        # one question per line; lines without '?' continue the question before them
        parts, cur = [], ""
        for ln in lines:
            cur = f"{cur} {ln}".strip()
            if ln.endswith("?"):
                parts.append(cur)
                cur = ""
        if cur:
            parts.append(cur)
    else:
        # running text: split on question marks when it holds several questions
        joined = " ".join(lines)
        sentences = [s.strip() for s in _SENT_Q.split(joined) if s.strip()]
        asks = [s for s in sentences if s.endswith("?")]
        parts = sentences if len(asks) >= 2 and len(asks) == len(sentences) else [joined]
    parts = [re.sub(r"\s+", " ", p).strip() for p in parts if len(p.strip()) >= 3]
    return parts[:limit] if parts else [text.strip()]
