"""Parse the pipe-delimited Kamervragen export into documents and question/answer pairs.

Layout of one document: a title line ending ' |', '|', submitters ' |', '|', answering
ministers ' |', a few '|' lines, then question lines (ending in '?'), each followed by zero or
more answer paragraphs. Some documents lack the header and follow another document directly;
they are detected by their footnote numbering restarting at 1 and split off as header-less.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.normalise import (
    clean_whitespace,
    find_references,
    is_pointer,
    is_question_line,
    split_footnotes,
)
from rag.types import Document, LineCounts, LineSpan, ParseIssue, ParseReport, Person, QAPair


class CorpusFormatError(ValueError):
    """The source file cannot be read as a Kamervragen export; the message says where and why."""


_OPENER = re.compile(
    r"^(?:Bent u (?:ervan |er )?(?:bekend|op de hoogte)|Heeft u kennis ?genomen|Kent u (?:het|de)\b"
    r"|Hebt u kennis ?genomen|Heeft u het (?:bericht|artikel))",
    re.IGNORECASE,
)
_ROLE_WORDS = ("minister", "staatssecretaris", "premier", "bewindspersoon")


@dataclass
class _RawQuestion:
    line_no: int
    text: str
    answer_lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _RawDocument:
    start: int
    title: str | None = None
    submitters: str | None = None
    ministers: str | None = None
    header_missing: bool = False
    header_end: int = 0
    questions: list[_RawQuestion] = field(default_factory=list)


def _decode(data: bytes, source: str) -> str:
    """Decode UTF-8 strictly, naming the line of the first bad byte."""
    if not data.strip():
        raise CorpusFormatError(f"{source}: the file is empty; expected a Kamervragen export (title line ending ' |').")
    if b"\x00" in data[:65536]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusFormatError(f"{source}:{line}: the file looks binary (NUL byte); expected UTF-8 text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusFormatError(
            f"{source}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert the file first, e.g. `iconv -f windows-1252 -t utf-8 {source}`."
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 8:
        raise CorpusFormatError(f"{source}: the file contains {controls} control characters; it looks binary.")
    return text


def _split_people(text: str) -> list[str]:
    """Split 'A (X), B (Y, Z)' on top-level commas."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [clean_whitespace(p) for p in parts if p.strip()]


def parse_people(text: str) -> list[Person]:
    """Parse a submitters or ministers header line into people with party and role."""
    people = []
    for chunk in _split_people(text):
        groups = re.findall(r"\(([^()]*)\)", chunk)
        name = clean_whitespace(re.sub(r"\([^()]*\)", "", chunk))
        role = next((g for g in groups if any(w in g.lower() for w in _ROLE_WORDS)), None)
        party = next((g for g in groups if g is not role), None)
        people.append(Person(name=name, party=party, role=role))
    return people


def _header_text(line: str) -> str | None:
    """The text of a header field line ('text |'), or None when it is not one."""
    s = line.rstrip()
    if s.endswith("|") and s != "|":
        return s[:-1].strip()
    return None


def _stable_id(seed: str, taken: set[str]) -> str:
    base = "kv-" + hashlib.sha1(clean_whitespace(seed).encode()).hexdigest()[:12]
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


def _label_from_question(text: str, limit: int = 90) -> str:
    q, _ = split_footnotes(text)
    q = clean_whitespace(q)
    if len(q) > limit:
        q = q[:limit].rsplit(" ", 1)[0] + " …"
    return f"[kop ontbreekt] {q}"


def _split_headerless(doc: _RawDocument, warnings: list[ParseIssue], source: str) -> list[_RawDocument]:
    """Split a document where its question footnotes restart at 1: a header-less document follows."""
    seen_note_at = -1
    for i, q in enumerate(doc.questions):
        _, notes = split_footnotes(q.text)
        if 1 in notes and seen_note_at >= 0:
            window = range(seen_note_at + 1, i + 1)
            start = next((j for j in window if _OPENER.match(doc.questions[j].text.strip())), None)
            if start is None:
                start = i
                warnings.append(
                    ParseIssue(
                        source=source,
                        line=q.line_no,
                        kind="headerless-boundary-guessed",
                        message="footnotes restart at 1 but no opening question found; split at this line",
                    )
                )
            head = replace(doc, questions=doc.questions[:start])
            tail = _RawDocument(
                start=doc.questions[start].line_no, header_missing=True, questions=doc.questions[start:]
            )
            warnings.append(
                ParseIssue(
                    source=source,
                    line=tail.start,
                    kind="headerless-document",
                    message=f"document without header split off here (footnote numbering restarts at line {q.line_no})",
                )
            )
            return [head, *_split_headerless(tail, warnings, source)]
        if notes:
            seen_note_at = i
    return [doc]


