"""What KeyStore kms adds to a sign-in: KMS requests, latency and cost per 1M sign-ins.

The request count is measured (tests/integration/test_kms_key_store.py counts GenerateMac against
embedded KMS: 2 for a code sign-in, 3 for a link sign-in); the latency per request is an assumption, since AWS
publishes no KMS latency figure: an in-region call of about 10 ms, the order of the DynamoDB and
Secrets Manager round trips bench.cost assumes. Prices: https://aws.amazon.com/kms/pricing/ (checked
on bench.cost.PRICES_DATE): $1 per key-month, $0.03 per 10,000 requests, 20,000 requests a month free.
"""

from __future__ import annotations

from dataclasses import dataclass

KMS_REQUESTS_PER_SIGN_IN = 3
"""A link sign-in, the costlier of the two: one GenerateMac in create for the emailed round, one in
create again for the page's own session (it reuses the live secret, but derives the user's key for
the log pseudonym), one in verify. A code sign-in takes 2. Define asks nothing."""
ASSUMED_KMS_SECONDS = 0.010
KEY_MONTH = 1.00
PER_REQUEST = 0.03 / 10_000
FREE_REQUESTS_PER_MONTH = 20_000
MILLION = 1_000_000


@dataclass(frozen=True)
class KmsKeyCost:
    requests_per_sign_in: int
    seconds_per_request: float
    """The assumed latency of one in-region KMS request."""
    added_seconds_per_sign_in: float
    """Wall time the KMS requests add to a sign-in (create's and verify's, one after the other)."""
    dollars_per_million: float
    """The requests of 1M sign-ins plus one key-month, before the free tier."""


def kms_key_cost(
    requests_per_sign_in: int = KMS_REQUESTS_PER_SIGN_IN, seconds_per_request: float = ASSUMED_KMS_SECONDS
) -> KmsKeyCost:
    return KmsKeyCost(
        requests_per_sign_in=requests_per_sign_in,
        seconds_per_request=seconds_per_request,
        added_seconds_per_sign_in=requests_per_sign_in * seconds_per_request,
        dollars_per_million=KEY_MONTH + MILLION * requests_per_sign_in * PER_REQUEST,
    )


def report_lines(cost: KmsKeyCost | None = None) -> list[str]:
    """The bench report's KeyStore kms section."""
    cost = cost or kms_key_cost()
    return [
        "KeyStore kms (HMAC key in KMS):",
        f"  KMS requests per sign-in: {cost.requests_per_sign_in} (measured against embedded KMS)",
        f"  added latency per sign-in: {cost.added_seconds_per_sign_in * 1000:.0f} ms"
        f" (assumed {cost.seconds_per_request * 1000:.0f} ms per in-region request)",
        f"  cost per 1M sign-ins: ${cost.dollars_per_million:.2f} (requests, plus $1 for the key's month)",
    ]
