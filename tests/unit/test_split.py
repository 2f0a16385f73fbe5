"""prep.split: deterministic, duplicates together, stratified legacy classification, byte-identical lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import prep
from prep.errors import InputError, MappingError, UsageError
from prep.publishing.splitter import split
from prep.reading.jsonl import iter_lines
from prep.validation.canonical import example_hash
from prep.validation.checker import plan_file, prepare
from prep.validation.options import CheckOptions
from prep.validation.scan import FileScan
from tests.helpers import chat


def chats(n: int, prefix: str = "q") -> list[dict]:
    return [chat(f"{prefix}{i}", f"a{i}") for i in range(n)]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_writes_stem_train_and_valid_beside_the_input(write_jsonl) -> None:
    src = write_jsonl(chats(20), name="data.v2.jsonl")

    r = split(src, valid_fraction=0.25, seed=1)

    assert (r.train_path.name, r.valid_path.name) == ("data.v2.train.jsonl", "data.v2.valid.jsonl")
    assert r.train_path.parent == src.parent
    assert (r.train_examples, r.valid_examples, r.groups) == (15, 5, 20)
    assert len(lines_of(r.train_path)) == 15 and len(lines_of(r.valid_path)) == 5


def test_out_dir_and_valid_count(write_jsonl, tmp_path: Path) -> None:
    src = write_jsonl(chats(10))

    r = split(src, valid_count=3, out_dir=tmp_path / "out")

    assert r.valid_path == tmp_path / "out" / "data.valid.jsonl"
    assert (r.train_examples, r.valid_examples) == (7, 3)


def test_same_input_and_seed_give_the_same_bytes(write_jsonl, tmp_path: Path) -> None:
    src = write_jsonl(chats(200))

    a = split(src, valid_fraction=0.1, seed=42, out_dir=tmp_path / "a")
    b = split(src, valid_fraction=0.1, seed=42, out_dir=tmp_path / "b")
    c = split(src, valid_fraction=0.1, seed=43, out_dir=tmp_path / "c")

    assert a.valid_path.read_bytes() == b.valid_path.read_bytes()
    assert a.train_path.read_bytes() == b.train_path.read_bytes()
    assert a.valid_path.read_bytes() != c.valid_path.read_bytes()


def test_assignment_is_pinned(write_jsonl) -> None:
    """The order comes from blake2b only, so these lines are chosen on every platform and Python."""
    src = write_jsonl(chats(30))

    r = split(src, valid_count=4, seed=7)

    chosen = [json.loads(line)["messages"][0]["content"] for line in lines_of(r.valid_path)]
    assert chosen == PINNED_SEED_7


PINNED_SEED_7 = ["q7", "q9", "q13", "q25"]


def test_lines_are_copied_byte_for_byte(write_jsonl) -> None:
    rows = [
        '{"messages": [{"role": "user", "content": "héllo"}, {"role": "assistant", "content": "ok"}]}',
        '{"messages":[{"content":"x","role":"user"},{"role":"assistant","content":"y"}]}\r',
        json.dumps(chat("\u2028 odd", "spaces   inside")),
        *[json.dumps(row, ensure_ascii=True) for row in chats(7)],
    ]
    src = write_jsonl(rows)

    r = split(src, valid_count=3, seed=5)

    out = lines_of(r.train_path) + lines_of(r.valid_path)
    assert Counter(out) == Counter(lines_of(src))


def test_missing_final_newline_is_added_and_blank_lines_dropped(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl"
    rows = [json.dumps(row) for row in chats(6)]
    src.write_bytes(("\n".join(rows[:3]) + "\n\n   \n" + "\n".join(rows[3:])).encode())

    r = split(src, valid_count=2)

    out = lines_of(r.train_path) + lines_of(r.valid_path)
    assert sorted(out) == sorted((row + "\n").encode() for row in rows)
    assert r.blank_lines == 2


def test_bom_is_kept_on_both_files(tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(row).encode() + b"\n" for row in chats(6)))

    r = split(src, valid_count=2)

    assert r.train_path.read_bytes().startswith(b"\xef\xbb\xbf{")
    assert r.valid_path.read_bytes().startswith(b"\xef\xbb\xbf{")
    assert r.train_examples + r.valid_examples == 6


@pytest.mark.parametrize("seed", range(12))
def test_exact_duplicates_stay_together(write_jsonl, seed: int) -> None:
    dup = chat("same", "same answer")
    reordered = '{"messages": [{"content": "same", "role": "user"}, {"content": "same answer", "role": "assistant"}]}'
    src = write_jsonl([*chats(8), dup, json.dumps(dup, indent=None, separators=(",", ":")), reordered])

    r = split(src, valid_count=3, seed=seed)

    sides = {
        side: [json.loads(line) for line in lines_of(path)]
        for side, path in (("train", r.train_path), ("valid", r.valid_path))
    }
    holding = [side for side, rows in sides.items() if dup in rows]
    assert len(holding) == 1
    assert sides[holding[0]].count(dup) == 3
    assert r.groups == 9


def test_duplicates_never_leak_into_validation(write_jsonl) -> None:
    rows = [*chats(40), *chats(10)]  # 10 examples twice
    src = write_jsonl(rows)

    r = split(src, valid_fraction=0.2, seed=3)

    report = prep.check(r.train_path, valid=r.valid_path, tokens=False)
    assert not report.files[1].codes["P404"]
    assert r.train_examples + r.valid_examples == 50


def classification(counts: dict[str, int]) -> list[dict]:
    rows = []
    for label, n in counts.items():
        rows += [{"prompt": f"{label} text {i}\n\n###\n\n", "completion": f" {label}"} for i in range(n)]
    return rows


def test_legacy_classification_is_stratified_by_label(write_jsonl) -> None:
    src = write_jsonl(classification({"sports": 50, "politics": 30, "tech": 20}))

    r = split(src, valid_fraction=0.1, seed=0)

    labels = Counter(json.loads(line)["completion"] for line in lines_of(r.valid_path))
    assert r.stratified and r.labels == 3
    assert labels == {" sports": 5, " politics": 3, " tech": 2}


def test_stratified_largest_remainder_hits_the_target(write_jsonl) -> None:
    src = write_jsonl(classification({"a": 7, "b": 7, "c": 7}))

    r = split(src, valid_count=4, seed=2)

    labels = Counter(json.loads(line)["completion"] for line in lines_of(r.valid_path))
    assert r.valid_examples == 4 and sorted(labels.values()) == [1, 1, 2]


def test_generation_data_is_not_stratified(write_jsonl) -> None:
    rows = [{"prompt": f"p{i}", "completion": f" c{i}"} for i in range(30)]

    assert not split(write_jsonl(rows), valid_count=3).stratified
    assert not split(write_jsonl(chats(30), name="c.jsonl"), valid_count=3).stratified


def test_stratify_can_be_forced_and_needs_completions(write_jsonl) -> None:
    rows = [{"prompt": f"p{i}", "completion": " yes" if i % 2 else " no"} for i in range(4)]
    assert split(write_jsonl(rows), valid_count=2, stratify=True).stratified

    with pytest.raises(UsageError, match="prompt/completion"):
        split(write_jsonl(chats(4), name="c.jsonl"), valid_count=2, stratify=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"valid_fraction": 0.1, "valid_count": 2}, "not both"),
        ({"valid_fraction": 0.0}, "between 0 and 1"),
        ({"valid_fraction": 1.0}, "between 0 and 1"),
        ({"valid_count": 10}, "between 1 and 9"),
    ],
)
def test_bad_sizes(write_jsonl, kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        split(write_jsonl(chats(10)), **kwargs)


def test_too_few_or_identical_examples(write_jsonl) -> None:
    with pytest.raises(UsageError, match="at least 2"):
        split(write_jsonl(chats(1)))
    with pytest.raises(UsageError, match="one distinct example"):
        split(write_jsonl([chat()] * 5, name="same.jsonl"))


def test_missing_file_and_self_overwrite(tmp_path: Path, write_jsonl) -> None:
    with pytest.raises(InputError):
        split(tmp_path / "nope.jsonl")
    real = write_jsonl(chats(4), name="x.train.jsonl")
    link = tmp_path / "x.jsonl"
    link.symlink_to(real)  # x.jsonl would split into x.train.jsonl: itself
    with pytest.raises(UsageError, match="overwritten"):
        split(link)


def test_example_hash_is_the_checkers_hash(write_jsonl) -> None:
    values = [chat("a", "b"), {"prompt": "x", "completion": " y"}, {"messages": [], "z": [1, 2.5, None]}]
    src = write_jsonl(values)
    run = prepare(CheckOptions(tokens=False))
    (plan,) = plan_file(str(src), iter(values), run)
    scan = FileScan(plan, run.tokenizers)
    with src.open("rb") as fp:
        for line in iter_lines(fp):
            scan.feed(line)

    assert list(scan.hashes) == [example_hash(v) for v in values]


# -- only checked data is split (README "Split and publish") --------------------------------------


def test_lines_with_errors_are_reported_and_in_neither_file(write_jsonl) -> None:
    rows = [json.dumps(row) for row in chats(12)]
    rows[2] = '{"messages": [{"role": "user", "content": "no reply"}]}'  # P204: no assistant message
    rows[5] = '{"messages": [ not json'  # P106
    src = write_jsonl(rows)

    r = split(src, valid_count=2)

    assert r.left_out == (3, 6) and r.exit_code == 1
    assert r.report is not None and {(i.line, i.code) for i in r.report.issues if i.is_error} == {
        (3, "P204"),
        (6, "P106"),
    }
    out = lines_of(r.train_path) + lines_of(r.valid_path)
    assert sorted(out) == sorted((row + "\n").encode() for i, row in enumerate(rows) if i not in (2, 5))
    assert (r.train_examples, r.valid_examples) == (8, 2)


def test_a_table_is_split_as_converted_records(tmp_path: Path) -> None:
    src = tmp_path / "faq.csv"
    src.write_text("question,answer\n" + "".join(f"Q{i}?,A{i}.\n" for i in range(12)) + "Q12?,\n")

    r = split(src, valid_count=3, seed=1)

    assert (r.train_path.name, r.valid_path.name) == ("faq.train.jsonl", "faq.valid.jsonl")
    records = [json.loads(line) for line in lines_of(r.train_path) + lines_of(r.valid_path)]
    assert sorted(records, key=str) == sorted((chat(f"Q{i}?", f"A{i}.") for i in range(12)), key=str)
    assert r.left_out == (14,)  # the row with an empty answer (P222, line 14) is in neither file
    assert r.report is not None and [(i.line, i.code) for i in r.report.issues] == [(14, "P222")]
    assert (r.train_examples, r.valid_examples) == (9, 3)


def test_a_training_side_under_the_minimum_is_a_warning(write_jsonl) -> None:
    """The openai profile's min_examples (10: "the minimum is 10 examples", openai-format-rules.md)."""
    src = write_jsonl(chats(12))

    r = split(src, valid_count=3)

    (issue,) = r.issues
    assert (issue.code, issue.severity.value, issue.path) == ("P408", "warning", str(r.train_path))
    assert issue.message.startswith("The training file has 9 example(s), but OpenAI needs at least 10; ")
    assert r.exit_code == 0 and split(src, valid_count=2).issues == ()


def test_a_spreadsheet_is_split_with_its_project_configuration(tmp_path: Path) -> None:
    from tests.helpers import REPO

    book = tmp_path / "support_tickets.xlsx"
    book.write_bytes((REPO / "sample_data" / "support_tickets.xlsx").read_bytes())
    (tmp_path / "prep.toml").write_bytes((REPO / "sample_data" / "prep.toml").read_bytes())

    r = split(book, valid_count=2)

    assert (r.train_examples, r.valid_examples, r.left_out) == (10, 2, ())
    assert all(json.loads(line)["messages"][0]["role"] == "system" for line in lines_of(r.train_path))
    with pytest.raises(MappingError, match=r"^No column of .*support_tickets.xlsx was recognised"):
        split(book, valid_count=2, isolated=True)  # without its map the columns fill no record
