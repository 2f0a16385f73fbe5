"""The start-up benchmark compares like with like: check-jsonschema gets the same examples, and they are valid."""

from __future__ import annotations

import json

import jsonschema
from startup import write_inputs


def test_inputs_hold_the_same_examples_and_the_array_schema_accepts_them(tmp_path):
    jsonl, array, schema = write_inputs(tmp_path, 20)
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(rows) == 20 and json.loads(array.read_text()) == rows
    jsonschema.validate(rows, json.loads(schema.read_text()))
    bad = [*rows, {"messages": [{"role": "bot", "content": "x"}]}]
    assert not jsonschema.Draft202012Validator(json.loads(schema.read_text())).is_valid(bad)
