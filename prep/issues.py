"""Issues: what checking finds, with a stable code, a place and a message.

Checks yield `Problem`s (code, pointer, message): they know nothing of files or
severities. The checker places each problem on its line and gives it the
severity the target's profile assigns to the code, which makes an `Issue`.

Codes come in families: P1xx reading and shape, P2xx messages, roles and
content, P3xx tokens and length, P4xx the dataset as a whole, P5xx secrets and
personal data. A code never changes meaning; retired codes are not reused. `explain` says what a code
means, why it matters, where the rule comes from and how to fix it (the table
``explanations.toml`` beside this module, ``prep rule CODE``).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .errors import Choice, UsageError

__all__ = ["CODES", "Explanation", "Issue", "Problem", "Severity", "escape_pointer", "explain"]


class Severity(Choice):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: notice (info)


class Code(NamedTuple):
    severity: Severity
    summary: str


#: Every issue code, its default severity and a one-line meaning (the README
#: table is checked against this mapping by a test).
CODES: dict[str, Code] = {
    # P1xx: reading and shape
    "P101": Code(E, "Line is not valid UTF-8."),
    "P102": Code(E, "File starts with a UTF-8 byte-order mark (the target forbids it)."),
    "P103": Code(E, "Blank line: every line must hold one JSON object."),
    "P104": Code(W, "Lines end with CRLF (Windows line endings): one issue per file, with the count and first lines."),
    "P105": Code(E, "Line is longer than the size bound; it was not parsed."),
    "P106": Code(E, "Line is not valid JSON."),
    "P107": Code(E, "Line is valid JSON but not a JSON object."),
    "P108": Code(E, "Line matches no known example format."),
    "P109": Code(E, "Line is in another format than the rest of the file."),
    "P110": Code(E, "Unknown key: the service accepts a closed set of keys here."),
    "P111": Code(E, "Required key is missing."),
    "P112": Code(E, "Value has the wrong type."),
    "P113": Code(E, "List is empty but must hold at least one item."),
    "P114": Code(E, "Target requires a UTF-8 byte-order mark, and the file has none."),
    "P115": Code(E, "File is empty: it holds no examples."),
    "P116": Code(E, "File cannot be read as data (a broken workbook, an unknown text encoding, a missing sheet)."),
    "P117": Code(N, "File found in a folder is not fine-tuning data: no column is a field of a record; not checked."),
    "P118": Code(W, "Target asks for a UTF-8 byte-order mark, and the file has none."),
    "P119": Code(E, "Value has no JSON form (a set, bytes or other object in a record or a DataFrame cell)."),
    "P120": Code(E, "JSON nests deeper than prep can read (about 1,000 levels)."),
    "P121": Code(N, "Data looks like another training method's (DPO, reinforcement): pass --method to say so."),
    # P15x-P16x: reading tables (CSV, TSV, XLSX, JSON) and mapping their columns
    "P150": Code(E, "Row has more cells than the header has columns."),
    "P151": Code(E, "Cell holds a spreadsheet error value (#N/A, #DIV/0!, ...)."),
    "P152": Code(E, "Formula cell has no saved value."),
    "P153": Code(W, "Two columns have the same name."),
    "P154": Code(E, "Cell holds bytes that are not valid in the file's text encoding."),
    "P155": Code(E, "Row is not valid CSV (a quote never closed, or text after a closing quote)."),
    "P156": Code(E, "Cell meant to hold JSON (messages, tools) is not valid JSON."),
    "P157": Code(W, "Workbook has other sheets with data; only one sheet was read."),
    "P158": Code(N, "Column fills no field; its cells are left out of the records."),
    "P159": Code(N, "Prompt/completion converted to chat: legacy separator, stop sequence or leading space removed."),
    "P160": Code(E, "Columns cannot be mapped to the fields of a record (ambiguous, incomplete or unrecognised)."),
    "P161": Code(W, "Cell holds control characters (other than tab, line feed and carriage return)."),
    # P162-P168: converting OpenAI records for another target (prep convert --to vertex|nova|trl)
    "P162": Code(W, "weight: 0 message converted for a target without weights: left out, or now trained on."),
    "P163": Code(W, "Message name left out: the target's messages have no name."),
    "P164": Code(W, "System message that was not first moved into the system instruction: its position is lost."),
    "P165": Code(W, "Consecutive turns of one role merged into one turn, as the target needs turns to alternate."),
    "P166": Code(W, "Field the target cannot hold left out (tool strict, image detail, parallel_tool_calls, ...)."),
    "P167": Code(N, "Data-URL image written to a file under --media-dir and referenced by --media-prefix."),
    "P168": Code(E, "Example cannot be converted for the target (see the message); it is not written."),
    # P2xx: messages, roles and content
    "P201": Code(E, "Message has no role."),
    "P202": Code(E, "Unknown role."),
    "P203": Code(E, "Role is not allowed in this format."),
    "P204": Code(E, "Example has no assistant message."),
    "P205": Code(E, "Content is missing or null where it is required."),
    "P206": Code(E, "Content is empty or only whitespace."),
    "P207": Code(E, "Content part is malformed or of an unsupported type."),
    "P208": Code(E, "Tool message content must be a string."),
    "P209": Code(E, "weight must be 0 or 1."),
    "P210": Code(E, "weight on a role the target does not allow it on."),
    "P211": Code(W, "tool_call_id answers no earlier tool_calls id."),
    "P212": Code(E, "Tool call or function call is malformed."),
    "P213": Code(E, "Function arguments must be a JSON-encoded string."),
    "P214": Code(W, "Function arguments string is not valid JSON."),
    "P215": Code(W, "Name does not match ^[a-zA-Z0-9_-]{1,64}$."),
    "P216": Code(W, "functions / function_call are deprecated in favour of tools."),
    "P217": Code(E, "Image in an assistant message."),
    "P218": Code(E, "More images in one example than the target allows."),
    "P219": Code(E, "Data-URL image is larger than the target allows."),
    "P220": Code(E, "Image is not in an allowed format (JPEG, PNG or WEBP)."),
    "P221": Code(E, "Text holds a special token that the target rejects."),
    "P222": Code(E, "Assistant message has no content, tool_calls or function_call."),
    "P223": Code(W, "Example has no user message."),
    "P224": Code(W, "System message is not the first message."),
    "P225": Code(W, "Two consecutive messages have the same role."),
    "P226": Code(W, "Example ends after the last assistant message with untrained turns."),
    "P227": Code(E, "Preference output has too many or too few messages, or a wrong role."),
    "P228": Code(E, "Preference keys *_completion are the old names: use *_output."),
    "P229": Code(W, "Preference input ends on an assistant message."),
    "P230": Code(W, "Preferred and non-preferred outputs are identical."),
    "P231": Code(E, "Last message has a role the target does not allow last."),
    "P232": Code(E, "Tool definition is malformed."),
    "P233": Code(W, "Tool call names a function that the example does not define."),
    "P234": Code(E, "A reserved key name cannot hold grader data."),
    "P235": Code(E, "User and assistant turns do not alternate, as the target requires."),
    "P236": Code(E, "System message is not the first message, as the target requires."),
    "P237": Code(E, "Example weight must be a non-negative number."),
    "P239": Code(E, "Image source the target does not take (a URL where it needs a data URL, or the reverse)."),
    "P240": Code(W, "Function arguments are JSON-encoded twice (a JSON string holding JSON)."),
    "P241": Code(E, "Function arguments must be a JSON object (the target takes them decoded, not as a string)."),
    "P242": Code(E, "Preference scores or labels are wrong (one preferred and one non-preferred are needed)."),
    "P243": Code(E, "Media location is malformed or holds characters the target does not allow."),
    "P244": Code(E, "Video the target does not take here: too many, an unknown format, or beside images."),
    "P245": Code(E, "Content block holds no kind or several kinds (a part holds exactly one of text, file, call...)."),
    "P246": Code(W, "Tool use in data for a model that may not train on it (Nova 2 SFT rejects tools)."),
    "P247": Code(W, "Reasoning content for a model that may not train on it (Nova 1 models reject it)."),
    "P248": Code(E, "Text holds a word the target reserves (Nova: User:, Bot:, [EOS], <image>, ...)."),
    "P249": Code(E, "Example lacks a field the grader reads ({{ item.X }}; prep publish --grader)."),
    # P3xx: tokens and length
    "P301": Code(W, "Example is over the model's training token limit and will be truncated."),
    "P302": Code(E, "Target or model takes no new fine-tuning jobs (shut down or past its date)."),
    "P303": Code(N, "Token limits were not checked (--no-tokens)."),
    "P304": Code(E, "Target or model does not take this data (its format or training method)."),
    "P305": Code(W, "Text was counted in pieces (the tokenizer crashed, or it is huge): the count is approximate."),
    "P306": Code(E, "Example over the limit keeps none of its trained tokens: it trains on nothing."),
    "P307": Code(W, "Example over the limit loses trained (assistant) tokens when it is cut."),
    "P308": Code(E, "The model's chat template or tokenizer refuses the example."),
    "P350": Code(W, "Prompt and completion together are over 10,000 characters (legacy prepare_data)."),
    # P4xx: the dataset as a whole
    "P401": Code(E, "Fewer examples than the service's minimum."),
    "P402": Code(W, "Fewer examples than recommended."),
    "P403": Code(W, "Exact duplicate of an earlier example."),
    "P404": Code(W, "Example is in both the training and the validation file."),
    "P405": Code(E, "More examples than the target allows for this format."),
    "P406": Code(E, "More examples with images than the target allows."),
    "P407": Code(W, "File is larger than a single upload allows."),
    "P408": Code(W, "Training file of a split has fewer examples than the service's minimum."),
    "P409": Code(E, "Media files are in more than one bucket; the target reads them from the dataset's bucket."),
    "P410": Code(E, "Dataset mixes examples with images and examples with videos, which the target keeps apart."),
    "P411": Code(E, "The provider refused the file after upload (its own validation, in its words)."),
    # P45x: the recommendations of OpenAI's retired prepare_data tool (prompt/completion data)
    "P450": Code(W, "Prompts do not end with a common separator."),
    "P451": Code(W, "Prompt separator is long, or also occurs inside prompts."),
    "P452": Code(W, "Completions do not all start with a whitespace."),
    "P453": Code(W, "Completions do not end with a common stop sequence."),
    "P454": Code(W, "Stop sequence is long, or also occurs inside completions."),
    "P455": Code(E, "All prompts, or all completions, are identical."),
    "P456": Code(W, "All prompts start with the same long prefix."),
    "P457": Code(W, "All completions start with the same prefix."),
    "P458": Code(W, "More than a third of the letters of prompts or completions are uppercase."),
    "P459": Code(N, "Data looks like classification."),
    "P460": Code(N, "A recommendation was applied to the output (--apply)."),
    # P5xx: secrets and personal data in the text
    "P501": Code(W, "Text holds what looks like a key, token or password (prep publish refuses it)."),
    "P502": Code(W, "Text holds a payment card number (Luhn-valid; prep publish refuses it)."),
    "P503": Code(W, "Text holds an IBAN (valid check digits; prep publish refuses it)."),
    "P504": Code(W, "Text holds an email address."),
    "P505": Code(W, "Text holds a phone number."),
}


def escape_pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    out = []
    for part in parts:
        text = str(part)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out.append("/" + text)
    return "".join(out)


class Problem(NamedTuple):
    """What a check found, before the checker places it in a file."""

    code: str
    pointer: str
    message: str


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem placed in a file, with the severity the target gives its code.

    ``line`` is 1-based (the physical line of a JSONL file, the sheet row of a
    spreadsheet) and ``None`` for issues about the whole file. ``pointer`` is an
    RFC 6901 JSON pointer into the example ("" is the whole example).
    ``fingerprint`` is a short hash of the content of the issue's line (its
    example's canonical JSON, or the raw line when it does not parse); it does
    not change when other lines move, so baselines key on it. ``targets`` names
    the targets the issue applies to when several were checked at once.
    ``index`` is the row's index label when the data was a pandas DataFrame
    (``line`` is then the row's 1-based position).
    """

    code: str
    severity: Severity
    message: str
    line: int | None = None
    pointer: str = ""
    path: str | None = None
    column: str | None = None
    sheet: str | None = None
    fingerprint: str | None = None
    targets: tuple[str, ...] = ()  # when several targets were checked: those the issue applies to
    index: Any = None  # a DataFrame row's index label (a number, a string, a tuple for a MultiIndex)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """The issue as the JSON report holds it (keys without a value are left out)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "line": self.line,
            "pointer": self.pointer,
            "message": self.message,
        }
        optional = {"index": self.index, "column": self.column, "sheet": self.sheet}
        out.update((key, value) for key, value in optional.items() if value is not None)
        if self.targets:
            out["targets"] = list(self.targets)
        return out


class Explanation(NamedTuple):
    """What an issue code means (`CODES`), and from ``explanations.toml``: the rule, why, its source, the fix."""

    code: str
    severity: Severity
    summary: str
    what: str
    why: str
    source: str
    fix: str


#: The table of explanations, one TOML table per code.
EXPLANATIONS = Path(__file__).with_name("explanations.toml")


@functools.cache
def _explanations() -> dict[str, dict[str, str]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    table: dict[str, dict[str, str]] = tomllib.loads(EXPLANATIONS.read_text(encoding="utf-8"))
    return table


def explain(code: str) -> Explanation:
    """The explanation of ``code`` (any case); an unknown code is a `UsageError` naming the closest."""
    key = code.strip().upper()
    if key not in CODES:
        import difflib

        close = difflib.get_close_matches(key, list(CODES), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"Unknown issue code {code!r}{hint}; prep rule lists every code.")
    info, text = CODES[key], _explanations()[key]
    return Explanation(key, info.severity, info.summary, text["what"], text["why"], text["source"], text["fix"])
