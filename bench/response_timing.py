"""Whether InitiateAuth's time tells a known address (an email is sent) from an unknown one (nothing
is sent), over HTTP to the local stack, with an email provider whose latency is log-normal (most sends
quick, a long tail of slow ones), as real providers' are.

    python -m bench.response_timing [--pairs 200]

Known and unknown calls are interleaved, so the machine's drift touches both series alike; each known
address is asked once, so every known call sends. Reported: the medians and their ratio, and a
two-sample Kolmogorov-Smirnov test of the two series (its p-value: the chance of a difference at least
this large between two samples of one distribution)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import secrets
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from laptop.local_stack.stack import LocalCognito
from passwordless.email.message import OutgoingEmail
from passwordless.email.outbox import OutboxSender

PROVIDER_MEDIAN_SECONDS = 0.08
PROVIDER_SIGMA = 0.6  # log-normal shape: p99 about four times the median
PROVIDER = f"log-normal latency, median {PROVIDER_MEDIAN_SECONDS * 1000:g} ms, sigma {PROVIDER_SIGMA:g}"
_RANDOM = secrets.SystemRandom()


@dataclass(frozen=True)
class Timing:
    pairs: int
    known_seconds: list[float]
    unknown_seconds: list[float]
    ks_statistic: float
    ks_p_value: float

    @property
    def median_ratio(self) -> float:
        """The slower median over the faster one (1.0: the same)."""
        known, unknown = statistics.median(self.known_seconds), statistics.median(self.unknown_seconds)
        return max(known, unknown) / min(known, unknown)

    def document(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "provider": PROVIDER,
            "known_ms_median": round(statistics.median(self.known_seconds) * 1000, 2),
            "unknown_ms_median": round(statistics.median(self.unknown_seconds) * 1000, 2),
            "median_ratio": round(self.median_ratio, 3),
            "ks_statistic": round(self.ks_statistic, 4),
            "ks_p_value": round(self.ks_p_value, 4),
        }

    def line(self) -> str:
        d = self.document()
        return (
            f"InitiateAuth, {self.pairs} known + {self.pairs} unknown, interleaved, over HTTP ({PROVIDER}):"
            f" medians {d['known_ms_median']} / {d['unknown_ms_median']} ms, ratio {d['median_ratio']},"
            f" KS D {d['ks_statistic']}, p {d['ks_p_value']}"
        )


def ks_two_sample(first: Sequence[float], second: Sequence[float]) -> tuple[float, float]:
    """(D, p): the largest distance between the two empirical distribution functions, and its
    asymptotic p-value, Q(lambda) = 2 sum_j (-1)^(j-1) exp(-2 j^2 lambda^2) with Stephens' small-sample
    correction lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D, ne = n m / (n + m)."""
    a, b = sorted(first), sorted(second)
    n, m = len(a), len(b)
    i = j = 0
    distance = 0.0
    while i < n and j < m:
        value = min(a[i], b[j])
        while i < n and a[i] <= value:
            i += 1
        while j < m and b[j] <= value:
            j += 1
        distance = max(distance, abs(i / n - j / m))
    effective = math.sqrt(n * m / (n + m))
    lam = (effective + 0.12 + 0.11 / effective) * distance
    if lam < 1e-3:
        return distance, 1.0
    p = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return distance, min(1.0, max(0.0, p))


@contextlib.contextmanager
def _slow_provider() -> Iterator[None]:
    """The local outbox, behind a provider's latency."""
    original = OutboxSender.send

    def send(self: OutboxSender, email: OutgoingEmail) -> None:
        time.sleep(_RANDOM.lognormvariate(math.log(PROVIDER_MEDIAN_SECONDS), PROVIDER_SIGMA))
        original(self, email)

    OutboxSender.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        OutboxSender.send = original  # type: ignore[method-assign]


def measure(pairs: int = 200, warm_up: int = 200) -> Timing:
    """`warm_up` sending calls first, as a warm instance has made: a new one has seen too few sends to
    read a 99th percentile from."""
    with _slow_provider(), LocalCognito(port=0) as stack:
        idp, client_id = stack.client(), stack.running_config.client_id
        known = [
            stack.add_user(f"known{i}@example.com") and f"known{i}@example.com"
            for i in range(pairs + warm_up)
        ]

        def ask(address: str) -> float:
            started = time.perf_counter()
            idp.initiate_auth(
                AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": address}
            )
            return time.perf_counter() - started

        for address in known[:warm_up]:
            ask(address)
        known_seconds, unknown_seconds = [], []
        for i, address in enumerate(known[warm_up:]):
            known_seconds.append(ask(address))
            unknown_seconds.append(ask(f"stranger{i}@example.com"))
    distance, p_value = ks_two_sample(known_seconds, unknown_seconds)
    return Timing(pairs, known_seconds, unknown_seconds, distance, p_value)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.response_timing", description=__doc__)
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        timing = measure(args.pairs)
    print(timing.line())
    print(json.dumps(timing.document(), indent=2))


if __name__ == "__main__":
    main()
