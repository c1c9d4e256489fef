"""Cost per 1M sign-ins from the measured counts, at public list prices (us-east-1). The prices and
the assumptions live here only, with their date and sources, so the README's note is reproducible."""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2026-11-22"
PRICES = {
    # Lambda arm64: $0.20 per 1M requests, $0.0000133334 per GB-second (first pricing tier).
    # https://aws.amazon.com/lambda/pricing/
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000133334,
    # DynamoDB on-demand (after the November 2024 price cut): $0.625 per 1M write request units,
    # $0.125 per 1M read request units. https://aws.amazon.com/dynamodb/pricing/on-demand/
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,
    # SES outbound: $0.10 per 1,000 emails. https://aws.amazon.com/ses/pricing/
    "ses_email": 0.10 / 1000,
    # Secrets Manager: $0.05 per 10,000 API calls.
    # https://aws.amazon.com/secrets-manager/pricing/
    "secrets_manager_call": 0.05 / 10_000,
}
# Assumptions, not measurements:
# "At 1,769 MB, a function has the equivalent of one vCPU": a size below it gets memory/1769 of one,
# so a millisecond of CPU measured here is 1769/memory ms of billed duration (on a core this fast).
ONE_VCPU_MB = 1769
TEMPLATE_MEMORY_MB = ONE_VCPU_MB  # template.yaml's TriggerMemorySize default (tests/template holds it)
MEMORY_GB = TEMPLATE_MEMORY_MB / 1024
CPU_STRETCH = ONE_VCPU_MB / TEMPLATE_MEMORY_MB
AWS_ROUND_TRIP_SECONDS = {"dynamodb": 0.005, "email": 0.060, "secretsmanager": 0.020}
SIGN_INS_PER_CONTAINER = 1_000  # how many sign-ins one container serves before Lambda recycles it
MILLION = 1_000_000


@dataclass(frozen=True)
class Cost:
    lines: dict[str, float]
    """What 1M sign-ins cost, in dollars, by line."""

    @property
    def total(self) -> float:
        return sum(self.lines.values())

    @property
    def dominant(self) -> str:
        return max(self.lines, key=lambda line: self.lines[line])


def per_million(
    invocations: dict[str, float],
    warm_cpu_seconds: dict[str, float],
    requests: dict[str, dict[str, float]],
) -> Cost:
    """`invocations`: function -> invocations per sign-in; `warm_cpu_seconds`: function -> CPU per
    warm invocation; `requests`: function -> "service Operation" -> requests per sign-in."""
    gb_seconds = 0.0
    for function, count in invocations.items():
        waits = sum(
            per * AWS_ROUND_TRIP_SECONDS.get(name.split()[0], 0.0)
            for name, per in requests.get(function, {}).items()
        )
        per_call = warm_cpu_seconds[function] * CPU_STRETCH + waits / max(count, 1e-9)
        gb_seconds += count * MEMORY_GB * max(per_call, 0.001)  # billed in whole milliseconds, at least 1
    flat: dict[str, float] = {}
    for counts in requests.values():
        for name, per in counts.items():
            flat[name] = flat.get(name, 0.0) + per
    writes = sum(per for name, per in flat.items() if name in {"dynamodb UpdateItem", "dynamodb PutItem"})
    reads = sum(per for name, per in flat.items() if name == "dynamodb GetItem")
    emails = flat.get("email SendEmail", 0.0)
    # One GetSecretValue per container for each of create and verify, spread over its sign-ins.
    secret_calls = 2 / SIGN_INS_PER_CONTAINER
    return Cost(
        {
            "Lambda requests": sum(invocations.values()) * PRICES["lambda_request"] * MILLION,
            "Lambda duration": gb_seconds * PRICES["lambda_gb_second"] * MILLION,
            "DynamoDB writes": writes * PRICES["dynamodb_write_unit"] * MILLION,
            "DynamoDB reads": reads * PRICES["dynamodb_read_unit"] * MILLION,
            "SES emails": emails * PRICES["ses_email"] * MILLION,
            "Secrets Manager": secret_calls * PRICES["secrets_manager_call"] * MILLION,
        }
    )
