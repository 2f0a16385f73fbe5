"""Training prices are profile data with a source and a date; the estimate shows what they make of the
trained tokens, and "unknown" wherever no price is stated (the built-in profiles state none)."""

from __future__ import annotations

import io
import re

import pytest

import prep
from prep.errors import ConfigError
from prep.reports.reporters import report_dict, report_text
from prep.targets.loader import available_targets, load_target
from tests.helpers import chat

PRICED = """extends = "openai"
name = "priced"
[models."gpt-4o-mini-2024-07-18"]
encoding = "o200k_base"
token_limit = 65536
methods = ["supervised", "dpo"]
prices.supervised = { usd = 3.0, per = "1M tokens", source = "a test's price list", date = 2026-11-01 }
[models."o4-mini-2025-04-16"]
encoding = "o200k_base"
token_limit = 65536
methods = ["reinforcement"]
prices.reinforcement = { usd = 100.0, per = "hour", source = "a test's price list", date = 2026-11-01 }
[models."gpt-4.1-mini-2025-04-14"]
encoding = "o200k_base"
token_limit = 65536
methods = ["supervised"]
"""


@pytest.fixture
def priced(tmp_path):
    path = tmp_path / "priced.toml"
    path.write_text(PRICED)
    return str(path)


def estimate(report):
    return report_dict(report)["files"][0]["stats"]["estimate"]


def text(report):
    out = io.StringIO()
    report_text(report, out)
    return out.getvalue()


def test_a_price_per_token_is_what_the_trained_tokens_cost(priced, write_jsonl):
    report = prep.check(
        write_jsonl([chat(f"Question {i}?") for i in range(60)]), target=priced, model="gpt-4o-mini-2024-07-18"
    )
    e = estimate(report)
    (price,) = e["prices"]
    assert price == {
        "model": "gpt-4o-mini-2024-07-18",
        "method": "supervised",
        "usd": 3.0,
        "per": "1M tokens",
        "cost_usd": e["trained_tokens"] * 3.0 / 1e6,
        "source": "a test's price list",
        "date": "2026-11-01",
    }
    cost = e["trained_tokens"] * 3.0 / 1e6
    assert (
        f"  price: ${cost:,.2f} with gpt-4o-mini-2024-07-18 ($3.00 per 1M trained tokens; a test's price list, "
        "2026-11-01)\n" in text(report)
    )


def test_without_a_model_each_covered_model_is_priced_or_unknown(priced, write_jsonl):
    report = prep.check(write_jsonl([chat(f"Question {i}?") for i in range(60)]), target=priced)
    prices = estimate(report)["prices"]
    assert [(p["model"], p["usd"]) for p in prices] == [
        ("gpt-4.1-mini-2025-04-14", None),
        ("gpt-4o-mini-2024-07-18", 3.0),
    ]
    line = next(line for line in text(report).splitlines() if line.startswith("  price: "))
    assert re.fullmatch(
        r"  price: \$0\.\d\d with gpt-4o-mini-2024-07-18 \(\$3\.00 per 1M trained tokens; a test's price list, "
        r"2026-11-01\); unknown for gpt-4\.1-mini-2025-04-14 \(the profile gives no training price for it\)",
        line,
    )


def test_reinforcement_priced_per_hour_has_no_cost_from_tokens(priced):
    record = {"messages": [{"role": "user", "content": "2+2?"}], "reference_answer": "4"}
    report = prep.check([record] * 12, target=priced, model="o4-mini-2025-04-16")
    (price,) = estimate(report)["prices"]
    assert (price["method"], price["usd"], price["per"], price["cost_usd"]) == ("reinforcement", 100.0, "hour", None)
    assert (
        "  price: $100.00 per training hour with o4-mini-2025-04-16 (a test's price list, 2026-11-01); "
        "the hours are not known before training\n" in text(report)
    )


def test_the_builtin_profiles_state_no_price_so_it_is_unknown(write_jsonl):
    for name in available_targets():
        assert all(not m.prices for m in load_target(name).models.values()), name
    report = prep.check(write_jsonl([chat(f"Question {i}?") for i in range(60)]), model="gpt-4o-mini-2024-07-18")
    assert [p["usd"] for p in estimate(report)["prices"]] == [None]
    assert "  price: unknown for gpt-4o-mini-2024-07-18 (the profile gives no training price for it)\n" in text(report)


def test_no_model_to_price(write_jsonl):
    report = prep.check(write_jsonl([chat(f"Question {i}?") for i in range(60)]), token_limit=1000)
    assert estimate(report)["prices"] == []
    assert "  price: unknown (no model to price: the profile lists none, or --token-limit replaced the model's)\n" in (
        text(report)
    )


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ('{ usd = 3.0, per = "1M tokens", date = 2026-11-01 }', "'source'"),
        ('{ usd = 3.0, per = "1M tokens", source = "x" }', "'date'"),
        ('{ usd = 3.0, per = "1M tokens", source = " ", date = 2026-11-01 }', "needs a source and its date"),
        ('{ usd = 3.0, per = "token", source = "x", date = 2026-11-01 }', "per must be one of 1M tokens, hour"),
        ('{ usd = 3.0, per = "hour", source = "x", date = 2026-11-01, note = 1 }', "unknown key(s) ['note']"),
    ],
)
def test_a_price_needs_its_unit_source_and_date(tmp_path, price, message):
    path = tmp_path / "bad.toml"
    path.write_text(
        PRICED.replace('{ usd = 3.0, per = "1M tokens", source = "a test\'s price list", date = 2026-11-01 }', price)
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_target(str(path))


def test_prep_targets_shows_prices(priced, run_prep):
    _, out, _ = run_prep("targets", priced)
    assert "gpt-4o-mini-2024-07-18: dpo, supervised; 65,536 tokens with o200k_base; training price: supervised " in out
    assert "$3.00 per 1M tokens (a test's price list, 2026-11-01)" in out
    assert "gpt-4.1-mini-2025-04-14: supervised; 65,536 tokens with o200k_base; training price unknown" in out
