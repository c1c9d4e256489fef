"""The real create/verify services over moto, wired to a Cognito stand-in, with knobs for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from passwordless.answer_checker import AnswerChecker
from passwordless.challenge_issuer import ChallengeIssuer
from passwordless.define_trigger import respond_to_define
from passwordless.email import EmailSender
from passwordless.keyed_hash import KeyedHasher
from passwordless.response_pacer import ResponsePacer
from passwordless.secret_store import SecretStore
from passwordless.security_events import SecurityLog
from passwordless.session_rules import SessionLimits
from passwordless.settings import Settings
from passwordless.stranger_budget import StrangerBudget
from passwordless.triggers import respond_to_create, respond_to_verify
from tests.support.cognito import Cognito, User
from tests.support.fakes import FakeClock, RecordingLogger, RecordingSender

JANE = User("7d1c0a7e-0000-4000-8000-00000000jane", "jane@example.com")
JOHN = User("7d1c0a7e-0000-4000-8000-00000000john", "john@example.com", locale="de-AT")


@dataclass
class Flow:
    cognito: Cognito
    issuer: ChallengeIssuer
    checker: AnswerChecker
    settings: Settings
    store: SecretStore
    sender: RecordingSender
    clock: FakeClock
    log: RecordingLogger

    def code(self, index: int = -1) -> str:
        return self.sender.sent[index].code

    def token(self, index: int = -1) -> str:
        link = self.sender.sent[index].link
        return link.split("t=", 1)[1]


def build_flow(
    settings: Settings,
    store: SecretStore,
    hasher: KeyedHasher,
    *,
    sender: RecordingSender | None = None,
    clock: FakeClock | None = None,
    log: RecordingLogger | None = None,
    pacer: ResponsePacer | None = None,
    delivery: EmailSender | None = None,
    budget: StrangerBudget | None = None,
    **overrides: Any,
) -> Flow:
    settings = settings._replace(**overrides)
    sender = sender or RecordingSender()
    clock = clock or FakeClock(1_800_000_000.0)
    log = log or RecordingLogger()
    audit = SecurityLog(log)
    # No padding by default: these tests are about state, not time (the timing test sets its own pacer).
    pacer = pacer or ResponsePacer(0.0, sleep=lambda _: None)
    # `delivery` puts a real provider client behind the seam; `sender` then records nothing.
    issuer = ChallengeIssuer(
        settings, store, hasher, delivery or sender, audit, budget=budget, clock=clock, pacer=pacer
    )
    checker = AnswerChecker(settings, store, hasher, audit, clock=clock)
    limits = SessionLimits(settings.max_answers_per_session, settings.max_resends_per_session)

    def invoke(trigger: str, event: dict[str, Any]) -> dict[str, Any]:
        if trigger == "define":
            return respond_to_define(event, limits, audit)
        if trigger == "create":
            return respond_to_create(event, issuer, audit)
        return respond_to_verify(event, checker, audit)

    cognito = Cognito(invoke)
    cognito.add_user(JANE)
    cognito.add_user(JOHN)
    return Flow(cognito, issuer, checker, settings, store, sender, clock, log)


@pytest.fixture
def flow(aws: Settings, store: SecretStore, hasher: KeyedHasher) -> Flow:
    return build_flow(aws, store, hasher)
