"""A plain model of one user's sign-in state, written from docs/security/requirements.md and the rule
tables rather than from the code, so the state-machine test (tests/security/test_state_machine.py) can
predict every step and then compare the prediction with what the real triggers stored and sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from passwordless.settings import Settings
from tests.support.cognito import Outcome

HOUR_MS = 3_600_000
RoundKind = Literal["first", "retry", "resend"]
CreatePlan = Literal["issue", "reuse", "decoy"]
SessionState = Literal["challenge", "tokens", "failed"]
AnswerKind = Literal["code", "token"]


@dataclass
class Secret:
    """One issued secret, with the values its email carried."""

    secret_id: str
    code: str
    token: str
    issued_ms: int
    expires_ms: int
    consumed_at_ms: int | None = None
    successes: int = 0  # observed sign-ins with it; the invariant is that this never passes 1


@dataclass
class Session:
    """One Cognito session, as the test drove it."""

    outcome: Outcome
    secret_id: str | None  # the secret its private parameters carry; None for a decoy
    expires_ms: int  # the expiry in those parameters
    wrong: int = 0
    resends: int = 0
    state: SessionState = "challenge"
    requests: list[bool] = field(default_factory=list)  # per answer sent: was it a resend request?


@dataclass
class UserModel:
    settings: Settings
    now_ms: int
    secrets: list[Secret] = field(default_factory=list)  # in the order their emails went out
    stored_id: str | None = None  # the secret in the user's item, spent or not
    has_item: bool = False
    code_failures: int = 0
    last_email_ms: int = 0

    def secret(self, secret_id: str | None) -> Secret | None:
        return next((s for s in self.secrets if s.secret_id == secret_id), None)

    def live(self) -> Secret | None:
        stored = self.secret(self.stored_id)
        if stored is None or stored.consumed_at_ms is not None or self.now_ms >= stored.expires_ms:
            return None
        return stored

    def code_locked(self) -> bool:
        return self.code_failures >= self.settings.max_code_failures

    def plan_create(self, kind: RoundKind) -> CreatePlan:
        """A live secret is reused except on resend; a resend or first round emails unless throttled."""
        live = self.live()
        if live is not None and kind != "resend":
            return "reuse"
        if kind == "retry" or (self.has_item and self._throttled()):
            return "reuse" if live is not None else "decoy"
        return "issue"

    def emails_in_the_hour(self) -> list[int]:
        """When the emails of the rolling hour that ends now went out."""
        return [s.issued_ms for s in self.secrets if self.now_ms - s.issued_ms < HOUR_MS]

    def _throttled(self) -> bool:
        too_soon = self.now_ms - self.last_email_ms < self.settings.resend_min_seconds * 1000
        hour_full = len(self.emails_in_the_hour()) >= self.settings.max_emails_per_hour
        return too_soon or hour_full

    def record_issue(self, secret: Secret) -> None:
        self.last_email_ms = self.now_ms
        self.stored_id, self.has_item = secret.secret_id, True
        self.secrets.append(secret)

    def verify(self, session: Session, kind: AnswerKind, used: Secret | None, *, resend: bool) -> bool:
        """answerCorrect as verify must give it, with its stored effects applied to the model.

        `used` is the secret whose code or token was typed; None for a value matching no secret."""
        if resend or self.now_ms >= session.expires_ms:
            return False  # a resend is not an answer; an expired challenge counts nothing
        if used is None or used.secret_id != session.secret_id:
            if self.has_item:
                self.code_failures += 1  # every wrong answer counts, code or link
            return False
        usable = (
            used.secret_id == self.stored_id
            and used.consumed_at_ms is None
            and self.now_ms < used.expires_ms
            and (kind == "token" or not self.code_locked())
        )
        if usable:
            used.consumed_at_ms = self.now_ms
            self.code_failures = 0
            self.last_email_ms = 0  # signing in proves the mailbox: the next email need not wait
        return usable

    def define(self, session: Session, *, correct: bool, resend: bool) -> SessionState:
        session.requests.append(resend)
        if correct:
            return "tokens"
        if resend:
            session.resends += 1
        else:
            session.wrong += 1
        over = (
            session.resends > self.settings.max_resends_per_session
            or session.wrong >= self.settings.max_answers_per_session
        )
        return "failed" if over else "challenge"
