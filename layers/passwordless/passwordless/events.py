"""Strict parsing of the Cognito trigger events into plain, typed data: the readers every trigger's
event is read with, and define's request (the other triggers' are in trigger_requests).

Powertools' data classes are thin views that trust the event; its pydantic models reject the
CUSTOM_CHALLENGE entries these triggers see. Here every field the rules read is type-checked once,
and anything off raises MalformedEvent, which each trigger turns into its own generic refusal.
"""

# No `from __future__ import annotations` here: typing.NamedTuple turns each string annotation
# into a compiled ForwardRef when the module is imported, a cost define's cold start would pay.

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


class DefineRequest(NamedTuple):
    context: TriggerContext
    session: tuple[ChallengeRecord, ...]


def parse_define(event: object) -> DefineRequest:
    root, request = root_and_request(event)
    return DefineRequest(trigger_context(root, request), session_of(request))


def root_and_request(event: object) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(event, dict):
        raise MalformedEvent("the event must be a JSON object")
    request = event.get("request")
    if not isinstance(request, dict):
        raise MalformedEvent("request must be an object")
    if not isinstance(event.get("response", {}), dict):
        raise MalformedEvent("response must be an object")
    return event, request


def trigger_context(root: Mapping[str, Any], request: Mapping[str, Any]) -> TriggerContext:
    caller = object_field(root, "callerContext")
    user_not_found = request.get("userNotFound", False)
    if not isinstance(user_not_found, bool):
        raise MalformedEvent("request.userNotFound must be a boolean")
    binding = Binding(
        user_pool_id=text_field(root, "userPoolId"),
        client_id=text_field(caller, "clientId"),
        username=text_field(root, "userName", MAX_USERNAME_LENGTH),
    )
    return TriggerContext(binding, user_not_found, string_map(request, "clientMetadata", required=False))


def object_field(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = container.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"{key} must be an object")
    return value


def session_of(request: Mapping[str, Any]) -> tuple[ChallengeRecord, ...]:
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
    return ChallengeRecord(text_field(entry, "challengeName"), result, metadata)


def text_field(container: Mapping[str, Any], key: str, max_length: int = MAX_FIELD_LENGTH) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise MalformedEvent(f"{key} must be a non-empty string")
    return value


def string_map(container: Mapping[str, Any], key: str, *, required: bool) -> Mapping[str, str]:
    value = container.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_FIELD_LENGTH for k, v in value.items()
    ):
        raise MalformedEvent(f"{key} must be an object of strings")
    return value
