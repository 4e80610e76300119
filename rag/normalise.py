"""Text normalisation: footnote markers, whitespace, answer references."""

from __future__ import annotations

import re
import unicodedata

# A footnote marker is 1-2 digits glued to the end of a word or to closing punctuation,
# followed by whitespace, end of line or light punctuation: "?1", "bedrijven1", "Starlink,4", "(AZWA)2".
# Excluded: digits after another digit ("36,5", "2.0"), after a capital ("NIS2", "IRIS2"),
# after an opening bracket ("(1)"), or followed by a hyphen or letter ("IRIS2-netwerk").
_FOOTNOTE = re.compile(
    r"(?:(?<=[a-zà-ÿ?!»”’)])|(?<=(?<![\d\s])[.,;:]))"
    r"(?P<num>[1-9]\d?)"
    r"(?=$|[\s,.;:)]|\?)"
    r"|(?:(?<=\?)|(?<=(?<!\d)[.!]))(?P<num2>[1-9]\d?)(?=[A-Z])"  # "?3In hoeverre", "afgegeven.3Justis"
)

_WS = re.compile(r"\s+")

_REFERENCE = re.compile(
    r"antwoord(?:en)?\s+(?:op\s+|bij\s+)?(?:de\s+)?vra(?:ag|gen)\s+"
    r"(?P<nums>\d+(?:\s*(?:,|en|t/m|tot en met|-)\s*\d+)*)",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"^\s*zie\s+(?:het\s+|de\s+)?(?:antwoord(?:en)?\s+)?(?:op\s+|bij\s+)?(?:de\s+)?vra(?:ag|gen)\s+"
    r"\d+(?:\s*(?:,|en|t/m|tot en met|-)\s*\d+)*\s*\.?\s*$",
    re.IGNORECASE,
)


def clean_whitespace(text: str) -> str:
    """NFC-normalise and collapse runs of whitespace."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def split_footnotes(text: str) -> tuple[str, list[int]]:
    """Remove footnote markers glued to words; return the clean text and the footnote numbers."""
    found: list[int] = []

    def _drop(m: re.Match[str]) -> str:
        found.append(int(m.group("num") or m.group("num2")))
        return ""

    clean = _FOOTNOTE.sub(_drop, text)
    if len(found) and any(m.group("num2") for m in _FOOTNOTE.finditer(text)):
        clean = re.sub(r"(?<=[a-zà-ÿ»”’)][?.!])(?=[A-Z])", " ", clean)
    return clean, found


def _expand(nums: str) -> list[int]:
    """Expand '3, 4 en 6' or '3 t/m 5' into question numbers."""
    out: list[int] = []
    parts = re.split(r"\s*(,|en|t/m|tot en met|-)\s*", nums)
    prev: int | None = None
    range_next = False
    for part in parts:
        if part in {",", "en"}:
            continue
        if part in {"t/m", "tot en met", "-"}:
            range_next = True
            continue
        n = int(part)
        if range_next and prev is not None and prev < n <= prev + 50:
            out.extend(range(prev + 1, n + 1))
        else:
            out.append(n)
        prev, range_next = n, False
    return out


def find_references(text: str) -> list[int]:
    """Question numbers an answer refers to ('het antwoord op vraag 3', 'Zie antwoord vraag 8')."""
    refs: list[int] = []
    for m in _REFERENCE.finditer(text):
        refs.extend(n for n in _expand(m.group("nums")) if n not in refs)
    if not refs and _POINTER.match(text):
        refs.extend(int(n) for n in re.findall(r"\d+", text))
    return refs


def is_pointer(text: str) -> bool:
    """True when an answer consists only of a pointer such as 'Zie antwoord vraag 8.'"""
    return bool(_POINTER.match(text))


def is_question_line(text: str) -> bool:
    """A question line ends with a question mark, possibly followed by a footnote number."""
    return bool(re.search(r"\?\s*(?:[1-9]\d?)?\s*$", text))
