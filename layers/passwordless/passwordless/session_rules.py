"""DefineAuthChallenge: the session state machine, as a pure function of what Cognito tells define.

session so far                                   -> decision
----------------------------------------------------------------------------------------
any entry not our CUSTOM_CHALLENGE                 -> FAIL   (foreign or forged flow)
any entry whose metadata is not ours              -> FAIL
empty                                              -> CHALLENGE (first round)
two session nonces, or a right answer before last  -> FAIL   (no session of ours looks like that)
last answer correct, user not found                -> FAIL   (never tokens for no one)
last answer correct, but define had already failed
  the session before it (a cap) or it is a resend  -> FAIL   (only an answer define asked for counts)
last answer correct, user exists                   -> TOKENS
resends beyond the per-session cap                 -> FAIL
wrong answers (resends excluded) reached the cap   -> FAIL
otherwise (a wrong answer or a resend request)     -> CHALLENGE

Cognito keeps the session list, so the FAIL rows for lists it could never hold are defence in depth:
they hold even if the list is replayed, forged upstream or outlives a lowered cap.
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
    rounds = [r for r in (round_metadata.decode(entry.metadata) for entry in session) if r is not None]
    if len(rounds) != len(session):
        return _fail("foreign_metadata")
    if not session:
        return _challenge("first_round")
    if len({r.nonce for r in rounds}) != 1 or any(entry.result for entry in session[:-1]):
        return _fail("inconsistent_session")
    # Entry i was a resend request when round i+1 was issued as a resend; the latest entry's request
    # is only visible in this call's clientMetadata.
    was_resend = [r.kind == "resend" for r in rounds[1:]] + [resend_requested]
    if session[-1].result:
        if user_not_found:
            return _fail("user_not_found")
        # The call before this one must have asked for the answer: the caps held until then.
        if resend_requested or _broken_cap(session[:-1], was_resend[:-1], limits):
            return _fail("answer_not_asked_for")
        return Verdict(Decision.TOKENS, "answer_correct")
    broken = _broken_cap(session, was_resend, limits)
    if broken:
        return _fail(broken)
    return _challenge("resend" if was_resend[-1] else "retry")


def _broken_cap(session: tuple[ChallengeRecord, ...], was_resend: list[bool], limits: SessionLimits) -> str:
    """The cap these entries break ("" for none): resends, and wrong answers with resends excluded."""
    wrong = sum(
        1 for entry, resend in zip(session, was_resend, strict=True) if not resend and not entry.result
    )
    if sum(was_resend) > limits.max_resends:
        return "too_many_resends"
    if wrong >= limits.max_wrong_answers:
        return "too_many_wrong_answers"
    return ""


def _challenge(reason: str) -> Verdict:
    return Verdict(Decision.CHALLENGE, reason)


def _fail(reason: str) -> Verdict:
    return Verdict(Decision.FAIL, reason)
