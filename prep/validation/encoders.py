"""Encoders: an encoding's name in, an object that counts a string's tokens out.

An `Encoder` is the one seam between counting examples (`.tokens`) and a
tokenizer: ``name`` and ``count(text) -> int``. The encoders here count exactly
what ``tiktoken.get_encoding(name).encode_ordinary(text)`` counts (special
tokens such as ``<|endoftext|>`` are plain text), with one of two backends:

``bpe``
    `BpeEncoder`: the compiled module of bpe-openai (the ``fast`` extra; GitHub's
    Rust ``bpe`` crate with o200k_base and cl100k_base built in), loaded without
    the package's ``__init__`` (which re-reads rank files in Python). 1.5-2.4x
    faster than tiktoken per core, loads in about 0.05 s, and linear on every
    text (tiktoken takes about a minute on a 60 MB run of one letter). Chosen
    for those two encodings whenever it is installed; it reads no rank file.
``tiktoken``
    `TiktokenEncoder`: tiktoken itself, for every other case, and when
    ``PREP_TOKENIZER=tiktoken`` asks for it. Tests hold the two backends equal.

Where tiktoken's rank files come from, in order:

1. a folder given by ``--tiktoken-dir`` or ``PREP_TIKTOKEN_DIR`` holding
   ``<encoding>.tiktoken``;
2. the copies of o200k_base and cl100k_base inside prep (``rank_files/``), so
   counting needs no download;
3. tiktoken's own cache (``TIKTOKEN_CACHE_DIR``) or download, for any other
   encoding tiktoken knows.

Every file is checked against the SHA-256 that tiktoken expects for it.

tiktoken's pre-tokenizer fails with a Rust panic on a run of 999,999 or more
blanks (`BLANKS`) without a line break; `TiktokenEncoder` counts such runs apart,
and exactly (`TiktokenEncoder._long_runs`).
"""

from __future__ import annotations

import binascii
import hashlib
import importlib.machinery
import importlib.util
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import TokenizerUnavailableError, UsageError

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "BACKEND_ENV",
    "PACKAGED",
    "TIKTOKEN_DIR_ENV",
    "BpeEncoder",
    "Encoder",
    "TiktokenEncoder",
    "check_encoding_name",
    "is_linear",
    "load_encoder",
]

TIKTOKEN_DIR_ENV = "PREP_TIKTOKEN_DIR"
#: ``bpe`` or ``tiktoken``: the backend to count with (default: bpe where it is installed and knows the encoding).
BACKEND_ENV = "PREP_TOKENIZER"
BACKENDS = ("bpe", "tiktoken")
#: The encodings built into bpe-openai's compiled module.
BPE_ENCODINGS = frozenset({"o200k_base", "cl100k_base"})
BINDINGS = "bpe_openai._bindings"
#: The folder of the rank files shipped inside prep (rank_files/README.md says where they come from).
PACKAGED = Path(__file__).resolve().parent / "rank_files"

