"""The Cognito admin calls the account API makes, and their failures as our own small exceptions.

botocore's errors carry the request (addresses, passwords) in their text; only the error's code
name is kept here, so nothing a caller sent can reach a log or a response through an exception.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

SELF_SIGN_UP_METADATA = {"signUp": "self"}  # PreSignUp checks the domain only for these creations
RANDOM_PASSWORD_BYTES = 36  # 48 URL-safe characters, never stored or shown: the account has no password


class UserAdminError(Exception):
    """A Cognito admin call failed; `code` is the error's name, never its message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class UserExists(UserAdminError):
    """An account already has that username or address."""


class NoSuchUser(UserAdminError):
    """The user does not exist (any more)."""


class AddressTaken(UserAdminError):
    """Another account holds the address."""


class PasswordRejected(UserAdminError):
    """The pool's password policy refused the password."""


class CognitoRefused(UserAdminError):
    """Cognito refused the request as given: a PreSignUp refusal, bad parameters, wrong credentials."""


class CognitoUnavailable(UserAdminError):
    """Cognito (or its network) failed; the call may be retried."""


MAX_FILTER_LENGTH = 256  # ListUsers' Filter, as Cognito validates it

_BY_CODE: Mapping[str, type[UserAdminError]] = {
    "UsernameExistsException": UserExists,
    "UserNotFoundException": NoSuchUser,
    "AliasExistsException": AddressTaken,
    "InvalidPasswordException": PasswordRejected,
    "InvalidParameterException": CognitoRefused,
    "UserLambdaValidationException": CognitoRefused,
    "NotAuthorizedException": CognitoRefused,
    "PasswordResetRequiredException": CognitoRefused,
    "UserNotConfirmedException": CognitoRefused,
}


@dataclass(frozen=True)
class PoolUser:
    username: str
    email: str
    locale: str
    status: str
    enabled: bool


@dataclass(frozen=True)
class Tokens:
    """Cognito's AuthenticationResult, passed through to the one caller who completed the flow."""

    fields: Mapping[str, str | int]

    def __repr__(self) -> str:
        return "Tokens(<redacted>)"


class UserAdmin:
    def __init__(self, client: CognitoIdentityProviderClient, user_pool_id: str, client_id: str) -> None:
        self._cognito = client
        self._pool = user_pool_id
        self._client_id = client_id

    def create_user(self, email: str, *, name: str, locale: str, self_sign_up: bool) -> str:
        """A new user with Cognito's own message suppressed; returns the username Cognito gave it."""
        attributes: list[AttributeTypeTypeDef] = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "false"},
        ]
        if name:
            attributes.append({"Name": "name", "Value": name})
        if locale:
            attributes.append({"Name": "locale", "Value": locale})
        try:
            response = self._cognito.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
                ClientMetadata=dict(SELF_SIGN_UP_METADATA) if self_sign_up else {},
            )
        except (ClientError, BotoCoreError) as error:
            _raise_as_our_own(error)
        return response["User"]["Username"]

    def set_random_password(self, username: str) -> None:
        """CONFIRMED with a password nobody knows: the user signs in by email only."""
        self.set_password(username, _random_password(), permanent=True)

    def set_password(self, username: str, password: str, *, permanent: bool) -> None:
        try:
            self._cognito.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=permanent
            )
        except (ClientError, BotoCoreError) as error:
            _raise_as_our_own(error)

    def roll_back(self, username: str) -> str | None:
        """Delete a user this API has just half-made; None when gone, else the error's code name
        (the caller is already failing, and says so; this must not raise over it)."""
        try:
            self._cognito.admin_delete_user(UserPoolId=self._pool, Username=username)
        except (ClientError, BotoCoreError) as error:
            return _code(error)
        return None

    def get_user(self, username: str) -> PoolUser | None:
        try:
            response = self._cognito.admin_get_user(UserPoolId=self._pool, Username=username)
        except (ClientError, BotoCoreError) as error:
            if _code(error) == "UserNotFoundException":
                return None
            _raise_as_our_own(error)
        return _pool_user(
            response["Username"],
            response.get("UserAttributes", []),
            response.get("UserStatus", ""),
            enabled=response.get("Enabled", True),
        )

    def find_by_email(self, email: str) -> PoolUser | None:
        """The user holding `email` (already normalised: it can hold no quote to escape the filter).

        None, without asking, for an address too long for ListUsers' filter (Cognito refuses one over
        256 characters, which an address over 246 makes): no sign-up or invitation can hold it, since
        AdminCreateUser takes the address as the Username, at most 128 characters."""
        query = f'email = "{email}"'
        if len(query) > MAX_FILTER_LENGTH:
            return None
        try:
            response = self._cognito.list_users(UserPoolId=self._pool, Filter=query, Limit=2)
        except (ClientError, BotoCoreError) as error:
            _raise_as_our_own(error)
        for user in response.get("Users", []):
            found = _pool_user(
                user.get("Username", ""),
                user.get("Attributes", []),
                user.get("UserStatus", ""),
                enabled=user.get("Enabled", True),
            )
            # The filter's match is Cognito's; the address must be exactly this one to count.
            if found.email == email:
                return found
        return None

    def change_email(self, username: str, email: str) -> None:
        """The new address, verified (the caller has just proved it reads that mailbox)."""
        try:
            self._cognito.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
        except (ClientError, BotoCoreError) as error:
            _raise_as_our_own(error)

    def complete_new_password(self, username: str, temporary: str, new_password: str) -> Tokens:
        """Sign in with the temporary password and answer NEW_PASSWORD_REQUIRED with the chosen one."""
        try:
            started = self._cognito.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": temporary},
            )
            if started.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
                raise CognitoRefused("UnexpectedChallenge")
            answered = self._cognito.admin_respond_to_auth_challenge(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=started["Session"],
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except (ClientError, BotoCoreError) as error:
            _raise_as_our_own(error)
        result = answered.get("AuthenticationResult")
        if result is None:
            raise CognitoRefused("UnexpectedChallenge")
        return Tokens({key: value for key, value in result.items() if isinstance(value, str | int)})


def _random_password() -> str:
    # Fixed classes satisfy any password policy; the randomness is all in the token.
    return "Aa1!" + secrets.token_urlsafe(RANDOM_PASSWORD_BYTES)


def _pool_user(
    username: str, attributes: list[AttributeTypeTypeDef], status: str, *, enabled: bool
) -> PoolUser:
    values = {attribute["Name"]: attribute.get("Value", "") for attribute in attributes}
    return PoolUser(
        username=username,
        email=values.get("email", "").lower(),
        locale=values.get("locale", ""),
        status=status,
        enabled=enabled,
    )


def _code(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def _raise_as_our_own(error: ClientError | BotoCoreError) -> NoReturn:
    code = _code(error)
    raise _BY_CODE.get(code, CognitoUnavailable)(code) from None
