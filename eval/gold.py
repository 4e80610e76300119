"""Gold queries (JSONL) and graded relevance judgments (TREC qrels)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

GOLD_DIR = Path(__file__).parent / "gold"
OUT_OF_CORPUS = "out_of_corpus"


class GoldQuery(BaseModel):
    """One evaluation query."""

    id: str
    split: str
    kind: str
    lang: str
    text: str


Qrels = dict[str, dict[str, int]]


def load_queries(path: Path = GOLD_DIR / "queries.jsonl") -> list[GoldQuery]:
    """Read queries, one JSON object per line."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(GoldQuery.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
    return out


def load_qrels(path: Path = GOLD_DIR / "qrels.txt") -> Qrels:
    """Read TREC qrels: `qid 0 docid grade` per line."""
    qrels: Qrels = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise ValueError(f"{path}:{n}: expected 'qid 0 docid grade', got {line!r}")
        qid, _, doc, grade = parts
        if int(grade) > 0:
            qrels.setdefault(qid, {})[doc] = int(grade)
    return qrels


def write_run(path: Path, run: dict[str, dict[str, float]], tag: str) -> None:
    """Write a TREC run file: `qid Q0 docid rank score tag`."""
    lines: list[str] = []
    for qid in sorted(run):
        ranked = sorted(run[qid].items(), key=lambda kv: (-kv[1], kv[0]))
        lines.extend(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}" for rank, (doc, score) in enumerate(ranked, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(queries: list[GoldQuery]) -> dict[str, dict[str, int]]:
    """Query counts per kind and split."""
    out: dict[str, dict[str, int]] = {}
    for q in queries:
        out.setdefault(q.kind, {}).setdefault(q.split, 0)
        out[q.kind][q.split] += 1
    return json.loads(json.dumps(out))
