"""``--help`` in groups: the options of a command under a few headings, the most used first, examples last.

A command made with ``cls=GroupedCommand`` takes ``groups`` (heading -> the
options under it, by their long name, in the order shown) and ``examples``
(command lines, shown as they are). An option no group names is shown under
"Other options", so an option added to a command is never hidden; a test
holds every option of ``prep check`` and ``prep convert`` to a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

__all__ = ["CHECK_EXAMPLES", "CHECK_GROUPS", "CONVERT_EXAMPLES", "CONVERT_GROUPS", "GroupedCommand", "Groups"]

Groups = Sequence[tuple[str, Sequence[str]]]

#: ``prep check``: what to read, what to check it against, what to print, which project settings.
CHECK_GROUPS: Groups = (
    (
        "Input",
        (
            "--valid",
            "--file-type",
            "--sheet",
            "--map",
            "--system",
            "--header",
            "--input-encoding",
            "--max-line-bytes",
            "--jobs",
            "--dask",
        ),
    ),
    (
        "Target and model",
        (
            "--target",
            "--model",
            "--tokenizer",
            "--max-seq-length",
            "--method",
            "--data-format",
            "--tokens",
            "--stats",
            "--secrets",
            "--epochs",
            "--token-limit",
            "--encoding",
            "--today",
            "--tiktoken-dir",
            "--chat-template",
            "--allow-download",
        ),
    ),
    (
        "Output",
        (
            "--format",
            "--output-file",
            "--quiet",
            "--verbose",
            "--max-issues",
            "--statistics",
            "--ignore",
            "--select",
            "--strict",
            "--exit-zero",
        ),
    ),
    ("Project", ("--config", "--isolated", "--baseline", "--no-baseline", "--write-baseline")),
)

CHECK_EXAMPLES = (
    "prep check train.jsonl",
    "prep check data/ --target openai,azure            # every data file below data/; a verdict per target",
    "prep check train.jsonl --valid valid.jsonl --model gpt-4.1-mini",
    "prep check data/*.jsonl --format github           # annotations in GitHub Actions",
    "cat train.jsonl | prep check -                    # standard input",
    "prep check train.jsonl --select P2 --ignore P225  # only P2xx codes, but not P225",
    "prep check train.jsonl --tokenizer hf:Qwen/Qwen3-8B --max-seq-length 2048   # what truncation cuts",
    "prep rule P225                                    # what a code means, and how to fix it",
)

#: ``prep convert``: the source, how it becomes records, the check, the output.
CONVERT_GROUPS: Groups = (
    ("Input", ("--sheet", "--map", "--system", "--file-type", "--header", "--input-encoding")),
    (
        "Conversion",
        (
            "--output",
            "--to",
            "--keep-separators",
            "--apply",
            "--bom",
            "--force",
            "--zero-weight",
            "--media-dir",
            "--media-prefix",
        ),
    ),
    ("Target and model", ("--target", "--model", "--no-tokens", "--token-limit", "--encoding", "--tiktoken-dir")),
    ("Output", ("--format", "--max-issues", "--ignore")),
    ("Project", ("--config", "--isolated")),
)

CONVERT_EXAMPLES = (
    "prep convert faq.csv -o faq.jsonl",
    'prep convert tickets.xlsx -o tickets.jsonl --sheet Tickets --map "Agent reply=assistant"',
    "prep convert legacy.csv -o chat.jsonl --to chat --system 'Label the review.'",
    "prep convert faq.csv -o - | head -3               # the records on standard output",
)


class GroupedCommand(click.Command):
    """A click command whose ``--help`` shows its options in ``groups``, then ``examples``."""

    def __init__(self, *args: Any, groups: Groups = (), examples: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        self.examples = examples

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        rows = {_name(p): (p, record) for p in options if (record := p.get_help_record(ctx))}
        shown: set[str] = set()
        for heading, names in self.groups:
            section = [rows[n][1] for n in names if n in rows]
            shown.update(n for n in names if n in rows)
            if section:
                with formatter.section(f"{heading} options"):
                    formatter.write_dl(section)
        rest = [record for name, (_, record) in rows.items() if name not in shown]
        if rest:
            with formatter.section("Other options"):
                formatter.write_dl(rest)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self.examples:
            return
        with formatter.section("Examples"):
            for line in self.examples:
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


def _name(param: click.Parameter) -> str:
    """An option's long name (``--output-file``), or its only name (``-h`` has ``--help``)."""
    names = [*param.opts, *param.secondary_opts]
    return next((n for n in names if n.startswith("--") and not n.startswith("--no-")), names[0])
