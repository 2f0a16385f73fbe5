"""What a trainer's maximum sequence length cuts, through `prep check --tokenizer FOLDER --max-seq-length N`.

The folder is a Hugging Face model folder built here (tests/support/hf_folders.py) with TRL's Qwen2.5 training
template, whose ``{% generation %}`` markers let transformers say which tokens are trained
(``return_assistant_tokens_mask``): the oracle for every figure below is transformers, not prep.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

pytest.importorskip("tokenizers")
pytest.importorskip("transformers")

from prep.validation.rendering.conversation import conversation
from tests.helpers import REPO

LIMIT = 512
SYSTEM = {"role": "system", "content": "You are Nimbus, the support assistant of Skyline Outfitters."}
PARAGRAPH = (
    "The trail runners come in three widths, and the wide one fits an orthotic insole; the rain shell packs into "
    "its own pocket and weighs 310 grams. Returns are free within 60 days with the receipt. "
)


def turn(user: str, assistant: str, times: int = 1) -> list[dict[str, Any]]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": PARAGRAPH * times + assistant}]


def long_examples() -> list[dict[str, Any]]:
    """A short example, long multi-turn ones, one whose only answer is past the limit, one that cuts only a user."""
    fits = {"messages": [SYSTEM, *turn("Do you ship to Oslo?", "Yes, in 3 days.")]}
    later_turns_cut = [*turn("Shoes?", "A.", 2), *turn("Shells?", "B.", 2), *turn("Returns?", "C.", 2)]
    only_answer_past = [{"role": "user", "content": PARAGRAPH * 8}, {"role": "assistant", "content": "Free returns."}]
    a_user_cut = [*turn("Shoes?", "E.", 3), {"role": "user", "content": PARAGRAPH * 6}]
    return [
        fits,
        {"messages": [SYSTEM, *later_turns_cut, *turn("Sizes?", "D.", 2)]},
        {"messages": [SYSTEM, *only_answer_past]},  # its only assistant turn is past the limit: nothing kept
        {"messages": [SYSTEM, *a_user_cut]},  # only a user message is cut
        {"messages": [SYSTEM, *turn("Everything, please.", "F.", 6)]},  # one long answer, cut in its middle
    ]


def masks(folder, example) -> tuple[list[int], list[int]]:
    """transformers' token ids and trained positions (assistant_masks) for an example."""
    from transformers import AutoTokenizer

    conv = conversation(example)
    out = AutoTokenizer.from_pretrained(str(folder)).apply_chat_template(
        copy.deepcopy(conv.messages), tools=conv.tools, tokenize=True, return_dict=True,
        return_assistant_tokens_mask=True,
    )  # fmt: skip
    return list(out["input_ids"]), [i for i, m in enumerate(out["assistant_masks"]) if m]


@pytest.fixture
def long_file(write_jsonl):
    return write_jsonl(long_examples(), name="long.jsonl")


def test_the_report_names_what_the_limit_cuts(run_prep, long_file, hf_folders):
    folder = hf_folders["qwen2_5_training"]
    expected = {}
    for line, example in enumerate(long_examples(), 1):
        ids, trained = masks(folder, example)
        lost = sum(i >= LIMIT for i in trained)
        expected[line] = (len(ids), len(trained), lost)
    assert [e[0] > LIMIT for e in expected.values()] == [False, True, True, True, True]  # the file is what it says
    code, out, _ = run_prep("check", long_file, "--isolated", "--tokenizer", folder, "--max-seq-length", LIMIT)
    assert code == 1  # example 3 trains on nothing: an error
    lines = {int(line.split(":")[1]): line for line in out.splitlines() if line.startswith(f"{long_file}:")
             and line.split(":")[1].isdigit()}  # fmt: skip
    where = f"the tokenizer and chat template in {folder}"
    total, trained, lost = expected[2]
    assert lines[2] == (
        f"{long_file}:2: P307 Example has {total:,} tokens with {where}, over --max-seq-length 512; the trainer cuts "
        f"the last {total - LIMIT:,}, {lost:,} of its {trained:,} trained tokens ({lost / trained:.0%}) among them."
    )
    total, trained, lost = expected[3]
    assert trained == lost > 0
    assert lines[3] == (
        f"{long_file}:3: P306 Example has {total:,} tokens with {where}, over --max-seq-length 512: all {trained:,} "
        "of its trained tokens are past it, so it trains on nothing."
    )
    total, _, lost = expected[4]
    assert lost == 0
    assert lines[4].startswith(f"{long_file}:4: P301 Example has {total:,} tokens with {where}")
    assert lines[4].endswith(f"the trainer cuts the last {total - LIMIT:,}, none of them trained.")
    assert " P307 " in lines[5] and 1 not in lines
    share = sum(e[2] for e in expected.values()) / sum(e[1] for e in expected.values())
    assert f"keep none; {sum(e[2] for e in expected.values()):,} of {sum(e[1] for e in expected.values()):,} " \
        f"trained tokens ({share:.1%}) lost" in out  # fmt: skip
    assert "2 example(s) lose trained tokens, 1 keep none" not in out  # (lines 2, 3 and 5 lose trained tokens)
    assert "3 example(s) lose trained tokens, 1 keep none" in out


