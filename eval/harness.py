"""Run named retrieval conditions over the gold set; write TREC runs, a markdown report and a chart."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from eval.gold import GOLD_DIR, OUT_OF_CORPUS, GoldQuery, Qrels, load_qrels, load_queries, write_run
from eval.metrics import METRICS, evaluate_run, gate_scores, mean
from rag.config import ROOT, Settings, get_settings
from rag.corpus import Corpus
from rag.embed import Embedder, load_embedder
from rag.indexing import build_index, index_is_current
from rag.retrieve import Retriever

EVAL_DIR = Path(__file__).parent
EXPECTED = EVAL_DIR / "expected.json"
INDEX_KEYS = {"passage_prefix", "query_prefix", "include_title", "max_tokens", "faiss_factory", "question_vectors"}


class Condition(BaseModel):
    """A named retrieval configuration: a mode plus settings overrides."""

    name: str
    description: str
    mode: str = "hybrid"
    overrides: dict[str, Any] = Field(default_factory=dict)


CONDITIONS: list[Condition] = [
    Condition(
        name="bm25", mode="bm25", description="bm25s over title+question+answer, Dutch stopwords + Snowball stemmer"
    ),
    Condition(
        name="dense-qa",
        mode="dense",
        overrides={"question_vectors": False},
        description="e5-small, one vector per question+answer chunk, `query: ` on both sides",
    ),
    Condition(
        name="dense-qa-passage",
        mode="dense",
        overrides={"question_vectors": False, "passage_prefix": "passage: "},
        description="as dense-qa with `passage: ` on the pair side",
    ),
    Condition(
        name="dense-qa-title",
        mode="dense",
        overrides={"question_vectors": False, "include_title": True},
        description="as dense-qa with the document title prepended",
    ),
    Condition(
        name="dense",
        mode="dense",
        description="question+answer chunks plus the question alone; a pair scores its best vector",
    ),
    Condition(
        name="rrf",
        mode="hybrid",
        overrides={"fusion": "rrf"},
        description="plain reciprocal-rank fusion of dense and bm25 (k=60)",
    ),
    Condition(
        name="dense+bm25",
        mode="hybrid",
        overrides={"doc_prior_weight": 0.0},
        description="dense + 0.1 × max-normalised BM25, BM25 skipped for English queries",
    ),
    Condition(
        name="hybrid",
        mode="hybrid",
        description="the default: dense+bm25 plus 0.5 × document score (mean of the document's 3 best pairs)",
    ),
]


class QueryOutcome(BaseModel):
    """What a condition returned for one query."""

    run: dict[str, float]
    flagged: bool
    top_dense: float | None = None
    seconds: float


Searcher = Callable[[GoldQuery], QueryOutcome]


def _index_dir_for(base: Settings, overrides: dict[str, Any]) -> Path:
    key = {k: overrides.get(k, getattr(base, k)) for k in sorted(INDEX_KEYS)}
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]
    return ROOT / "var" / "eval-indexes" / digest


class LocalSearcher:
    """Searches with the library, building a variant index when a condition needs one."""

    def __init__(self, base: Settings, embedder: Embedder, corpus: Corpus, log: Callable[[str], None]) -> None:
        self.base, self.embedder, self.corpus, self.log = base, embedder, corpus, log
        self._retrievers: dict[str, Retriever] = {}

    def retriever(self, cond: Condition) -> Retriever:
        """The retriever for a condition (index-time overrides get their own index)."""
        index_over = {k: v for k, v in cond.overrides.items() if k in INDEX_KEYS}
        settings = self.base.model_copy(update=cond.overrides)
        if index_over:
            settings = settings.model_copy(update={"index_dir": _index_dir_for(self.base, index_over)})
            if not index_is_current(settings, self.corpus):
                self.log(f"  building index for {cond.name} into {settings.index_dir} …")
                t0 = time.perf_counter()
                build_index(settings, self.corpus, self.embedder)
                self.log(f"  built in {time.perf_counter() - t0:.1f} s")
        key = str(settings.index_dir)
        if key not in self._retrievers:
            self._retrievers[key] = Retriever.load(settings, embedder=self.embedder)
        return self._retrievers[key].with_settings(settings)

    def searcher(self, cond: Condition, k: int) -> Searcher:
        """A function that runs one gold query under the condition."""
        r = self.retriever(cond)

        def run(q: GoldQuery) -> QueryOutcome:
            t0 = time.perf_counter()
            res = r.search(q.text, k=k, mode=cond.mode)  # type: ignore[arg-type]
            return QueryOutcome(
                run={h.id: h.score for h in res.results},
                flagged=res.no_relevant_match,
                top_dense=res.top_dense_score,
                seconds=time.perf_counter() - t0,
            )

        return run


def http_searcher(url: str, k: int) -> Searcher:
    """Score a running server through POST /search."""
    import httpx

    client = httpx.Client(base_url=url.rstrip("/"), timeout=60)

    def run(q: GoldQuery) -> QueryOutcome:
        t0 = time.perf_counter()
        r = client.post("/search", json={"question": q.text, "k": k})
        r.raise_for_status()
        body = r.json()
        return QueryOutcome(
            run={h["id"]: h["score"] for h in body["results"]},
            flagged=bool(body.get("no_relevant_match")),
            top_dense=body.get("top_dense_score"),
            seconds=time.perf_counter() - t0,
        )

    return run


class ConditionScores(BaseModel):
    """All figures for one condition."""

    name: str
    description: str
    by_split: dict[str, dict[str, float | None]]
    by_kind: dict[str, dict[str, dict[str, float | None]]]
    gate: dict[str, dict[str, float]]
    latency_ms_p50: float
    per_query: dict[str, dict[str, float]]
    top_dense: dict[str, float | None]


def score_condition(
    name: str, description: str, queries: list[GoldQuery], qrels: Qrels, outcomes: dict[str, QueryOutcome]
) -> ConditionScores:
    """Metrics per split and per kind, and gate precision/recall per split."""
    run = {qid: o.run for qid, o in outcomes.items()}
    per_query = evaluate_run(qrels, run)
    splits = sorted({q.split for q in queries}) + ["all"]
    kinds = sorted({q.kind for q in queries if q.kind != OUT_OF_CORPUS})
    ooc = {q.id for q in queries if q.kind == OUT_OF_CORPUS}
    by_split: dict[str, dict[str, float | None]] = {}
    by_kind: dict[str, dict[str, dict[str, float | None]]] = {}
    gate: dict[str, dict[str, float]] = {}
    for split in splits:
        in_split = [q for q in queries if split in ("all", q.split)]
        qids = [q.id for q in in_split]
        by_split[split] = {m: mean(per_query, qids, m) for m in METRICS}
        by_split[split]["n"] = float(len([q for q in qids if q in per_query]))
        gate[split] = gate_scores({q.id: outcomes[q.id].flagged for q in in_split}, ooc)
        by_kind[split] = {}
        for kind in kinds:
            kq = [q.id for q in in_split if q.kind == kind]
            by_kind[split][kind] = {m: mean(per_query, kq, m) for m in ("ndcg@10", "recall@10")}
            by_kind[split][kind]["n"] = float(len(kq))
    lat = sorted(o.seconds for o in outcomes.values())
    return ConditionScores(
        name=name,
        description=description,
        by_split=by_split,
        by_kind=by_kind,
        gate=gate,
        latency_ms_p50=round(1000 * lat[len(lat) // 2], 1) if lat else 0.0,
        per_query=per_query,
        top_dense={qid: o.top_dense for qid, o in outcomes.items()},
    )


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def write_report(scores: list[ConditionScores], queries: list[GoldQuery], out: Path, note: str = "") -> Path:
    """Markdown report with tables per split, per kind (test split) and gate figures."""
    lines = [
        "# Retrieval evaluation",
        "",
        f"Generated by `rag eval` on {time.strftime('%Y-%m-%d %H:%M')}. {note}".strip(),
        "",
    ]
    counts: dict[str, int] = {}
    for q in queries:
        counts[q.split] = counts.get(q.split, 0) + 1
    lines.append("Queries: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) + ". Metrics from ranx.")
    lines.append("")
    for split in ("test", "dev"):
        lines += [
            f"## {split} split",
            "",
            "| condition | nDCG@10 | R@5 | R@10 | R@100 | MRR@10 | OOC flagged | false flags | p50 ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in scores:
            b, g = s.by_split.get(split, {}), s.gate.get(split, {})
            lines.append(
                f"| {s.name} | {_fmt(b.get('ndcg@10'))} | {_fmt(b.get('recall@5'))} | {_fmt(b.get('recall@10'))} | "
                f"{_fmt(b.get('recall@100'))} | {_fmt(b.get('mrr@10'))} | {_fmt(g.get('ooc_flagged'))} | "
                f"{_fmt(g.get('false_flags'))} | {s.latency_ms_p50} |"
            )
        lines.append("")
    kinds = sorted({k for s in scores for k in s.by_kind.get("test", {})})
    for metric, title in (("ndcg@10", "nDCG@10"), ("recall@10", "Recall@10")):
        lines += [
            f"## {title} per query kind (test split)",
            "",
            "| condition | " + " | ".join(kinds) + " |",
            "|---|" + "---|" * len(kinds),
        ]
        for s in scores:
            cells = " | ".join(_fmt(s.by_kind["test"].get(k, {}).get(metric)) for k in kinds)
            lines.append(f"| {s.name} | {cells} |")
        lines.append("")
    lines += ["## Conditions", ""] + [f"- **{s.name}**: {s.description}" for s in scores]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "retrieval.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_chart(scores: list[ConditionScores], out: Path) -> Path:
    """Bar chart of nDCG@10 and Recall@10 per condition and split."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    names = [s.name for s in scores]
    for ax, metric in zip(axes, ("ndcg@10", "recall@10"), strict=True):
        for i, split in enumerate(("dev", "test")):
            vals = [s.by_split.get(split, {}).get(metric) or 0.0 for s in scores]
            ax.bar([x + i * 0.4 for x in range(len(names))], vals, width=0.4, label=split)
        ax.set_xticks([x + 0.2 for x in range(len(names))], names, rotation=30, ha="right")
        ax.set_title(metric)
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    path = out / "retrieval.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_eval(
    conditions: list[str] | None = None,
    url: str | None = None,
    k: int = 100,
    out: Path = EVAL_DIR / "reports",
    gold_dir: Path = GOLD_DIR,
    settings: Settings | None = None,
    log: Callable[[str], None] = print,
    runs_dir: Path = EVAL_DIR / "runs",
) -> list[ConditionScores]:
    """Evaluate conditions (or a server at url); writes TREC runs, report, chart and scores.json."""
    queries = load_queries(gold_dir / "queries.jsonl")
    qrels = load_qrels(gold_dir / "qrels.txt")
    results: list[ConditionScores] = []
    if url:
        search = http_searcher(url, k)
        outcomes = {q.id: search(q) for q in queries}
        name = "server"
        write_run(runs_dir / f"{name}.trec", {q: o.run for q, o in outcomes.items()}, name)
        results.append(score_condition(name, f"POST {url}/search", queries, qrels, outcomes))
    else:
        base = settings or get_settings()
        corpus = Corpus.load(base.corpus_path)
        embedder = load_embedder(base)
        local = LocalSearcher(base, embedder, corpus, log)
        chosen = [c for c in CONDITIONS if not conditions or c.name in conditions]
        unknown = set(conditions or []) - {c.name for c in CONDITIONS}
        if unknown:
            raise ValueError(f"unknown condition(s) {sorted(unknown)}; known: {[c.name for c in CONDITIONS]}")
        for cond in chosen:
            t0 = time.perf_counter()
            search = local.searcher(cond, k)
            outcomes = {q.id: search(q) for q in queries}
            write_run(runs_dir / f"{cond.name}.trec", {q: o.run for q, o in outcomes.items()}, cond.name)
            sc = score_condition(cond.name, cond.description, queries, qrels, outcomes)
            results.append(sc)
            t = sc.by_split["test"]
            log(
                f"{cond.name:14s} test nDCG@10 {_fmt(t['ndcg@10'])} R@10 {_fmt(t['recall@10'])}  "
                f"({time.perf_counter() - t0:.1f} s)"
            )
    write_report(results, queries, out)
    write_chart(results, out)
    (out / "scores.json").write_text(
        json.dumps({s.name: {"by_split": s.by_split, "by_kind": s.by_kind, "gate": s.gate} for s in results}, indent=2),
        encoding="utf-8",
    )
    return results


def check_expected(results: list[ConditionScores], tolerance: float = 0.02, path: Path = EXPECTED) -> list[str]:
    """Regressions against the pinned scores: a list of messages, empty when none."""
    expected = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for s in results:
        for split, metrics in expected.get(s.name, {}).items():
            for metric, want in metrics.items():
                got = s.by_split.get(split, {}).get(metric)
                if got is None or got < want - tolerance:
                    problems.append(f"{s.name} {split} {metric}: {_fmt(got)} < pinned {want:.3f} - {tolerance}")
    return problems


def pin_expected(results: list[ConditionScores], path: Path = EXPECTED) -> None:
    """Write the current scores as the pinned expectation."""
    data = {
        s.name: {
            split: {
                m: round(v, 4) for m, v in s.by_split[split].items() if m in ("ndcg@10", "recall@10") and v is not None
            }
            for split in ("dev", "test")
        }
        for s in results
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
