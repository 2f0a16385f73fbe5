"""The local Hugging Face cache: a model's name in, the folder of its tokenizer files out, with no network.

The cache is found as huggingface_hub finds it (``HF_HUB_CACHE``,
``HUGGINGFACE_HUB_CACHE``, ``HF_HOME/hub``, ``XDG_CACHE_HOME/huggingface/hub``,
``~/.cache/huggingface/hub``); ``models--ORG--NAME/refs/<revision>`` names the
commit whose ``snapshots/<commit>`` folder holds the files. Only `download`
touches the network, and only when the user allows it (``--allow-download``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import TokenizerUnavailableError, require

__all__ = ["TOKENIZER_FILES", "download", "hub_cache", "resolve_cached", "split_revision"]

#: The files a tokenizer and its chat templates may need, as the Hub lays them out.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "additional_chat_templates/*.jinja",
)


def hub_cache() -> Path:
    """The Hub cache folder, resolved as huggingface_hub resolves it."""
    default = os.path.join(os.getenv("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "huggingface")
    home = os.path.expandvars(os.path.expanduser(os.getenv("HF_HOME", default)))
    cache = os.getenv("HF_HUB_CACHE", os.getenv("HUGGINGFACE_HUB_CACHE", os.path.join(home, "hub")))
    return Path(os.path.expandvars(os.path.expanduser(cache)))


def split_revision(model: str) -> tuple[str, str]:
    """``ORG/NAME@REVISION`` as (``ORG/NAME``, revision); the revision is ``main`` when none is given."""
    name, _, revision = model.partition("@")
    return name, revision or "main"


def resolve_cached(model: str, cache: Path | None = None) -> Path | None:
    """The cached snapshot folder of ``ORG/NAME[@REVISION]``, or None."""
    name, revision = split_revision(model)
    repo = (cache or hub_cache()) / ("models--" + name.replace("/", "--"))
    ref = repo / "refs" / revision
    commit = ref.read_text(encoding="utf-8").strip() if ref.is_file() else revision
    snapshot = repo / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def download(model: str) -> Path:
    """Fetch a model's tokenizer files from the Hub into the cache (huggingface_hub; ``HF_TOKEN`` for gated models).

    Raises `TokenizerUnavailableError` with the Hub's own reason when it fails.
    """
    hub = require("huggingface_hub", "hf")
    utils = require("huggingface_hub.utils", "hf")
    name, revision = split_revision(model)

    class Quiet(utils.tqdm):  # type: ignore[misc,name-defined]
        """No progress bars: prep's report is what prints."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "disable": True})

    patterns = list(TOKENIZER_FILES)
    try:
        folder = Path(hub.snapshot_download(name, revision=revision, allow_patterns=patterns, tqdm_class=Quiet))
    except Exception as exc:  # the Hub's errors (missing repo, gated model, no network) are many classes
        raise TokenizerUnavailableError(
            f"Cannot download the tokenizer of {name} from the Hugging Face Hub ({type(exc).__name__}: {exc})."
        ) from None
    if not (folder / "tokenizer.json").is_file():
        raise TokenizerUnavailableError(f"{name} has no tokenizer.json on the Hugging Face Hub.")
    return folder
