"""A local OpenAI-compatible HTTP server for tests, driven by the real `openai` SDK.

    with FakeOpenAI() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test-...")

Serves the Files and fine-tuning Jobs routes under `/v1` and under Azure's `/openai`
(`api-version` is ignored), records every request and injects faults (`fail_next`,
`drop_next`, `stall_next`, `reply_next`). Behaviour comes from `Settings`; state lives in fake_openai_state.py,
routing in fake_openai_routes.py. Standard library only: one `ThreadingHTTPServer`
on 127.0.0.1 in a background thread.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import openai

from tests.support.fake_openai_routes import RecordedRequest, Reply, dispatch, json_reply
from tests.support.fake_openai_schema import ApiError
from tests.support.fake_openai_state import FakeFile, FakeJob, FakeOpenAIState, Settings

__all__ = ["FakeOpenAI", "RecordedRequest", "Settings"]

API_KEY = "sk-test-fake-openai"
AZURE_API_VERSION = "2024-10-21"


@dataclass
class Fault:
    path_prefix: str  # matched against the path as sent, e.g. "/v1/files"
    method: str | None
    status: int | None  # None: close the connection without replying
    remaining: int
    retry_after_ms: int | None = None
    process_first: bool = False  # handle the request, then drop the reply
    delay: float = 0.0  # stall: wait this long before replying
    raw: Reply | None = None  # reply_next: this reply, whatever the route would say

    def matches(self, request: RecordedRequest) -> bool:
        if self.remaining <= 0 or self.method not in (None, request.method):
            return False
        return request.path.startswith(self.path_prefix)

    def reply(self, processed: Reply | None = None) -> Reply | None:
        if self.raw is not None:
            return Reply(self.raw.status, self.raw.body, self.raw.content_type, dict(self.raw.headers))
        if self.delay:
            late = processed or json_reply(504, ApiError(504, "Injected stall", kind="server_error").body)
            return Reply(late.status, late.body, late.content_type, dict(late.headers), delay=self.delay)
        if self.status is None:
            return None
        message = f"Injected fault: HTTP {self.status}"
        error = ApiError(self.status, message, kind="server_error")
        delay = self.retry_after_ms
        headers = {} if delay is None else {"retry-after-ms": str(delay)}
        return json_reply(error.status, error.body, headers)


class _HTTPServer(ThreadingHTTPServer):
    def __init__(self, fake: FakeOpenAI) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.stopping = threading.Event()  # ends stalled replies at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hung up: fine
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        super().finish()
        self.server.connections.discard(self.connection)

    def do_GET(self) -> None:
        reply = self.server.fake.handle(self._read_request())
        if reply is None:
            self.close_connection = True
        else:
            self._send(reply)

    do_POST = do_DELETE = do_GET

    def _read_request(self) -> RecordedRequest:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        return RecordedRequest(self.command, url.path, query, headers, self._read_body())

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            return self._read_chunked()
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _read_chunked(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0] or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailer lines
        return b"".join(chunks)

    def _send(self, reply: Reply) -> None:
        if reply.delay and self.server.stopping.wait(reply.delay):
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        self.send_header("content-length", str(len(reply.body)))
        self.send_header("x-request-id", f"req_{secrets.token_hex(8)}")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeOpenAI:
    """The server: `start()`/`stop()` or a context manager; `url` once started."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.state = FakeOpenAIState(self.settings)
        self.requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAI:
        self._httpd = _HTTPServer(self)
        serve = self._httpd.serve_forever
        self._thread = threading.Thread(target=serve, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None or self._thread is None:
            return
        self._httpd.stopping.set()
        self._httpd.shutdown()
        for connection in list(self._httpd.connections):  # idle keep-alive handlers
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    @property
    def uploads(self) -> list[FakeFile]:
        """Every file clients uploaded, in order (deleted ones too, no result files)."""
        return list(self.state.uploads)

    @property
    def jobs(self) -> list[FakeJob]:
        return list(self.state.jobs.values())

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        times: int = 1,
        *,
        method: str | None = None,
        retry_after_ms: int | None = 10,
    ) -> None:
        """Answer the next `times` requests under `path_prefix` with `status`.

        `retry_after_ms` goes out as a `retry-after-ms` header, which the SDK uses as
        its retry delay (None: the SDK's own backoff, about 0.5 s, 1 s, 2 s ...).
        """
        self._faults.append(Fault(path_prefix, method, status, times, retry_after_ms))

    def drop_next(
        self,
        path_prefix: str,
        times: int = 1,
        *,
        method: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """Close the connection without a reply for the next `times` matching requests.

        `after_processing=True` handles the request first (stores the upload, creates
        the job) and loses only the reply: a client retry then makes a duplicate.
        """
        fault = Fault(path_prefix, method, None, times, process_first=after_processing)
        self._faults.append(fault)

    def stall_next(
        self,
        path_prefix: str,
        seconds: float,
        times: int = 1,
        *,
        method: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """Reply to the next `times` matching requests only after `seconds` (a stalled service).

        The client's timeout fires first if it is shorter. `after_processing=True`
        handles the request at once (the job exists) and only the reply is late;
        otherwise the request is not handled and the late reply is a 504.
        """
        fault = Fault(path_prefix, method, None, times, process_first=after_processing, delay=seconds)
        self._faults.append(fault)

    def reply_next(
        self,
        path_prefix: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        times: int = 1,
        method: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with this body (HTML, `{}`, `null`...).

        `after_processing=True` handles the request first, then replies with the body.
        """
        raw = Reply(status, body, content_type)
        self._faults.append(Fault(path_prefix, method, status, times, process_first=after_processing, raw=raw))

    def handle(self, request: RecordedRequest) -> Reply | None:
        """Reply to one request (None: drop the connection) and record it."""
        with self._lock:
            fault = self._take_fault(request)
            reply: Reply | None = None
            if fault is None or fault.process_first:
                reply = dispatch(self.state, request)
            if fault is not None:
                reply = fault.reply(reply if fault.process_first else None)
            request.status = reply.status if reply else None
            self.requests.append(request)
            return reply

    def _take_fault(self, request: RecordedRequest) -> Fault | None:
        fault = next((f for f in self._faults if f.matches(request)), None)
        if fault is not None:
            fault.remaining -= 1
        return fault

    def client(self, **kwargs: Any) -> openai.OpenAI:
        """A real SDK client for this server (kwargs: `max_retries`, `timeout`...)."""
        return openai.OpenAI(base_url=self.base_url, api_key=API_KEY, **kwargs)

    def azure_client(self, **kwargs: Any) -> openai.AzureOpenAI:
        """A real `AzureOpenAI` client: requests go to `/openai/...?api-version=`."""
        return openai.AzureOpenAI(azure_endpoint=self.url, api_version=AZURE_API_VERSION, api_key=API_KEY, **kwargs)
