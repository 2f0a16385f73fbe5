"""prep.check with a validation file: its own rules, and train/validation leakage (P404)."""

from __future__ import annotations

import json

import prep
from tests.helpers import chat


def chats(n: int, prefix: str = "q") -> list[dict]:
    return [chat(f"{prefix}{i}", f"a{i}") for i in range(n)]


def test_examples_in_both_files_are_p404_on_the_validation_line(write_jsonl) -> None:
    train = write_jsonl(chats(20), name="train.jsonl")
    leaked = [
        chat("q16", "a16"),
        chat("new", "x"),
        chats(20)[3],
        json.loads('{"messages": [{"content": "q16", "role": "user"}, {"content": "a16", "role": "assistant"}]}'),
    ]
    valid = write_jsonl(leaked, name="valid.jsonl")

    report = prep.check(train, valid=valid, tokens=False)

    t, v = report.files
    assert (t.role, v.role) == ("train", "valid")
    assert not t.codes["P404"]
    p404 = [(i.line, i.message) for i in v.issues if i.code == "P404"]
    assert p404 == [
        (1, f"Also in {train} line 17: the example is in both the training and the validation file."),
        (3, f"Also in {train} line 4: the example is in both the training and the validation file."),
        (4, f"Also in {train} line 17: the example is in both the training and the validation file."),
    ]
    assert all(i.severity == prep.Severity.WARNING for i in v.issues if i.code == "P404")
    assert report.ok


def test_a_small_validation_file_is_fine(write_jsonl) -> None:
    train = write_jsonl(chats(60), name="train.jsonl")
    valid = write_jsonl(chats(3, "v"), name="valid.jsonl")

    report = prep.check(train, valid=valid, tokens=False)

    assert not (report.files[1].codes["P401"] or report.files[1].codes["P402"])
    assert report.ok


def test_an_empty_validation_file_is_an_error(write_jsonl, tmp_path) -> None:
    train = write_jsonl(chats(12), name="train.jsonl")
    valid = tmp_path / "valid.jsonl"
    valid.write_bytes(b"")

    report = prep.check(train, valid=valid, tokens=False)

    assert report.files[1].codes["P115"] == 1 and not report.ok


def test_validation_file_must_hold_the_training_format(write_jsonl) -> None:
    train = write_jsonl(chats(12), name="train.jsonl")
    valid = write_jsonl([{"prompt": "p", "completion": " c"}, chat("x", "y")], name="valid.jsonl")

    report = prep.check(train, valid=valid, tokens=False)

    assert [(i.line, i.code) for i in report.files[1].issues if i.code == "P109"] == [(1, "P109")]


def test_reinforcement_validation_holds_at_most_1000_examples(write_jsonl) -> None:
    rft = [
        {
            "messages": [{"role": "developer", "content": "Answer."}, {"role": "user", "content": f"{i}+1?"}],
            "reference_answer": str(i + 1),
        }
        for i in range(1001)
    ]
    train = write_jsonl(rft[:20], name="train.jsonl")
    valid = write_jsonl(rft, name="valid.jsonl")

    report = prep.check(train, valid=valid, method="reinforcement", tokens=False)

    assert report.files[1].codes["P405"] == 1
    assert "OpenAI takes at most 1,000 for reinforcement validation data" in str(
        [i.message for i in report.files[1].issues]
    )


def test_cli_check_valid(write_jsonl, run_prep) -> None:
    train = write_jsonl(chats(12), name="train.jsonl")
    valid = write_jsonl([chats(12)[5]], name="valid.jsonl")

    code, out, _ = run_prep("check", train, "--valid", valid, "--no-tokens")

    assert code == 0
    assert f"{valid}:1: P404 Also in {train} line 6" in out
    code, _, err = run_prep("check", train, train, "--valid", valid)
    assert code == 2 and "--valid takes exactly one training file." in err


def test_leakage_lines_are_the_same_when_scanning_in_parallel(write_jsonl, monkeypatch) -> None:
    import prep.validation.parallel

    rows = chats(400)
    train = write_jsonl(rows, name="train.jsonl")
    valid = write_jsonl([rows[350], chat("new", "x"), rows[7], rows[399]], name="valid.jsonl")
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)

    one = prep.check(train, valid=valid, tokens=False, jobs=1)
    many = prep.check(train, valid=valid, tokens=False, jobs=3)

    expected = [(1, 351), (3, 8), (4, 400)]
    for report in (one, many):
        found = [
            (i.line, int(i.message.split(" line ")[1].split(":")[0]))
            for i in report.files[1].issues
            if i.code == "P404"
        ]
        assert found == expected
