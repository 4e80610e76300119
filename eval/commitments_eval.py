"""`python -m eval.commitments_eval`: precision and recall of the commitment rules on labelled sentences.

Two label sets are scored:

- ``corpus``: every answer sentence of the embedded corpus (``eval/labels/commitments.jsonl``);
- ``external``: answer sentences from other Kamervragen, years and ministries
  (``eval/labels/commitments_external/<split>.jsonl``), labelled by two annotators and adjudicated.

Each set has a ``dev`` and a ``test`` split; the report says which ones the rules were tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel

from eval.metrics import Confusion
from rag.commitments import classify, split_answer_sentences
from rag.config import get_settings
from rag.corpus import Corpus

EVAL_DIR = Path(__file__).parent
LABELS = EVAL_DIR / "labels" / "commitments.jsonl"
EXTERNAL = EVAL_DIR / "labels" / "commitments_external"  # one file per collection: <split>.jsonl
ANNOTATORS = EVAL_DIR / "labels" / "commitments_external_annotators.jsonl"
REPORT = EVAL_DIR / "reports" / "commitments.md"
KINDS = ("commitment", "refusal")
TARGET = 0.9

SPLITS = ("dev", "test", "test2", "test3", "test4", "test5", "test6")
# What each split was used for; the report prints it next to the figures.
ROLES = {
    ("corpus", "dev"): "tuned on",
    ("corpus", "test"): "tuned on (its errors were read in the first session)",
    ("external", "dev"): "tuned on",
    ("external", "test"): "held out for freeze 1, then tuned on",
    ("external", "test2"): "held out for freeze 2, then tuned on",
    ("external", "test3"): "held out: labelled after freeze 3, scored once",
    ("external", "test4"): "held out for freeze 3 (a fourth collection, scored once), then tuned on",
    ("external", "test5"): "held out: labelled after freeze 4, scored once",
    ("external", "test6"): "held out: a sixth collection, labelled after freeze 4, scored once",
}
# Figures measured at each freeze, kept as data: (rules, set, split, class) -> (precision, recall, gold).
HISTORY = [
    ("first-session rules", "external", "test", "commitment", 0.83, 0.26, 38),
    ("first-session rules", "external", "test", "refusal", 0.71, 0.24, 21),
    ("freeze 1 (tuned on corpus + external dev)", "external", "test", "commitment", 0.78, 0.55, 38),
    ("freeze 1 (tuned on corpus + external dev)", "external", "test", "refusal", 0.80, 0.38, 21),
    ("freeze 2 (tuned on corpus + external dev, test)", "external", "test2", "commitment", 0.55, 0.40, 55),
    ("freeze 2 (tuned on corpus + external dev, test)", "external", "test2", "refusal", 0.60, 0.47, 19),
    # The same splits scored afterwards with every earlier rule version, to see whether tuning carried over.
    ("first-session rules", "external", "test3", "commitment", 0.33, 0.07, 14),
    ("first-session rules", "external", "test3", "refusal", 1.00, 0.42, 19),
    ("freeze 1", "external", "test3", "commitment", 0.56, 0.36, 14),
    ("freeze 1", "external", "test3", "refusal", 0.87, 0.68, 19),
    ("freeze 2", "external", "test3", "commitment", 0.50, 0.36, 14),
    ("freeze 2", "external", "test3", "refusal", 0.87, 0.68, 19),
    ("freeze 3", "external", "test3", "commitment", 0.45, 0.36, 14),
    ("freeze 3", "external", "test3", "refusal", 0.93, 0.68, 19),
    ("freeze 3", "external", "test4", "commitment", 0.51, 0.45, 47),
    ("freeze 3", "external", "test4", "refusal", 0.92, 0.50, 22),
    ("freeze 1", "external", "test5", "commitment", 0.56, 0.37, 27),
    ("freeze 1", "external", "test5", "refusal", 1.00, 0.33, 12),
    ("freeze 2", "external", "test5", "commitment", 0.53, 0.37, 27),
    ("freeze 2", "external", "test5", "refusal", 1.00, 0.33, 12),
    ("freeze 3", "external", "test5", "commitment", 0.50, 0.37, 27),
    ("freeze 3", "external", "test5", "refusal", 1.00, 0.25, 12),
    ("first-session rules", "external", "test6", "commitment", 0.58, 0.32, 44),
    ("first-session rules", "external", "test6", "refusal", 0.75, 0.33, 27),
    ("freeze 1", "external", "test6", "commitment", 0.54, 0.45, 44),
    ("freeze 1", "external", "test6", "refusal", 0.67, 0.44, 27),
    ("freeze 2", "external", "test6", "commitment", 0.57, 0.48, 44),
    ("freeze 2", "external", "test6", "refusal", 0.61, 0.52, 27),
    ("freeze 3", "external", "test6", "commitment", 0.63, 0.50, 44),
    ("freeze 3", "external", "test6", "refusal", 0.64, 0.52, 27),
]


class Labelled(BaseModel):
    """One labelled answer sentence (from the corpus: pair_id; from elsewhere: url)."""

    text: str
    label: str
    split: str
    term: str | None = None
    note: str | None = None
    pair_id: str | None = None
    para: int | None = None
    sent: int | None = None
    id: str | None = None
    url: str | None = None
    block: int | None = None
    question: str | None = None

    @property
    def where(self) -> str:
        """A short locator for the error list."""
        if self.pair_id is not None:
            return f"`{self.pair_id}` {self.para}.{self.sent}"
        return f"`{self.id}` ({self.url})"


def label_files(path: Path) -> list[Path]:
    """A labels file, or every ``*.jsonl`` in a labels folder, in name order."""
    return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]


def load_labels(path: Path = LABELS) -> list[Labelled]:
    """The labelled sentences of a file or folder (items labelled ``skip`` are left out)."""
    rows = [
        Labelled(**json.loads(line))
        for f in label_files(path)
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [r for r in rows if r.label != "skip"]


def check_alignment(rows: list[Labelled], corpus: Corpus) -> list[str]:
    """Problems where a label's sentence is not what the splitter produces from the corpus."""
    problems = []
    for r in rows:
        if r.pair_id is None or r.para is None or r.sent is None:
            continue
        pair = corpus.pairs.get(r.pair_id)
        if pair is None or r.para >= len(pair.answer_paragraphs):
            problems.append(f"{r.pair_id} para {r.para}: not in the corpus")
            continue
        sents = split_answer_sentences(pair.answer_paragraphs[r.para])
        if r.sent >= len(sents) or sents[r.sent] != r.text:
            problems.append(f"{r.pair_id} para {r.para} sent {r.sent}: text differs from the splitter's")
    return problems


