"""Where a model's tokenizer comes from: the local Hugging Face cache, a folder, mistral-common's wheel, prep's rank
files; what happens when it is not at hand (an explicit one stops the check, a profile's falls back to an estimate
that says why); and that the exact path gives the same report on any number of cores."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

import prep
import prep.validation.parallel
from prep.errors import ConfigError, UsageError
from prep.targets.budget import resolve_budget
from prep.targets.loader import available_targets, load_target
from prep.targets.profile import parse_tokenizer
from prep.validation.rendering.hub import hub_cache, resolve_cached
from tests.helpers import REPO, generated

GOOD = REPO / "sample_data" / "chat_good.jsonl"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_cache(root: Path, model: str, source: Path | None = None, commit: str = COMMIT) -> Path:
    """A Hub cache holding ``model`` at ``commit`` (refs/main names it), with ``source``'s files in its snapshot."""
    repo = root / ("models--" + model.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for f in source.iterdir() if source else ():
        shutil.copy(f, snapshot / f.name)
    return snapshot


@pytest.fixture
def no_hf_env(monkeypatch, tmp_path):
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_the_cache_is_found_as_huggingface_hub_finds_it(tmp_path, monkeypatch, no_hf_env):
    from huggingface_hub import try_to_load_from_cache

    snapshot = fake_cache(tmp_path / "hub", "Org/Model-1B")
    (snapshot / "tokenizer.json").write_text("{}")
    expected = try_to_load_from_cache("Org/Model-1B", "tokenizer.json", cache_dir=str(tmp_path / "hub"))
    assert resolve_cached("Org/Model-1B", tmp_path / "hub") == snapshot == Path(expected).parent
    assert resolve_cached(f"Org/Model-1B@{COMMIT}", tmp_path / "hub") == snapshot
    assert resolve_cached("Org/Other", tmp_path / "hub") is None
    assert hub_cache() == tmp_path / "home" / ".cache" / "huggingface" / "hub"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub_cache() == tmp_path / "xdg" / "huggingface" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert hub_cache() == tmp_path / "hub"
    assert resolve_cached("Org/Model-1B") == snapshot
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    assert resolve_cached("Org/Model-1B") is None


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("hf:Qwen/Qwen3-8B", ("hf", "Qwen/Qwen3-8B")),
        ("hf:Qwen/Qwen3-8B@abc", ("hf", "Qwen/Qwen3-8B@abc")),
        ("./models/qwen", ("hf", "./models/qwen")),
        ("/abs/folder", ("hf", "/abs/folder")),
        ("mistral:tekken_240718", ("mistral", "tekken_240718")),
        ("harmony", ("harmony", "")),
    ],
)
def test_tokenizer_names(spec, parsed):
    assert parse_tokenizer(spec) == parsed


def test_a_profile_naming_an_unknown_kind_of_tokenizer_is_invalid(tmp_path):
    profile = tmp_path / "p.toml"
    text = (REPO / "prep" / "targets" / "profiles" / "together.toml").read_text()
    profile.write_text(text.replace('tokenizer = "hf:Qwen/Qwen3-8B"', 'tokenizer = "sentencepiece:x"'))
    with pytest.raises(ConfigError, match=r"\[models.'Qwen/Qwen3-8B'\] tokenizer: Unknown tokenizer 'sentencepiece:x'"):
        load_target(str(profile))


def test_budgets_name_the_models_tokenizer_and_limits():
    together = load_target("together")
    b = resolve_budget(together, model="Qwen/Qwen3-8B")
    assert (b.tokenizer, b.token_limit, b.exact, b.source) == ("hf:Qwen/Qwen3-8B", 40960, False, None)
    assert resolve_budget(together, model="Qwen/Qwen3-8B", fmt=prep.DataFormat.PREFERENCE).token_limit == 20480
    assert resolve_budget(together, model="Qwen/Qwen3-8B", encoding="o200k_base").tokenizer is None
    b = resolve_budget(together, model="Qwen/Qwen3-8B", max_seq_length=512)
    assert (b.token_limit, b.trainer_limit) == (512, True)
    azure = load_target("azure")
    assert resolve_budget(azure, model="Qwen-32B").exact is False  # an estimate, whatever the openai profile says
    assert resolve_budget(azure, model="gpt-4o").exact is True
    with pytest.raises(UsageError, match="Give --token-limit or --max-seq-length, not both"):
        resolve_budget(together, token_limit=5, max_seq_length=5)
    with pytest.raises(UsageError, match="Give --tokenizer or --encoding, not both"):
        resolve_budget(together, tokenizer="harmony", encoding="o200k_base")


