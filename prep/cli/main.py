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
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from ..errors import PrepError, UsageError
from ..reports.reporters import REPORTERS, report_statistics
from ..targets.profile import DataFormat, Method
from .checking import describe_plans, note_left_out, run_check, run_convert, version_text, write_baselines_of
from .completion import complete_codes, complete_models, complete_targets
from .help import CHECK_EXAMPLES, CHECK_GROUPS, CONVERT_EXAMPLES, CONVERT_GROUPS, GroupedCommand
from .options import check_output_file, config_options, output_options, table_options, write_report, write_step_summary
from .progress import show_progress
from .terminal import safe_streams, silence_stdout, until_pipe_closes, use_color

if TYPE_CHECKING:
    pass

__all__ = ["cli", "main"]


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the date of the built-in rules data, and exit.",
)
@click.option("--traceback", "show_traceback", is_flag=True, hidden=True, help="Show full tracebacks of bugs.")
@click.pass_context
def cli(ctx: click.Context, show_traceback: bool) -> None:
    """Check, convert, split and publish fine-tuning data."""
    ctx.obj = {"traceback": show_traceback}


@cli.command(cls=GroupedCommand, groups=CHECK_GROUPS, examples=CHECK_EXAMPLES)
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@table_options(fold=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(tuple(REPORTERS), case_sensitive=False),
    default="text",
    show_default=True,
    help="Report format (github: workflow annotations; sarif: SARIF 2.1.0; markdown: a summary to read; "
    "html: one page with charts, with -o FILE).",
)
@click.option(
    "--target",
    default="openai",
    show_default=True,
    shell_complete=complete_targets,
    help="Provider profile(s): a built-in name, several separated by commas, all, or a .toml path "
    "(each gets its own verdict; see prep targets).",
)
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method], case_sensitive=False),
    help="Training method; restricts the data formats accepted (default: detect).",
)
@click.option(
    "--data-format",
    type=click.Choice([f.value for f in DataFormat], case_sensitive=False),
    help="Force the data format instead of detecting it.",
)
@click.option(
    "--model",
    shell_complete=complete_models,
    help="Model whose tokenizer and token limit apply (default: the smallest limit of the current models).",
)
@click.option("--encoding", help="Force a tiktoken encoding (e.g. o200k_base).")
@click.option("--token-limit", type=click.IntRange(min=1), help="Force the per-example token limit.")
@click.option(
    "--tokenizer",
    help="Count with an open model's own tokenizer: a folder holding tokenizer.json, hf:ORG/NAME (from the local "
    "Hugging Face cache), mistral:NAME, or harmony.",
)
@click.option(
    "--chat-template",
    type=click.Path(dir_okay=False),
    help="A .jinja chat template replacing the model's (e.g. the training template your trainer swaps in).",
)
@click.option(
    "--max-seq-length",
    type=click.IntRange(min=1),
    help="Your trainer's maximum sequence length: the limit, and what it cuts from each example.",
)
@click.option(
    "--allow-download",
    is_flag=True,
    help="Fetch a hf:ORG/NAME tokenizer that is not in the local Hugging Face cache from the Hub (once).",
)
@click.option(
    "--tokens/--no-tokens", default=True, help="Count tokens and check limits (default), or skip that on purpose."
)
@click.option(
    "--secrets/--no-secrets",
    default=False,
    help="Scan for keys, card numbers, IBANs, emails and phone numbers (P501-P505); prep publish always does.",
)
@click.option(
    "--stats/--no-stats",
    default=True,
    help="Statistics and estimate (default); --no-stats checks limits only, tokenizing fewer examples.",
)
@click.option(
    "--tiktoken-dir",
    type=click.Path(file_okay=False),
    help="Folder holding <encoding>.tiktoken rank files (or set PREP_TIKTOKEN_DIR).",
)
@click.option("--epochs", type=click.IntRange(1, 50), help="Epochs for the estimate (default: OpenAI's heuristic).")
@click.option("--max-issues", type=click.IntRange(min=0), help="Print at most N issues (all are still checked).")
@click.option(
    "--statistics", is_flag=True, help="Text: a count per issue code instead of each issue (JSON always has codes)."
)
@output_options
@click.option("--max-line-bytes", type=click.IntRange(min=1), help="Longest line checked, in bytes (default 64 MiB).")
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE",
    shell_complete=complete_codes,
    help="Leave out an issue code, or every code of a prefix (P4); repeatable, or P402,P403.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODE",
    shell_complete=complete_codes,
    help="Report only these codes or prefixes (repeatable; default: every code). prep rule CODE explains one.",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when issues are found (2 still means the check could not run)."
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also say on stderr which configuration and settings each file gets."
)
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for large files (default: every core).")
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Check JSONL and Parquet files on a Dask cluster: a scheduler address, or local[:N] for N worker processes.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Read the targets' calendars (new jobs, shutdowns) on this day instead of today (or PREP_TODAY).",
)
@click.option("--strict/--no-strict", default=False, help="Fail (exit 1) on warnings too.")
@config_options
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="Baseline file of known issues (default: .prep-baseline.json beside the configuration).",
)
@click.option("--no-baseline", is_flag=True, help="Report the issues recorded in the baseline too.")
@click.option("--write-baseline", is_flag=True, help="Record the current issues in the baseline; exit 0.")
@click.option(
    "--valid",
    type=click.Path(dir_okay=False),
    help="Validation file for the one training FILE: checked too, and examples in both are reported (P404).",
)
@click.pass_context
def check(
    ctx: click.Context,
    /,
    files: tuple[str, ...],
    output_format: str,
    max_issues: int | None,
    statistics: bool,
    output_file: str | None,
    quiet: bool,
    verbose: bool,
    exit_zero: bool,
    config_file: str | None,
    isolated: bool,
    baseline: str | None,
    no_baseline: bool,
    write_baseline: bool,
    valid: str | None,
    **options: object,
) -> None:
    """Check fine-tuning data files (or the data files in folders) and report every problem with its line.

    JSONL is checked line by line; CSV, TSV, XLSX and JSON files are read as
    tables (see `prep convert`), and each issue names its row and column.
    Settings come from the closest prep.toml or pyproject.toml [tool.prep] of
    each file; options given here win. Issues recorded in the baseline are not
    reported.

    A folder stands for the data files below it (.gitignore, the configuration's
    exclude, wandb/ and configuration JSON left out); a file that cannot be read
    or mapped is one issue about it, and the other files are still checked.

    FILE - reads standard input (JSONL, or the type --file-type names).

    Exit status: 0 no errors, 1 errors found (or warnings with --strict),
    2 bad invocation, bad configuration, no tokenizer available, or no file
    holding fine-tuning data.
    """
    check_output_file(output_file, (*files, *([valid] if valid else [])))
    if statistics and output_format != "text":
        raise UsageError(f"--statistics goes with --format text; the {output_format} report has its own counts.")
    if write_baseline and "-" in files:
        raise UsageError("--write-baseline records the issues of files; standard input (-) is none.")
    # what was given here overrides the configuration, click's defaults do not ("table" folds the table options)
    given = {
        k: v for k, v in options.items() if k == "table" or ctx.get_parameter_source(k) is not ParameterSource.DEFAULT
    }
    project = {"config": config_file, "isolated": isolated, "baseline": baseline, "valid": valid}
    with show_progress(not quiet):
        result = run_check(files, _check_options(given), project, use_baseline=not (no_baseline or write_baseline))
    if verbose and not quiet:
        click.echo(describe_plans(result), err=True, nl=False)
    report = result.report
    if write_baseline:
        sys.exit(write_baselines_of(result))
    status = result.exit_code()
    status = 0 if exit_zero and status == 1 else status
    reporter = report_statistics if statistics else REPORTERS[output_format]
    kwargs: dict[str, Any] = {"max_issues": max_issues}
    if reporter in (report_statistics, REPORTERS["text"]):
        kwargs["color"] = output_file in (None, "-") and use_color(sys.stdout)
    until_pipe_closes(lambda: write_report(reporter, report, output_file, **kwargs), status)
    problem = write_step_summary(report, max_issues=max_issues)
    if problem:
        click.echo(f"prep: {problem}", err=True)
    if result.hidden and not quiet:
        where = ", ".join(str(p) for p in result.baselines)
        click.echo(f"prep: {result.hidden:,} known issue(s) in {where} not shown (--no-baseline shows them).", err=True)
    if report.tokenizer_error:
        click.echo(f"prep: {report.tokenizer_error}", err=True)
    note_left_out(result, quiet=quiet)
    sys.exit(status)


