from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from prep.reports.stats import Distribution, FileStats, default_epochs, percentile


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (1, 25),
        (4, 25),
        (5, 20),
        (10, 10),
        (12, 8),
        (26, 3),
        (8333, 3),
        (8334, 2),
        (10_000, 2),
        (12_500, 2),
        (12_501, 1),
    ],
)
def test_default_epochs_follow_the_published_heuristic(n, epochs):
    assert default_epochs(n) == epochs


def test_percentiles_equal_numpy_bit_for_bit():
    rng = random.Random(1)
    for _ in range(500):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 40))]
        for q in (0.0, 0.1, 0.5, 0.9, 1.0):
            assert percentile(Counter(values), q) == float(np.quantile(values, q))


def test_cookbook_oracle_messages_distribution():
    d = Distribution(Counter([3, 9, 2, 2, 3]))
    s = d.summary()
    assert (s["min"], s["max"], s["mean"], s["median"], s["p10"], s["p90"]) == (2, 9, 3.8, 3.0, 2.0, 6.6000000000000005)


def test_estimate_and_billing():
    stats = FileStats(token_limit=4096)
    for total in [45, 111, 26, 28, 8032]:
        stats.add_tokens(total, 0)
    assert stats.over_limit == 1
    assert stats.estimate(5) == {"epochs": 20, "billed_tokens": 4306, "trained_tokens": 86120}
    assert stats.estimate(5, epochs=3)["trained_tokens"] == 3 * 4306


def test_merge_equals_one_pass():
    a, b, whole = FileStats(token_limit=100), FileStats(token_limit=100), FileStats(token_limit=100)
    for i, t in enumerate([5, 500, 50, 7, 101]):
        (a if i < 2 else b).add_tokens(t, t // 2)
        whole.add_tokens(t, t // 2)
    a.merge(b)
    assert a == whole
