"""Strict parsing of the Cognito trigger events into plain, typed data.

Powertools' data classes are thin views that trust the event; its pydantic models reject the
CUSTOM_CHALLENGE entries these triggers see. Here every field the rules read is type-checked once,
and anything off raises MalformedEvent, which each trigger turns into its own generic refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from passwordless.binding import Binding

MAX_SESSION_ENTRIES = 64
MAX_ANSWER_LENGTH = 256
MAX_FIELD_LENGTH = 2048
MAX_USERNAME_LENGTH = 128  # Cognito's own limit; also keeps every table key well inside DynamoDB's.
RESEND_KEY = "resend"
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"


class MalformedEvent(ValueError):
    """The event is not shaped as Cognito shapes it. The message names a field, never a value."""


class ChallengeRecord(NamedTuple):
    name: str
    result: bool
    metadata: str


class TriggerContext(NamedTuple):
    binding: Binding
    user_not_found: bool
    client_metadata: Mapping[str, str]

    @property
    def resend_requested(self) -> bool:
        return self.client_metadata.get(RESEND_KEY) == "true"


class UserEvent(NamedTuple):
    """The fields every user-level trigger (PreSignUp, PostAuthentication) carries."""

    trigger_source: str
    user_pool_id: str
    username: str
    client_id: str
    """callerContext.clientId; Cognito sends a placeholder when no app client applies."""
    attributes: Mapping[str, str]
    client_metadata: Mapping[str, str]


class DefineRequest(NamedTuple):
    context: TriggerContext
    session: tuple[ChallengeRecord, ...]


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


def parse_define(event: object) -> DefineRequest:
    root, request = _root_and_request(event)
    return DefineRequest(_context(root, request), _session(request))


def parse_create(event: object) -> CreateRequest:
    root, request = _root_and_request(event)
    attributes = _string_map(request, "userAttributes", required=False)
    return CreateRequest(
        context=_context(root, request),
        session=_session(request),
        email=attributes.get("email", ""),
        locale=attributes.get("locale", ""),
        address_verified=attributes.get("email_verified") == "true",
    )


def parse_verify(event: object) -> VerifyRequest:
    root, request = _root_and_request(event)
    answer = request.get("challengeAnswer")
    if not isinstance(answer, str):
        raise MalformedEvent("request.challengeAnswer must be a string")
    return VerifyRequest(
        context=_context(root, request),
        private_parameters=_string_map(request, "privateChallengeParameters", required=False),
        answer=answer,
    )


def parse_user_event(event: object, trigger_prefix: str) -> UserEvent:
    """The common part of a PreSignUp or PostAuthentication event whose triggerSource starts with
    `trigger_prefix`. Attribute values are not judged here: a bad address is a rule's refusal."""
    root, request = _root_and_request(event)
    trigger = _text(root, "triggerSource")
    if not trigger.startswith(trigger_prefix):
        raise MalformedEvent("triggerSource is not one this trigger handles")
    return UserEvent(
        trigger_source=trigger,
        user_pool_id=_text(root, "userPoolId"),
        username=_text(root, "userName", MAX_USERNAME_LENGTH),
        client_id=_text(_object(root, "callerContext"), "clientId"),
        attributes=_string_map(request, "userAttributes", required=True),
        client_metadata=_string_map(request, "clientMetadata", required=False),
    )


def _root_and_request(event: object) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(event, dict):
        raise MalformedEvent("the event must be a JSON object")
    request = event.get("request")
    if not isinstance(request, dict):
        raise MalformedEvent("request must be an object")
    if not isinstance(event.get("response", {}), dict):
        raise MalformedEvent("response must be an object")
    return event, request


def _context(root: Mapping[str, Any], request: Mapping[str, Any]) -> TriggerContext:
    caller = _object(root, "callerContext")
    user_not_found = request.get("userNotFound", False)
    if not isinstance(user_not_found, bool):
        raise MalformedEvent("request.userNotFound must be a boolean")
    binding = Binding(
        user_pool_id=_text(root, "userPoolId"),
        client_id=_text(caller, "clientId"),
        username=_text(root, "userName", MAX_USERNAME_LENGTH),
    )
    return TriggerContext(binding, user_not_found, _string_map(request, "clientMetadata", required=False))


def _object(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = container.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"{key} must be an object")
    return value


def _session(request: Mapping[str, Any]) -> tuple[ChallengeRecord, ...]:
    session = request.get("session", [])
    if not isinstance(session, list) or len(session) > MAX_SESSION_ENTRIES:
        raise MalformedEvent("request.session must be a list of challenge results")
    return tuple(_challenge_record(entry) for entry in session)


def _challenge_record(entry: object) -> ChallengeRecord:
    if not isinstance(entry, dict):
        raise MalformedEvent("request.session entries must be objects")
    result = entry.get("challengeResult")
    if not isinstance(result, bool):
        raise MalformedEvent("challengeResult must be a boolean")
    metadata = entry.get("challengeMetadata") or ""
    if not isinstance(metadata, str) or len(metadata) > MAX_FIELD_LENGTH:
        raise MalformedEvent("challengeMetadata must be a string")
    return ChallengeRecord(_text(entry, "challengeName"), result, metadata)


def _text(container: Mapping[str, Any], key: str, max_length: int = MAX_FIELD_LENGTH) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise MalformedEvent(f"{key} must be a non-empty string")
    return value


def _string_map(container: Mapping[str, Any], key: str, *, required: bool) -> Mapping[str, str]:
    value = container.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_FIELD_LENGTH for k, v in value.items()
    ):
        raise MalformedEvent(f"{key} must be an object of strings")
    return value
