"""The parsed corpus held in memory: lookups by id and the filters that search applies."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from rag.parse import CorpusFormatError, parse_file
from rag.types import Document, ParseReport, QAPair


class SearchFilters(BaseModel):
    """Optional restrictions on search results; matching is case-insensitive and by substring."""

    minister: str | None = None
    submitter: str | None = None
    party: str | None = None
    answered_only: bool = False

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.minister or self.submitter or self.party or self.answered_only)


def _has(needle: str | None, haystacks: Iterable[str | None]) -> bool:
    if not needle:
        return True
    n = needle.casefold().strip()
    return any(h and n in h.casefold() for h in haystacks)


class Corpus:
    """Documents and pairs from one parsed source, indexed by id."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.documents: dict[str, Document] = {d.id: d for d in report.documents}
        self.pairs: dict[str, QAPair] = {p.id: p for p in report.pairs}

    @classmethod
    def load(cls, path: Path, allow_errors: bool = False) -> Corpus:
        """Parse a source file; refuse one with errors unless allow_errors."""
        report = parse_file(path)
        if report.issues and not allow_errors:
            shown = "\n".join(f"  {i}" for i in report.issues[:10])
            more = f"\n  … and {len(report.issues) - 10} more" if len(report.issues) > 10 else ""
            raise CorpusFormatError(
                f"{path}: {len(report.issues)} line(s) could not be parsed:\n{shown}{more}\n"
                f"Run `rag parse --report {path}` for the full account, fix the file, or pass --allow-errors."
            )
        return cls(report)

    @property
    def sha256(self) -> str:
        """Checksum of the source text."""
        return self.report.sha256

    def document_of(self, pair: QAPair) -> Document:
        """The document a pair belongs to."""
        return self.documents[pair.document_id]

    def matches(self, pair: QAPair, filters: SearchFilters | None) -> bool:
        """True when a pair passes the filters."""
        if filters is None or filters.is_empty():
            return True
        if filters.answered_only and not pair.answered:
            return False
        doc = self.document_of(pair)
        if not _has(filters.minister, [m.label() for m in doc.ministers]):
            return False
        if not _has(filters.submitter, [s.name for s in doc.submitters]):
            return False
        return _has(filters.party, [s.party for s in doc.submitters])

    def ministers(self) -> list[str]:
        """Distinct minister names, for filter menus."""
        return sorted({m.name for d in self.documents.values() for m in d.ministers})

    def parties(self) -> list[str]:
        """Distinct submitter parties, for filter menus."""
        return sorted({s.party for d in self.documents.values() for s in d.submitters if s.party})

    def submitters(self) -> list[str]:
        """Distinct submitter names, for filter menus."""
        return sorted({s.name for d in self.documents.values() for s in d.submitters})
