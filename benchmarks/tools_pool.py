"""Tool definitions, tool-call arguments and tool results for the generator."""

from __future__ import annotations

import json
import random
import string

from textpool import EN

# name, description, [(parameter, JSON type, enum values or None, required)]
TOOL_SPECS = (
    (
        "get_weather",
        "Get the current weather for a city.",
        [("city", "string", None, True), ("unit", "string", ("celsius", "fahrenheit"), False)],
    ),
    (
        "search_documents",
        "Search the internal knowledge base and return the best passages.",
        [
            ("query", "string", None, True),
            ("top_k", "integer", None, False),
            ("language", "string", ("en", "de", "ja", "ko", "zh", "ru"), False),
        ],
    ),
    (
        "lookup_order",
        "Look up an order by its identifier.",
        [("order_id", "string", None, True), ("include_items", "boolean", None, False)],
    ),
    (
        "create_ticket",
        "Open a support ticket.",
        [
            ("title", "string", None, True),
            ("priority", "string", ("low", "normal", "high", "urgent"), True),
            ("description", "string", None, False),
        ],
    ),
    (
        "send_email",
        "Send an email on behalf of the user.",
        [("to", "string", None, True), ("subject", "string", None, True), ("body", "string", None, True)],
    ),
    (
        "convert_currency",
        "Convert an amount between currencies.",
        [
            ("amount", "number", None, True),
            ("from_currency", "string", ("USD", "EUR", "JPY", "KRW", "CNY", "RUB"), True),
            ("to_currency", "string", ("USD", "EUR", "JPY", "KRW", "CNY", "RUB"), True),
        ],
    ),
    ("get_stock_price", "Return the latest price of a stock ticker.", [("ticker", "string", None, True)]),
    (
        "book_meeting",
        "Book a meeting room.",
        [("date", "string", None, True), ("duration_minutes", "integer", None, True), ("room", "string", None, False)],
    ),
    (
        "run_sql",
        "Run a read-only SQL query against the analytics warehouse.",
        [("sql", "string", None, True), ("timeout_seconds", "integer", None, False)],
    ),
    (
        "translate_text",
        "Translate text into another language.",
        [("text", "string", None, True), ("target_language", "string", ("en", "de", "ja", "ko", "zh", "ru"), True)],
    ),
    ("get_account_balance", "Get the balance of a customer account.", [("account_id", "string", None, True)]),
    (
        "issue_refund",
        "Refund an order, fully or in part.",
        [("order_id", "string", None, True), ("amount", "number", None, False), ("reason", "string", None, False)],
    ),
    (
        "list_calendar_events",
        "List calendar events in a date range.",
        [("start_date", "string", None, True), ("end_date", "string", None, True)],
    ),
    (
        "get_shipping_status",
        "Track a parcel.",
        [("tracking_number", "string", None, True), ("carrier", "string", ("dhl", "ups", "fedex", "yamato"), False)],
    ),
)
CITIES = ("Paris", "Berlin", "Tokyo", "Seoul", "Beijing", "Moscow", "New York", "Osaka", "München", "東京", "서울")
ALNUM = string.ascii_letters + string.digits


def tool_definition(spec: tuple) -> dict:
    name, description, params = spec
    properties: dict[str, dict] = {}
    for param, kind, enum, _required in params:
        properties[param] = {"type": kind, "description": f"The {param.replace('_', ' ')}."}
        if enum:
            properties[param]["enum"] = list(enum)
    required = [p for p, _k, _e, req in params if req]
    parameters = {"type": "object", "properties": properties, "required": required}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


def make_tool_sets(rng: random.Random, count: int) -> list[list[dict]]:
    """`count` tool lists; each example that uses tools repeats one of them."""
    return [[tool_definition(s) for s in rng.sample(TOOL_SPECS, rng.randint(2, 6))] for _ in range(count)]


def _argument_value(rng: random.Random, param: str, schema: dict) -> object:
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema["type"]
    if kind == "integer":
        return rng.randint(1, 500)
    if kind == "number":
        return round(rng.uniform(1, 5000), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if param == "city":
        return rng.choice(CITIES)
    if "date" in param:
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if param.endswith("_id") or param == "tracking_number":
        return "".join(rng.choices(string.ascii_uppercase + string.digits, k=10))
    return " ".join(rng.choices(EN, k=rng.randint(1, 8)))


def make_arguments(rng: random.Random, tool: dict) -> str:
    """JSON-encoded arguments for a call to `tool` (always all required ones)."""
    params = tool["function"]["parameters"]
    names = [p for p in params["properties"] if p in params["required"] or rng.random() < 0.5]
    args = {p: _argument_value(rng, p, params["properties"][p]) for p in names}
    return json.dumps(args, ensure_ascii=False)


def make_call_id(rng: random.Random) -> str:
    return "call_" + "".join(rng.choices(ALNUM, k=24))


def make_result(rng: random.Random) -> str:
    result = {
        "status": rng.choice(("ok", "ok", "ok", "not_found")),
        "id": rng.randint(1000, 99999),
        "detail": " ".join(rng.choices(EN, k=rng.randint(3, 30))),
    }
    return json.dumps(result, ensure_ascii=False)
