"""Where a data file's bytes come from: a local path or a URL, compressed or not.

A `Source` names one input: ``location`` is what to open (a path, or a URL that
may hold a user, a password or a signed query string), ``name`` is what reports
and messages show (the URL without any of those), ``size`` its stored bytes, and
``compression`` (``.gz``, ``.zst``) from its name. `open_source` gives the
decompressed bytes as a stream that reads lines (`prep.reading.jsonl.iter_lines`);
an uncompressed source also seeks, so it can be cut into byte ranges, which a
compressed one cannot.

URLs (``s3://``, ``gs://``, ``hf://``, ``https://``, any fsspec protocol) are
opened with fsspec (the ``remote`` extra; ``gs://`` needs ``gcs``, ``hf://``
needs ``hf``). Each filesystem library finds credentials as it always does
(environment variables, its configuration files, instance roles, a cached
login); prep passes none and never prints or logs a location, only its ``name``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import InputError, PrepError, require

__all__ = ["COMPRESSIONS", "Source", "data_name", "expand_url", "is_url", "open_source", "redact", "stat_source"]

#: Compressed file name endings and their codecs; such files are read as one stream.
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
#: Bytes fetched per request from remote storage (fsspec's read-ahead block).
REMOTE_BLOCK_BYTES = 4 * 2**20
#: The read buffer of a local file: lines of tens of kilobytes are read in one call, not several.
READ_BUFFER = 2**20
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def is_url(location: str) -> bool:
    """True for ``scheme://...`` (a Windows drive letter is not a scheme)."""
    return bool(re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+://", location))


def redact(text: str) -> str:
    """``text`` with each URL's user, password, query string and fragment left out."""
    return _URL.sub(lambda m: _redact_url(m.group(0)), text)


def _redact_url(found: str) -> str:
    url = found.rstrip(".,:;)]")  # punctuation after a URL in a sentence is not part of it
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", "")) + found[len(url) :]


def data_name(location: str) -> str:
    """The name that says a file's type: no query string, no compression ending (``a.jsonl.gz`` -> ``a.jsonl``)."""
    name = urlsplit(location).path if is_url(location) else location
    root, ext = os.path.splitext(name)
    return root if ext.lower() in COMPRESSIONS else name


@dataclass(frozen=True)
class Source:
    """One input: what to open, what to call it, its stored size (None when unknown), its compression."""

    location: str
    name: str
    size: int | None
    compression: str | None

    @property
    def splittable(self) -> bool:
        """Whether byte ranges of it can be read on their own (an uncompressed file)."""
        return self.compression is None


def _compression(location: str) -> str | None:
    path = urlsplit(location).path if is_url(location) else location
    return COMPRESSIONS.get(os.path.splitext(path)[1].lower())


def _filesystem(location: str) -> tuple[Any, str]:
    """The fsspec filesystem of a URL and the path within it; a missing package is one sentence."""
    core = require("fsspec.core", "remote")
    _require_filesystem(location.partition("://")[0].lower())
    try:
        fs, path = core.url_to_fs(location)
    except (ImportError, ValueError) as exc:
        raise InputError(f"Cannot read {redact(location)!r}: {redact(str(exc))}") from exc
    return fs, path


def _require_filesystem(protocol: str) -> None:
    """Import the package of a protocol's filesystem, or say which extra installs it."""
    if protocol in ("s3", "s3a"):
        require("s3fs", "remote")
    elif protocol in ("http", "https"):
        require("aiohttp", "remote")
    elif protocol in ("gs", "gcs"):
        require("gcsfs", "gcs")
    elif protocol == "hf":
        require("huggingface_hub", "hf")


def stat_source(location: str) -> Source:
    """The `Source` of a path or URL; `InputError` when it is missing or cannot be read."""
    name = redact(location) if is_url(location) else location
    with _reading(name):
        if is_url(location):
            fs, path = _filesystem(location)
            if fs.isdir(path):
                raise InputError(f"Cannot read {name!r}: it is a folder; name the files (a glob works).")
            size = fs.info(path).get("size")
        else:
            if not os.path.isfile(location):
                raise FileNotFoundError(location)
            size = os.path.getsize(location)
    return Source(location, name, size, _compression(location))


@contextmanager
def _reading(name: str) -> Iterator[None]:
    """Turn what a filesystem raises into one sentence that names the input (never its credentials)."""
    try:
        yield
    except PrepError:
        raise
    except FileNotFoundError as exc:
        raise InputError(f"Cannot read {name!r}: no such file.") from exc
    except Exception as exc:  # storage libraries raise many kinds: each becomes one sentence
        reason = redact(str(exc)) or type(exc).__name__
        raise InputError(f"Cannot read {name!r}: {reason.rstrip('.')}.") from exc


@contextmanager
def open_source(source: Source | str) -> Iterator[IO[bytes]]:
    """The decompressed bytes of a source, as a binary stream (use as a context manager)."""
    if isinstance(source, str):
        source = Source(source, redact(source), None, _compression(source))
    with ExitStack() as stack, _reading(source.name):
        raw = stack.enter_context(_open_raw(source.location))
        yield _decompressed(raw, source.compression, stack)


def _open_raw(location: str) -> IO[bytes]:
    if not is_url(location):
        return open(location, "rb", buffering=READ_BUFFER)
    fs, path = _filesystem(location)
    remote = fs.open(path, "rb", block_size=REMOTE_BLOCK_BYTES, cache_type="readahead")
    return io.BufferedReader(remote, buffer_size=2**20)  # fsspec files cannot readline(limit)


def _decompressed(raw: IO[bytes], compression: str | None, stack: ExitStack) -> IO[bytes]:
    if compression == "gzip":
        import gzip

        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        stack.callback(unzipped.close)
        return unzipped  # type: ignore[return-value]  # a GzipFile reads like any binary stream
    if compression == "zstd":
        zstandard = require("zstandard", "zstd")
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return stack.enter_context(io.BufferedReader(reader, buffer_size=2**20))
    return raw


def expand_url(pattern: str, suffixes: tuple[str, ...]) -> list[str]:
    """The files a URL names: itself, the files a glob matches, or the files below a folder whose
    name (less a compression ending) ends in one of ``suffixes``; sorted, hidden ones skipped."""
    name = redact(pattern)
    if pattern.partition("://")[0].lower() in ("http", "https"):
        return [pattern]  # a web server lists no folders, and "?" starts a query string
    with _reading(name):
        fs, path = _filesystem(pattern)
        if any(c in path for c in "*?["):
            found = sorted(fs.glob(path))
        elif fs.isdir(path):
            below = (p for p in fs.find(path) if not any(part.startswith(".") for part in p.split("/")))
            found = sorted(p for p in below if data_name(p).lower().endswith(suffixes))
        else:
            return [pattern]
    if not found:
        raise InputError(f"No data file matches {name!r}.")
    return [fs.unstrip_protocol(p) for p in found]
