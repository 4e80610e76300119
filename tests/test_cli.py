"""The `rag` command line, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from index import VectorIndex
from rag.commitments import load_commitments, save_commitments
from rag.config import ROOT, Settings
from tests.conftest import CORPUS


def rag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_parse_report_accounts_for_every_line() -> None:
    r = rag("parse", "--report", str(CORPUS))
    assert r.returncode == 0, r.stderr
    assert "20 documents, 217 questions, 111 answered" in r.stdout
    assert "(all accounted for)" in r.stdout
    assert r.stdout.count("[header missing]") == 2


def test_parse_broken_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.txt"
    bad.write_text("Titel |\n|\nA (D66) |\n|\nM |\n|\nLosse tekst.\nIs dit een vraag?\n", encoding="utf-8")
    r = rag("parse", "--report", str(bad))
    assert r.returncode == 1
    assert f"{bad}:7: text-before-question" in r.stderr
    assert "Traceback" not in r.stderr
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    r = rag("parse", str(empty))
    assert r.returncode == 2 and "empty" in r.stderr and "Traceback" not in r.stderr


def test_index_and_search_json(tmp_path: Path, settings: Settings) -> None:
    small = tmp_path / "small.txt"
    small.write_text(
        "Glasvezel |\n|\nA (D66) |\n|\nMinister B |\n|\n|\nHoe staat het met de glasvezel op het platteland?\n"
        "De uitrol is bijna klaar. Ik zal uw Kamer voor de zomer informeren.\nWat kost een paspoort?\n",
        encoding="utf-8",
    )
    env = {"VRAAGBAAK_CORPUS_PATH": str(small), "VRAAGBAAK_INDEX_DIR": str(tmp_path / "ix")}
    r = rag("index", env=env)
    assert r.returncode == 0, r.stderr
    assert "indexed 2 pairs as 3 chunks from 1 documents" in r.stdout
    assert "labelled 1 commitments and 0 refusals (rules-" in r.stdout
    again = rag("index", "--if-needed", env=env)
    assert "is current; nothing to do" in again.stdout
    # labels from other rules: only they are redone, into a new build that shares the rest
    live = VectorIndex.live_folder(tmp_path / "ix")
    stored = load_commitments(live)
    assert stored is not None
    stale = stored[0].model_copy(update={"classifier": "rules-older"})
    save_commitments(live, stale, np.stack([stored[1][k] for k in stored[1]]))
    relabel = rag("index", "--if-needed", env=env)
    assert relabel.returncode == 0, relabel.stderr
    assert "is current; commitments labelled again: 1 commitments and 0 refusals" in relabel.stdout
    assert VectorIndex.live_folder(tmp_path / "ix") != live
    assert "is current; nothing to do" in rag("index", "--if-needed", env=env).stdout
    s = rag("search", "snel internet buiten de stad", "--k", "1", "--json", "--mode", "dense", env=env)
    assert s.returncode == 0, s.stderr
    out = json.loads(s.stdout)
    assert out[0]["results"][0]["question"] == "Hoe staat het met de glasvezel op het platteland?"
    assert out[0]["results"][0]["citation"]["text"].startswith("Antwoord op vraag 1 uit de Kamervragen ‘Glasvezel’")


def test_search_without_index_says_what_to_run(tmp_path: Path) -> None:
    r = rag("search", "VOG", env={"VRAAGBAAK_INDEX_DIR": str(tmp_path / "none")})
    assert r.returncode == 2
    assert "rag index" in r.stderr and "Traceback" not in r.stderr


def test_search_text_output() -> None:
    r = rag("search", "Palantir ketenpartners datasets", "--k", "2")
    assert r.returncode == 0, r.stderr
    assert "Bron: " in r.stdout and "Palantir" in r.stdout
