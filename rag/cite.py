"""Citations: a structured object and a Dutch line ready to paste."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from rag.types import Document, Person, QAPair


class Citation(BaseModel):
    """Where a pair comes from, with enough to check and quote it."""

    document_id: str
    document_title: str | None
    document_label: str
    header_missing: bool
    question_number: int
    submitters: list[Person]
    ministers: list[Person]
    answered: bool
    source: str
    line_start: int
    line_end: int
    text: str


def _people(people: list[Person]) -> str:
    labels = [p.label() for p in people]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " en " + labels[-1]


def citation_line(doc: Document, pair: QAPair) -> str:
    """Format the paste-ready Dutch citation for a pair."""
    source = Path(pair.span.source).name
    lines = f"r. {pair.span.start}" if pair.span.start == pair.span.end else f"r. {pair.span.start}–{pair.span.end}"
    what = f"Antwoord op vraag {pair.number}" if pair.answered else f"Vraag {pair.number} (nog niet beantwoord)"
    if doc.header_missing or not doc.title:
        first = doc.label.removeprefix("[kop ontbreekt] ")
        return (
            f"{what} uit Kamervragen zonder kop in de bron (beginnend met «{first}»); "
            f"indieners en bewindspersonen niet vermeld ({source}, {lines})."
        )
    quoted = f"«{doc.title}»" if any(q in doc.title for q in "‘’") else f"‘{doc.title}’"
    parts = [f"{what} uit de Kamervragen {quoted}"]
    if doc.submitters:
        parts.append(f"gesteld door {_people(doc.submitters)}")
    if doc.ministers and pair.answered:
        parts.append(f"beantwoord door {_people(doc.ministers)}")
    elif doc.ministers:
        parts.append(f"gericht aan {_people(doc.ministers)}")
    return ", ".join(parts) + f" ({source}, {lines})."


def cite(doc: Document, pair: QAPair) -> Citation:
    """Build the citation object for a pair."""
    return Citation(
        document_id=doc.id,
        document_title=doc.title,
        document_label=doc.label,
        header_missing=doc.header_missing,
        question_number=pair.number,
        submitters=doc.submitters,
        ministers=doc.ministers,
        answered=pair.answered,
        source=Path(pair.span.source).name,
        line_start=pair.span.start,
        line_end=pair.span.end,
        text=citation_line(doc, pair),
    )
