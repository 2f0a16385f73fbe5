"""schemas/ stays generated from the models; the JSON report obeys its schema; records agree with checks."""

from __future__ import annotations

import json

import jsonschema
import pytest
from pydantic import ValidationError

import prep
from prep.reading.detect import vote
from prep.records.models import ChatRecord, CompletionRecord, PreferenceRecord, ReinforcementRecord, TextRecord
from prep.records.schemas import build_schemas, stale_schemas
from prep.reports.reporters import report_dict
from prep.targets.loader import load_target
from prep.targets.profile import DataFormat
from prep.validation.rules import CheckContext, check_example
from tests.helpers import COOKBOOK_TOY, REPO
from tests.unit import test_checks

SCHEMAS = REPO / "schemas"


def test_committed_schemas_match_the_models():
    assert stale_schemas(SCHEMAS) == [], "run: prep schema --write schemas"


def test_drift_is_detected(tmp_path):
    for name, schema in build_schemas().items():
        (tmp_path / name).write_text(json.dumps(schema))
    assert set(stale_schemas(tmp_path)) == set(build_schemas())


@pytest.mark.parametrize("name", sorted(build_schemas()))
def test_schemas_are_valid_json_schema(name):
    jsonschema.Draft202012Validator.check_schema(json.loads((SCHEMAS / name).read_text()))


@pytest.mark.parametrize(
    "paths",
    [
        [COOKBOOK_TOY],
        sorted((REPO / "sample_data").glob("*.jsonl")),
    ],
)
def test_json_report_validates_against_its_schema(paths):
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    for options in ({}, {"tokens": False}, {"model": "gpt-4.1-mini", "isolated": True}, {"target": "all"}):
        jsonschema.validate(report_dict(prep.check(paths, **options)), schema)


# The records hold the service's schema; the checks hold the schema and the service's other
# rules. These codes are rules beyond the schema, so the records do not express them.
BEYOND_SCHEMA = {"P218", "P219", "P220", "P221"}
MODELS = {
    DataFormat.CHAT: ChatRecord,
    DataFormat.PREFERENCE: PreferenceRecord,
    DataFormat.REINFORCEMENT: ReinforcementRecord,
    DataFormat.COMPLETION: CompletionRecord,
    DataFormat.TEXT: TextRecord,
}
TARGET = load_target("openai")
TEXT_TARGET = load_target("together")  # OpenAI has no plain-text format


def _cases():
    for name, example, _ in test_checks.CASES:
        yield name, DataFormat.CHAT, example
    for name, example in test_checks.VALID:
        yield name, DataFormat.CHAT, example
    for fmt, table in (
        (DataFormat.PREFERENCE, test_checks.PREF_CASES),
        (DataFormat.REINFORCEMENT, test_checks.RFT_CASES),
        (DataFormat.COMPLETION, test_checks.COMP_CASES),
    ):
        for name, example, _ in table:
            yield name, fmt, example
    for path in sorted((REPO / "sample_data").glob("*.jsonl")):
        fmt = DataFormat(path.name.split("_")[0])
        if fmt not in MODELS:
            continue  # the other targets' formats: test_native_records_...
        for i, line in enumerate(path.read_text("utf-8-sig").splitlines(), 1):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                yield f"{path.name}:{i}", fmt, value


CASES = list(_cases())


@pytest.mark.parametrize(("name", "fmt", "example"), CASES, ids=[c[0] for c in CASES])
def test_records_accept_exactly_what_the_checks_find_no_schema_error_in(name, fmt, example):
    target = TEXT_TARGET if fmt is DataFormat.TEXT else TARGET
    errors = {
        p.code
        for p in check_example(example, CheckContext(target, fmt))
        if prep.CODES[p.code].severity is prep.Severity.ERROR  # the schema's view, whatever a target relaxes
    } - BEYOND_SCHEMA
    try:
        MODELS[fmt].model_validate(example)
        valid = True
    except ValidationError:
        valid = False
    assert valid == (not errors), errors


# The other targets' records against their checks: every line of their samples and of the providers' examples.
NATIVE_MODELS = {
    DataFormat.VERTEX: "VertexRecord",
    DataFormat.VERTEX_PREFERENCE: "VertexPreferenceRecord",
    DataFormat.VERTEX_REINFORCEMENT: "VertexReinforcementRecord",
    DataFormat.NOVA: "NovaRecord",
    DataFormat.NOVA_PREFERENCE: "NovaPreferenceRecord",
    DataFormat.TRL_PREFERENCE: "TrlPreferenceRecord",
}
#: Rules of the services beyond the shape: reserved words, media counts, tool-use ids across blocks.
NATIVE_BEYOND_SCHEMA = {"P248", "P218", "P244", "P212"}
TARGET_OF = {"vertex": "vertex", "nova": "nova", "trl": "trl"}


def _native_cases():
    for path in sorted((REPO / "sample_data").glob("*.jsonl")):
        fmt = DataFormat(path.name.rsplit("_", 1)[0])
        if fmt in NATIVE_MODELS:
            for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                yield f"{path.name}:{i}", fmt, json.loads(line)
    docs = REPO / "tests" / "data" / "provider-docs"
    for path in sorted(docs.glob("*.jsonl")):
        for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            value = json.loads(line)
            fmt = DataFormat.CHAT if path.name == "trl_conversational.jsonl" else vote(value)
            if fmt in NATIVE_MODELS or fmt is DataFormat.CHAT:
                yield f"{path.name}:{i}", fmt, value


NATIVE_CASES = list(_native_cases())


@pytest.mark.parametrize(("name", "fmt", "example"), NATIVE_CASES, ids=[c[0] for c in NATIVE_CASES])
def test_native_records_accept_exactly_what_the_checks_find_no_schema_error_in(name, fmt, example):
    import prep.records

    target = load_target(TARGET_OF[fmt.value.split("-")[0]] if fmt is not DataFormat.CHAT else "trl")
    errors = {
        p.code
        for p in check_example(example, CheckContext(target, fmt))
        if prep.CODES[p.code].severity is prep.Severity.ERROR
    } - NATIVE_BEYOND_SCHEMA
    model = getattr(prep.records, NATIVE_MODELS.get(fmt, "TrlChatRecord"))
    try:
        model.model_validate(example)
        valid = True
    except ValidationError:
        valid = False
    assert valid == (not errors), errors