#: Unicode White_Space (what ``\s`` means to tiktoken's regex engine) without CR and LF.
BLANKS = (
    "\t\x0b\x0c \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
#: The shortest run of blanks counted apart (tiktoken panics from 999,999 on).
LONG_BLANKS = 1 << 16
#: The encodings whose patterns `TiktokenEncoder._long_runs` was proven for (a test pins the patterns), and
#: whether the pattern takes a final run of blanks without a panic (cl100k_base's ``\s++$``).
FINAL_RUN_IS_SAFE = {"o200k_base": False, "cl100k_base": True}


class Encoder(Protocol):
    """Counts the tokens of a string for one encoding."""

    @property
    def name(self) -> str:
        """The encoding's name, e.g. ``o200k_base``."""
        ...

    def count(self, text: str) -> int:
        """Tokens of ``text``; special tokens are plain text."""
        ...


_lock = threading.Lock()
_encoders: dict[tuple[str, str | None, str], Encoder] = {}


def load_encoder(
    name: str, tiktoken_dir: str | os.PathLike[str] | None = None, *, backend: str | None = None
) -> Encoder:
    """The encoder of an encoding, loaded once per process (see the module docstring for the backends).

    ``backend`` (else ``PREP_TOKENIZER``) is ``bpe`` or ``tiktoken``; by default bpe when it is
    installed and knows the encoding. ``tiktoken_dir`` is read by the tiktoken backend only.
    Raises `TokenizerUnavailableError` with one sentence saying what to do.
    """
    chosen = _backend(name, backend or os.environ.get(BACKEND_ENV) or None)
    folder = tiktoken_dir or os.environ.get(TIKTOKEN_DIR_ENV) or None
    key = (name, str(folder) if folder and chosen == "tiktoken" else None, chosen)
    with _lock:
        if key not in _encoders:
            if chosen == "bpe":
                _encoders[key] = BpeEncoder(name)
            else:
                _encoders[key] = TiktokenEncoder(_load(name, Path(folder) if folder else None))
        return _encoders[key]


def _backend(name: str, asked: str | None) -> str:
    """The backend to count ``name`` with: the one asked for, else bpe when it can."""
    if asked is None:
        return "bpe" if name in BPE_ENCODINGS and _bindings_path() is not None else "tiktoken"
    if asked not in BACKENDS:
        raise UsageError(f"Unknown tokenizer backend {asked!r} ({BACKEND_ENV}); choose bpe or tiktoken.")
    if asked == "bpe" and name not in BPE_ENCODINGS:
        raise TokenizerUnavailableError(f"bpe-openai knows o200k_base and cl100k_base, not {name}; use tiktoken.")
    return asked


def is_linear(encoder: Encoder) -> bool:
    """True when ``encoder`` counts any text in time linear in its length (no need to count it in pieces)."""
    return isinstance(encoder, BpeEncoder)


def check_encoding_name(name: str) -> None:
    """Raise `UsageError` for an encoding tiktoken does not know (before any file is read)."""
    from tiktoken_ext import openai_public

    if name not in openai_public.ENCODING_CONSTRUCTORS:
        known = ", ".join(sorted(openai_public.ENCODING_CONSTRUCTORS))
        raise UsageError(f"Unknown encoding {name!r} (--encoding); tiktoken knows: {known}.")


def _load(name: str, folder: Path | None) -> tiktoken.Encoding:
    import tiktoken
    from tiktoken_ext import openai_public

    constructor = openai_public.ENCODING_CONSTRUCTORS.get(name)
    if constructor is None:
        known = ", ".join(sorted(openai_public.ENCODING_CONSTRUCTORS))
        raise TokenizerUnavailableError(f"Unknown encoding {name!r}; tiktoken knows: {known}.")
    for path in (folder / f"{name}.tiktoken" if folder else None, PACKAGED / f"{name}.tiktoken"):
        if path is not None and path.is_file():
            return tiktoken.Encoding(**_construct_from(constructor, path, openai_public))
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:
        raise TokenizerUnavailableError(
            f"Cannot load the {name} tokenizer ({type(exc).__name__}); either point prep at a folder "
            f"holding {name}.tiktoken with --tiktoken-dir or {TIKTOKEN_DIR_ENV}, or let tiktoken "
            "download it once (internet access, or a filled TIKTOKEN_CACHE_DIR); --no-tokens skips token checks."
        ) from exc


def _construct_from(constructor: Callable[[], dict[str, Any]], path: Path, module: Any) -> dict[str, Any]:
    """Run tiktoken's own constructor (pattern, special tokens), feeding it ``path`` after checking its hash."""

    def load_local(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if expected_hash and actual != expected_hash:
            raise TokenizerUnavailableError(
                f"{path} has SHA-256 {actual}, but tiktoken expects {expected_hash}; "
                "replace it with the published file."
            )
        fields = data.split()  # "<base64 token> <rank>" per line
        return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))

    original = module.load_tiktoken_bpe
    module.load_tiktoken_bpe = load_local
    try:
        return constructor()
    finally:
        module.load_tiktoken_bpe = original


