"""Keeps a response's time independent of what happened behind it (docs/security/requirements.md #10, #11).

In create, a call that sends an email waits for the provider; one that reuses a live secret, is
throttled, or is for a user that does not exist would otherwise answer at once, telling an attacker
which happened. In the account API's sign-up, creating a user takes two Cognito calls and finding the
address taken one. The quick ("quiet") calls wait until the typical slow call would have answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_SMOOTHING = 0.2  # exponential moving average weight of the newest sending call
_CEILING_SECONDS = 3.0  # never pad toward Cognito's 5 s trigger budget


class ResponsePacer:
    def __init__(
        self,
        initial_seconds: float = 0.25,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._estimate = initial_seconds
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()

    def start(self) -> float:
        return self._monotonic()

    def observe_sending_call(self, started: float) -> None:
        elapsed = self._monotonic() - started
        with self._lock:
            self._estimate = min(_CEILING_SECONDS, (1 - _SMOOTHING) * self._estimate + _SMOOTHING * elapsed)

    def pad_quiet_call(self, started: float) -> None:
        remaining = started + self._estimate - self._monotonic()
        if remaining > 0:
            self._sleep(remaining)
