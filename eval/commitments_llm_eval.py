"""`python -m eval.commitments_llm_eval`: the chat-model commitment classifier on the external labels.

No language model runs on this machine, so the evaluation has two steps:

- ``prompts``: write the exact prompts the product sends (``rag.commitments_llm``), one per answer;
- ``score``: serve recorded replies to those prompts from a loopback OpenAI-compatible endpoint
  (``eval.replay_server``), run the product's client, parser and rule fallback against it, and score
  the labels next to the rules' on the same sentences.

Recorded replies live in ``eval/runs/commitments_llm/v<prompt version>/``; who produced them is stated
in that folder's README and in the report.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from eval.commitments_eval import EXTERNAL, KINDS, Labelled, load_labels, score
from eval.metrics import Confusion
from eval.replay_server import prompt_key, serving
from rag.commitments import classify
from rag.commitments_llm import PROMPT_VERSION, SYSTEM_PROMPT, LLMClassifier, build_messages
from rag.llm import ChatClient

EVAL_DIR = Path(__file__).parent
RUNS = EVAL_DIR / "runs" / "commitments_llm"
REPORT = EVAL_DIR / "reports" / "commitments_llm.md"

SCORED_SPLITS = ("test4", "test5", "test6")  # held out for prompt version 2 (eval/runs/commitments_llm/README.md)
WHO = "Claude helper sessions acting as the endpoint, one pass, blind to the labels (see eval/runs/commitments_llm/)"

Group = tuple[str, str, list[Labelled]]  # (answer id, question, its labelled sentences in order)


def answers(rows: Sequence[Labelled], splits: Sequence[str]) -> list[Group]:
    """The labelled sentences grouped per answer (page and block), in file order."""
    groups: dict[str, tuple[str, list[Labelled]]] = {}
    for r in rows:
        if r.split in splits:
            key = f"{r.url}#{r.block}"
            groups.setdefault(key, (r.question or "", []))[1].append(r)
    return [(k, q, sorted(rs, key=lambda r: r.sent or 0)) for k, (q, rs) in groups.items()]


def load_external(path: Path = EXTERNAL) -> list[Labelled]:
    """The external labels (skips left out), with their answer blocks."""
    return load_labels(path)


def write_prompts(groups: list[Group], out: Path, system: str = SYSTEM_PROMPT) -> int:
    """One JSON line per answer: its id, the prompt key and the exact messages the product sends."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for gid, question, rows in groups:
            messages = [m.model_dump() for m in build_messages(question, [r.text for r in rows], system)]
            fh.write(json.dumps({"id": gid, "key": prompt_key(messages), "messages": messages}, ensure_ascii=False))
            fh.write("\n")
    return len(groups)


def read_system_prompt(path: Path) -> str:
    """A system prompt kept in a file (its final newline is not part of it)."""
    return path.read_text(encoding="utf-8").removesuffix("\n")


def load_replies(paths: Sequence[Path]) -> dict[str, str]:
    """Recorded replies by prompt key, from files of {"key", "reply"} lines."""
    out: dict[str, str] = {}
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out[row["key"]] = row["reply"]
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{path}:{n}: not a {{'key', 'reply'}} JSON line") from None
    return out


def _cells(c: Confusion) -> str:
    """The chat model's columns of a report row: gold, found, wrong, precision, recall."""
    return f"{c.tp + c.fn} | {c.tp} | {c.fp} | {c.precision:.2f} | {c.recall:.2f}"


