"""Compressed and remote inputs: the same report as the plain local file, and no credentials in messages."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import zstandard

import prep
from prep.errors import InputError, MissingDependencyError
from prep.reading.sources import data_name, open_source, redact, stat_source
from prep.reports.reporters import REPORTERS
from tests.helpers import chat

ROWS = [
    chat(),
    chat("Again"),
    '{"messages": [{"role": "user", "content": "no reply"}]}',
    "not json",
    "",
    chat(),  # a duplicate of line 1
    *[chat(f"q{i}") for i in range(40)],
]


@pytest.fixture
def plain(write_jsonl) -> Path:
    return write_jsonl(ROWS, "train.jsonl")


def issues_of(report: prep.Report) -> list[tuple[int | None, str, str]]:
    return [(i.line, i.code, i.message) for i in report.issues]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@host.test/a.jsonl?X-Amz-Signature=abc&token=t#frag", "https://host.test/a.jsonl"),
        ("s3://bucket/data/a.jsonl", "s3://bucket/data/a.jsonl"),
        ("hf://datasets/org/name/train.jsonl.gz", "hf://datasets/org/name/train.jsonl.gz"),
    ],
)
def test_redact_leaves_out_user_password_and_query(url, shown):
    assert redact(url) == shown
    assert redact(f"Cannot read {url}: 403") == f"Cannot read {shown}: 403"


@pytest.mark.parametrize(
    ("location", "name"),
    [("a/train.jsonl.gz", "a/train.jsonl"), ("s3://b/t.jsonl.zst?x=1", "/t.jsonl"), ("t.JSONL", "t.JSONL")],
)
def test_data_name_drops_compression_and_query(location, name):
    assert data_name(location) == name


@pytest.mark.parametrize("codec", ["gz", "zst"])
def test_compressed_file_reports_as_the_plain_file(plain, tmp_path, codec):
    data = plain.read_bytes()
    packed = gzip.compress(data) if codec == "gz" else zstandard.ZstdCompressor().compress(data)
    compressed = tmp_path / f"train.jsonl.{codec}"
    compressed.write_bytes(packed)
    expected, got = prep.check(plain), prep.check(compressed)
    assert issues_of(got) == issues_of(expected)
    assert [i.line for i in got.issues if i.line][:4] == [3, 4, 5, 6]
    assert got.files[0].path == str(compressed) and got.files[0].examples == expected.files[0].examples


def test_zstd_frames_written_one_after_another_are_read_across(plain, tmp_path):
    data = plain.read_bytes()
    half = data.index(b"\n", len(data) // 2) + 1
    frames = b"".join(zstandard.ZstdCompressor().compress(p) for p in (data[:half], data[half:]))
    (tmp_path / "t.jsonl.zst").write_bytes(frames)
    with open_source(str(tmp_path / "t.jsonl.zst")) as fp:
        assert fp.read() == data


def test_a_missing_codec_names_the_extra(plain, tmp_path, monkeypatch):
    (tmp_path / "t.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(
        MissingDependencyError, match=r"^Reading \.zst files needs zstandard, which is not installed: pip install"
    ):
        prep.check(tmp_path / "t.jsonl.zst")


def test_a_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(InputError, match=r"^Cannot read '.*nope\.jsonl\.gz': no such file\.$"):
        stat_source(str(tmp_path / "nope.jsonl.gz"))


@pytest.fixture
def http_root(tmp_path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 (Python's own file server)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_https_url_with_a_signed_query_is_read_and_never_shown(plain, http_root):
    root, base = http_root
    (root / "train.jsonl.gz").write_bytes(gzip.compress(plain.read_bytes()))
    url = f"{base.replace('//', '//reader:hunter2@')}/train.jsonl.gz?X-Amz-Signature=s3cr3t"
    report = prep.check(url)
    assert issues_of(report) == issues_of(prep.check(plain))
    out = io.StringIO()
    REPORTERS["json"](report, out, max_issues=None)
    assert json.loads(out.getvalue())["files"][0]["path"] == f"{base}/train.jsonl.gz"
    text = out.getvalue()
    assert "s3cr3t" not in text and "hunter2" not in text


def test_an_unreadable_url_is_one_sentence_without_its_secrets(http_root):
    _, base = http_root
    url = f"{base.replace('//', '//reader:hunter2@')}/missing.jsonl?sig=s3cr3t"
    with pytest.raises(InputError) as caught:
        prep.check(url)
    message = str(caught.value)
    assert message == f"Cannot read '{base}/missing.jsonl': no such file."
    assert "s3cr3t" not in message and "hunter2" not in message