def score(rows: Sequence[Labelled], predicted: Mapping[int, str | None], kind: str) -> Confusion:
    """Counts for one class."""
    tp = sum(1 for i, r in enumerate(rows) if r.label == kind and predicted[i] == kind)
    fp = sum(1 for i, r in enumerate(rows) if r.label != kind and predicted[i] == kind)
    fn = sum(1 for i, r in enumerate(rows) if r.label == kind and predicted[i] != kind)
    return Confusion(tp=tp, fp=fp, fn=fn)


def _norm(term: str | None) -> str | None:
    return " ".join(term.casefold().split()) if term else None


def agreement(rows: Sequence[Labelled], path: Path = ANNOTATORS) -> list[str]:
    """Report lines: each annotator scored against the other, per split, where neither skipped."""
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    both = {r["id"]: (r["a"], r["b"]) for r in raw if "skip" not in (r["a"], r["b"])}
    lines = [
        "## How far people agree",
        "",
        "The two annotators' own labels (before adjudication), one scored against the other, on the sentences "
        "neither skipped. Precision of A against B is recall of B against A, so one row covers both directions.",
        "",
        "| split | class | labelled by B | A precision (vs B) | A recall (vs B) |",
        "|---|---|---:|---:|---:|",
    ]
    for split in (*SPLITS, "all"):
        ids = [r.id for r in rows if r.id in both and split in (r.split, "all")]
        if not ids:
            continue
        for kind in KINDS:
            tp = sum(1 for i in ids if both[i] == (kind, kind))
            fp = sum(1 for i in ids if both[i][0] == kind and both[i][1] != kind)
            fn = sum(1 for i in ids if both[i][0] != kind and both[i][1] == kind)
            c = Confusion(tp=tp, fp=fp, fn=fn)
            lines.append(f"| {split} | {kind} | {tp + fn} | {c.precision:.2f} | {c.recall:.2f} |")
    return lines


