"""docs/security/requirements.md #11: an unknown user's sign-in request takes as long as a known user's, even
though only the known one waits for the email provider."""

from __future__ import annotations

import statistics
import time

import pytest

from passwordless.keyed_hash import KeyedHasher
from passwordless.response_pacer import ResponsePacer
from passwordless.secret_store import SecretStore
from passwordless.settings import Settings
from tests.support.cognito import User
from tests.support.fakes import RecordingSender
from tests.support.flow import build_flow

PROVIDER_LATENCY = 0.03  # a provider of fixed latency, as the requirement states


@pytest.mark.timing
def test_known_and_unknown_medians_within_ten_percent(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    sender = RecordingSender(latency=PROVIDER_LATENCY)
    flow = build_flow(aws, store, hasher, sender=sender, pacer=ResponsePacer(PROVIDER_LATENCY))
    known_users = [flow.cognito.add_user(User(f"user-{i:04d}", f"user{i}@example.com")) for i in range(100)]
    known, unknown = [], []
    # Interleaved, so drift on the machine affects both series alike.
    for i, user in enumerate(known_users):
        started = time.perf_counter()
        flow.cognito.initiate_auth(user.email)
        known.append(time.perf_counter() - started)
        started = time.perf_counter()
        flow.cognito.initiate_auth(f"stranger{i}@example.com")
        unknown.append(time.perf_counter() - started)
    assert len(sender.sent) == 100, "every known user got one email, no stranger did"
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert abs(known_median - unknown_median) / known_median < 0.10, (known_median, unknown_median)
