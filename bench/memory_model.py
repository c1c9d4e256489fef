"""What a person waits for at each Lambda memory size, and what 1M sign-ins cost there, modelled from
the figures `make bench` measured on this machine.

The model, per invocation:
    duration(memory) = CPU / share(memory) + AWS round trips x the stated latency per call
where share is the fraction of one vCPU Lambda gives that memory size (1,769 MB is one vCPU: AWS
Lambda developer guide, "Configure Lambda function memory"). A cold invocation's CPU is its init (the
measured import) plus its first invocation; the init phase is modelled at the same share as the
invocation, the conservative reading, since AWS documents no boost for it. A CPU millisecond measured
here is taken to be a millisecond on Lambda's core (the model's largest assumption: say so beside it).

A sign-in is the trigger sequence Cognito runs for an emailed link (define, create, verify, define,
post-authentication) plus the page's second InitiateAuth (define, create) that turns the link into
the challenge answer. Cold: every function's first appearance in that sequence starts a container.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.cost import AWS_ROUND_TRIP_SECONDS, MILLION, ONE_VCPU_MB, PRICES, Cost
from bench.report import Target

SIZES_MB = (128, 256, 512, 1024, ONE_VCPU_MB)
# The link sign-in, in the order a person waits for it, with each invocation's AWS calls when warm:
# InitiateAuth (define, create: two writes and the email), the page's second InitiateAuth (define,
# create reusing the live secret: one write, no email), then RespondToAuthChallenge.
Calls = Mapping[str, float]
SIGN_IN: tuple[tuple[str, Calls], ...] = (
    ("define", {}),
    ("create", {"dynamodb": 2, "email": 1}),
    ("define", {}),
    ("create", {"dynamodb": 1}),
    ("verify", {"dynamodb": 1}),
    ("define", {}),
    ("post_auth", {}),
)
# A function's calls when it is invoked alone (the per-function rows): those of its first invocation
# in SIGN_IN (reversed, so the first one is written last and wins). And the extra calls a cold
# container makes: the HMAC key read.
ALONE: Mapping[str, Calls] = dict(reversed(SIGN_IN))
COLD_EXTRA_CALLS: Mapping[str, Calls] = {"create": {"secretsmanager": 1}, "verify": {"secretsmanager": 1}}
# The knee: the smallest size at which the next size up would cut the cold sign-in's modelled
# trigger time by less than this fraction.
KNEE_GAIN = 0.25


def share(memory_mb: int) -> float:
    """The fraction of one vCPU a function of this size runs on."""
    return min(memory_mb / ONE_VCPU_MB, 1.0)


@dataclass(frozen=True)
class Measured:
    """One function's figures from this machine, in milliseconds of CPU."""

    init_ms: float
    first_invocation_ms: float
    warm_ms: float


def network_ms(calls: Mapping[str, float]) -> float:
    return sum(count * AWS_ROUND_TRIP_SECONDS[service] * 1000 for service, count in calls.items())


def duration_ms(
    figures: Measured, function: str, memory_mb: int, *, cold: bool, calls: Calls | None = None
) -> float:
    """One invocation; `calls` are its warm AWS calls (by default those of its first in SIGN_IN)."""
    cpu = figures.init_ms + figures.first_invocation_ms if cold else figures.warm_ms
    calls = dict(ALONE[function] if calls is None else calls)
    if cold:
        for service, count in COLD_EXTRA_CALLS.get(function, {}).items():
            calls[service] = calls.get(service, 0) + count
    return cpu / share(memory_mb) + network_ms(calls)


def sign_in_ms(measured: Mapping[str, Measured], memory_mb: int, *, cold: bool) -> float:
    seen: set[str] = set()
    total = 0.0
    for function, calls in SIGN_IN:
        first = cold and function not in seen
        total += duration_ms(measured[function], function, memory_mb, cold=first, calls=calls)
        seen.add(function)
    return total


def lambda_cost_per_million(measured: Mapping[str, Measured], memory_mb: int) -> float:
    """Lambda requests and duration for 1M warm sign-ins, billed per millisecond (at least one)."""
    gb_seconds = sum(
        (memory_mb / 1024) * max(duration_ms(measured[f], f, memory_mb, cold=False, calls=c), 1.0) / 1000
        for f, c in SIGN_IN
    )
    per_sign_in = len(SIGN_IN) * PRICES["lambda_request"] + gb_seconds * PRICES["lambda_gb_second"]
    return per_sign_in * MILLION