def test_the_json_report_carries_the_totals(run_prep, long_file, hf_folders):
    folder = hf_folders["qwen2_5_training"]
    per_example = [masks(folder, e) for e in long_examples()]
    code, out, _ = run_prep(
        "check", long_file, "--isolated", "--tokenizer", folder, "--max-seq-length", LIMIT, "--format", "json"
    )
    assert code == 1
    report = json.loads(out)
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    stats = report["files"][0]["stats"]
    trained = sum(len(t) for _, t in per_example)
    lost = sum(sum(i >= LIMIT for i in t) for _, t in per_example)
    assert stats["truncation"] == {
        "examples_over_limit": 4,
        "examples_losing_trained": 3,
        "examples_losing_all": 1,
        "trained_tokens": trained,
        "trained_tokens_lost": lost,
        "trained_share_lost": lost / trained,
        "examples_estimated": 0,
    }
    assert stats["tokens"]["total"] == sum(len(ids) for ids, _ in per_example)
    assert stats["assistant_tokens"]["total"] == trained
    assert (stats["tokenizer"], stats["exact"], stats["limit_source"], stats["token_limit"]) == (
        str(folder), True, "max_seq_length", LIMIT
    )  # fmt: skip
    codes = [(i["line"], i["code"], i["severity"]) for i in report["files"][0]["issues"] if i["code"].startswith("P30")]
    assert codes == [(2, "P307", "warning"), (3, "P306", "error"), (4, "P301", "warning"), (5, "P307", "warning")]


def test_every_sample_is_counted_as_transformers_counts_it(run_prep, hf_folders, tmp_path):
    """Through the whole check, with and without tools: each over-limit message names transformers' own total."""
    from tests.support.hf_folders import chat_examples

    folder = hf_folders["qwen2_5"]
    path = tmp_path / "all.jsonl"
    examples = chat_examples()
    path.write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")
    _, out, _ = run_prep("check", path, "--isolated", "--tokenizer", folder, "--max-seq-length", 1, "--format", "json")
    totals = {
        i["line"]: i["message"] for i in json.loads(out)["files"][0]["issues"] if i["code"] in ("P301", "P306", "P307")
    }
    assert len(totals) == len(examples) and sum("tools" in e for e in examples) >= 3
    for line, example in enumerate(examples, 1):
        ids, _ = masks(folder, example)
        assert totals[line].startswith(f"Example has {len(ids):,} tokens with "), line


def test_a_template_that_refuses_an_example_is_p308(run_prep, hf_folders, write_jsonl):
    from tests.support.hf_folders import CONSTRUCTED

    path = write_jsonl([CONSTRUCTED[0], CONSTRUCTED[3]])  # Llama 3.1's template refuses parallel tool calls
    code, out, _ = run_prep("check", path, "--isolated", "--tokenizer", hf_folders["llama3_1"], "--ignore", "P401")
    assert code == 1
    assert f"{path}:2: P308 Cannot count the example with the tokenizer and chat template in " in out
    assert "This model only supports single tool-calls at once!" in out
    assert f"{path}:1: P308" not in out


def test_a_named_tokenizer_that_is_not_there_stops_the_check(run_prep, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    good = REPO / "sample_data" / "chat_good.jsonl"
    code, _, err = run_prep("check", good, "--isolated", "--tokenizer", "hf:Org/Missing-1B")
    assert code == 2
    assert err == (
        f"prep: error: Org/Missing-1B is not in the local Hugging Face cache ({tmp_path / 'hf' / 'hub'}); give "
        "--tokenizer FOLDER (a folder holding its tokenizer.json), or --allow-download to fetch its tokenizer files "
        "once.\n"
    )
    code, _, err = run_prep("check", good, "--isolated", "--tokenizer", tmp_path)
    assert (code, err) == (
        2,
        f"prep: error: {tmp_path} holds no tokenizer.json (a Hugging Face tokenizer folder does).\n",
    )
