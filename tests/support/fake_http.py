"""What the fake provider servers (Together, Fireworks) share: listeners, routing, recording, faults.

A `FakeServer` subclass supplies `dispatch` (request -> reply, called under the server's
lock) and `error_reply` (the provider's error body). This module gives it:

- listeners on 127.0.0.1 in background threads, plain HTTP or TLS (`listen(tls=True)`),
  built from fake_openai's request handler (keep-alive, chunked bodies);
- `requests`: every request as a `RecordedRequest` (method, path, query, headers, body,
  reply status; None when the connection was dropped);
- injected faults on a path prefix: `fail_next` (an error status, which the SDKs retry),
  `drop_next` (close without a reply, optionally after handling the request), and
  `stall_next` (answer only after the client's timeout);
- `settle()`: wait until no request is being handled (a stalled one finishes late);
- `errors`: exceptions raised by the fake's own code (answered with HTTP 500).

Standard library only, like fake_openai.py, whose `RecordedRequest`, `Reply` and
`json_reply` are reused here.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import unquote

from tests.support.fake_openai import _HTTPServer as _OpenAIHTTPServer
from tests.support.fake_openai import _RequestHandler as _OpenAIRequestHandler
from tests.support.fake_openai_routes import RecordedRequest, Reply, json_reply

__all__ = [
    "CA_FILE",
    "JSON",
    "FakeServer",
    "Handler",
    "RecordedRequest",
    "Reply",
    "Router",
    "json_reply",
]

JSON = dict[str, Any]
_Server = TypeVar("_Server", bound="FakeServer")
TLS_DIR = Path(__file__).parent / "tls"
CA_FILE = TLS_DIR / "ca.pem"  # trust this (SSL_CERT_FILE) to reach a `listen(tls=True)` listener


@dataclass
class Fault:
    path_prefix: str  # matched against the path as sent
    method: str | None
    remaining: int
    kind: Literal["status", "drop", "stall"]
    status: int = 500
    retry_after_ms: int | None = None
    process_first: bool = False  # handle the request before dropping / after stalling
    seconds: float = 0.0  # stall only
    exact: bool = False  # the whole path, not a prefix

    def matches(self, request: RecordedRequest) -> bool:
        if self.remaining <= 0 or self.method not in (None, request.method):
            return False
        if self.exact:
            return request.path == self.path_prefix
        return request.path.startswith(self.path_prefix)

    def reply(self, error_reply: Callable[[int, str], Reply]) -> Reply | None:
        if self.kind != "status":
            return None
        reply = error_reply(self.status, f"Injected fault: HTTP {self.status}")
        if self.retry_after_ms is not None:
            reply.headers["retry-after-ms"] = str(self.retry_after_ms)
        return reply


class _RequestHandler(_OpenAIRequestHandler):
    """fake_openai's handler, plus the methods the providers use (PUT uploads, PATCH updates)."""

    do_PUT = do_PATCH = _OpenAIRequestHandler.do_GET


class _HTTPServer(_OpenAIHTTPServer):
    """One listener; with an SSL context it speaks TLS (handshake in the request's own thread)."""

    def __init__(self, fake: Any, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(fake)
        self.RequestHandlerClass = _RequestHandler
        self.ssl_context = ssl_context

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        with self.ssl_context.wrap_socket(request, server_side=True) as tls:  # takes over the socket
            tls.settimeout(None)
            super().finish_request(tls, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            super().handle_error(request, client_address)


@dataclass
class _Listener:
    httpd: _HTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        scheme = "http" if self.httpd.ssl_context is None else "https"
        return f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"


def tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_DIR / "server.pem", TLS_DIR / "server.key")
    return context


Handler = Callable[[RecordedRequest, dict[str, str]], "JSON | Reply"]


class Router:
    """Routes like `/v1/files/{file_id}` or `/v1/accounts/{account}/datasets/{dataset}:upload`.

    A `{name}` matches one path segment up to a `/` or `:`; the handler gets the names.
    """

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/:]+)", re.escape(template))
        self._routes.append((method, re.compile(pattern), handler))

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is not None and route_method == method:
                return handler, {k: unquote(v) for k, v in match.groupdict().items()}
        return None


