"""Structured security events (docs/security/requirements.md #22): one log record per state change, with a
keyed pseudonym for the user and never a secret, email address or raw username. Observers (the funnel metrics)
see the same events, so what is counted is exactly what is logged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

EventName = Literal[
    "issued",  # a new secret was stored
    "sent",  # its email was accepted by the provider
    "send_failed",  # the provider refused or timed out; the sign-in failed closed
    "reused",  # a live secret was reused: no email
    "throttled",  # an email was due but the per-user throttle held it back
    "stranger_budget",  # an email to an unverified address was due, but the hour's budget is spent
    "nothing",  # a retry round found no live secret: no email until the person asks for one
    "unknown_user",  # a challenge was answered for a user that does not exist
    "failed",  # a wrong answer was counted
    "locked",  # the code stopped working for this user (the link still works)
    "consumed",  # a secret signed the user in
    "rejected",  # malformed or foreign input; nothing stored changed
    "session_decided",  # define's decision for a session
    "unavailable",  # a dependency (storage, key) failed; the sign-in failed closed
    "sign_up_decided",  # PreSignUp allowed or refused a new user
    "email_verified",  # PostAuthentication marked the address verified after an email sign-in
    "notified",  # PostAuthentication sent (or failed to send) the new sign-in notice
    "passkey_signed_in",  # a passkey assertion verified and its challenge was spent
    "passkey_failed",  # a passkey assertion was refused (the reason says why)
    "possible_clone",  # an assertion's sign count did not move on: refused
]


class _InfoLogger(Protocol):
    def info(self, msg: object, *args: Any, **kwargs: Any) -> None: ...  # noqa: ANN401


class EventObserver(Protocol):
    def observe(self, name: EventName, fields: Mapping[str, str | int | bool]) -> None: ...


class SecurityLog:
    def __init__(self, logger: _InfoLogger, *observers: EventObserver) -> None:
        self._logger = logger
        self._observers = observers

    def event(self, name: EventName, **fields: str | int | bool) -> None:
        # The record's location should name the code that raised the event: skip Powertools' own
        # frame (its default is 2) and this wrapper's.
        self._logger.info("security_event", extra={"security_event": name, **fields}, stacklevel=3)
        for observer in self._observers:
            observer.observe(name, fields)