def knee(cold_sign_in_ms: Sequence[float], sizes: Sequence[int] = SIZES_MB) -> int:
    """The first size whose next step up saves less than KNEE_GAIN of its cold sign-in time."""
    for index in range(len(sizes) - 1):
        if cold_sign_in_ms[index] - cold_sign_in_ms[index + 1] < KNEE_GAIN * cold_sign_in_ms[index]:
            return sizes[index]
    return sizes[-1]


def from_results(document: Mapping[str, Any]) -> dict[str, Measured]:
    """The model's inputs from a results.json document."""
    per_function, cold = document["per_function"], document["cold_init"]
    return {
        name: Measured(
            init_ms=cold[name]["import_ms_median"],
            first_invocation_ms=figures["first_invocation_cpu_ms"],
            warm_ms=figures["warm_cpu_ms"],
        )
        for name, figures in per_function.items()
    }


def table(measured: Mapping[str, Measured], other_cost_per_million: float) -> dict[str, Any]:
    """The `memory_model` section of results.json."""
    rows: list[dict[str, Any]] = []
    cold_sign_in: list[float] = []
    for memory in SIZES_MB:
        cold_sign_in.append(round(sign_in_ms(measured, memory, cold=True), 1))
        lambda_cost = lambda_cost_per_million(measured, memory)
        rows.append(
            {
                "memory_mb": memory,
                "functions": {
                    name: {
                        "cold_ms": round(duration_ms(figures, name, memory, cold=True), 1),
                        "warm_ms": round(duration_ms(figures, name, memory, cold=False), 1),
                    }
                    for name, figures in measured.items()
                },
                "sign_in_cold_ms": cold_sign_in[-1],
                "sign_in_warm_ms": round(sign_in_ms(measured, memory, cold=False), 1),
                "lambda_cost_per_million": round(lambda_cost, 2),
                "cost_per_million": round(lambda_cost + other_cost_per_million, 2),
            }
        )
    return {
        "assumptions": {
            "cpu_share": f"memory / {ONE_VCPU_MB} MB of one vCPU, init at the same share",
            "round_trip_ms": {k: v * 1000 for k, v in AWS_ROUND_TRIP_SECONDS.items()},
            "sign_in": [function for function, _ in SIGN_IN],
            "knee_rule": f"smallest size where the next size up saves < {KNEE_GAIN:.0%} of the cold sign-in",
        },
        "rows": rows,
        "knee_mb": knee(cold_sign_in),
    }


def other_cost(cost: Cost) -> float:
    """What 1M sign-ins cost beside Lambda (mail, DynamoDB, Secrets Manager): the same at every size."""
    return sum(value for line, value in cost.lines.items() if not line.startswith("Lambda"))


# What a person may wait for at the default size: every trigger of a link sign-in, cold and warm.
SIGN_IN_LIMITS_MS = {"sign_in_cold_ms": 1000.0, "sign_in_warm_ms": 100.0}


def targets(model: Mapping[str, Any]) -> list[Target]:
    """The sign-in's modelled trigger time at the knee, the size the template ships with."""
    row = next(row for row in model["rows"] if row["memory_mb"] == model["knee_mb"])
    return [
        Target(
            f"{key.removeprefix('sign_in_').removesuffix('_ms')} sign-in at {row['memory_mb']} MB",
            row[key],
            limit,
            " ms",
        )
        for key, limit in SIGN_IN_LIMITS_MS.items()
    ]


def summary(model: Mapping[str, Any]) -> str:
    lines = ["\nmemory size   cold sign-in   warm sign-in   $ per 1M sign-ins"]
    for row in model["rows"]:
        lines.append(
            f"{row['memory_mb']:>7} MB {row['sign_in_cold_ms']:>11.0f} ms {row['sign_in_warm_ms']:>11.0f} ms"
            f" {row['cost_per_million']:>14.2f}"
        )
    lines.append(f"knee ({model['assumptions']['knee_rule']}): {model['knee_mb']} MB")
    lines += [target.line() for target in targets(model)]
    return "\n".join(lines)