def test_every_estimate_of_a_built_in_profile_says_why():
    """An inexact count names its reason: the model's own note, else its target's (Gemini, Nova, Azure's Qwen...)."""
    reasons = {}
    for name in available_targets():
        target = load_target(name)
        if not target.exact_tokens:
            reasons[name] = resolve_budget(target).estimate
        for model in target.models.values():
            if not model.exact_tokens and model.tokenizer is None:
                reasons[f"{name}:{model.name}"] = resolve_budget(target, model=model.name).estimate
    assert {"vertex", "nova", "bedrock", "azure:Qwen-32B", "together:moonshotai/Kimi-K2.5"} <= set(reasons)
    assert [key for key, reason in reasons.items() if not reason] == []
    assert reasons["vertex"].startswith("Gemini counts with its own tokenizer")
    assert reasons["azure:Qwen-32B"].startswith("Azure does not say which Qwen")
    assert reasons["together:moonshotai/Kimi-K2.5"].startswith("Kimi's tokenizer is a tiktoken model")


def test_a_profile_model_counts_with_its_own_tokenizer_from_the_cache(run_prep, hf_folders, tmp_path, monkeypatch):
    """--target together --model Qwen/Qwen3-8B: with its files in the cache the counts are exact, and equal
    transformers'; without them they are o200k_base estimates that say why."""
    pytest.importorskip("transformers")
    from transformers import AutoTokenizer

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    args = ("check", GOOD, "--isolated", "--target", "together", "--model", "Qwen/Qwen3-8B", "--format", "json")
    code, out, _ = run_prep(*args)
    stats = json.loads(out)["files"][0]["stats"]
    assert code == 0 and (stats["exact"], stats["tokenizer"], stats["counted_with"]) == (False, None, "o200k_base")
    assert stats["estimate_reason"].startswith(
        f"Qwen/Qwen3-8B is not in the local Hugging Face cache ({tmp_path / 'hf' / 'hub'})"
    )
    fake_cache(tmp_path / "hf" / "hub", "Qwen/Qwen3-8B", hf_folders["qwen3"])
    code, out, _ = run_prep(*args)
    stats = json.loads(out)["files"][0]["stats"]
    assert (stats["tokenizer"], stats["estimate_reason"]) == ("hf:Qwen/Qwen3-8B", None)
    assert stats["counted_with"] == "Qwen/Qwen3-8B's tokenizer and chat template"
    # Qwen3's template renders an empty <think> block after the last user turn only: earlier turns' ends are
    # estimated, and the report says so (the totals are exact)
    assert stats["exact"] is False and 0 < stats["truncation"]["examples_estimated"] < 60
    oracle = AutoTokenizer.from_pretrained(str(hf_folders["qwen3"]))
    examples = [json.loads(line) for line in GOOD.read_text().splitlines()]
    expected = sum(
        len(oracle.apply_chat_template(prep.validation.rendering.conversation.conversation(e).messages, tools=e.get("tools"), tokenize=True, return_dict=False))
        for e in examples
    )  # fmt: skip
    assert stats["tokens"]["total"] == expected


def test_a_missing_extra_is_one_sentence_or_an_estimate_that_says_so(run_prep, hf_folders, monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)  # as if the hf extra were not installed
    code, _, err = run_prep("check", GOOD, "--isolated", "--tokenizer", hf_folders["qwen2_5"])
    assert code == 2
    assert err == (
        "prep: error: Using Hugging Face (hf:// URLs, a model's tokenizer and chat template) needs tokenizers, which "
        "is not installed: pip install 'finetune-prep[hf]' (in a pre-commit hook: additional_dependencies: "
        "['finetune-prep[hf]']).\n"
    )
    code, out, _ = run_prep("check", GOOD, "--isolated", "--target", "azure", "--model", "Llama-3.3-70B-Instruct")
    assert code == 0
    assert (
        "  an estimate: Using Hugging Face (hf:// URLs, a model's tokenizer and chat template) needs tokenizers" in out
    )
    assert "Llama-3.3-70B-Instruct: estimated with o200k_base, 65,536-token limit" in out


def test_mistral_and_harmony_through_prep_check(run_prep):
    pytest.importorskip("mistral_common")
    pytest.importorskip("openai_harmony")
    for args, counted in [
        (("--tokenizer", "mistral:tekken_240718"), "counted with mistral-common's tekken_240718"),
        (("--target", "azure", "--model", "gpt-oss-20b"), "counted with o200k_harmony and the harmony format"),
    ]:
        code, out, _ = run_prep("check", GOOD, "--isolated", *args, "--format", "json")
        stats = json.loads(out)["files"][0]["stats"]
        assert code == 0 and stats["counted_with"] == counted.removeprefix("counted with ")
        assert stats["truncation"]["examples_over_limit"] == 0 and stats["tokens"]["total"] > 0
    code, _, err = run_prep("check", GOOD, "--isolated", "--tokenizer", "mistral:tekken_999")
    assert code == 2 and err.startswith("prep: error: mistral-common ships no tokenizer 'tekken_999'; it ships: ")


def test_count_tokens_with_a_tokenizer(hf_folders):
    from prep.validation.rendering.counter import load_counter

    counter = load_counter(f"hf:{hf_folders['llama3']}")
    examples = [json.loads(line) for line in GOOD.read_text().splitlines()]
    got = prep.count_tokens(examples, tokenizer=str(hf_folders["llama3"]))
    assert [(t.total, t.trained) for t in got] == [
        (r.total, r.trained) for r in (counter.count(e, prep.DataFormat.CHAT) for e in examples)
    ]


