"""Secrets and personal data in an example's text: keys and tokens, card numbers, IBANs, emails, phones.

- P501 a key or token: prep's patterns for the keys most often pasted into
  chats (OpenAI, AWS, GitHub, GitLab, Slack, Google, Stripe, private keys,
  passwords in URLs), and, when the ``secrets`` extra is installed, the
  detectors of Yelp's detect-secrets that recognise a key by its own shape
  (`DETECTORS`);
- P502 a payment card number: 13-19 digits (spaces or dashes allowed) of a
  known card network that pass the Luhn checksum;
- P503 an IBAN: a country code, two check digits and the account, passing the
  ISO 13616 mod-97 check;
- P504 an email address, P505 a phone number (warnings only).

Messages name the kind and the pointer, never the value. Every string of the
example is looked at (data URLs of images excepted). `might_hold` is a cheap
test of a raw JSONL line, so that lines that cannot hold any of these are not
walked at all.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterator
from typing import Any

from ...errors import require
from ...issues import Problem, escape_pointer

__all__ = ["SECRET_CODES", "check_secrets", "might_hold"]

#: Codes that stop `prep publish` (unless allowed): a key, a card number, a bank account.
SECRET_CODES = frozenset({"P501", "P502", "P503"})

_KEYS = {  # what, the pattern, and strings one of which every match holds (a cheap test before the pattern)
    "an OpenAI API key": (r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,}", ("sk-",)),
    "an AWS access key id": (r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", ("AKIA", "ASIA", "ABIA", "ACCA")),
    "a GitHub token": (
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    "a GitLab token": (r"\bglpat-[A-Za-z0-9_-]{20,}", ("glpat-",)),
    "a Slack token": (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", ("xox",)),
    "a Google API key": (r"\bAIza[0-9A-Za-z_-]{35}", ("AIza",)),
    "a Stripe secret key": (r"\b[rs]k_live_[0-9A-Za-z]{20,}", ("k_live_",)),
    "a private key": (r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----", ("PRIVATE KEY",)),
    "a password in a URL": (r"\b[a-z][a-z0-9+.-]*://[^\s/:@\"']{1,64}:[^\s/@\"']{3,128}@[^\s/@\"']+", ("://",)),
}
_KEY_PATTERNS = [(what, re.compile(pattern), needles) for what, (pattern, needles) in _KEYS.items()]
_CARD = re.compile(r"(?<![\d.-])(?:\d[ -]?){12,18}\d(?![\d-])")
_NETWORKS = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9])|35|3(?:0[0-5]|[689])")
_IBAN = re.compile(r"\b([A-Z]{2})(\d{2})((?: ?[A-Z0-9]){11,30})\b")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}"  # +33 1 42 68 53 00
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"  # (415) 555-0132, 415-555-0132
)

#: detect-secrets' detectors used (those that know a key by its own shape), each with strings one of which
#: every key it finds holds. Entropy, keyword, JWT, IP and the generic-prefix detectors (Artifactory,
#: Cloudant, Discord, IBM, SoftLayer) are left out: in chat data they find mostly noise.
DETECTORS = {
    "AWSKeyDetector": ("AKIA", "ASIA", "ABIA", "ACCA", "A3T", "aws", "AWS"),
    "AzureStorageKeyDetector": ("AccountKey",),
    "BasicAuthDetector": ("://",),
    "GitHubTokenDetector": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "GitLabTokenDetector": ("glpat-", "gldt-", "glrt-", "glcbt-", "glptt-", "glft-", "glimt-", "GR1348941"),
    "MailchimpDetector": ("-us",),
    "NpmDetector": ("npm_", "_authToken"),
    "OpenAIDetector": ("T3BlbkFJ",),
    "PrivateKeyDetector": ("PRIVATE KEY", "PuTTY"),
    "PypiTokenDetector": ("pypi-",),
    "SendGridDetector": ("SG.",),
    "SlackDetector": ("xox", "hooks.slack"),
    "SquareOAuthDetector": ("sq0csp-",),
    "StripeDetector": ("k_live_",),
    "TelegramBotTokenDetector": (":AA",),
    "TwilioKeyDetector": ("AC", "SK"),
}
#: Personal data is looked for only where its sign is: an "@", or digits in a row (cards, IBANs, phones), or
#: a "+" before a digit (an international phone number).
_NUMBERS = re.compile(r"\d{3}[ .-]?\d{4}|\d[ .-]?\d{3}[ .-]?\d{3}|\+\d")
_BYTE_NUMBERS = re.compile(_NUMBERS.pattern.encode("ascii"))
#: Every key found here is a run of 16 or more letters, digits, "_" or "-" (or a private key's header, or a
#: URL's password, which comes with an "@"); personal data comes with an "@" or with numbers. JSON's escapes
#: may hide any of them. `might_hold` looks for these signs in a handful of passes over a line.
_LONG_RUN = re.compile(rb"[A-Za-z0-9_-]{16}")


def might_hold(raw: bytes) -> bool:
    """False when the raw line (or a string's UTF-8) can hold no secret or personal data this module finds."""
    return (
        b"@" in raw
        or b"PRIVATE KEY" in raw
        or b"\\u00" in raw
        or _BYTE_NUMBERS.search(raw) is not None
        or _LONG_RUN.search(raw) is not None
    )


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(country: str, check: str, account: str) -> bool:
    """ISO 13616: the rearranged IBAN, letters as 10-35, is 1 modulo 97."""
    rearranged = account.replace(" ", "") + country + check
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


@functools.cache
def _detectors() -> list[tuple[str, list[re.Pattern[str]], tuple[str, ...]]]:
    """The `DETECTORS` of detect-secrets, when the ``secrets`` extra is installed (else none)."""
    if importlib.util.find_spec("detect_secrets") is None:
        return []
    util = require("detect_secrets.core.plugins.util", "secrets")
    found = []
    for secret_type, cls in sorted(util.get_mapping_from_secret_type_to_class().items()):
        if cls.__name__ in DETECTORS:
            what = f"a secret detect-secrets calls {secret_type!r}"
            found.append((what, list(cls().denylist), DETECTORS[cls.__name__]))
    return found


def _key_in(text: str) -> str | None:
    """What kind of key the text holds (the first found), or None; a pattern runs only where its strings are."""
    for what, pattern, needles in _KEY_PATTERNS:
        if any(n in text for n in needles) and pattern.search(text):
            return what
    for what, patterns, needles in _detectors():
        if any(n in text for n in needles) and any(p.search(text) for p in patterns):
            return what
    return None


def _cards_in(text: str) -> int:
    found = 0
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if 13 <= len(digits) <= 19 and _NETWORKS.match(digits) and luhn(digits):
            found += 1
    return found


def _ibans_in(text: str) -> int:
    return sum(1 for m in _IBAN.finditer(text) if iban_valid(m[1], m[2], m[3]))


def _strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, string) of every string value, without recursion."""
    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            if not node.startswith("data:"):
                yield where, node
        elif isinstance(node, dict):
            stack.extend((where + escape_pointer(k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in reversed(list(enumerate(node))))


_ADVICE = "remove it or replace it with a placeholder before training on it"


def check_secrets(example: Any, pointer: str = "") -> Iterator[Problem]:
    """A problem for each kind of secret or personal data in each string of the example."""
    for where, text in _strings(example, pointer):
        if not might_hold(text.encode("utf-8", "surrogatepass")):  # one cheap pass: most strings stop here
            continue
        if what := _key_in(text):
            yield Problem("P501", where, f"Text holds what looks like {what}; {_ADVICE} (and revoke the key).")
        numbers = _NUMBERS.search(text) is not None
        if numbers and (n := _cards_in(text)):
            yield Problem("P502", where, f"Text holds {n} payment card number(s) (Luhn-valid); {_ADVICE}.")
        if numbers and (n := _ibans_in(text)):
            yield Problem("P503", where, f"Text holds {n} IBAN(s) (valid check digits); {_ADVICE}.")
        if "@" in text and (n := len(_EMAIL.findall(text))):
            yield Problem("P504", where, f"Text holds {n} email address(es); is it personal data to remove?")
        if numbers and (n := len(_PHONE.findall(text))):
            yield Problem("P505", where, f"Text holds {n} phone number(s); is it personal data to remove?")
