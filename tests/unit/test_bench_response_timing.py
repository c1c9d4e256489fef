"""make bench's test of whether two series of response times differ: the two-sample Kolmogorov-Smirnov
statistic and its p-value, against values worked out by hand and the textbook's."""

from __future__ import annotations

import math

import pytest

from bench.response_timing import ks_two_sample


def test_one_series_against_itself_cannot_be_told_apart() -> None:
    series = [0.1 * i for i in range(50)]

    assert ks_two_sample(series, list(reversed(series))) == (0.0, 1.0)


def test_series_that_do_not_overlap_are_told_apart() -> None:
    distance, p_value = ks_two_sample(
        [1.0 + i / 100 for i in range(200)], [5.0 + i / 100 for i in range(200)]
    )

    assert distance == 1.0
    assert p_value < 1e-10


def test_the_distance_is_the_widest_gap_between_the_distribution_functions() -> None:
    # After 2: the first series is 2/4 done, the second 0/2; after 3 the second is 1/2; then all.
    distance, _ = ks_two_sample([1, 2, 5, 6], [3, 4])

    assert distance == pytest.approx(0.5)


def test_the_p_value_follows_the_kolmogorov_distribution() -> None:
    """Q(1.36) = 0.0494: the 5% point every table gives, reached here with ne large enough that
    Stephens' correction barely moves lambda."""
    n = 20_000
    d = 1.36 / (math.sqrt(n / 2) + 0.12 + 0.11 / math.sqrt(n / 2))
    steps = round(d * n)
    first = [float(i) for i in range(n)]
    second = [float(i + steps) for i in range(n)]

    distance, p_value = ks_two_sample(first, second)

    assert distance == pytest.approx(steps / n)
    assert p_value == pytest.approx(0.0494, abs=0.002)