def test_the_configuration_names_a_tokenizer_folder_relative_to_itself(run_prep, hf_folders, tmp_path):
    shutil.copytree(hf_folders["qwen2_5"], tmp_path / "tok")
    (tmp_path / "prep.toml").write_text('tokenizer = "tok"\nmax-seq-length = 100\nignore = ["P402"]\n')
    data = tmp_path / "data.jsonl"
    data.write_bytes(GOOD.read_bytes())
    code, out, _ = run_prep("check", data, "--format", "json")
    stats = json.loads(out)["files"][0]["stats"]
    assert code == 1  # examples over 100 tokens lose every trained token
    assert stats["tokenizer"] == str(tmp_path / "tok") and stats["token_limit"] == 100
    assert stats["truncation"]["examples_over_limit"] > 0


@pytest.mark.parametrize("options", [{}, {"stats": False}])
def test_every_number_of_jobs_gives_the_same_exact_report(hf_folders, tmp_path, monkeypatch, options):
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    data = generated(tmp_path / "gen.jsonl", "200KB", 5, "--long-fraction", "0.05", "--corrupt-fraction", "0.05")
    common = {"tokenizer": str(hf_folders["llama3"]), "max_seq_length": 600, "isolated": True, **options}
    one = prep.check(data, jobs=1, **common)
    many = prep.check(data, jobs=2, **common)
    assert [i.code for i in one.issues] == [i.code for i in many.issues]
    assert [(i.line, i.message) for i in one.issues] == [(i.line, i.message) for i in many.issues]
    assert one.files[0].stats_summary() == many.files[0].stats_summary()
    assert any(i.code in ("P306", "P307") for i in one.issues)


def test_the_trl_target_counts_any_hub_model_with_its_own_tokenizer(run_prep, hf_folders, tmp_path, monkeypatch):
    """--target trl --model ORG/NAME: any Hugging Face model (hub_models), from the cache, against --max-seq-length."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    fake_cache(tmp_path / "hf" / "hub", "Org/Tiny-1B", hf_folders["qwen2_5"])
    data = REPO / "sample_data" / "trl-preference_good.jsonl"
    code, out, _ = run_prep(
        "check", data, "--isolated", "--target", "trl", "--model", "Org/Tiny-1B", "--max-seq-length", "64",
        "--format", "json",
    )  # fmt: skip
    stats = json.loads(out)["files"][0]["stats"]
    assert (stats["tokenizer"], stats["exact"], stats["model"]) == ("hf:Org/Tiny-1B", True, "Org/Tiny-1B")
    assert stats["truncation"]["examples_over_limit"] > 0 and code == 1
    code, _, err = run_prep("check", GOOD, "--isolated", "--target", "openai", "--model", "Org/Tiny-1B")
    assert code == 2 and "or --tokenizer for an open model's own; a Hugging Face model counts with --tokenizer " \
        "hf:Org/Tiny-1B, or --target trl --model Org/Tiny-1B)." in err  # fmt: skip


def run_cli(*args, env):
    import os
    import subprocess

    offline = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")  # test_hf_counts sets them for its oracle, transformers
    inherited = {k: v for k, v in os.environ.items() if k not in offline}
    result = subprocess.run(
        [sys.executable, "-m", "prep", *map(str, args)], capture_output=True, text=True, env={**inherited, **env}
    )
    return result.returncode, result.stdout, result.stderr


def test_a_download_only_with_allow_download(hf_folders, tmp_path):
    """huggingface_hub fetches the tokenizer files from a local stand-in of the Hub, once; never without the flag,
    and later runs find them in the cache with the Hub gone (each run in a fresh process, as HF_ENDPOINT is read
    when huggingface_hub is imported)."""
    from tests.support.fake_hub import fake_hub

    folder = tmp_path / "repo"
    shutil.copytree(hf_folders["qwen2_5"], folder)
    (folder / "model.safetensors").write_bytes(b"weights are never fetched")
    args = ("check", GOOD, "--isolated", "--tokenizer", "hf:Org/Tiny-1B", "--format", "json")
    with fake_hub("Org/Tiny-1B", folder) as hub:
        env = {"HF_ENDPOINT": f"http://127.0.0.1:{hub.server_address[1]}", "HF_HOME": str(tmp_path / "hf")}
        code, _, err = run_cli(*args, env=env)
        assert code == 2 and "is not in the local Hugging Face cache" in err
        assert hub.requests == []
        code, out, err = run_cli(*args, "--allow-download", env=env)
        assert code == 0 and err == "", err
        fetched = sorted(
            path.rsplit("/", 1)[1] for method, path in hub.requests if method == "GET" and "/resolve/" in path
        )
        assert fetched == ["tokenizer.json", "tokenizer_config.json"]
    stats = json.loads(out)["files"][0]["stats"]
    assert (stats["tokenizer"], stats["exact"]) == ("hf:Org/Tiny-1B", True)
    code, again, _ = run_cli(*args, env=env)  # the stand-in is gone: from the cache now
    assert code == 0 and json.loads(again)["files"][0]["stats"] == stats
