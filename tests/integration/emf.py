"""Read back the CloudWatch EMF records the handlers printed, the way CloudWatch Logs would parse them."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from passwordless.funnel_metrics import (
    CLIENT_DIMENSION,
    COLD_START,
    COLD_START_DIMENSION,
    FUNNEL,
    NAMESPACE,
    SERVICE_DIMENSION,
)

SERVICE = "passwordless"
FUNNEL_DIMENSIONS = [[SERVICE_DIMENSION], [SERVICE_DIMENSION, CLIENT_DIMENSION]]
COLD_START_DIMENSIONS = [[COLD_START_DIMENSION, SERVICE_DIMENSION]]


def emf_records(stdout: str) -> list[dict[str, Any]]:
    """Every line the handlers printed, each of which must be one EMF record (logs go elsewhere)."""
    records = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    for record in records:
        assert "_aws" in record, record
    return records


def _declared(record: dict[str, Any]) -> dict[str, Any]:
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    return dict(directive)


def funnel_counts(records: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(metric, ClientId) -> how many, summed over the funnel records, each checked for its shape."""
    counts: Counter[tuple[str, str]] = Counter()
    for record in records:
        directive = _declared(record)
        names = [metric["Name"] for metric in directive["Metrics"]]
        if names == [COLD_START]:
            continue
        assert set(names) <= set(FUNNEL.values()), names
        assert directive["Dimensions"] == FUNNEL_DIMENSIONS
        assert record[SERVICE_DIMENSION] == SERVICE
        for metric in directive["Metrics"]:
            assert metric["Unit"] == "Count"
            counts[(metric["Name"], record[CLIENT_DIMENSION])] += int(sum(record[metric["Name"]]))
    return counts


def cold_starts(records: list[dict[str, Any]]) -> Counter[str]:
    """function_name -> ColdStart count."""
    started: Counter[str] = Counter()
    for record in records:
        directive = _declared(record)
        if [metric["Name"] for metric in directive["Metrics"]] != [COLD_START]:
            continue
        assert directive["Dimensions"] == COLD_START_DIMENSIONS
        assert record[SERVICE_DIMENSION] == SERVICE
        assert CLIENT_DIMENSION not in record
        started[record[COLD_START_DIMENSION]] += int(sum(record[COLD_START]))
    return started
