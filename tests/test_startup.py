"""Fast start: a hook runs on every commit, so `prep check` on a small JSONL file imports only what it needs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import REPO

#: Never imported by `prep check` on JSONL (they are for other formats, publishing, or not needed at all).
HEAVY = ("pandas", "openpyxl", "openai", "wandb", "pydantic", "numpy")
#: The tokenizers prep counts with: bpe-openai's compiled module where installed (the fast extra), else tiktoken.
TOKENIZERS = {"tiktoken", "bpe_openai"}
#: Never imported when an OpenAI model counts: the open models' tokenizers are extras, loaded only for them.
OPEN_MODEL_TOKENIZERS = ("tokenizers", "transformers", "jinja2", "mistral_common", "openai_harmony", "huggingface_hub")

SCRIPT = """
import json, sys
from prep.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


@pytest.fixture
def small(tmp_path):
    """A 20-line chat file and a project configuration beside it."""
    lines = (REPO / "sample_data" / "chat_good.jsonl").read_text().splitlines(keepends=True)[:20]
    (tmp_path / "prep.toml").write_text('model = "gpt-4o-mini"\nignore = ["P402"]\n')
    path = tmp_path / "small.jsonl"
    path.write_text("".join(lines))
    return path


def imported(*args, cwd):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "check", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.splitlines()[-1])
    assert data["code"] == 0, result.stdout
    return set(data["modules"])


def test_check_on_jsonl_imports_no_heavy_dependency(small):
    modules = imported(small, cwd=small.parent)
    assert modules & TOKENIZERS  # tokens were counted, so the tokenizer was loaded
    assert not modules & {*HEAVY, *OPEN_MODEL_TOKENIZERS}, sorted(modules & {*HEAVY, *OPEN_MODEL_TOKENIZERS})


def test_the_hook_command_does_not_load_the_tokenizer_for_small_examples(small):
    modules = imported("--no-stats", small, cwd=small.parent)  # the hook's entry: limits checked, no statistics
    assert not modules & TOKENIZERS
    assert not modules & set(HEAVY)


def test_no_tokens_does_not_load_the_tokenizer(small):
    modules = imported("--no-tokens", small, cwd=small.parent)
    assert not modules & TOKENIZERS
    assert not modules & set(HEAVY)


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_other_report_formats_stay_light(small, fmt):
    modules = imported("--no-tokens", "--format", fmt, small, cwd=small.parent)
    assert not modules & {*HEAVY, *TOKENIZERS}


@pytest.mark.parametrize(
    ("name", "target"),
    [("vertex_good.jsonl", "vertex"), ("nova-preference_good.jsonl", "nova"), ("trl-preference_good.jsonl", "trl")],
)
def test_the_other_targets_formats_stay_light(tmp_path, name, target):
    """Vertex, Nova and TRL files are checked without the pydantic records (those are for conversions)."""
    path = tmp_path / name
    path.write_bytes((REPO / "sample_data" / name).read_bytes())
    modules = imported("--isolated", "--target", target, path, cwd=tmp_path)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_version_is_not_read_on_the_check_path(small):
    """importlib.metadata (about 40 ms to import and read) is only for --version, SARIF and W&B records."""
    code = "import sys; from prep.cli import main; main(sys.argv[1:]); print('importlib.metadata' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code, "check", str(small)], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "False", result.stderr


def test_a_chat_file_is_checked_without_the_table_and_publishing_modules(small, tmp_path):
    """`prep.conversion` (tables, column mappings, the legacy advice) is imported for tables and for
    prompt/completion data only; `prep.publishing` never by `prep check`."""
    code = "import sys; from prep.cli import main; main(sys.argv[1:]); print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('prep.')}))"
    result = subprocess.run([sys.executable, "-c", code, "check", str(small)], capture_output=True, text=True)
    stages = result.stdout.splitlines()[-1]
    assert "'validation'" in stages and "'conversion'" not in stages and "'publishing'" not in stages, stages
    completion = tmp_path / "completion.jsonl"
    completion.write_text('{"prompt": "Q ->", "completion": " A\\n"}\n' * 3)
    result = subprocess.run([sys.executable, "-c", code, "check", str(completion)], capture_output=True, text=True)
    assert "'conversion'" in result.stdout.splitlines()[-1]  # the legacy recommendations come from there


def test_the_version_comes_from_the_metadata():
    import importlib.metadata

    import prep

    assert prep.__version__ == importlib.metadata.version("finetune-prep")
    result = subprocess.run([sys.executable, "-m", "prep", "--version"], capture_output=True, text=True)
    assert result.stdout.splitlines()[0] == f"prep, version {prep.__version__}"


@pytest.mark.parametrize("target", ["openai", "openai,azure"])
def test_an_openai_model_never_loads_an_open_models_tokenizer(small, target):
    modules = imported("--target", target, "--stats", small, cwd=small.parent)
    assert modules & TOKENIZERS
    assert not modules & set(OPEN_MODEL_TOKENIZERS), sorted(modules & set(OPEN_MODEL_TOKENIZERS))


def test_an_open_models_tokenizer_loads_tokenizers_and_jinja2_only(small, hf_folders):
    """--tokenizer FOLDER: tokenizers and jinja2 count; transformers (the tests' oracle) is never imported."""
    modules = imported("--tokenizer", hf_folders["qwen2_5"], small, cwd=small.parent)
    assert {"tokenizers", "jinja2"} <= modules
    assert not modules & {"transformers", "mistral_common", "openai_harmony", "huggingface_hub", *HEAVY}
