"""In-memory fakes: they record what happened so tests assert on messages and records, not on calls."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from passwordless.email import EmailDeliveryError, OutgoingEmail, SignInEmail

_Kind = TypeVar("_Kind", bound=OutgoingEmail)


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingSender:
    """An outbox in memory for every kind of email, in sending order. `fail_times` makes the next N
    sends fail; `latency` simulates the provider."""

    sent: list[OutgoingEmail] = field(default_factory=list)
    attempts: int = 0
    fail_times: int = 0
    latency: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: OutgoingEmail) -> None:
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.attempts += 1
            if self.fail_times:
                self.fail_times -= 1
                raise EmailDeliveryError("provider refused the message")
            self.sent.append(email)

    def last(self) -> SignInEmail:
        """The last email sent, which the caller expects to be a sign-in email."""
        return self.last_of(SignInEmail)

    def last_of(self, kind: type[_Kind]) -> _Kind:
        """The last email sent, checked to be of `kind` (a test reading a code must not read another's)."""
        email = self.sent[-1]
        if not isinstance(email, kind):
            raise AssertionError(f"the last email is a {type(email).__name__}, not a {kind.__name__}")
        return email

    def of_kind(self, kind: type[_Kind]) -> list[_Kind]:
        return [email for email in self.sent if isinstance(email, kind)]


@dataclass
class RecordingLogger:
    """Stands in for Powertools' Logger under SecurityLog; keeps each record's structured fields."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.records.append({"message": msg, **kwargs.get("extra", {})})

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("security_event") == name]