class FakeServer:
    """Base of the fake provider servers: `start()`/`stop()` or a context manager."""

    name = "fake server"

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of the fake's own failures
        self._faults: list[Fault] = []
        self._lock = threading.Condition()
        self._in_flight = 0
        self._stopping = threading.Event()
        self._listeners: list[_Listener] = []

    # subclass hooks

    def dispatch(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, message: str) -> Reply:
        raise NotImplementedError

    # lifecycle

    def start(self: _Server) -> _Server:
        self.listen()
        return self

    def listen(self, *, tls: bool = False) -> str:
        """Open one more listener; its base URL (`https://` with `tls`)."""
        httpd = _HTTPServer(self, tls_context() if tls else None)
        thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        listener = _Listener(httpd, thread)
        self._listeners.append(listener)
        return listener.url

    def stop(self) -> None:
        self._stopping.set()  # wakes stalled handlers
        for listener in self._listeners:
            listener.httpd.shutdown()
            for connection in list(listener.httpd.connections):  # idle keep-alive handlers
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            listener.httpd.server_close()
            listener.thread.join()
        self._listeners = []

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The first listener's base URL, e.g. `http://127.0.0.1:PORT` (no path)."""
        if not self._listeners:
            raise RuntimeError(f"{self.name} is not started")
        return self._listeners[0].url

    # recording

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being handled (stalled requests finish late)."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._in_flight == 0, timeout):
                raise TimeoutError(f"{self.name}: {self._in_flight} request(s) still in flight")

    # faults

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        times: int = 1,
        *,
        method: str | None = None,
        exact: bool = False,
        retry_after_ms: int | None = 10,
    ) -> None:
        """Answer the next `times` requests under `path_prefix` with `status`, unhandled.

        `exact`: match the whole path only. `retry_after_ms` goes out as a `retry-after-ms`
        header, which both SDKs use as their retry delay (None: their exponential backoff).
        """
        self._add_fault(Fault(path_prefix, method, times, "status", status, retry_after_ms, exact=exact))

    def drop_next(
        self,
        path_prefix: str,
        times: int = 1,
        *,
        method: str | None = None,
        exact: bool = False,
        after_processing: bool = False,
    ) -> None:
        """Close the connection without a reply for the next `times` matching requests.

        `after_processing=True` handles the request first (stores the upload, creates the
        job) and loses only the reply: a client retry then meets the result.
        """
        self._add_fault(Fault(path_prefix, method, times, "drop", process_first=after_processing, exact=exact))

    def stall_next(
        self,
        path_prefix: str,
        seconds: float,
        times: int = 1,
        *,
        method: str | None = None,
        exact: bool = False,
        process: bool = True,
    ) -> None:
        """Hold the next `times` matching requests for `seconds` before answering.

        With `process` the request is then handled and answered (to a client that has
        usually timed out and gone); without, the connection is closed unhandled.
        """
        fault = Fault(path_prefix, method, times, "stall", process_first=process, seconds=seconds, exact=exact)
        self._add_fault(fault)

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, request: RecordedRequest) -> Fault | None:
        fault = next((f for f in self._faults if f.matches(request)), None)
        if fault is not None:
            fault.remaining -= 1
        return fault

    # serving

    def handle(self, request: RecordedRequest) -> Reply | None:
        """Reply to one request (None: drop the connection) and record it."""
        with self._lock:
            self._in_flight += 1
            fault = self._take_fault(request)
        try:
            if fault is not None and fault.kind == "stall":
                self._stopping.wait(fault.seconds)
            with self._lock:
                reply: Reply | None = None
                if fault is None or fault.process_first:
                    reply = self._safe_dispatch(request)
                if fault is not None and fault.kind != "stall":
                    reply = fault.reply(self.error_reply)
                request.status = reply.status if reply else None
                self.requests.append(request)
                return reply
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

    def _safe_dispatch(self, request: RecordedRequest) -> Reply:
        try:
            return self.dispatch(request)
        except Exception as error:
            self.errors.append(traceback.format_exc())
            return self.error_reply(500, f"{self.name} failed: {error!r}")
