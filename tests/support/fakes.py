"""In-memory fakes: they record what happened so tests assert on messages and records, not on calls."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from passwordless.email import EmailDeliveryError, SignInEmail


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingSender:
    """An outbox in memory. `fail_times` makes the next N sends fail; `latency` simulates the provider."""

    sent: list[SignInEmail] = field(default_factory=list)
    attempts: int = 0
    fail_times: int = 0
    latency: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: SignInEmail) -> None:
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.attempts += 1
            if self.fail_times:
                self.fail_times -= 1
                raise EmailDeliveryError("provider refused the message")
            self.sent.append(email)

    def last(self) -> SignInEmail:
        return self.sent[-1]


@dataclass
class RecordingLogger:
    """Stands in for Powertools' Logger under SecurityLog; keeps each record's structured fields."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.records.append({"message": msg, **kwargs.get("extra", {})})

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("security_event") == name]
