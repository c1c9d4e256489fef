"""CreateAuthChallenge and VerifyAuthChallengeResponse: event in, event out, and each one's refusal for
bad input. Define lives in passwordless.define_trigger, PreSignUp in passwordless.pre_sign_up_trigger,
PostAuthentication (which calls Cognito) in passwordless.post_authentication.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passwordless.errors import SignInRefused, SignInUnavailable, StorageUnavailable
from passwordless.events import MalformedEvent
from passwordless.trigger_requests import parse_create, parse_verify
from passwordless.trigger_response import Event, with_response

if TYPE_CHECKING:
    # Types only: each side is built where it is first used (passwordless.runtime), so create never
    # loads the checker and verify never loads the email rendering (jinja2).
    from passwordless.answer_checker import AnswerChecker
    from passwordless.binding import Binding
    from passwordless.challenge_issuer import ChallengeIssuer
    from passwordless.passkeys.sign_in import PasskeySignIn
    from passwordless.security_events import SecurityLog


def respond_to_create(
    event: Event, issuer: ChallengeIssuer, audit: SecurityLog, passkeys: PasskeySignIn | None = None
) -> Event:
    """`passkeys`: the passkey client's sign-in, None when passkeys are off."""
    try:
        request = parse_create(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="create", reason=str(error))
        raise SignInRefused from None
    serving = _passkeys_serving(request.context.binding, passkeys, audit)
    challenge = issuer.create(request) if serving is None else serving.create(request)
    return with_response(
        event,
        {
            "publicChallengeParameters": challenge.public,
            "privateChallengeParameters": challenge.private,
            "challengeMetadata": challenge.metadata,
        },
    )


def _passkeys_serving(
    binding: Binding, passkeys: PasskeySignIn | None, audit: SecurityLog
) -> PasskeySignIn | None:
    """`passkeys` if this is the passkey client's session, else None. Not knowing which client that
    is fails closed (create could not tell whether to email)."""
    try:
        return passkeys if passkeys is not None and passkeys.serves(binding) else None
    except StorageUnavailable as error:
        audit.event("unavailable", dependency="ssm", error=str(error))
        raise SignInUnavailable from None


def respond_to_verify(
    event: Event, checker: AnswerChecker, audit: SecurityLog, passkeys: PasskeySignIn | None = None
) -> Event:
    try:
        request = parse_verify(event)
    except MalformedEvent as error:
        audit.event("rejected", trigger="verify", reason=str(error))
        return with_response(event, {"answerCorrect": False})
    try:
        serving = _passkeys_serving(request.context.binding, passkeys, audit)
        correct = checker.check(request) if serving is None else serving.check(request)
    except StorageUnavailable as error:
        # Not "wrong answer": the person did nothing wrong. Fail closed with a retryable error.
        audit.event("unavailable", dependency="dynamodb", error=str(error))
        raise SignInUnavailable from None
    return with_response(event, {"answerCorrect": correct})
