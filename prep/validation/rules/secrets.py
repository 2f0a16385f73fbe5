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

_KEYS = {
    "an OpenAI API key": r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,}",
    "an AWS access key id": r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
    "a GitHub token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})",
    "a GitLab token": r"\bglpat-[A-Za-z0-9_-]{20,}",
    "a Slack token": r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
    "a Google API key": r"\bAIza[0-9A-Za-z_-]{35}",
    "a Stripe secret key": r"\b[rs]k_live_[0-9A-Za-z]{20,}",
    "a private key": r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----",
    "a password in a URL": r"\b[a-z][a-z0-9+.-]*://[^\s/:@\"']{1,64}:[^\s/@\"']{3,128}@[^\s/@\"']+",
}
_KEY_PATTERNS = [(what, re.compile(pattern)) for what, pattern in _KEYS.items()]
_CARD = re.compile(r"(?<![\d.-])(?:\d[ -]?){12,18}\d(?![\d-])")
_NETWORKS = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9])|35|3(?:0[0-5]|[689])")
_IBAN = re.compile(r"\b([A-Z]{2})(\d{2})((?: ?[A-Z0-9]){11,30})\b")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}"  # +33 1 42 68 53 00
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"  # (415) 555-0132, 415-555-0132
)

#: detect-secrets' detectors used (those that know a key by its own shape), each with the bytes every key it
#: finds starts with or holds, for `might_hold`. Entropy, keyword, JWT, IP and the generic-prefix detectors
#: (Artifactory, Cloudant, IBM, SoftLayer) are left out: in chat data they find mostly noise.
DETECTORS = {
    "AWSKeyDetector": rb"AKIA|ASIA|ABIA|ACCA|A3T|[Aa][Ww][Ss]",
    "AzureStorageKeyDetector": rb"AccountKey",
    "BasicAuthDetector": rb"://[^\s/:@\"']+:[^\s/@\"']+@",
    "DiscordBotTokenDetector": rb"[MNO][\w-]{23,25}\.[\w-]{6}\.",
    "GitHubTokenDetector": rb"gh[pousr]_|github_pat_",
    "GitLabTokenDetector": rb"gl[a-z]{2,4}-|GR1348941",
    "MailchimpDetector": rb"-us\d",
    "NpmDetector": rb"npm_|_authToken",
    "OpenAIDetector": rb"T3BlbkFJ",
    "PrivateKeyDetector": rb"PRIVATE KEY|PuTTY",
    "PypiTokenDetector": rb"pypi-",
    "SendGridDetector": rb"SG\.",
    "SlackDetector": rb"xox|hooks\.slack",
    "SquareOAuthDetector": rb"sq0csp-",
    "StripeDetector": rb"[rs]k_live_",
    "TelegramBotTokenDetector": rb"\d{8,10}:",
    "TwilioKeyDetector": rb"(?:AC|SK)[0-9A-Za-z]{32}",
}
#: Cheap byte test of a raw line for everything this module finds.
_MARKERS = re.compile(
    rb"sk-|AIza|glpat-|@[A-Za-z0-9-]+\.|\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d"
    rb"|[A-Z]{2}\d{2} ?[A-Z0-9]{4}|\d{3}[ .-]\d{3,4}[ .-]\d|\+\d|\(\d{3}\)|\\u00|" + b"|".join(DETECTORS.values())
)


def might_hold(raw: bytes) -> bool:
    """False when the raw line can hold no secret or personal data this module finds."""
    return _MARKERS.search(raw) is not None


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
def _detectors() -> list[tuple[str, list[re.Pattern[str]]]]:
    """The `DETECTORS` of detect-secrets, when the ``secrets`` extra is installed (else none)."""
    if importlib.util.find_spec("detect_secrets") is None:
        return []
    util = require("detect_secrets.core.plugins.util", "secrets")
    found = []
    for secret_type, cls in sorted(util.get_mapping_from_secret_type_to_class().items()):
        if cls.__name__ in DETECTORS:
            found.append((f"a secret detect-secrets calls {secret_type!r}", list(cls().denylist)))
    return found


def _key_in(text: str) -> str | None:
    """What kind of key the text holds (the first found), or None."""
    for what, pattern in _KEY_PATTERNS:
        if pattern.search(text):
            return what
    for what, patterns in _detectors():
        if any(p.search(text) for p in patterns):
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
        if what := _key_in(text):
            yield Problem("P501", where, f"Text holds what looks like {what}; {_ADVICE} (and revoke the key).")
        if n := _cards_in(text):
            yield Problem("P502", where, f"Text holds {n} payment card number(s) (Luhn-valid); {_ADVICE}.")
        if n := _ibans_in(text):
            yield Problem("P503", where, f"Text holds {n} IBAN(s) (valid check digits); {_ADVICE}.")
        if n := len(_EMAIL.findall(text)):
            yield Problem("P504", where, f"Text holds {n} email address(es); is it personal data to remove?")
        if n := len(_PHONE.findall(text)):
            yield Problem("P505", where, f"Text holds {n} phone number(s); is it personal data to remove?")
