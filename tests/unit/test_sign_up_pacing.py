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


class Budget:
    """The per-source budget, with room for `room` more sign-ups (its storage costs no clock time)."""

    def __init__(self, room: int) -> None:
        self.room = room

    def spend_for_source(self, source: str) -> bool:
        self.room -= 1
        return self.room >= 0


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sign_up_service(clock: Clock, users: Users, budget: Budget | None = None) -> SignUp:
    pacer = ResponsePacer(0.25, monotonic=clock.monotonic, sleep=clock.sleep, spread_seconds=0)
    log = AccountLog(logging.getLogger("test.sign_up_pacing"))
    return SignUp(users, log, budget or Budget(1000), enabled=True, allowed_domains=(), pacer=pacer)  # type: ignore[arg-type]


def timed(clock: Clock, service: SignUp, email: str) -> float:
    started = clock.now
    service.sign_up(email, name="", locale="", source="192.0.2.7")
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


def test_over_its_budget_a_source_waits_as_long_as_creating_takes_and_creates_nothing(clock: Clock) -> None:
    users = Users(clock, create_seconds=0.2, exists_seconds=0.05)
    service = sign_up_service(clock, users, Budget(30))
    created = [timed(clock, service, f"new{i}@example.com") for i in range(30)]
    refused = timed(clock, service, "stranger@example.com")

    assert created[-1] == pytest.approx(0.4)
    assert refused == pytest.approx(0.4, abs=0.01)
    assert "stranger@example.com" not in users.taken


def test_a_first_creation_is_not_slowed_down(clock: Clock) -> None:
    users = Users(clock, create_seconds=0.01, exists_seconds=0.0)
    service = sign_up_service(clock, users)

    assert timed(clock, service, "ann@example.com") == pytest.approx(0.02)
    assert clock.slept == []


def test_every_call_answers_at_the_99th_percentile_of_recent_sending_calls(clock: Clock) -> None:
    """Under a skewed provider (most sends quick, one in a hundred slow) quiet and sending calls alike
    answer at the floor; only a send slower than the floor shows, and a quiet call never passes it."""
    pacer = ResponsePacer(0.25, monotonic=clock.monotonic, sleep=clock.sleep, spread_seconds=0)

    def call(seconds: float, *, sends: bool) -> float:
        started = pacer.start()
        clock.now += seconds
        if sends:
            pacer.observe_sending_call(started)
        else:
            pacer.pad_quiet_call(started)
        return clock.now - started

    quick = [0.1 + i / 1000 for i in range(199)]
    sending = [call(seconds, sends=True) for seconds in quick] + [call(2.0, sends=True)]
    floor = sorted([*quick, 2.0])[197]  # the 99th percentile of the 200 sends: a quick one
    quiet = [call(0.001, sends=False) for _ in range(20)]
    quick_send = call(0.05, sends=True)

    assert quiet == [pytest.approx(floor)] * 20  # not the 2 s outlier, not the sends' median
    assert quick_send == pytest.approx(floor)
    assert sending[-1] == pytest.approx(2.0)


def test_each_answer_lands_at_a_random_point_of_the_window_above_the_floor(clock: Clock) -> None:
    """Against a floor alone, a sub-millisecond difference outside the function would show."""
    pacer = ResponsePacer(0.25, monotonic=clock.monotonic, sleep=clock.sleep, spread_seconds=0.02)

    times = []
    for _ in range(200):
        started = pacer.start()
        pacer.pad_quiet_call(started)
        times.append(clock.now - started)

    assert all(0.25 <= t <= 0.27 for t in times)
    assert max(times) - min(times) > 0.015  # spread over the window, not stuck at one point
    assert len({round(t, 6) for t in times}) > 150
