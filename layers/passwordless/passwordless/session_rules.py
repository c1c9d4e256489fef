"""DefineAuthChallenge: the session state machine, as a pure function of what Cognito tells define.

session so far                                   -> decision
----------------------------------------------------------------------------------------
any entry not our CUSTOM_CHALLENGE                 -> FAIL   (foreign or forged flow)
empty                                              -> CHALLENGE (first round)
last answer correct, user exists                   -> TOKENS
last answer correct, user not found                -> FAIL   (never tokens for no one)
resends beyond the per-session cap                 -> FAIL
wrong answers (resends excluded) reached the cap   -> FAIL
otherwise (a wrong answer or a resend request)     -> CHALLENGE
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from passwordless import round_metadata
from passwordless.events import CUSTOM_CHALLENGE, ChallengeRecord


class Decision(enum.Enum):
    CHALLENGE = "challenge"
    TOKENS = "tokens"
    FAIL = "fail"


@dataclass(frozen=True)
class SessionLimits:
    max_wrong_answers: int
    max_resends: int


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str


def decide(  # noqa: PLR0911 - one return per row of the table above
    session: tuple[ChallengeRecord, ...],
    *,
    user_not_found: bool,
    resend_requested: bool,
    limits: SessionLimits,
) -> Verdict:
    if any(entry.name != CUSTOM_CHALLENGE for entry in session):
        return _fail("unexpected_challenge")
    rounds = [round_metadata.decode(entry.metadata) for entry in session]
    if any(r is None for r in rounds):
        return _fail("foreign_metadata")
    if not session:
        return _challenge("first_round")
    if session[-1].result:
        return _fail("user_not_found") if user_not_found else Verdict(Decision.TOKENS, "answer_correct")
    # Entry i was a resend request when round i+1 was issued as a resend; the latest entry's request
    # is only visible in this call's clientMetadata.
    was_resend = [r is not None and r.kind == "resend" for r in rounds[1:]] + [resend_requested]
    resends = sum(was_resend)
    wrong = sum(
        1 for entry, resend in zip(session, was_resend, strict=True) if not resend and not entry.result
    )
    if resends > limits.max_resends:
        return _fail("too_many_resends")
    if wrong >= limits.max_wrong_answers:
        return _fail("too_many_wrong_answers")
    return _challenge("resend" if was_resend[-1] else "retry")


def _challenge(reason: str) -> Verdict:
    return Verdict(Decision.CHALLENGE, reason)


def _fail(reason: str) -> Verdict:
    return Verdict(Decision.FAIL, reason)
