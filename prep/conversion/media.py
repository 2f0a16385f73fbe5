"""Images held as data URLs, written out as files for targets that read media from storage (gs://, s3://).

``--media-dir DIR`` names the folder the files are written to; ``--media-prefix``
the location that folder will have once uploaded (``gs://bucket/path/``), which
each record refers to. A file is named by its content (the first 16 hex digits
of its SHA-256, and the extension of its format), so the same image is written
once and the same input gives the same output. Files are written atomically,
only for the records that are written; a file that exists with other content is
never overwritten.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, UsageError
from ..io import atomic_writer
from ..targets.profile import Target
from ..validation.images import image_format
from ..validation.rules.media import SOURCE_NAMES, media_source
from .turns import Losses

__all__ = ["Image", "MediaStore", "Settings", "image_mime", "image_ref", "media_store"]

_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}


@dataclass(frozen=True)
class Image:
    """Where an image is, as the target refers to it, and its format (jpeg, png, ...)."""

    uri: str
    format: str

    @property
    def mime(self) -> str:
        return f"image/{self.format}"


@dataclass
class MediaStore:
    """The folder images are written to, and the location it is uploaded to."""

    folder: Path
    prefix: str
    created: list[Path] = field(default_factory=list)
    made_folder: bool = False

    def place(self, url: str, ptr: str, target: Target, losses: Losses) -> Image | None:
        """The stored image of a data URL (its file queued in ``losses``), or None (a P168 in ``losses``)."""
        header, _, payload = url.partition(",")
        try:
            data = base64.b64decode(payload, validate=True) if ";base64" in header else b""
        except (binascii.Error, ValueError):
            data = b""
        fmt = image_format(data[:64])
        if not data or fmt not in target.images.formats:
            found = fmt or "not a base64 image"
            allowed = ", ".join(sorted(target.images.formats))
            losses.fail(
                ptr, f"This data URL cannot be written out as an image ({found}; {target.provider} takes {allowed})."
            )
            return None
        name = f"{hashlib.sha256(data).hexdigest()[:16]}.{_EXTENSIONS[fmt]}"
        losses.files.append((name, data))
        uri = self.prefix + name
        losses.add("P167", ptr, f"The image was written to {self.folder / name} and is referred to as {uri}.")
        return Image(uri, fmt)

    def write(self, name: str, data: bytes) -> None:
        """Write one queued file (atomically); leave an identical file alone; never overwrite another."""
        path = self.folder / name
        if path.exists():
            if path.read_bytes() != data:
                raise InputError(f"{path} exists with other content; prep never overwrites it.")
            return
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True)
            self.made_folder = True
        with atomic_writer(path) as fp:
            fp.write(data)
        self.created.append(path)

    def discard(self) -> None:
        """Remove the files this conversion wrote, and the folder if it made it (its output was not written)."""
        for path in self.created:
            path.unlink(missing_ok=True)
        self.created.clear()
        if self.made_folder and not any(self.folder.iterdir()):
            self.folder.rmdir()


def media_store(folder: str | os.PathLike[str] | None, prefix: str | None, target: Target) -> MediaStore | None:
    """The store for ``--media-dir`` and ``--media-prefix`` (both or neither), checked against the target."""
    if folder is None and prefix is None:
        return None
    if folder is None or prefix is None:
        raise UsageError("--media-dir and --media-prefix go together: where to write images, and where they will be.")
    source = media_source(prefix)
    if source not in target.images.sources or source == "data":
        takes = " or ".join(SOURCE_NAMES[s] for s in sorted(target.images.sources))
        raise UsageError(f"--media-prefix {prefix!r} is not a location {target.provider} reads media from ({takes}).")
    if source in ("gs", "s3") and not prefix[5:].split("/")[0]:
        raise UsageError(f"--media-prefix {prefix!r} names no bucket; write {source}://BUCKET/PATH/.")
    pattern = target.images.path_pattern
    if pattern is not None and source in ("gs", "s3") and not pattern.fullmatch(prefix[5:] + "x"):
        raise UsageError(
            f"--media-prefix {prefix!r} holds characters {target.provider} does not allow ({pattern.pattern})."
        )
    return MediaStore(Path(folder), prefix if prefix.endswith("/") else prefix + "/")


def image_mime(url: str) -> str | None:
    """The image type of a URL, from its extension (None when it names none)."""
    mime, _ = mimetypes.guess_type(url.split("?")[0])
    return mime if mime and mime.startswith("image/") else None


@dataclass(frozen=True)
class Settings:
    """What converting one record needs: the target, what to do with weight-0 turns, where images go."""

    target: Target
    zero_weight: str = "train"
    media: MediaStore | None = None


def image_ref(url: str, ptr: str, settings: Settings, losses: Losses) -> Image | None:
    """The image as the target refers to it: a data URL written out, or a URL the target reads as it is."""
    target = settings.target
    source = media_source(url)
    if source == "data" and settings.media is not None:
        return settings.media.place(url, ptr, target, losses)
    if source == "data":
        losses.fail(
            ptr,
            f"{target.provider} reads images from storage, not data URLs: "
            "give --media-dir and --media-prefix to write them out.",
        )
        return None
    mime = image_mime(url)
    if source not in target.images.sources or mime is None:
        why = (
            "its type cannot be told from its name"
            if source in target.images.sources
            else "the target does not read it there"
        )
        takes = " or ".join(SOURCE_NAMES[s] for s in sorted(target.images.sources))
        losses.fail(
            ptr,
            f"This image URL cannot be converted ({why}); {target.provider} takes {takes}: "
            "upload the image and refer to it there.",
        )
        return None
    return Image(url, mime.removeprefix("image/"))
