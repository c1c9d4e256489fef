"""PreSignUp's event in, event out: parse, passwordless.sign_up_rules' verdict, the response or the
one generic refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from passwordless.events import MalformedEvent
from passwordless.sign_up_rules import SignUpRefused, decide_sign_up, parse_pre_sign_up
from passwordless.trigger_response import Event, with_response

if TYPE_CHECKING:
    from passwordless.security_events import SecurityLog


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
    return with_response(event, verdict.response())
