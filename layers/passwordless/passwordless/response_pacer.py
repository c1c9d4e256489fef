"""Keeps a response's time independent of what happened behind it (docs/security/requirements.md #10, #11,
#25).

In create, a call that sends an email waits for the provider; one that reuses a live secret, is
throttled, or is for a user that does not exist would otherwise answer at once, telling an attacker
which happened. In the account API's sign-up, creating a user takes two Cognito calls and finding the
address taken one. So every call, sending or quiet, answers no sooner than a floor: the 99th
percentile of the instance's recent sending calls. Then both kinds answer at the floor, except the one
sending call in a hundred that is slower still. Each call's floor is raised by a random fraction of a
spread, too: against a floor alone, a fraction of a millisecond of other work (the platform's, outside
this function) for a known or an unknown user would stand out. Making quiet calls wait for a typical
sending call
instead (an average, or a sending call's time drawn at random) leaves them told apart: a provider's
latency is skewed, and two samples of a skewed distribution differ in their medians by more than a
person timing a few hundred calls needs.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

_SAMPLES = 200  # recent sending calls the floor is read from
_QUANTILE = 0.99
_SPREAD_SECONDS = 0.02  # each answer lands at a random point of this window above the floor
_CEILING_SECONDS = 3.0  # never pad toward Cognito's 5 s trigger budget
# `secrets`, not a seeded generator: where in the window a call lands must not be predictable.
_RANDOM = secrets.SystemRandom()


class ResponsePacer:
    def __init__(
        self,
        initial_seconds: float = 0.25,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        spread_seconds: float = _SPREAD_SECONDS,
    ) -> None:
        """`initial_seconds`: the floor until this instance has seen a sending call."""
        self._initial = initial_seconds
        self._spread = spread_seconds
        self._sending: deque[float] = deque(maxlen=_SAMPLES)
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()

    def start(self) -> float:
        return self._monotonic()

    def observe_sending_call(self, started: float) -> None:
        """A call that sent: its time joins the samples, and it too answers no sooner than the floor."""
        with self._lock:
            self._sending.append(min(_CEILING_SECONDS, self._monotonic() - started))
        self._wait_for_floor(started)

    def pad_quiet_call(self, started: float) -> None:
        self._wait_for_floor(started)

    def _wait_for_floor(self, started: float) -> None:
        with self._lock:
            ordered = sorted(self._sending)
        floor = ordered[math.ceil(_QUANTILE * len(ordered)) - 1] if ordered else self._initial
        remaining = started + floor + _RANDOM.uniform(0, self._spread) - self._monotonic()
        if remaining > 0:
            self._sleep(remaining)
