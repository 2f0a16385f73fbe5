"""Valid input never crashes prep: odd but valid JSON, odd DataFrame cells, a crashing tokenizer, permissions."""

from __future__ import annotations

import decimal
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import prep
from prep.errors import DependencyError
from prep.validation import counters as counters_module
from prep.validation import scan as scan_module
from tests.helpers import chat


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def codes_by_line(report: prep.Report) -> dict[int | None, set[str]]:
    out: dict[int | None, set[str]] = {}
    for issue in report.issues:
        out.setdefault(issue.line, set()).add(issue.code)
    return out


# valid JSON that orjson cannot write back


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ('{"messages": [{"role": "user", "content": "\\ud800"}, {"role": "assistant", "content": "ok"}]}', set()),
        ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}], "x": 1}', {"P110"}),
        ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok", "weight": '
         "123456789012345678901234567890}]}", {"P209"}),
        ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}], "x": '
         + nested(300) + "}", {"P110"}),
        ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}], "x": '
         + nested(900) + "}", {"P110"}),
        ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}], "x": '
         + nested(3000) + "}", {"P120"}),
    ],
    ids=["lone-surrogate", "control", "int-over-64-bits", "nesting-300", "nesting-900", "nesting-3000"],
)  # fmt: skip
def test_valid_json_is_an_issue_on_its_line_and_checking_goes_on(write_jsonl, line: str, codes: set[str]) -> None:
    path = write_jsonl([line, line, chat("after", "it")])

    report = prep.check(path, model="gpt-4o-mini-2024-07-18")

    found = codes_by_line(report)
    if codes == {"P120"} and found.get(1) == {"P110"}:  # this process's recursion limit lets json read it all
        codes = {"P110"}
    assert found.get(1, set()) == codes and found.get(2, set()) - {"P403"} == codes
    assert 3 not in found and report.files[0].examples == (3 if "P120" not in codes else 1)


@pytest.mark.parametrize("suffix", [".json", ".txt", ".jsonl"])
def test_a_first_line_nested_past_the_recursion_limit_is_an_issue_whatever_the_file_type(
    tmp_path, suffix, default_recursion_limit
) -> None:
    path = tmp_path / f"deep{suffix}"  # what the file holds is guessed from its first line, which json cannot read
    path.write_text(nested(5000) + "\n" + json.dumps(chat("after", "it")) + "\n", encoding="utf-8")
    assert "P120" in {issue.code for issue in prep.check(path).issues}


def test_the_command_never_exits_3_on_valid_json(write_jsonl, run_prep) -> None:
    path = write_jsonl(
        ['{"messages": [{"role": "user", "content": "\\ud800' + "x" * 10 + '"}], "n": ' + nested(500) + "}"]
    )
    code, out, err = run_prep("check", path, "--isolated")
    assert code == 1 and "unexpected error" not in err
    assert "\\ud800" not in out or "P" in out


# values that JSON cannot hold, handed over in memory


def test_records_with_python_objects_are_p118(tmp_path: Path) -> None:
    records: list[Any] = [
        {"messages": [{"role": "user", "content": {"a", "b"}}, {"role": "assistant", "content": "ok"}]},
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": b"raw"}]},
        chat(),
    ]
    report = prep.check(records)
    p118 = [(i.line, i.pointer) for i in report.issues if i.code == "P119"]
    assert p118 == [(1, "/messages/0/content"), (2, "/messages/1/content")]


def test_dataframe_cells_of_any_type(tmp_path: Path) -> None:
    import pandas

    frame = pandas.DataFrame(
        {
            "user": [decimal.Decimal("1.10"), b"bytes as text", b"\xff\xfe", {"a"}, "plain"],
            "assistant": ["a", "b", "c", "d", decimal.Decimal("NaN")],
        }
    )

    report = prep.check(frame)

    found = codes_by_line(report)
    assert "P154" in found[3] and "P119" in found[4]  # bytes that are not text; a set
    assert not (found.get(1, set()) | found.get(2, set())) - {"P402", "P401"}  # a Decimal is its number, bytes text
    assert found[5] & {"P205", "P222", "P204"}  # a NaN Decimal is an empty cell
    converted = prep.convert(frame, None, force=True)
    assert converted.records[0]["messages"][0]["content"] == "1.10"
    assert converted.records[1]["messages"][0]["content"] == "bytes as text"