def run(groups: list[Group], replies: dict[str, str], who: str, system: Path | None = None) -> str:
    """Replay, classify and return the markdown report (`system`: another system prompt than the product's)."""
    by_split: dict[str, list[tuple[Labelled, str | None, str | None]]] = {}
    with serving(replies) as server:
        prompt = read_system_prompt(system) if system else SYSTEM_PROMPT
        clf = LLMClassifier(ChatClient(server.base_url, "replay", timeout_s=30), system=prompt)
        for _, question, rows in groups:
            texts = [r.text for r in rows]
            labels = clf.classify_answer(question, texts)
            for r, lab in zip(rows, labels, strict=True):
                by_split.setdefault(r.split, []).append((r, lab.kind, classify(r.text, question).kind))
        missing = server.missing
    lines = [
        "# Commitments and refusals: chat-model classifier (replayed)",
        "",
        "Written by `python -m eval.commitments_llm_eval score`. The prompt is "
        + (f"`{system.as_posix()}`" if system else f"`rag/commitments_llm.py` (prompt version {PROMPT_VERSION})")
        + "; the labels are "
        "the external set (`eval/labels/README.md` §3). The current rules are scored on the same sentences "
        "(which splits they were tuned on: `eval/reports/commitments.md`).",
        "",
        f"Replies: {who}",
        "",
        f"Answers: {len(groups)}; requests with no recorded reply: {missing}; answers that fell back to the "
        f"rules (no reply, or a reply the parser rejected): {len(clf.fallbacks)}.",
        "",
        "| split | class | gold | chat model found | chat model wrong | chat model P | chat model R "
        "| rules P | rules R |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for split, items in by_split.items():
        rows = [r for r, _, _ in items]
        for kind in KINDS:
            llm = score(rows, {i: k for i, (_, k, _) in enumerate(items)}, kind)
            rules = score(rows, {i: k for i, (_, _, k) in enumerate(items)}, kind)
            lines.append(f"| {split} | {kind} | {_cells(llm)} | {rules.precision:.2f} | {rules.recall:.2f} |")
    if len(by_split) > 1:
        items = [x for split_items in by_split.values() for x in split_items]
        rows = [r for r, _, _ in items]
        for kind in KINDS:
            llm = score(rows, {i: k for i, (_, k, _) in enumerate(items)}, kind)
            # no pooled rules figure: the rules may be tuned on some of these splits and not on others
            lines.append(f"| all above | {kind} | {_cells(llm)} | — | — |")
    if clf.fallbacks:
        lines += ["", "Rejected replies (first 10):", ""] + [f"- {f}" for f in clf.fallbacks[:10]]
    for split, items in by_split.items():
        lines += ["", f"## Chat-model errors, {split}", ""]
        for r, said, _ in items:
            if (said or "none") != r.label:
                lines.append(f"- {r.where}: labelled **{r.label}**, model **{said or 'none'}**: «{r.text}»")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: `prompts --splits test3 --out F` or `score --replies F [F …] --who TEXT`."""
    p = argparse.ArgumentParser(prog="python -m eval.commitments_llm_eval", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("prompts", help="write the prompts for some splits")
    pr.add_argument("--splits", default="test3", help="comma-separated external splits")
    pr.add_argument("--out", type=Path, required=True)
    pr.add_argument("--system-prompt", type=Path, help="another system prompt than the product's (a file)")
    sc = sub.add_parser("score", help="replay recorded replies and score them")
    sc.add_argument("--splits", default=",".join(SCORED_SPLITS), help="comma-separated external splits")
    sc.add_argument("--replies", type=Path, nargs="+", default=sorted((RUNS / f"v{PROMPT_VERSION}").glob("*.jsonl")))
    sc.add_argument("--who", default=WHO, help="who wrote the recorded replies")
    sc.add_argument("--out", type=Path, default=REPORT)
    sc.add_argument("--system-prompt", type=Path, help="the system prompt the replies were recorded for")
    args = p.parse_args(argv)
    groups = answers(load_external(), args.splits.split(","))
    if args.cmd == "prompts":
        system = read_system_prompt(args.system_prompt) if args.system_prompt else SYSTEM_PROMPT
        n = write_prompts(groups, args.out, system)
        print(f"{n} prompts written to {args.out}")
        return 0
    try:
        replies = load_replies(args.replies)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = run(groups, replies, args.who, args.system_prompt)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