def _check_options(options: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in options.items() if v is not None}
    if "today" in out:
        out["today"] = out["today"].date()
    return out


@cli.command(cls=GroupedCommand, groups=CONVERT_GROUPS, examples=CONVERT_EXAMPLES)
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The JSONL file to write (atomically; never the input); - writes standard output.",
)
@table_options(fold=False)
@click.option(
    "--to",
    type=click.Choice(["chat", "vertex", "nova", "trl"], case_sensitive=False),
    help="chat: turn prompt/completion records into chat records; vertex, nova, trl: convert OpenAI records "
    "for that target (checked against it; see 'Moving off OpenAI').",
)
@click.option(
    "--zero-weight",
    type=click.Choice(["train", "drop"], case_sensitive=False),
    help="With --to vertex|nova|trl: a weight-0 message is trained on (train, the default) or left out (drop).",
)
@click.option(
    "--media-dir",
    type=click.Path(file_okay=False),
    help="With --to vertex|nova: write data-URL images into this folder (named by their content).",
)
@click.option(
    "--media-prefix",
    help="Where --media-dir will be once uploaded (gs://bucket/path/ for vertex, s3://bucket/path/ for nova).",
)
@click.option(
    "--keep-separators",
    is_flag=True,
    help="With --to chat, keep the legacy separators, stop sequences and leading spaces.",
)
@click.option("--apply", is_flag=True, help="Apply the legacy prepare_data recommendations to the output.")
@click.option(
    "--bom/--no-bom",
    default=None,
    help="Start the output with a UTF-8 BOM, as Azure OpenAI requires (default: as the target requires).",
)
@click.option("--force", is_flag=True, help="Write the rows without errors even when other rows have errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--target",
    default="openai",
    show_default=True,
    shell_complete=complete_targets,
    help="Provider profile: a built-in name or a .toml path (with --to vertex|nova|trl, that target).",
)
@click.option(
    "--model",
    shell_complete=complete_models,
    help="Model whose tokenizer and token limit apply (default: the smallest limit of the current models).",
)
@click.option("--encoding", help="Force a tiktoken encoding (e.g. o200k_base).")
@click.option("--token-limit", type=click.IntRange(min=1), help="Force the per-example token limit.")
@click.option("--no-tokens", is_flag=True, help="Skip token counting and limits on purpose.")
@click.option(
    "--tiktoken-dir",
    type=click.Path(file_okay=False),
    help="Folder holding <encoding>.tiktoken rank files (or set PREP_TIKTOKEN_DIR).",
)
@click.option("--max-issues", type=click.IntRange(min=0), help="Print at most N issues (all are still checked).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Issue code to leave out of the report (repeatable).")
@config_options
@click.pass_context
def convert(
    ctx: click.Context,
    /,
    source: str,
    output: str,
    output_format: str,
    max_issues: int | None,
    config_file: str | None,
    isolated: bool,
    **options: Any,
) -> None:
    """Convert CSV, TSV, XLSX, JSON or JSONL into checked JSONL records (--to vertex, nova or trl: for that target).

    Settings come from the closest prep.toml or pyproject.toml [tool.prep] of
    SOURCE, as for `prep check`; options given here win. The report is printed
    as by `prep check`, with each issue on its row and column. Exit status: 0
    written, no errors; 1 the data has errors (nothing is written unless
    --force, which writes the rows without errors); 2 bad invocation, or no
    tokenizer (the output is still written). SOURCE - reads standard input;
    -o - writes the records to standard output, and the report to stderr.
    """
    from ..reports.reporters import REPORTERS

    given = {k: v for k, v in options.items() if ctx.get_parameter_source(k) is not ParameterSource.DEFAULT}
    if "no_tokens" in given:
        given["tokens"] = not given.pop("no_tokens")
    result = run_convert(source, output, _check_options(given), {"config": config_file, "isolated": isolated})
    stream = sys.stderr if output == "-" else sys.stdout
    REPORTERS[output_format](result.report, stream, max_issues=max_issues)
    if result.report.tokenizer_error:
        click.echo(f"prep: {result.report.tokenizer_error}", err=True)
    if output == "-" and (result.report.ok or options["force"]):
        until_pipe_closes(lambda: sys.stdout.buffer.write(result.to_jsonl()), result.exit_code)
        click.echo(f"prep: wrote {len(result.records):,} record(s) to standard output.", err=True)
    else:
        click.echo(f"prep: {result.summary('the records to standard output' if output == '-' else output)}", err=True)
    sys.exit(result.exit_code)


def _add_publish_commands() -> None:
    """``prep split``, ``prep publish`` and ``prep targets`` live in modules of their own."""
    from .publishing import publish_command, split_command
    from .rules import rule_command
    from .schema import schema_command
    from .targets import targets_command

    cli.add_command(split_command)
    cli.add_command(publish_command)
    cli.add_command(targets_command)
    cli.add_command(rule_command)
    cli.add_command(rule_command, name="explain")
    cli.add_command(schema_command)


_add_publish_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map exceptions to exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    safe_streams()
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
    except BrokenPipeError:  # the reader of stdout went away (prep targets | head): nothing more to say
        silence_stdout()
        return 0
    except BaseException as exc:  # Exception, or a crash of compiled code (a Rust panic is a BaseException)
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        full = "--traceback" in args
        lines = traceback.format_exception(exc) if full else traceback.format_exception_only(exc)
        click.echo("prep: unexpected error (a bug; please report it):\n" + "".join(lines).rstrip(), err=True)
        if not full:
            click.echo("prep: run again with --traceback for the full traceback.", err=True)
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
