"""Service benchmark: cold start, query latency over real HTTP, index build time.

`python -m eval.bench [--rebuild]` starts `rag serve` on a free loopback port, waits for /health,
sends every gold query to POST /search, and writes eval/reports/bench.md.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from eval.gold import load_queries
from rag.config import ROOT

REPORT = Path(__file__).parent / "reports" / "bench.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_index_build() -> dict[str, float]:
    """Build the index from scratch into a temp folder, as a separate process."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VRAAGBAAK_INDEX_DIR": str(Path(tmp) / "index")}
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "rag", "index"], env=env, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        manifest = json.loads((Path(tmp) / "index" / "manifest.json").read_text())
    return {"wall_s": round(wall, 1), "embed_s": manifest["timings_s"]["embed"], "chunks": manifest["counts"]["chunks"]}


def main() -> None:
    """Run the benchmark and write the report."""
    rebuild = "--rebuild" in sys.argv
    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            deadline = time.time() + 180
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("server did not come up")
                time.sleep(0.1)
            cold = time.perf_counter() - t0
            health = client.get("/health").json()
            queries = load_queries()
            client.post("/search", json={"question": "opwarmen", "k": 10})
            lat = []
            for q in queries:
                t = time.perf_counter()
                r = client.post("/search", json={"question": q.text, "k": 10})
                r.raise_for_status()
                lat.append(1000 * (time.perf_counter() - t))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    build = time_index_build() if rebuild else None
    lines = [
        "# Service benchmark",
        "",
        f"Measured by `python -m eval.bench` on {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} cores, backend {health['embed_backend']}, model {health['model']}, "
        f"{health['pairs']} pairs / {health['chunks']} vectors.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| cold start (process start → /health 200) | {cold:.1f} s |",
        f"| POST /search latency over HTTP, k=10, {len(lat)} gold queries, sequential | "
        f"p50 {statistics.median(lat):.0f} ms, p95 {_pct(lat, 95):.0f} ms, max {max(lat):.0f} ms |",
    ]
    if build:
        lines.append(
            f"| index build from scratch (`rag index`, whole process) | {build['wall_s']} s "
            f"({build['chunks']} chunks, embedding {build['embed_s']} s) |"
        )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