def run(sets: Mapping[str, list[Labelled]]) -> str:
    """Classify every labelled sentence of every set and return the markdown report."""
    preds = {name: [classify(r.text, r.question) for r in rows] for name, rows in sets.items()}
    lines = [
        "# Commitments and refusals: rule-based extraction",
        "",
        "Written by `python -m eval.commitments_eval`. Label sets and how they were made: "
        "`eval/labels/README.md`. The rules are in `rag/commitments.py`.",
        "",
        "| set | split | use | class | gold | predicted | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for name, rows in sets.items():
        for split in SPLITS:
            idx = [i for i, r in enumerate(rows) if r.split == split]
            if not idx:
                continue
            sub = [rows[i] for i in idx]
            sub_pred = {j: preds[name][i].kind for j, i in enumerate(idx)}
            for kind in KINDS:
                s = score(sub, sub_pred, kind)
                lines.append(
                    f"| {name} | {split} | {ROLES.get((name, split), '')} | {kind} | {s.tp + s.fn} | {s.tp + s.fp} "
                    f"| {s.tp} | {s.fp} | {s.fn} | {s.precision:.2f} | {s.recall:.2f} |"
                )
                if kind == "commitment":
                    met = s.precision >= TARGET and s.recall >= TARGET
                    verdicts.append(
                        f"- {name} {split}: "
                        + ("met" if met else f"**not met** (precision {s.precision:.2f}, recall {s.recall:.2f})")
                    )
    lines += ["", f"Target: precision and recall of at least {TARGET:.2f} on commitments.", "", *verdicts]
    lines += [
        "",
        "Earlier rule versions (git history), scored on what was then held out, "
        "and on test3, test5 and test6 afterwards:",
        "",
        "| rules | set | split | class | gold | precision | recall |",
        "|---|---|---|---|---:|---:|---:|",
        *(f"| {r} | {n} | {sp} | {k} | {g} | {p:.2f} | {rc:.2f} |" for r, n, sp, k, p, rc, g in HISTORY),
    ]
    if "external" in sets and ANNOTATORS.exists():
        lines += ["", *agreement(sets["external"])]
    lines += ["", "## Terms", ""]
    for name, rows in sets.items():
        for split in SPLITS:
            hits = [
                (r, preds[name][i])
                for i, r in enumerate(rows)
                if r.split == split and r.label == "commitment" and preds[name][i].kind == "commitment"
            ]
            if not hits:
                continue
            same = sum(_norm(r.term) == _norm(p.term) for r, p in hits)
            lines.append(
                f"- {name} {split}: the extracted term equals the labelled one (both empty counts) "
                f"for {same} of {len(hits)} found commitments."
            )
    lines += [
        "",
        "## Rules that fired (all sets and splits)",
        "",
        "| rule | kind | right | wrong |",
        "|---|---|---:|---:|",
    ]
    fired: Counter[tuple[str, str, bool]] = Counter()
    for name, rows in sets.items():
        for i, p in enumerate(preds[name]):
            if p.kind:
                fired[(p.rule or "", p.kind, rows[i].label == p.kind)] += 1
    for rule, kind in sorted({(r, k) for r, k, _ in fired}):
        lines.append(f"| {rule} | {kind} | {fired[(rule, kind, True)]} | {fired[(rule, kind, False)]} |")
    lines += ["", "## Errors", ""]
    for name, rows in sets.items():
        for split in SPLITS:
            if not any(r.split == split for r in rows):
                continue
            lines += [f"### {name} {split}", ""]
            errors = [
                (r, p)
                for r, p in zip(rows, preds[name], strict=True)
                if r.split == split and (p.kind or "none") != r.label
            ]
            if not errors:
                lines.append("None.")
            for r, p in errors:
                lines.append(
                    f"- {r.where}: labelled **{r.label}**, predicted **{p.kind or 'none'}**"
                    f"{f' ({p.rule})' if p.rule else ''}: «{r.text}»"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Evaluate and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all", help="limit the report to one split")
    ap.add_argument("--out", type=Path, default=REPORT)
    args = ap.parse_args(argv)
    sets: dict[str, list[Labelled]] = {}
    for name, path in (("corpus", LABELS), ("external", EXTERNAL)):
        if not path.exists():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
        sets[name] = load_labels(path)
    corpus = Corpus.load(get_settings().corpus_path)
    problems = check_alignment(sets["corpus"], corpus)
    for r in sets["corpus"]:
        pair = corpus.pairs.get(r.pair_id or "")
        r.question = pair.question if pair else None
    if problems:
        # The rules classify each label's own text, so a shifted index only matters for extraction.
        print(f"warning: {len(problems)} label(s) no longer line up with the parsed corpus, e.g. {problems[0]}")
    if args.split != "all":
        sets = {name: [r for r in rows if r.split == args.split] for name, rows in sets.items()}
    report = run(sets)
    if problems:
        report += "\n## Labels that no longer line up with the parsed corpus\n\n" + "".join(
            f"- {p}\n" for p in problems
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report.split("## Terms")[0].rstrip())
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
