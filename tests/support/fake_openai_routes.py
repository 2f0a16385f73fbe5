"""HTTP layer of the fake OpenAI server, minus the sockets: request -> reply.

`dispatch` checks the key, strips the `/v1` (OpenAI) or `/openai` (Azure) prefix, finds
the route and turns `ApiError`s into OpenAI error bodies.
"""

from __future__ import annotations

import email.policy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from typing import Any

from tests.support.fake_openai_schema import JSON, ApiError
from tests.support.fake_openai_state import FakeOpenAIState

PREFIXES = ("/v1", "/openai")


@dataclass
class RecordedRequest:
    """One request as received; `status` of the reply (None: connection dropped)."""

    method: str
    path: str  # as sent, without the query string
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int | None = None

    @property
    def body_size(self) -> int:
        return len(self.body)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            message = "We could not parse the JSON body of your request."
            raise ApiError(400, message) from None


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before sending (a stalled service)


def json_reply(status: int, data: JSON, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(data).encode(), headers=headers or {})


Form = dict[str, tuple[str | None, bytes]]


def part_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def parse_form(content_type: str, body: bytes) -> Form:
    """multipart/form-data -> {field name: (filename, bytes)}."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ApiError(400, "Expected a multipart/form-data body")
    form: Form = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        form[name] = (part.get_filename(), part_bytes(part))
    return form


def form_field(form: Form, name: str) -> tuple[str | None, bytes]:
    if name not in form:
        raise ApiError(400, f"'{name}' is a required property", param=name)
    return form[name]


def upload_file(state: FakeOpenAIState, request: RecordedRequest, _: str) -> JSON:
    form = parse_form(request.headers.get("content-type", ""), request.body)
    filename, content = form_field(form, "file")
    purpose = form_field(form, "purpose")[1].decode()
    return state.upload(filename or "upload", purpose, content)


def file_content(state: FakeOpenAIState, _: RecordedRequest, file_id: str) -> Reply:
    return Reply(200, state.file(file_id).content, "application/octet-stream")


Handler = Callable[[FakeOpenAIState, RecordedRequest, str], JSON | Reply]

ROUTES: list[tuple[str, str, Handler]] = [  # (method, path after the prefix, handler)
    ("POST", "/files", upload_file),
    ("GET", "/files", lambda s, r, _: s.list_files(r.query)),
    ("GET", "/files/{id}", lambda s, _, i: s.retrieve_file(i)),
    ("DELETE", "/files/{id}", lambda s, _, i: s.delete_file(i)),
    ("GET", "/files/{id}/content", file_content),
    ("POST", "/fine_tuning/jobs", lambda s, r, _: s.create_job(r.json())),
    ("GET", "/fine_tuning/jobs", lambda s, r, _: s.list_jobs(r.query)),
    ("GET", "/fine_tuning/jobs/{id}", lambda s, _, i: s.retrieve_job(i)),
    ("GET", "/fine_tuning/jobs/{id}/events", lambda s, r, i: s.list_events(i, r.query)),
    ("POST", "/fine_tuning/jobs/{id}/cancel", lambda s, _, i: s.cancel_job(i)),
]


def match_route(template: str, path: str) -> str | None:
    """The `{id}` in `path` ("" without one) if `path` fits `template`, else None."""
    match = re.fullmatch(template.replace("{id}", "([^/]+)"), path)
    return None if match is None else "".join(match.groups())


def route_path(path: str) -> str:
    """`/v1/files` or `/openai/files` -> `/files`; "" outside both prefixes."""
    prefix = next((p for p in PREFIXES if path.startswith(p + "/")), None)
    return "" if prefix is None else path[len(prefix) :]


def check_auth(headers: dict[str, str]) -> None:
    bearer = headers.get("authorization", "").startswith("Bearer ")
    if not bearer and "api-key" not in headers:
        raise ApiError(401, "You didn't provide an API key.", code="invalid_api_key")


def call_route(state: FakeOpenAIState, request: RecordedRequest) -> Reply:
    path = route_path(request.path)
    for method, template, handler in ROUTES:
        object_id = match_route(template, path)
        if object_id is not None and method == request.method:
            result = handler(state, request, object_id)
            return result if isinstance(result, Reply) else json_reply(200, result)
    raise ApiError(404, f"Invalid URL ({request.method} {request.path})")


def dispatch(state: FakeOpenAIState, request: RecordedRequest) -> Reply:
    try:
        check_auth(request.headers)
        return call_route(state, request)
    except ApiError as error:
        return json_reply(error.status, error.body)
