"""Typed records for the Kamervragen corpus: people, documents, question/answer pairs, parse reports."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Person(BaseModel):
    """A submitter (MP) or an answering minister, as written in the source."""

    name: str
    party: str | None = None
    role: str | None = None

    def label(self) -> str:
        """Name with party or role in brackets, as people write it."""
        extra = [x for x in (self.role, self.party) if x]
        return f"{self.name} ({', '.join(extra)})" if extra else self.name


class LineSpan(BaseModel):
    """A 1-based inclusive line range in a source file."""

    source: str
    start: int
    end: int


class QAPair(BaseModel):
    """One question of a document with its answer (if any)."""

    id: str
    document_id: str
    number: int = Field(description="1-based question number within its document")
    question: str
    answer: str | None = Field(None, description="answer text as written (footnote markers removed)")
    answer_paragraphs: list[str] = Field(default_factory=list)
    resolved_answer: str | None = Field(
        None, description="answer with 'Zie antwoord vraag N' pointers replaced by the text they point at"
    )
    references: list[int] = Field(default_factory=list, description="question numbers this answer refers to")
    question_footnotes: list[int] = Field(default_factory=list)
    answer_footnotes: list[int] = Field(default_factory=list)
    span: LineSpan

    @property
    def answered(self) -> bool:
        """True when the government's answer is present."""
        return bool(self.answer_paragraphs)


class Document(BaseModel):
    """One set of written questions (Kamervragen) with header data."""

    id: str
    title: str | None = Field(None, description="title as written; None when the source has no header")
    header_missing: bool = False
    label: str = Field(description="title, or a label derived from the first question when the header is missing")
    submitters: list[Person] = Field(default_factory=list)
    ministers: list[Person] = Field(default_factory=list)
    pair_ids: list[str] = Field(default_factory=list)
    span: LineSpan


class ParseIssue(BaseModel):
    """A problem found in a source file, with its location."""

    source: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.kind}: {self.message}"


class LineCounts(BaseModel):
    """Where every line of a source file went."""

    total: int = 0
    header: int = 0
    separator: int = 0
    blank: int = 0
    question: int = 0
    answer: int = 0
    error: int = 0

    @property
    def accounted(self) -> int:
        """Lines assigned to some category; equals total when nothing was lost."""
        return self.header + self.separator + self.blank + self.question + self.answer + self.error


class ParseReport(BaseModel):
    """The result of parsing one source file."""

    source: str
    sha256: str
    documents: list[Document]
    pairs: list[QAPair]
    lines: LineCounts
    issues: list[ParseIssue] = Field(default_factory=list)
    warnings: list[ParseIssue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no line ended up in an error."""
        return not self.issues