# a tokenizer that crashes


class FakePanic(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, not an Exception."""


class PanickingEncoder:
    """An `Encoder` whose count panics on texts longer than ``over``."""

    name = "o200k_base"

    def __init__(self, over: int) -> None:
        self.over = over
        self.calls: list[int] = []

    def count(self, text: str) -> int:
        self.calls.append(len(text))
        if len(text) > self.over:
            raise FakePanic("called `Result::unwrap()` on an `Err` value: RuntimeError(StackOverflow)")
        return max(1, len(text) // 4)


@pytest.mark.parametrize("over", [5000, 0], ids=["panics-on-long-text", "panics-always"])
def test_a_panicking_tokenizer_is_counted_around(write_jsonl, monkeypatch: pytest.MonkeyPatch, over: int) -> None:
    encoding = PanickingEncoder(over)
    monkeypatch.setattr(counters_module, "load_encoder", lambda name, folder=None: encoding)
    long = "word " * 4000  # 20,000 characters
    path = write_jsonl([chat(long, "ok"), chat("short", "ok")])

    report = prep.check(path)

    crashed = [i for i in report.issues if i.code == "P305"]
    assert [i.line for i in crashed] == ([1] if over else [1, 2])
    assert "counted in pieces" in crashed[0].message
    tokens = report.files[0].stats_summary()["tokens"]
    assert tokens["max"] >= len(long) // 4 if over else tokens["max"] >= len(long)  # pieces, or bytes: never short
    assert max(encoding.calls) > over and all(n <= 4096 for n in encoding.calls if n != len(long))


def test_a_crash_elsewhere_is_one_catchable_error(write_jsonl, monkeypatch: pytest.MonkeyPatch, run_prep) -> None:
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise FakePanic("boom")

    monkeypatch.setattr(scan_module, "check_example", crash)
    path = write_jsonl([chat()])

    with pytest.raises(
        DependencyError, match=r"A library prep uses crashed \(tests.test_valid_input.FakePanic: boom\)"
    ):
        prep.check(path)
    assert issubclass(DependencyError, Exception)

    code, _, err = run_prep("check", path, "--isolated")
    assert code == 3 and err.startswith("prep: error: A library prep uses crashed") and err.count("\n") == 1


def test_a_million_spaces_are_counted_whatever_the_tokenizer(write_jsonl) -> None:
    path = write_jsonl([chat(" " * 1_000_000, "ok"), chat()])

    report = prep.check(path)

    tokens = report.files[0].stats_summary()["tokens"]
    assert tokens["max"] > 1000 and report.files[0].examples == 2


# permissions


def run_without_permission(*args: str) -> subprocess.CompletedProcess[str]:
    """Run prep unable to bypass file permissions (root gives up the capabilities that would)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]
    cmd = [*prefix, sys.executable, "-m", "prep", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text("".join(json.dumps(chat(f"q{i}", "a")) + "\n" for i in range(12)))
    return tmp_path


def test_an_unreadable_file_in_a_folder_is_one_sentence(shared: Path) -> None:
    locked = shared / "data" / "locked.jsonl"
    locked.write_text(json.dumps(chat()) + "\n")
    locked.chmod(0)

    done = run_without_permission("check", str(shared / "data"), "--isolated", "--no-tokens")

    assert done.returncode == 2, done.stderr
    assert done.stderr == f"prep: error: Cannot read '{locked}': Permission denied.\n"


@pytest.mark.parametrize("command", ["convert", "split"])
def test_an_output_folder_that_cannot_be_written_is_one_sentence(shared: Path, command: str) -> None:
    out = shared / "readonly"
    out.mkdir()
    out.chmod(0o555)
    source = str(shared / "data" / "a.jsonl")
    args = ["convert", source, "-o", str(out / "b.jsonl"), "--no-tokens"] if command == "convert" else [
        "split", source, "-o", str(out)
    ]  # fmt: skip

    done = run_without_permission(*args)

    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"prep: error: Cannot write {out}/") and line.endswith(": Permission denied.")
