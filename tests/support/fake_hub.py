"""A local stand-in for the Hugging Face Hub's download API, enough for ``huggingface_hub.snapshot_download``.

It serves one folder as one model repository at one commit: ``GET /api/models/ORG/NAME/revision/REV`` (the
commit), ``GET /api/models/ORG/NAME/tree/COMMIT`` (the files), and ``HEAD``/``GET /ORG/NAME/resolve/COMMIT/PATH``
(each file, with the ``X-Repo-Commit`` and ``ETag`` headers the client reads). Requests are recorded, so a test
can see that nothing was fetched without ``--allow-download``. Standard library only; 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["COMMIT", "fake_hub"]

COMMIT = "f" * 40


class _Hub(ThreadingHTTPServer):
    repo: str
    files: dict[str, bytes]
    requests: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Hub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.server.requests.append((self.command, path))
        api = f"/api/models/{self.server.repo}/"
        if path.startswith(api + "revision/"):
            return self._send(json.dumps({"id": self.server.repo, "sha": COMMIT, "siblings": []}).encode(), body)
        if path.startswith(api + "tree/"):
            tree = [
                {"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
                for name, data in self.server.files.items()
            ]
            return self._send(json.dumps(tree).encode(), body)
        prefix = f"/{self.server.repo}/resolve/{COMMIT}/"
        name = path.removeprefix(prefix)
        if path.startswith(prefix) and name in self.server.files:
            return self._send(self.server.files[name], body, etag=hashlib.sha1(self.server.files[name]).hexdigest())
        self.send_response(404)
        self.send_header("X-Error-Code", "EntryNotFound")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, data: bytes, body: bool, etag: str | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{etag or hashlib.sha1(data).hexdigest()}"')
        self.end_headers()
        if body:
            self.wfile.write(data)


@contextmanager
def fake_hub(repo: str, folder: Path) -> Iterator[_Hub]:
    """Serve ``folder``'s files (and its subfolders') as ``repo`` on 127.0.0.1; the server's ``url`` and ``requests``."""
    server = _Hub(("127.0.0.1", 0), _Handler)
    server.repo = repo
    server.files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
