"""`prep check` on folders and many files: a file that is not fine-tuning data never stops the run.

The rules (README "Folders and many files"): a folder stands for the data files below it; a file
found there whose columns fill no field of a record is reported as not data (P117, info) and the
exit code reflects only the data; a file that cannot be read (P116) or mapped (P160) is one error
about that file, and every other file is still checked.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import chat

RESULTS = "epoch,loss,accuracy\n1,0.52,0.81\n2,0.31,0.88\n"
NOTE = "note: OpenAI takes new fine-tuning jobs until 2027-01-06.\n"  # PREP_TODAY is 2026-11-30 in tests
NO_TOKENS = "Token limits were not checked (--no-tokens).\n"
PACKAGE = json.dumps({"name": "site", "version": "1.0.0", "scripts": {"test": "jest"}, "files": ["dist"]})


def workbook(path: Path, rows) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def jsonl(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def training_run(root: Path, *, bad_line: bool = False) -> Path:
    """Good JSONL beside a results CSV, a package.json and a W&B run folder, as a real repository holds them."""
    rows = [chat(f"Question {i}?", f"Answer {i}.") for i in range(10)]
    if bad_line:
        rows[3] = {"messages": [{"role": "user", "content": "Hi"}]}  # no assistant message: P204
    files = {
        "train.jsonl": jsonl(rows),
        "results.csv": RESULTS,
        "package.json": PACKAGE,
        "wandb/run-20240101_000000-abc123/files/wandb-summary.json": '{"loss": 0.31, "_runtime": 12}',
        "wandb/run-20240101_000000-abc123/files/config.yaml": "wandb_version: 1\n",
        "wandb/run-20240101_000000-abc123/run-abc123.wandb": "\x00binary",
        "wandb/latest-run/files/wandb-metadata.json": '{"os": "Linux", "args": []}',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_training_run_folder_reports_the_data_and_only_the_data_sets_the_exit_code(run_prep, tmp_path):
    folder = training_run(tmp_path / "run")
    code, out, err = run_prep("check", "--format", "json", "--no-tokens", folder)
    report = json.loads(out)
    assert (code, err) == (0, "")
    results, train = report["files"]  # package.json and wandb/ are left out
    assert (train["path"], train["format"], train["examples"], train["ok"]) == (
        str(folder / "train.jsonl"),
        "chat",
        10,
        True,
    )
    assert results["path"] == str(folder / "results.csv") and results["examples"] == 0
    (note,) = results["issues"]
    assert (note["code"], note["severity"], note["line"]) == ("P117", "info", None)
    assert note["message"].startswith("Not fine-tuning data, so not checked: no column of ")
    assert "(columns found: 'epoch', 'loss', 'accuracy')" in note["message"]

    bad = training_run(tmp_path / "bad", bad_line=True)
    code, out, _ = run_prep("check", "--no-tokens", bad)
    assert code == 1 and f"{bad / 'train.jsonl'}:4: P204 " in out
    assert f"{bad / 'results.csv'}: not checked, ok\n" in out and "package.json" not in out and "wandb" not in out


def test_ignoring_p117_leaves_files_that_are_not_data_out_of_the_report(run_prep, tmp_path):
    folder = training_run(tmp_path)
    code, out, _ = run_prep("check", "--no-tokens", "--ignore", "P117", folder)
    assert (
        code == 0
        and "results.csv" not in out
        and out.endswith(f"{NO_TOKENS}{NOTE}ok: 1 file(s), 0 error(s), 1 warning(s)\n")
    )


def test_a_folder_with_no_fine_tuning_data_is_exit_2(run_prep, tmp_path):
    (tmp_path / "results.csv").write_text(RESULTS)
    code, out, err = run_prep("check", "--no-tokens", tmp_path)
    assert code == 2 and "P117" in out
    assert err == "prep: error: no file given holds fine-tuning data (see the P117 notes above).\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run_prep("check", empty)
    assert (code, out) == (2, "") and err.startswith(f"prep: error: No data file in {empty}: ") and err.count("\n") == 1


def test_one_file_that_cannot_be_read_or_mapped_does_not_stop_the_others(run_prep, tmp_path):
    good = tmp_path / "train.jsonl"
    good.write_text(jsonl(chat(f"Q{i}?") for i in range(10)))
    ambiguous = tmp_path / "faq.csv"
    ambiguous.write_text("question,query,answer\nQ,Q,A\n")
    broken = tmp_path / "book.xlsx"
    broken.write_text("not a zip")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("question,answer\ncaf\xe9?,oui\n".encode("cp1252"))
    sheet = workbook(tmp_path / "faq.xlsx", [["question", "answer"], ["Q?", "A."]])
    code, out, err = run_prep("check", "--no-tokens", "--format", "json", ambiguous, broken, good, latin, sheet)
    assert (code, err) == (1, "")
    files = {Path(f["path"]).name: f for f in json.loads(out)["files"]}
    assert list(files) == ["faq.csv", "book.xlsx", "train.jsonl", "latin.csv", "faq.xlsx"]
    assert [i["code"] for i in files["faq.csv"]["issues"]] == ["P160"]
    assert files["faq.csv"]["issues"][0]["message"].startswith("Columns 'question' and 'query' of ")
    assert [i["code"] for i in files["book.xlsx"]["issues"]] == ["P116"]
    assert "as an Excel workbook (.xlsx)" in files["book.xlsx"]["issues"][0]["message"]
    assert [i["code"] for i in files["latin.csv"]["issues"]] == ["P116"]
    assert "--input-encoding" in files["latin.csv"]["issues"][0]["message"]
    assert files["train.jsonl"]["ok"] and files["train.jsonl"]["examples"] == 10
    assert files["faq.xlsx"]["examples"] == 1


def test_a_file_named_alone_that_cannot_be_mapped_is_an_error_issue_exit_1(run_prep, tmp_path):
    results = tmp_path / "results.csv"
    results.write_text(RESULTS)
    code, out, err = run_prep("check", "--no-tokens", results)
    assert (code, err) == (1, "")
    assert out.startswith(f"{results}: P160 No column of {results} was recognised as prompt/completion, ")
    assert out.endswith(
        f"{results}: not checked, 1 error(s)\n{NO_TOKENS}{NOTE}FAILED: 1 file(s), 1 error(s), 0 warning(s)\n"
    )


def test_the_configuration_excludes_named_files_as_the_hook_names_them(run_prep, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("prep.toml").write_text('exclude = ["results.csv"]\n')
    Path("results.csv").write_text(RESULTS)
    Path("train.jsonl").write_text(jsonl(chat(f"Q{i}?") for i in range(10)))
    code, out, err = run_prep("check", "--no-tokens", "results.csv", "train.jsonl")
    assert (code, err) == (0, "") and "results.csv" not in out
    code, out, err = run_prep("check", "--no-tokens", "results.csv")
    assert code == 0 and err == "prep: nothing to check: the configuration excludes results.csv.\n"
