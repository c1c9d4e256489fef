"""PreSignUp: who may become a user, as a pure function of the event and the allowed domains.

trigger source                 domain check                       response
------------------------------------------------------------------------------------------------
PreSignUp_SignUp               always                             autoConfirmUser, email unverified
PreSignUp_AdminCreateUser      only for clientMetadata.signUp     nothing automatic
                               == "self" (the account API's
                               self sign-up); admins invite anyone
PreSignUp_ExternalProvider     always                             nothing automatic

Every source is refused for a missing or malformed email (passwordless.addresses) and for a name over
MAX_NAME_LENGTH characters or with control characters. The email stays unverified: the
PostAuthentication trigger verifies it once an emailed code or link has proved the address.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from passwordless.addresses import BadAddress, domain_of
from passwordless.events import MalformedEvent
from passwordless.trigger_requests import UserEvent, parse_user_event

TRIGGER_PREFIX = "PreSignUp_"
SELF_SIGN_UP_KEY = "signUp"
SELF_SIGN_UP_VALUE = "self"
MAX_NAME_LENGTH = 256


class Source(enum.Enum):
    SIGN_UP = "PreSignUp_SignUp"
    ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
    EXTERNAL_PROVIDER = "PreSignUp_ExternalProvider"


class SignUpRefused(ValueError):
    """Cognito shows this text as "PreSignUp failed with error <text>.": it is the same for every
    reason, so it tells a caller nothing about which rule refused or what the pool holds."""

    def __init__(self) -> None:
        super().__init__("Sign-up is not possible with these details.")


@dataclass(frozen=True)
class SignUpRequest:
    source: Source
    user: UserEvent

    @property
    def self_service(self) -> bool:
        return self.user.client_metadata.get(SELF_SIGN_UP_KEY) == SELF_SIGN_UP_VALUE


@dataclass(frozen=True)
class SignUpVerdict:
    allowed: bool
    reason: str
    auto_confirm: bool = False

    def response(self) -> dict[str, bool]:
        """The whole PreSignUp response: email and phone are never verified here."""
        return {"autoConfirmUser": self.auto_confirm, "autoVerifyEmail": False, "autoVerifyPhone": False}


def parse_pre_sign_up(event: object) -> SignUpRequest:
    user = parse_user_event(event, TRIGGER_PREFIX)
    try:
        source = Source(user.trigger_source)
    except ValueError:
        raise MalformedEvent("triggerSource is not a PreSignUp source") from None
    return SignUpRequest(source, user)


def decide_sign_up(request: SignUpRequest, allowed_domains: tuple[str, ...]) -> SignUpVerdict:
    try:
        domain = domain_of(request.user.attributes.get("email"))
    except BadAddress:
        return _refuse("bad_email")
    if not _is_acceptable_name(request.user.attributes.get("name", "")):
        return _refuse("bad_name")
    checks_domain = request.source is not Source.ADMIN_CREATE_USER or request.self_service
    if checks_domain and allowed_domains and domain not in allowed_domains:
        return _refuse("domain_not_allowed")
    if request.source is Source.SIGN_UP:
        return SignUpVerdict(allowed=True, reason="self_sign_up", auto_confirm=True)
    if request.source is Source.ADMIN_CREATE_USER:
        return SignUpVerdict(allowed=True, reason="self_sign_up" if request.self_service else "invited")
    return SignUpVerdict(allowed=True, reason="external_provider")


def _is_acceptable_name(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and name.isprintable()


def _refuse(reason: str) -> SignUpVerdict:
    return SignUpVerdict(allowed=False, reason=reason)
