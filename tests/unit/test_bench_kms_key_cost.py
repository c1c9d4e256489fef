"""The bench's KeyStore kms figures: the measured request count priced at KMS's list prices."""

from __future__ import annotations

import pytest

from bench.kms_key_cost import kms_key_cost, report_lines


def test_a_link_sign_ins_three_requests_cost_ten_dollars_per_million_with_the_key() -> None:
    cost = kms_key_cost()
    assert cost.requests_per_sign_in == 3
    # 3M requests at $0.03 per 10,000 is $9, and the key's month $1
    assert cost.dollars_per_million == pytest.approx(10.00)
    assert cost.added_seconds_per_sign_in == pytest.approx(0.030)


def test_the_report_states_the_count_the_latency_assumption_and_the_cost() -> None:
    lines = report_lines(kms_key_cost(3, 0.005))
    assert "KMS requests per sign-in: 3" in lines[1]
    assert "15 ms" in lines[2]
    assert "assumed 5 ms" in lines[2]
    assert "$10.00" in lines[3]
