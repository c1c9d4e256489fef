"""DefineAuthChallenge: the session state machine, as a pure function of what Cognito tells define.

In password-and-email-code mode (SIGN_IN_MODE; Amplify's CUSTOM_WITH_SRP) the password comes first:

session so far (password mode)                     -> decision
----------------------------------------------------------------------------------------
empty                                              -> FAIL   (the password step is not optional)
[SRP_A ok]                                         -> PASSWORD_VERIFIER
[SRP_A ok, PASSWORD_VERIFIER ok] + custom rounds   -> the table below, on the custom rounds alone
any other start (a failed or missing password step,
  custom rounds first, SRP entries after them)     -> FAIL

session so far (email mode; password mode's custom rounds) -> decision
----------------------------------------------------------------------------------------
any entry not our CUSTOM_CHALLENGE                 -> FAIL   (foreign or forged flow; in email
                                                              mode that includes every SRP entry)
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

# No `from __future__ import annotations` here: typing.NamedTuple turns each string annotation
# into a compiled ForwardRef when the module is imported, a cost define's cold start would pay.

import enum
from typing import NamedTuple

from passwordless import round_metadata
from passwordless.events import CUSTOM_CHALLENGE, ChallengeRecord

SRP_A = "SRP_A"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105  # nosec B105 - a challenge name, not a password
_PASSWORD_STEPS = [(SRP_A, True), (PASSWORD_VERIFIER, True)]


class Decision(enum.Enum):
    CHALLENGE = "challenge"
    PASSWORD = "password"  # noqa: S105  # nosec B105 - a decision: ask for PASSWORD_VERIFIER
    TOKENS = "tokens"
    FAIL = "fail"


class SessionLimits(NamedTuple):
    max_wrong_answers: int
    max_resends: int


class Verdict(NamedTuple):
    decision: Decision
    reason: str


def decide(
    session: tuple[ChallengeRecord, ...],
    *,
    user_not_found: bool,
    resend_requested: bool,
    limits: SessionLimits,
    password_first: bool = False,
) -> Verdict:
    if not password_first:
        return _decide_custom(
            session, user_not_found=user_not_found, resend_requested=resend_requested, limits=limits
        )
    if not session:
        return _fail("password_required")
    steps = [(entry.name, entry.result) for entry in session[: len(_PASSWORD_STEPS)]]
    if steps == _PASSWORD_STEPS[:1] and len(session) == 1:
        return Verdict(Decision.PASSWORD, "password_step")
    if steps != _PASSWORD_STEPS:
        return _fail("password_step_failed")
    custom = session[len(_PASSWORD_STEPS) :]
    if not custom:
        return _challenge("first_round")
    return _decide_custom(
        custom, user_not_found=user_not_found, resend_requested=resend_requested, limits=limits
    )


def _decide_custom(  # noqa: PLR0911 - one return per row of the table above
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
