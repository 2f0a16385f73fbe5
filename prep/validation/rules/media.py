"""Where media of the block formats live: storage URIs (gs://, s3://) and URLs, checked against the target.

`media_source` names a URI's source the way profiles do (``gs``, ``s3``,
``url``, ``data``); `check_location` checks one against ``[images] sources``
and ``path_pattern``; `bucket_of` gives the bucket of a storage URI, for the
rule that a dataset's media live in one bucket.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem
from ...reading.jsonl import type_name
from .context import CheckContext

__all__ = ["SOURCE_NAMES", "bucket_of", "check_location", "media_source"]

#: How each source reads in a sentence.
SOURCE_NAMES = {"gs": "gs:// URIs", "s3": "s3:// URIs", "url": "https URLs", "data": "data URLs"}
_SCHEMES = (("gs://", "gs"), ("s3://", "s3"), ("https://", "url"), ("http://", "url"), ("data:", "data"))


def media_source(uri: str) -> str | None:
    """``gs``, ``s3``, ``url`` or ``data`` by the URI's scheme; None for anything else."""
    return next((name for scheme, name in _SCHEMES if uri.startswith(scheme)), None)


def bucket_of(uri: str) -> str | None:
    """The bucket of a gs:// or s3:// URI (None for other URIs)."""
    if media_source(uri) not in ("gs", "s3"):
        return None
    return uri[5:].split("/", 1)[0] or None


def check_location(uri: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """A media URI: a string, of a source the target takes, in the shape that source needs."""
    if not isinstance(uri, str):
        yield Problem("P112", ptr, f"The media location must be a string, found {type_name(uri)}.")
        return
    images = ctx.target.images
    source = media_source(uri)
    takes = " or ".join(SOURCE_NAMES[s] for s in sorted(images.sources))
    if source is None:
        yield Problem("P243", ptr, f"{uri[:60]!r} is not a media location; {ctx.target.provider} takes {takes}.")
        return
    if source not in images.sources:
        yield Problem(
            "P239",
            ptr,
            f"{ctx.target.provider} takes media as {takes}, not {SOURCE_NAMES[source]}; "
            "upload the file and refer to it there.",
        )
        return
    yield from _check_storage_path(uri, source, ptr, ctx)


def _check_storage_path(uri: str, source: str, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if source not in ("gs", "s3"):
        return
    bucket, _, key = uri[5:].partition("/")
    if not bucket or not key:
        yield Problem("P243", ptr, f"{uri!r} names no bucket and object; write {source}://BUCKET/PATH.")
        return
    pattern = ctx.target.images.path_pattern
    if pattern is not None and not pattern.fullmatch(uri[5:]):
        yield Problem(
            "P243",
            ptr,
            f"{uri!r} holds characters {ctx.target.provider} does not allow in a media path "
            f"(allowed: {pattern.pattern}).",
        )