def parse_text(text: str, source: str = "<text>") -> ParseReport:
    """Parse the export's text; every line is accounted for in the report's line counts."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    span_source = Path(source).name  # records carry the file name, never a server path
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # trailing newline, not a line
    counts = LineCounts(total=len(lines))
    issues: list[ParseIssue] = []
    warnings: list[ParseIssue] = []
    raw_docs: list[_RawDocument] = []
    current: _RawDocument | None = None
    i = 0

    def issue(line_no: int, kind: str, message: str) -> None:
        issues.append(ParseIssue(source=source, line=line_no, kind=kind, message=message))
        counts.error += 1

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        line_no = i + 1
        title = _header_text(line)
        if title is not None:
            # A header: title |, |, submitters |, |, ministers |, then '|' lines.
            fields = [title]
            j = i + 1
            expect_sep = True
            while len(fields) < 3 and j < len(lines):
                s = lines[j].strip()
                if expect_sep and s == "|":
                    expect_sep = False
                elif not expect_sep and _header_text(lines[j]) is not None:
                    fields.append(_header_text(lines[j]) or "")
                    expect_sep = True
                else:
                    break
                j += 1
            if len(fields) < 3:
                for k in range(i, j):
                    what = "title" if k == i else "header line"
                    issue(
                        k + 1,
                        "truncated-header",
                        f"{what} of an incomplete header (expected: title |, |, submitters |, |, ministers |); "
                        f"found {len(fields)} of 3 fields",
                    )
                current = _RawDocument(start=line_no, title=title, header_missing=False, header_end=j)
                raw_docs.append(current)
                i = j
                continue
            counts.header += 3
            counts.separator += (j - i) - 3
            while j < len(lines) and lines[j].strip() == "|":
                counts.separator += 1
                j += 1
            current = _RawDocument(
                start=line_no, title=fields[0], submitters=fields[1], ministers=fields[2], header_end=j
            )
            raw_docs.append(current)
            i = j
            continue
        if not stripped:
            counts.blank += 1
        elif stripped == "|":
            counts.separator += 1
            warnings.append(
                ParseIssue(source=source, line=line_no, kind="stray-separator", message="'|' outside a header")
            )
        elif is_question_line(stripped):
            if current is None:
                current = _RawDocument(start=line_no, header_missing=True)
                raw_docs.append(current)
            current.questions.append(_RawQuestion(line_no=line_no, text=stripped))
            counts.question += 1
        elif current is None or not current.questions:
            issue(line_no, "text-before-question", "text that is neither a header nor a question, before any question")
        else:
            current.questions[-1].answer_lines.append((line_no, stripped))
            counts.answer += 1
        i += 1

    split_docs: list[_RawDocument] = []
    for d in raw_docs:
        split_docs.extend(_split_headerless(d, warnings, source))

    documents: list[Document] = []
    pairs: list[QAPair] = []
    taken: set[str] = set()
    for d in split_docs:
        if not d.questions:
            if d.title is not None and not any(x.line == d.start for x in issues):
                issue(d.start, "document-without-questions", f"document '{d.title}' has no question lines")
            continue
        doc_id = _stable_id(d.questions[0].text, taken)
        doc_pairs = _build_pairs(d, doc_id, span_source)
        last = doc_pairs[-1].span.end
        label = d.title if d.title else _label_from_question(d.questions[0].text)
        documents.append(
            Document(
                id=doc_id,
                title=d.title,
                header_missing=d.header_missing or d.title is None,
                label=label,
                submitters=parse_people(d.submitters) if d.submitters else [],
                ministers=parse_people(d.ministers) if d.ministers else [],
                pair_ids=[p.id for p in doc_pairs],
                span=LineSpan(source=span_source, start=d.start, end=last),
            )
        )
        pairs.extend(doc_pairs)
    return ParseReport(
        source=source, sha256=sha, documents=documents, pairs=pairs, lines=counts, issues=issues, warnings=warnings
    )


def _build_pairs(d: _RawDocument, doc_id: str, source: str) -> list[QAPair]:
    pairs: list[QAPair] = []
    for n, q in enumerate(d.questions, start=1):
        qtext, qnotes = split_footnotes(q.text)
        paragraphs: list[str] = []
        anotes: list[int] = []
        for _, a in q.answer_lines:
            atext, notes = split_footnotes(a)
            paragraphs.append(clean_whitespace(atext))
            anotes.extend(notes)
        answer = "\n".join(paragraphs) if paragraphs else None
        end = q.answer_lines[-1][0] if q.answer_lines else q.line_no
        pairs.append(
            QAPair(
                id=f"{doc_id}-q{n:02d}",
                document_id=doc_id,
                number=n,
                question=clean_whitespace(qtext),
                answer=answer,
                answer_paragraphs=paragraphs,
                references=[r for r in find_references(answer) if r != n] if answer else [],
                question_footnotes=qnotes,
                answer_footnotes=anotes,
                span=LineSpan(source=source, start=q.line_no, end=end),
            )
        )
    by_number = {p.number: p for p in pairs}
    for p in pairs:
        p.resolved_answer = _resolve(p, by_number, set())
    return pairs


def _resolve(pair: QAPair, by_number: dict[int, QAPair], seen: set[int]) -> str | None:
    """Replace pointer-only paragraphs ('Zie antwoord vraag 8.') with the text they point at."""
    if pair.answer is None:
        return None
    seen = seen | {pair.number}
    out: list[str] = []
    for para in pair.answer_paragraphs:
        if is_pointer(para):
            targets = [by_number[r] for r in find_references(para) if r in by_number and r not in seen]
            texts = [t for t in (_resolve(x, by_number, seen) for x in targets) if t]
            if texts:
                out.append(f"{para} [{' '.join(texts)}]")
                continue
        out.append(para)
    return "\n".join(out)


def parse_file(path: Path) -> ParseReport:
    """Read and parse one export file; raises CorpusFormatError for unreadable input."""
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusFormatError(f"{source}: file not found.") from None
    except IsADirectoryError:
        raise CorpusFormatError(f"{source}: is a directory, expected a text file.") from None
    return parse_text(_decode(data, source), source=source)