class TiktokenEncoder:
    """Counts with a tiktoken encoding; runs of blanks that would make tiktoken panic are counted apart."""

    def __init__(self, encoding: tiktoken.Encoding, *, long_blanks: int = LONG_BLANKS) -> None:
        if long_blanks < 3:
            raise ValueError("long_blanks must be at least 3")
        self.encoding = encoding
        self._encode = encoding.encode_ordinary
        self._piece = encoding._encode_single_piece  # one BPE piece, no regex split
        split = encoding.name in FINAL_RUN_IS_SAFE
        self._long_blanks = long_blanks if split else 1 << 62  # other encodings: tiktoken as it is
        self._final_run_is_safe = FINAL_RUN_IS_SAFE.get(encoding.name, True)
        blanks = re.escape(BLANKS)
        self._runs = re.compile(f"(?<![{blanks}])[{blanks}]{{{long_blanks},}}(?![{blanks}\r\n])")

    @property
    def name(self) -> str:
        return self.encoding.name

    def count(self, text: str) -> int:
        if len(text) < self._long_blanks:
            return len(self._encode(text))
        return sum(self._counts(_scrub(text)))

    def _counts(self, text: str) -> Iterator[int]:
        """Token counts of consecutive parts of ``text`` (a str without surrogates)."""
        start = 0
        for s, e in self._long_runs(text):
            # The pieces of text[start:s]: those of text[start:s] + text[s] + "x", less its last piece.
            probe = text[s] + "x"
            yield len(self._encode(text[start:s] + probe)) - len(self._encode(probe))
            yield len(self._piece(text[s:e]))
            start = e
        yield len(self._encode(text[start:]))

    def _long_runs(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans ``(s, e)`` of long runs of blanks that the pre-tokenizer makes exactly one piece of.

        A maximal run ``text[s:t]`` of `BLANKS` (after the start, a CR/LF or a
        non-space; before the end or a non-space) is matched, in both encodings'
        patterns, by ``\\s+(?!\\S)``: one piece ``[s, t-1)`` whose last blank goes
        with what follows, or ``[s, t)`` at the end of the text (o200k_base;
        cl100k_base's ``\\s++$`` takes a final run itself, without a panic, so it
        is left to tiktoken). No earlier alternative can start inside the run
        (each needs a letter, digit or symbol within two characters, or a CR/LF),
        and no piece before ``s`` reaches past it: ``\\s*[\\r\\n]+`` stops at the
        last line break and ``[\\r\\n/]*`` at ``s``. No pattern looks behind, so
        counting starts afresh at ``e``; and in ``text[:s] + text[s] + "x"`` the
        pieces before ``s`` are the same (every character they look at is
        kept), followed by the one piece ``text[s] + "x"``. A test holds this to
        tiktoken on every run of 3 or more blanks in thousands of strings.
        """
        n = len(text)
        for m in self._runs.finditer(text):
            s, t = m.span()
            if t < n:
                yield s, t - 1
            elif not self._final_run_is_safe:
                yield s, t


def _bindings_path() -> Path | None:
    """The installed ``bpe_openai/_bindings*.so``, found without importing bpe_openai, or None."""
    spec = importlib.util.find_spec("bpe_openai")  # a top-level spec: nothing is executed
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"_bindings{suffix}"
            if path.is_file():
                return path
    return None


def _load_bindings() -> ModuleType:
    """bpe-openai's compiled module, without running the ``bpe_openai`` package ``__init__``.

    It is registered under its own name, so a later ``import bpe_openai`` reuses it
    (a PyO3 module can be initialised only once per process).
    """
    module = sys.modules.get(BINDINGS)
    if module is not None:
        return module
    path = _bindings_path()
    if path is None:
        raise TokenizerUnavailableError(
            f"{BACKEND_ENV}=bpe needs bpe-openai, which is not installed: pip install 'finetune-prep[fast]'."
        )
    loader = importlib.machinery.ExtensionFileLoader(BINDINGS, str(path))
    spec = importlib.util.spec_from_file_location(BINDINGS, path, loader=loader)
    if spec is None:  # pragma: no cover - a file that exists always has a spec
        raise TokenizerUnavailableError(f"Cannot load {path}; reinstall bpe-openai.")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[BINDINGS] = module
    return module


class BpeEncoder:
    """Counts with bpe-openai's ``PyTokenizer.count``: no token list is built, and time is linear in the text."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._count: Callable[[str], int] = _load_bindings().tokenizer_for_encoding(name).count

    @property
    def name(self) -> str:
        return self._name

    def count(self, text: str) -> int:
        try:
            return self._count(text)
        except UnicodeEncodeError:  # surrogates: the str has no UTF-8 form
            return self._count(_scrub(text))


def _scrub(text: str) -> str:
    """``text`` as tiktoken encodes it: surrogate pairs joined, a lone surrogate made U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
