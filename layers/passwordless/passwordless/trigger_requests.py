"""What create, verify and the user-level triggers (PreSignUp, PostAuthentication) are asked,
parsed from their events with the strict readers of passwordless.events.

Apart from events, which define loads, so that define's cold start defines only its own request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from passwordless.events import (
    MAX_USERNAME_LENGTH,
    ChallengeRecord,
    MalformedEvent,
    TriggerContext,
    object_field,
    root_and_request,
    session_of,
    string_map,
    text_field,
    trigger_context,
)


class UserEvent(NamedTuple):
    """The fields every user-level trigger (PreSignUp, PostAuthentication) carries."""

    trigger_source: str
    user_pool_id: str
    username: str
    client_id: str
    """callerContext.clientId; Cognito sends a placeholder when no app client applies."""
    attributes: Mapping[str, str]
    client_metadata: Mapping[str, str]


class CreateRequest(NamedTuple):
    context: TriggerContext
    session: tuple[ChallengeRecord, ...]
    email: str
    locale: str
    address_verified: bool = False
    """email_verified is "true": the address has proven its owner wants our mail (a sign-in by email
    did, or whoever created the account vouched for it)."""


class VerifyRequest(NamedTuple):
    context: TriggerContext
    private_parameters: Mapping[str, str]
    answer: str


def parse_create(event: object) -> CreateRequest:
    root, request = root_and_request(event)
    attributes = string_map(request, "userAttributes", required=False)
    return CreateRequest(
        context=trigger_context(root, request),
        session=session_of(request),
        email=attributes.get("email", ""),
        locale=attributes.get("locale", ""),
        address_verified=attributes.get("email_verified") == "true",
    )


def parse_verify(event: object) -> VerifyRequest:
    root, request = root_and_request(event)
    answer = request.get("challengeAnswer")
    if not isinstance(answer, str):
        raise MalformedEvent("request.challengeAnswer must be a string")
    return VerifyRequest(
        context=trigger_context(root, request),
        private_parameters=string_map(request, "privateChallengeParameters", required=False),
        answer=answer,
    )


def parse_user_event(event: object, trigger_prefix: str) -> UserEvent:
    """The common part of a PreSignUp or PostAuthentication event whose triggerSource starts with
    `trigger_prefix`. Attribute values are not judged here: a bad address is a rule's refusal."""
    root, request = root_and_request(event)
    trigger = text_field(root, "triggerSource")
    if not trigger.startswith(trigger_prefix):
        raise MalformedEvent("triggerSource is not one this trigger handles")
    return UserEvent(
        trigger_source=trigger,
        user_pool_id=text_field(root, "userPoolId"),
        username=text_field(root, "userName", MAX_USERNAME_LENGTH),
        client_id=text_field(object_field(root, "callerContext"), "clientId"),
        attributes=string_map(request, "userAttributes", required=True),
        client_metadata=string_map(request, "clientMetadata", required=False),
    )
