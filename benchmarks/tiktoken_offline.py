"""Load tiktoken encodings as tiktoken itself does, from the rank files shipped in prep, with no network access.

tiktoken looks for `$TIKTOKEN_CACHE_DIR/<sha1 of the download URL>`; the rank
files in `prep/validation/rank_files/` (SHA-256 equal to tiktoken's expected
hashes) are copied there under those names. This is the reference the tests and
benchmarks compare prep with: tiktoken's own loading, not prep's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from prep.validation.encoders import PACKAGED

CACHE_NAMES = {
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
}


def install_rank_files(cache_dir: Path, source: Path = PACKAGED) -> Path:
    """Copy each `<encoding>.tiktoken` from `source` into `cache_dir` under its cache name."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for encoding, cache_name in CACHE_NAMES.items():
        src, dest = source / f"{encoding}.tiktoken", cache_dir / cache_name
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, dest)
    return cache_dir


def ensure_offline_cache() -> None:
    """Point TIKTOKEN_CACHE_DIR at a filled cache folder unless it is already set."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        cache = Path(tempfile.gettempdir()) / "prep-bench-tiktoken-cache"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(install_rank_files(cache))


def get_encoding(name: str):  # -> tiktoken.Encoding
    ensure_offline_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def o200k_as_tokenizers(pattern: str):  # -> tokenizers.Tokenizer
    """o200k_base as a `tokenizers` BPE: transformers' own converter, pre-tokenized with ``pattern`` (tiktoken's own,
    ``Encoding._pat_str``). Needs transformers and tokenizers (the test extra); special tokens are the caller's to add.
    """
    from tokenizers import Regex, decoders, pre_tokenizers
    from transformers.convert_slow_tokenizer import TikTokenConverter

    tok = TikTokenConverter(vocab_file=str(PACKAGED / "o200k_base.tiktoken"), pattern=pattern).tokenizer()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok
