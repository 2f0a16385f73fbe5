"""The `prep` command: a thin adapter over the library.

Each command reads its options, calls one public function, picks a reporter
and returns an exit code. Exit codes, mapped here only: 0 clean; 1 errors found
(or warnings with --strict); 2 a bad invocation or an environment problem
(missing file, unknown option, no tokenizer); 3 a bug (short traceback,
--traceback for all of it); 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from . import __version__
from .errors import PrepError
from .targets import DataFormat, Method

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="prep")
@click.option("--traceback", "show_traceback", is_flag=True, hidden=True, help="Show full tracebacks of bugs.")
@click.pass_context
def cli(ctx: click.Context, show_traceback: bool) -> None:
    """Check, convert, split and publish fine-tuning data."""
    ctx.obj = {"traceback": show_traceback}


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--target", default="openai", show_default=True, help="Provider profile: a built-in name or a .toml path.")
@click.option("--method", type=click.Choice([m.value for m in Method]),
              help="Training method; restricts the data formats accepted (default: detect).")
@click.option("--data-format", type=click.Choice([f.value for f in DataFormat]),
              help="Force the data format instead of detecting it.")
@click.option("--model", help="Model whose tokenizer and token limit apply (default: the safe 16,385 limit).")
@click.option("--encoding", help="Force a tiktoken encoding (e.g. o200k_base).")
@click.option("--token-limit", type=click.IntRange(min=1), help="Force the per-example token limit.")
@click.option("--no-tokens", is_flag=True, help="Skip token counting and limits on purpose.")
@click.option("--no-stats", is_flag=True,
              help="Check limits only: skip statistics and the estimate, and tokenize only examples near the limit.")
@click.option("--tiktoken-dir", type=click.Path(file_okay=False),
              help="Folder holding <encoding>.tiktoken rank files (or set PREP_TIKTOKEN_DIR).")
@click.option("--epochs", type=click.IntRange(1, 50), help="Epochs for the estimate (default: OpenAI's heuristic).")
@click.option("--max-issues", type=click.IntRange(min=0), help="Print at most N issues (all are still checked).")
@click.option("--max-line-bytes", type=click.IntRange(min=1), help="Longest line checked, in bytes (default 64 MiB).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Issue code to leave out of the report (repeatable).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for large files (default: every core).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--valid", "valid", type=click.Path(dir_okay=False),
              help="Validation file for the one training FILE: checked too, and examples in both are reported (P404).")
def check(files: tuple[str, ...], output_format: str, max_issues: int | None, strict: bool, valid: str | None,
          **options: object) -> None:
    """Check fine-tuning data files and report every problem with its line.

    Exit status: 0 no errors, 1 errors found (or warnings with --strict),
    2 bad invocation or no tokenizer available.
    """
    from .checker import check as run_check
    from .reporters import REPORTERS

    if valid is not None and len(files) != 1:
        raise click.UsageError("--valid takes exactly one training FILE.")
    source = files[0] if valid is not None else list(files)
    report = run_check(source, valid=valid, **_check_options(options))
    REPORTERS[output_format](report, sys.stdout, max_issues=max_issues)
    if report.tokenizer_error:
        click.echo(f"prep: {report.tokenizer_error}", err=True)
    sys.exit(report.exit_code(strict=strict))


def _check_options(options: dict[str, object]) -> dict[str, object]:
    out = {k: v for k, v in options.items() if v is not None and k not in ("no_tokens", "no_stats", "ignore")}
    out["tokens"] = not options["no_tokens"]
    out["stats"] = not options["no_stats"]
    out["ignore"] = frozenset(c.upper() for c in options["ignore"])  # type: ignore[attr-defined]
    return out


@cli.command()
@click.option("--write", "out_dir", type=click.Path(file_okay=False), help="Write the schemas into this folder.")
@click.option("--check", "check_dir", type=click.Path(file_okay=False),
              help="Exit 1 if the schemas in this folder differ from the models.")
def schema(out_dir: str | None, check_dir: str | None) -> None:
    """Generate the JSON Schemas of the records and of the JSON report."""
    from .schemas import build_schemas, stale_schemas, write_schemas

    if out_dir:
        for path in write_schemas(out_dir):
            click.echo(f"wrote {path}")
    elif check_dir:
        stale = stale_schemas(check_dir)
        for name in stale:
            click.echo(f"{check_dir}/{name} is out of date; run: prep schema --write {check_dir}", err=True)
        sys.exit(1 if stale else 0)
    else:
        import json

        click.echo(json.dumps(build_schemas(), indent=2))


def _add_publish_commands() -> None:
    """``prep split`` and ``prep publish`` live in cli_publish.py (the CLI layer of split/publish)."""
    from .cli_publish import publish_command, split_command

    cli.add_command(split_command)
    cli.add_command(publish_command)


_add_publish_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map exceptions to exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="prep", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except PrepError as exc:
        click.echo(f"prep: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("prep: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit 3
        full = "--traceback" in args
        lines = traceback.format_exception(exc) if full else traceback.format_exception_only(exc)
        click.echo("prep: unexpected error (a bug; please report it):\n" + "".join(lines).rstrip(), err=True)
        if not full:
            click.echo("prep: run again with --traceback for the full traceback.", err=True)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
