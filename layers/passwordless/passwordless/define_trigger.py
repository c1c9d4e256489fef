"""DefineAuthChallenge's event in, event out: parse, the session rules' verdict, the response.

Apart from the other triggers' so that define's cold start loads only what it uses: no hashing, no
AWS client, no email or sign-up rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passwordless.events import CUSTOM_CHALLENGE, MalformedEvent, parse_define
from passwordless.session_rules import PASSWORD_VERIFIER, Decision, decide
from passwordless.trigger_response import Event, with_response

if TYPE_CHECKING:
    from passwordless.security_events import SecurityLog
    from passwordless.session_rules import SessionLimits


def respond_to_define(
    event: Event, limits: SessionLimits, audit: SecurityLog, *, password_first: bool = False
) -> Event:
    """`password_first`: password-and-email-code mode (SRP_A, PASSWORD_VERIFIER, then our rounds)."""
    try:
        request = parse_define(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="define", reason=str(error))
        return with_response(event, {"issueTokens": False, "failAuthentication": True})
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
    return with_response(event, response)
