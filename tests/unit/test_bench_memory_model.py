"""The bench's memory model: CPU divided by Lambda's share of a vCPU, plus AWS round trips, priced."""

from __future__ import annotations

import pytest

from bench import memory_model as model
from bench.cost import AWS_ROUND_TRIP_SECONDS

FIGURES = {
    "define": model.Measured(init_ms=40.0, first_invocation_ms=0.5, warm_ms=0.1),
    "create": model.Measured(init_ms=200.0, first_invocation_ms=100.0, warm_ms=7.0),
    "verify": model.Measured(init_ms=190.0, first_invocation_ms=10.0, warm_ms=1.5),
    "post_auth": model.Measured(init_ms=195.0, first_invocation_ms=0.5, warm_ms=0.1),
}


def test_one_vcpu_is_1769_mb_and_no_size_gets_more() -> None:
    assert model.share(1769) == 1.0
    assert model.share(10240) == 1.0
    assert model.share(128) == pytest.approx(128 / 1769)


def test_a_cold_create_at_128_mb_is_its_cpu_stretched_plus_its_calls() -> None:
    cold = model.duration_ms(FIGURES["create"], "create", 128, cold=True)
    network = (2 * AWS_ROUND_TRIP_SECONDS["dynamodb"] + AWS_ROUND_TRIP_SECONDS["email"]) * 1000
    key_read = AWS_ROUND_TRIP_SECONDS["secretsmanager"] * 1000
    assert cold == pytest.approx(300.0 * 1769 / 128 + network + key_read)
    warm = model.duration_ms(FIGURES["create"], "create", 128, cold=False)
    assert warm == pytest.approx(7.0 * 1769 / 128 + network)


def test_a_cold_sign_in_starts_each_function_once_and_runs_the_rest_warm() -> None:
    cold = model.sign_in_ms(FIGURES, 1769, cold=True)
    warm = model.sign_in_ms(FIGURES, 1769, cold=False)
    starts = sum(f.init_ms + f.first_invocation_ms - f.warm_ms for f in FIGURES.values())
    key_reads = 2 * AWS_ROUND_TRIP_SECONDS["secretsmanager"] * 1000
    assert cold - warm == pytest.approx(starts + key_reads)


def test_more_memory_is_faster_and_never_cheaper_for_lambda() -> None:
    table = model.table(FIGURES, other_cost_per_million=100.0)
    rows = table["rows"]
    assert [row["memory_mb"] for row in rows] == list(model.SIZES_MB)
    colds = [row["sign_in_cold_ms"] for row in rows]
    costs = [row["lambda_cost_per_million"] for row in rows]
    assert colds == sorted(colds, reverse=True)
    assert costs == sorted(costs)
    assert all(row["cost_per_million"] == pytest.approx(row["lambda_cost_per_million"] + 100) for row in rows)


def test_the_knee_is_the_first_size_whose_next_step_saves_under_a_quarter() -> None:
    assert model.knee([1000.0, 500.0, 300.0, 260.0, 250.0]) == 512
    assert model.knee([1000.0, 900.0, 800.0, 700.0, 600.0]) == 128
    assert model.knee([1000.0, 500.0, 250.0, 125.0, 60.0]) == 1769


def test_the_results_section_names_its_assumptions_and_its_knee() -> None:
    table = model.table(FIGURES, other_cost_per_million=0.0)
    assert table["assumptions"]["sign_in"] == [
        "define",
        "create",
        "define",
        "create",
        "verify",
        "define",
        "post_auth",
    ]
    assert table["knee_mb"] in model.SIZES_MB
    assert "knee" in model.summary(table)


def test_the_sign_in_targets_are_read_at_the_knee() -> None:
    table = model.table(FIGURES, other_cost_per_million=100.0)
    knee_row = next(row for row in table["rows"] if row["memory_mb"] == table["knee_mb"])

    cold, warm = model.targets(table)

    assert (cold.measured, cold.limit) == (knee_row["sign_in_cold_ms"], 1000.0)
    assert (warm.measured, warm.limit) == (knee_row["sign_in_warm_ms"], 100.0)
    assert f"at {table['knee_mb']} MB" in cold.name
    # A slower size at the knee would miss: the verdict follows the figures
    slow = {**table, "knee_mb": 128}
    assert model.targets(slow)[0].verdict == "MISS"
