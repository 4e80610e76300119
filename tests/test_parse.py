"""The parser on the real corpus and on broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.cite import cite
from rag.corpus import Corpus
from rag.normalise import find_references, split_footnotes
from rag.parse import CorpusFormatError, parse_file, parse_text
from tests.conftest import CORPUS, pair_by_question


def test_counts_and_line_accounting(corpus: Corpus) -> None:
    rep = corpus.report
    assert len(rep.documents) == 20
    assert len(rep.pairs) == 217
    assert sum(p.answered for p in rep.pairs) == 111
    assert rep.issues == []
    assert rep.lines.total == len(CORPUS.read_text(encoding="utf-8").splitlines())
    assert rep.lines.accounted == rep.lines.total
    assert rep.lines.question == 217


def test_headerless_documents_are_split_and_labelled_honestly(corpus: Corpus) -> None:
    missing = [d for d in corpus.documents.values() if d.header_missing]
    assert len(missing) == 2
    first_questions = [corpus.pairs[d.pair_ids[0]].question for d in missing]
    assert first_questions[0].startswith("Bent u ervan op de hoogte dat de Europese Commissie")
    assert "2GHz" in first_questions[0]
    assert first_questions[1].startswith("Bent u bekend met het bericht «Geen mobiel bereik in grensstreek")
    for d in missing:
        assert d.title is None and d.submitters == [] and d.ministers == []
        assert d.label.startswith("[kop ontbreekt]")
    # the documents they followed keep only their own questions
    florida = next(d for d in corpus.documents.values() if d.title and "Florida" in d.title)
    assert len(florida.pair_ids) == 9
    om = next(
        d for d in corpus.documents.values() if d.title == "De gevolgen van de hack bij het OM op de bedrijfsvoering"
    )
    assert len(om.pair_ids) == 9
    assert all("mobiel" not in corpus.pairs[p].question for p in om.pair_ids)
    # a citation of a header-less pair never names the neighbour's title
    pair = corpus.pairs[missing[0].pair_ids[1]]
    line = cite(corpus.document_of(pair), pair).text
    assert "Florida" not in line and "zonder kop" in line


def test_footnotes_split_off(corpus: Corpus) -> None:
    pid = pair_by_question(corpus, "de twee bedrijven die in 2007")
    pair = corpus.pairs[pid]
    assert "bedrijven1" not in pair.question
    assert pair.question_footnotes == [1, 2]
    assert split_footnotes("lijst»?1") == ("lijst»?", [1])
    assert split_footnotes("het IRIS2-netwerk") == ("het IRIS2-netwerk", [])
    assert split_footnotes("structureel 36,5 miljoen") == ("structureel 36,5 miljoen", [])
    assert split_footnotes("de BIO 2.0 wordt") == ("de BIO 2.0 wordt", [])
    assert split_footnotes("van Starlink,4 belang") == ("van Starlink, belang", [4])
    assert split_footnotes("minister Agema?3In hoeverre") == ("minister Agema? In hoeverre", [3])


def test_references_resolved(corpus: Corpus) -> None:
    vog = next(d for d in corpus.documents.values() if d.title and "Verklaring Omtrent Gedrag" in d.title)
    q9 = corpus.pairs[vog.pair_ids[8]]
    q8 = corpus.pairs[vog.pair_ids[7]]
    assert q9.answer == "Zie antwoord vraag 8."
    assert q9.references == [8]
    assert q8.answer and q9.resolved_answer and q8.answer_paragraphs[0] in q9.resolved_answer
    assert find_references("Zoals aangegeven in het antwoord op vraag 3 en 4") == [3, 4]
    assert find_references("Zie de antwoorden op vragen 2 t/m 4.") == [2, 3, 4]


def test_ids_are_stable(corpus: Corpus, tmp_path: Path) -> None:
    again = parse_file(CORPUS)
    assert [p.id for p in again.pairs] == list(corpus.pairs)
    # appending a document does not renumber the existing ones
    extra = tmp_path / "plus.txt"
    extra.write_text(
        CORPUS.read_text(encoding="utf-8").rstrip("\n")
        + "\nNieuwe titel |\n|\nIemand (D66) |\n|\nMinister X |\n|\n|\nIs dit een nieuwe vraag?\n",
        encoding="utf-8",
    )
    grown = parse_file(extra)
    assert [p.id for p in grown.pairs][:217] == list(corpus.pairs)
    assert len(grown.documents) == 21


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("Titel met één fout |\n".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_unreadable_files_fail_clearly(tmp_path: Path, content: bytes, needle: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(CorpusFormatError) as err:
        parse_file(f)
    assert needle in str(err.value)
    assert str(f) in str(err.value)


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "cp1252.txt"
    f.write_bytes("Titel |\n|\nA (B) |\n|\nC |\n|\nWat is ‘dit’?\n".encode("cp1252"))
    with pytest.raises(CorpusFormatError, match=r"cp1252.txt:7: not valid UTF-8"):
        parse_file(f)


def test_truncated_header_is_reported_not_lost() -> None:
    text = "Eerste titel |\n|\nA (D66) |\n|\nMinister |\n|\nIs dit goed?\nJa.\nTweede titel |\n|\nKees (SP) |\n"
    rep = parse_text(text, source="t.txt")
    assert not rep.ok
    assert [(i.line, i.kind) for i in rep.issues] == [
        (9, "truncated-header"),
        (10, "truncated-header"),
        (11, "truncated-header"),
    ]
    assert rep.lines.accounted == rep.lines.total == 11
    assert len(rep.pairs) == 1


def test_text_before_first_question_is_an_error() -> None:
    rep = parse_text("Titel |\n|\nA (D66) |\n|\nM |\n|\nLosse tekst zonder vraag.\nIs dit een vraag?\n", source="t.txt")
    assert [(i.line, i.kind) for i in rep.issues] == [(7, "text-before-question")]
    assert rep.lines.accounted == rep.lines.total


def test_corpus_with_errors_refused_unless_allowed(tmp_path: Path) -> None:
    f = tmp_path / "broken.txt"
    f.write_text("Titel |\n|\nA (D66) |\n|\nM |\n|\nLosse tekst.\nIs dit een vraag?\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="broken.txt:7"):
        Corpus.load(f)
    assert len(Corpus.load(f, allow_errors=True).pairs) == 1


def test_people_parsed(corpus: Corpus) -> None:
    doc = next(d for d in corpus.documents.values() if d.title and d.title.startswith("(cofinancierings)"))
    assert [s.label() for s in doc.submitters] == [
        "Jesse Six Dijkstra (NSC)",
        "Harm Holman (NSC)",
        "Wytske de Pater-Postma (CDA)",
    ]
    heinen = doc.ministers[1]
    assert heinen.name == "Eelco Heinen"
    assert heinen.role == "minister financiën, minister economische zaken"
    assert heinen.party == "Volkspartij voor Vrijheid en Democratie"
