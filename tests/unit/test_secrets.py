"""The secret and personal-data scan: what it finds, what it does not, and that it never prints a secret."""

from __future__ import annotations

import pytest

import prep
from prep.validation.rules.secrets import check_secrets, iban_valid, luhn, might_hold
from tests.helpers import chat

OPENAI_KEY = "sk-proj-" + "Zx9" * 16
FOUND = {
    "an OpenAI key": (f"my key is {OPENAI_KEY}, use it", "P501"),
    "an AWS key id": ("AKIAIOSFODNN7EXAMPLE", "P501"),
    "a GitHub token": ("ghp_" + "aB3" * 12, "P501"),
    "a private key": ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...", "P501"),
    "a password in a URL": ("postgres://admin:hunter22@db.internal:5432/app", "P501"),
    "a Visa number": ("pay with 4111 1111 1111 1111 today", "P502"),
    "an Amex number": ("card 3782-822463-10005", "P502"),
    "an IBAN": ("IBAN GB82 WEST 1234 5698 7654 32, thanks", "P503"),
    "a compact IBAN": ("DE89370400440532013000", "P503"),
    "an email": ("write to jane.doe@example.com", "P504"),
    "a phone": ("call +1 415-555-0132", "P505"),
    "a US phone": ("or (415) 555-0132", "P505"),
}
NOT_FOUND = {
    "digits that fail Luhn": "order 4111 1111 1111 1112",
    "an IBAN with wrong check digits": "GB00 WEST 1234 5698 7654 32",
    "dates and amounts": "on 2024-03-01 at 10:00, 1,250.50 euros, version 1.2.3, 1 000 000 people",
    "a short sk- word": "sk-learn is a library",
    "an image": "data:image/png;base64,AKIAIOSFODNN7EXAMPLE4111111111111111",
    "plain text": "The capital of France is Paris.",
}


@pytest.mark.parametrize(("text", "code"), FOUND.values(), ids=FOUND.keys())
def test_found(text: str, code: str) -> None:
    problems = list(check_secrets({"messages": [{"role": "user", "content": text}]}))
    assert {(p.code, p.pointer) for p in problems if p.code == code} == {(code, "/messages/0/content")}
    assert might_hold(text.encode())
    secret = text.split(" ")[-1] if code != "P501" else None
    for p in problems:
        assert OPENAI_KEY not in p.message and "4111" not in p.message and "hunter22" not in p.message
        assert secret is None or secret not in p.message


@pytest.mark.parametrize("text", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_not_found(text: str) -> None:
    assert list(check_secrets({"content": text})) == []


def test_checksums() -> None:
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_valid("GB", "82", "WEST12345698765432") and not iban_valid("GB", "83", "WEST12345698765432")


def test_the_prefilter_skips_lines_without_candidates() -> None:
    assert not might_hold(b'{"messages": [{"role": "user", "content": "What is 2 + 2?"}]}')


def test_detect_secrets_finds_more_kinds_when_installed() -> None:
    pytest.importorskip("detect_secrets")
    twilio = "SK" + "0123456789abcdef" * 2
    [problem] = check_secrets({"content": f"twilio {twilio}"})
    assert problem.code == "P501" and "detect-secrets calls 'Twilio API Key'" in problem.message
    assert twilio not in problem.message


def test_prep_check_reports_line_and_pointer_never_the_secret(write_jsonl, run_prep) -> None:
    path = write_jsonl([chat(), chat(f"use {OPENAI_KEY}", "ok"), chat("mail jane.doe@example.com", "ok")])

    code, out, _ = run_prep("check", path, "--isolated", "--no-tokens", "--secrets")

    assert code == 1  # the file is too small; the secret and the email are warnings
    assert f"{path}:2: P501 Text holds what looks like an OpenAI API key" in out
    assert "(/messages/0/content)" in out and f"{path}:3: P504" in out
    assert OPENAI_KEY not in out and "jane.doe" not in out


def test_records_in_memory_are_scanned_too() -> None:
    report = prep.check([chat(f"key {OPENAI_KEY}", "ok")], secrets=True)
    assert not [i for i in prep.check([chat(f"key {OPENAI_KEY}", "ok")]).issues if i.code == "P501"]  # opt-in
    assert [(i.code, i.line, i.pointer) for i in report.issues if i.code == "P501"] == [
        ("P501", 1, "/messages/0/content")
    ]
