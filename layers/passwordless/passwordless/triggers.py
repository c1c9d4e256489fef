"""Event in, event out: each trigger's parse -> rule -> response, and its refusal for bad input.

PostAuthentication, which calls Cognito, lives in passwordless.post_authentication.

The response object is always rebuilt from scratch, so nothing a caller pre-filled (an
`issueTokens: true`, say) can survive into what Cognito reads back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless.errors import SignInRefused, SignInUnavailable, StorageUnavailable
from passwordless.events import CUSTOM_CHALLENGE, MalformedEvent, parse_create, parse_define, parse_verify
from passwordless.session_rules import PASSWORD_VERIFIER, Decision, decide
from passwordless.sign_up_rules import SignUpRefused, decide_sign_up, parse_pre_sign_up

if TYPE_CHECKING:
    # Types only: define imports this module too, and must not load the issuer's email rendering
    # (jinja2) or the checker just to be named in signatures it never calls.
    from passwordless.answer_checker import AnswerChecker
    from passwordless.challenge_issuer import ChallengeIssuer
    from passwordless.security_events import SecurityLog
    from passwordless.session_rules import SessionLimits

Event = dict[str, Any]


def respond_to_define(
    event: Event, limits: SessionLimits, audit: SecurityLog, *, password_first: bool = False
) -> Event:
    """`password_first`: password-and-email-code mode (SRP_A, PASSWORD_VERIFIER, then our rounds)."""
    try:
        request = parse_define(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="define", reason=str(error))
        return _with_response(event, {"issueTokens": False, "failAuthentication": True})
    verdict = decide(
        request.session,
        user_not_found=request.context.user_not_found,
        resend_requested=request.context.resend_requested,
        limits=limits,
        password_first=password_first,
    )
    audit.event(
        "session_decided",
        decision=verdict.decision.value,
        reason=verdict.reason,
        rounds=len(request.session),
        client=request.context.binding.client_id,
    )
    response: dict[str, Any] = {
        "issueTokens": verdict.decision is Decision.TOKENS,
        "failAuthentication": verdict.decision is Decision.FAIL,
    }
    if verdict.decision is Decision.CHALLENGE:
        response["challengeName"] = CUSTOM_CHALLENGE
    elif verdict.decision is Decision.PASSWORD:
        response["challengeName"] = PASSWORD_VERIFIER
    return _with_response(event, response)


def respond_to_create(event: Event, issuer: ChallengeIssuer, audit: SecurityLog) -> Event:
    try:
        request = parse_create(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="create", reason=str(error))
        raise SignInRefused from None
    challenge = issuer.create(request)
    return _with_response(
        event,
        {
            "publicChallengeParameters": challenge.public,
            "privateChallengeParameters": challenge.private,
            "challengeMetadata": challenge.metadata,
        },
    )


def respond_to_verify(event: Event, checker: AnswerChecker, audit: SecurityLog) -> Event:
    try:
        request = parse_verify(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="verify", reason=str(error))
        return _with_response(event, {"answerCorrect": False})
    try:
        correct = checker.check(request)
    except StorageUnavailable as error:
        # Not "wrong answer": the person did nothing wrong. Fail closed with a retryable error.
        audit.event("unavailable", dependency="dynamodb", error=str(error))
        raise SignInUnavailable from None
    return _with_response(event, {"answerCorrect": correct})


def respond_to_pre_sign_up(event: Event, allowed_domains: tuple[str, ...], audit: SecurityLog) -> Event:
    """Allow (the response says what Cognito does automatically) or raise SignUpRefused."""
    try:
        request = parse_pre_sign_up(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="pre_sign_up", reason=str(error))
        raise SignUpRefused from None
    verdict = decide_sign_up(request, allowed_domains)
    audit.event(
        "sign_up_decided", source=request.source.value, allowed=verdict.allowed, reason=verdict.reason
    )
    if not verdict.allowed:
        raise SignUpRefused
    return _with_response(event, verdict.response())


def _with_response(event: object, response: dict[str, Any]) -> Event:
    if not isinstance(event, dict):
        return {"response": response}
    event["response"] = response
    return event
