"""Records as plain JSON values, without importing pydantic (``prep check`` stays light).

`canonical_json` writes any value the readers or the API can hand over as
canonical JSON text, however deep, with lone surrogates, integers of any size
and non-JSON Python objects; `non_json` finds those objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson

__all__ = ["as_dict", "brief", "canonical_json", "dumps_any", "loads", "non_json"]

_JSON_SCALARS = (str, int, float, bool, type(None))


def loads(text: str) -> Any:
    """``json.loads``, except that JSON nested past Python's recursion limit is refused with a `ValueError`,
    as any other text that is not JSON (a hostile cell or argument string is bad input, never a crash)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("it nests deeper than prep can read (about 1,000 levels)") from None


def as_dict(record: Any) -> Any:
    """A record as the JSON value the service receives (fields never set are left out).

    A pydantic record is dumped; anything else (a dict already) is returned as it is.
    """
    dump = getattr(record, "model_dump", None)
    return dump(mode="json", exclude_unset=True, by_alias=True) if callable(dump) else record


class _Text(str):
    """Text already written, waiting on the stack."""


def _scalar(value: Any) -> str:
    if isinstance(value, _JSON_SCALARS) and not (isinstance(value, float) and value != value):
        return json.dumps(value, ensure_ascii=True)  # a lone surrogate is written as its \\u escape
    return json.dumps({"__python__": type(value).__name__, "repr": _stable_repr(value)}, ensure_ascii=True)


def _stable_repr(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return repr(sorted(map(repr, value)))
    return repr(value)


def canonical_json(value: Any, *, sort_keys: bool = True) -> bytes:
    """Canonical JSON of ``value`` (keys sorted, ASCII, no spaces), built without recursion.

    For what orjson cannot write: equal values give equal text; a Python
    object that has no JSON form is written as its type and repr.
    """
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, _Text):
            out.append(node)
        elif isinstance(node, dict):
            items = [(str(k), v) for k, v in node.items()]
            if sort_keys:
                items.sort(key=lambda kv: kv[0])
            stack.append(_Text("}"))
            for i, (key, item) in enumerate(reversed(items)):
                stack.append(item)
                stack.append(_Text(json.dumps(key, ensure_ascii=True) + ":"))
                if i < len(items) - 1:
                    stack.append(_Text(","))
            stack.append(_Text("{"))
        elif isinstance(node, (list, tuple)):
            stack.append(_Text("]"))
            for i, item in enumerate(reversed(node)):
                stack.append(item)
                if i < len(node) - 1:
                    stack.append(_Text(","))
            stack.append(_Text("["))
        else:
            out.append(_scalar(node))
    return "".join(out).encode("ascii")


def dumps_any(value: Any) -> bytes:
    """JSON of any value, as orjson writes it when it can (UTF-8, no spaces); never raises.

    A lone surrogate, a big integer or deep nesting fall back to the standard
    library, then to `canonical_json` (keys in their order) for what that refuses.
    """
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
    except (TypeError, ValueError, RecursionError):
        return canonical_json(value, sort_keys=False)


def brief(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: a string's repr, anything else its JSON; cut to ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else dumps_any(value).decode("ascii", "replace")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def non_json(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer, value) of each value in ``value`` that JSON cannot hold, without recursion."""
    from ..issues import escape_pointer

    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((where + escape_pointer(k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((where + escape_pointer(i), v) for i, v in reversed(list(enumerate(node))))
        elif not isinstance(node, _JSON_SCALARS) or (isinstance(node, float) and node != node):
            yield where, node
