"""Self sign-up answers an existing address in about the time it takes to create a new account, so the
response time does not tell whether the address had one (creating is two Cognito calls, finding the
address taken is one)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from passwordless.accounts.account_log import AccountLog
from passwordless.accounts.sign_up import SignUp
from passwordless.accounts.user_admin import UserExists
from passwordless.response_pacer import ResponsePacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Users:
    """Cognito's admin calls as the sign-up sees them: creating costs `create_seconds` of the clock,
    an address already taken costs `exists_seconds` and raises UserExists."""

    def __init__(self, clock: Clock, *, create_seconds: float, exists_seconds: float) -> None:
        self._clock = clock
        self._create = create_seconds
        self._exists = exists_seconds
        self.taken: set[str] = set()

    def create_user(self, email: str, **_: Any) -> str:
        if email in self.taken:
            self._clock.now += self._exists
            raise UserExists("UsernameExistsException")
        self._clock.now += self._create
        self.taken.add(email)
        return "uuid-" + email

    def set_random_password(self, username: str) -> None:
        self._clock.now += self._create


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sign_up_service(clock: Clock, users: Users) -> SignUp:
    pacer = ResponsePacer(0.25, monotonic=clock.monotonic, sleep=clock.sleep)
    log = AccountLog(logging.getLogger("test.sign_up_pacing"))
    return SignUp(users, log, enabled=True, allowed_domains=(), pacer=pacer)  # type: ignore[arg-type]


def timed(clock: Clock, service: SignUp, email: str) -> float:
    started = clock.now
    service.sign_up(email, name="", locale="")
    return clock.now - started


def test_an_existing_address_waits_as_long_as_creating_one_takes(clock: Clock) -> None:
    users = Users(clock, create_seconds=0.2, exists_seconds=0.05)
    service = sign_up_service(clock, users)
    # Many creations teach the pacer what a creation costs (two calls of 0.2 s).
    created = [timed(clock, service, f"new{i}@example.com") for i in range(30)]
    existing = timed(clock, service, "new0@example.com")

    assert created[-1] == pytest.approx(0.4)
    assert existing == pytest.approx(0.4, abs=0.01)
    assert clock.slept[-1] == pytest.approx(0.35, abs=0.01)


def test_a_creation_is_never_slowed_down(clock: Clock) -> None:
    users = Users(clock, create_seconds=0.01, exists_seconds=0.0)
    service = sign_up_service(clock, users)

    assert timed(clock, service, "ann@example.com") == pytest.approx(0.02)
    assert clock.slept == []
