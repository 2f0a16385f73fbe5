"""Image facts read from the first bytes of a data URL: format, size, and tokens."""

from __future__ import annotations

import base64
import binascii
import math
import struct

__all__ = ["data_url_bytes", "image_format", "image_size", "image_tokens"]

#: Base64 characters decoded to find an image's dimensions (JPEG's SOF may follow EXIF data).
_HEAD_CHARS = 128 * 1024
LOW_DETAIL_TOKENS = 85
TILE_TOKENS = 170


def image_format(head: bytes) -> str | None:
    """Name an image format from its magic number."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    return None


def data_url_bytes(url: str, n_chars: int = _HEAD_CHARS) -> bytes | None:
    """The first bytes of a base64 data URL's payload, or None if it is not valid base64."""
    payload = url.partition(",")[2][:n_chars]
    payload = payload[: len(payload) // 4 * 4]
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG or WEBP header, or None."""
    fmt = image_format(head)
    try:
        if fmt == "png":
            return struct.unpack(">II", head[16:24])
        if fmt == "jpeg":
            return _jpeg_size(head)
        if fmt == "webp":
            return _webp_size(head)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def image_tokens(url: str, detail: str | None) -> int:
    """Tokens of one image for gpt-4o, by OpenAI's published tile rule.

    ``detail: low`` costs 85 tokens. Otherwise the image is fitted into
    2048x2048, then scaled so its short side is at most 768, and costs
    85 + 170 per 512-pixel tile. An image at a URL cannot be measured offline
    and is counted at its minimum, 85 tokens.
    """
    if detail == "low" or not url.startswith("data:"):
        return LOW_DETAIL_TOKENS
    head = data_url_bytes(url)
    size = image_size(head) if head else None
    if not size or min(size) <= 0:
        return LOW_DETAIL_TOKENS
    width, height = float(size[0]), float(size[1])
    scale = min(1.0, 2048 / max(width, height))
    width, height = width * scale, height * scale
    scale = min(1.0, 768 / min(width, height))
    w, h = width * scale, height * scale
    return LOW_DETAIL_TOKENS + TILE_TOKENS * math.ceil(w / 512) * math.ceil(h / 512)
