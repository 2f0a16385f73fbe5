"""A tokenizer's name in, the local files that hold it out (or, when they are not at hand, why counts are estimates).

Names (`prep.targets.profile.parse_tokenizer`): ``hf:ORG/NAME[@REVISION]`` is
looked up in the local Hugging Face cache, never downloaded unless the user
allows it (``--allow-download``); a folder is used as it is (air-gapped users
point at one); ``mistral:NAME`` is a tokenizer inside mistral-common's wheel
(or ``mistral:FILE``); ``harmony`` reads the o200k_base rank file prep ships
(or the one in ``--tiktoken-dir``). A tokenizer the user named (``--tokenizer``)
must be found: otherwise the check stops with one sentence. A tokenizer a
profile names is used when its files are at hand; otherwise the count falls
back to the profile's tiktoken encoding, as an estimate, and says why.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ...errors import MissingDependencyError, TokenizerUnavailableError, UsageError, require
from ...targets.budget import Budget
from ...targets.profile import parse_tokenizer
from ..encoders import PACKAGED, TIKTOKEN_DIR_ENV
from .hub import download, hub_cache, resolve_cached

__all__ = ["locate"]


def locate(budget: Budget, *, explicit: bool, allow_download: bool = False, tiktoken_dir: str | None = None) -> Budget:
    """The budget with its tokenizer's files found (``source``), or its estimate explained (``estimate``).

    ``explicit``: the user named the tokenizer, so a missing one raises
    `TokenizerUnavailableError` (or `MissingDependencyError`) instead.
    """
    if budget.tokenizer is None:
        return budget
    kind, what = parse_tokenizer(budget.tokenizer)
    try:
        _require(kind)
        source = _find(kind, what, allow_download, tiktoken_dir)
    except (TokenizerUnavailableError, MissingDependencyError) as exc:
        if explicit:
            raise
        return replace(budget, exact=False, estimate=str(exc).rstrip("."))
    return replace(budget, source=source, exact=True, estimate=None)


def _require(kind: str) -> None:
    """Import what the kind needs, or raise `MissingDependencyError` naming the extra to install."""
    if kind == "hf":
        require("tokenizers", "hf")
        require("jinja2", "hf")
    elif kind == "mistral":
        require("mistral_common", "mistral")
    else:
        require("openai_harmony", "gpt-oss")


def _find(kind: str, what: str, allow_download: bool, tiktoken_dir: str | None) -> str:
    if kind == "harmony":
        return f"harmony:{_rank_files(tiktoken_dir)}"
    if kind == "mistral":
        return f"mistral:{_mistral_file(what)}"
    folder = Path(what).expanduser()
    if _is_repo(what) and not folder.is_dir():
        folder = _cached(what, allow_download)
    if not (folder / "tokenizer.json").is_file():
        raise TokenizerUnavailableError(f"{folder} holds no tokenizer.json (a Hugging Face tokenizer folder does).")
    return f"hf:{folder.resolve()}"


def _is_repo(what: str) -> bool:
    """``ORG/NAME`` (with an optional ``@REVISION``), as opposed to a path."""
    name = what.partition("@")[0]
    return name.count("/") == 1 and not name.startswith((".", "/", "~")) and "\\" not in name


def _cached(model: str, allow_download: bool) -> Path:
    found = resolve_cached(model)
    if found is not None:
        return found
    if allow_download:
        return download(model)
    raise TokenizerUnavailableError(
        f"{model.partition('@')[0]} is not in the local Hugging Face cache ({hub_cache()}); give --tokenizer FOLDER "
        "(a folder holding its tokenizer.json), or --allow-download to fetch its tokenizer files once."
    )


def _mistral_file(what: str) -> Path:
    from .mistral import bundled

    path = Path(what).expanduser()
    if path.is_file():
        return path.resolve()
    files = bundled()
    if what not in files:
        names = ", ".join(sorted(n for n in files if not n.endswith(".json")))
        raise UsageError(f"mistral-common ships no tokenizer {what!r}; it ships: {names}.")
    return files[what]


def _rank_files(tiktoken_dir: str | None) -> Path:
    """The folder of o200k_base.tiktoken: ``--tiktoken-dir`` or ``PREP_TIKTOKEN_DIR`` when it has one, else prep's."""
    folder = tiktoken_dir or os.environ.get(TIKTOKEN_DIR_ENV)
    if folder and (Path(folder) / "o200k_base.tiktoken").is_file():
        return Path(folder).resolve()
    return PACKAGED
