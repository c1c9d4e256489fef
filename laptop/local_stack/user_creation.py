"""AdminCreateUser and SignUp with Cognito's triggers around moto's user creation: PreSignUp first
(its exception refuses the call and nothing is created), then the user, then, unless the call
suppresses it, the invitation Cognito emails (CustomMessage_AdminCreateUser, or Cognito's text)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from laptop.local_stack import request_fields as fields
from laptop.local_stack.client_rules import check_secret_hash
from laptop.local_stack.cognito_mail import CognitoMail
from laptop.local_stack.errors import CognitoError, invalid_parameter, not_authorized
from laptop.local_stack.moto_calls import MotoCognito
from laptop.local_stack.trigger_events import cognito_event
from laptop.local_stack.trigger_runner import TriggerRunner
from laptop.local_stack.user_directory import UserDirectory

Body = Mapping[str, Any]
PRE_SIGN_UP = "PreSignUp"
ADMIN_CLIENT = "CLIENT_ID_NOT_APPLICABLE"  # what Cognito puts in callerContext for admin calls
USER_EXISTS = "An account with the given email already exists."
_MESSAGE_ACTIONS = {None, "SUPPRESS", "RESEND"}


class UserCreation:
    def __init__(
        self, directory: UserDirectory, triggers: TriggerRunner, moto: MotoCognito, mail: CognitoMail
    ) -> None:
        self._directory = directory
        self._triggers = triggers
        self._moto = moto
        self._mail = mail

    def admin_create_user(self, body: Body) -> dict[str, Any]:
        pool_id = fields.text(body, "UserPoolId", limit=55)
        login = fields.text(body, "Username", limit=fields.MAX_NAME)
        action = body.get("MessageAction")
        if action not in _MESSAGE_ACTIONS:
            raise invalid_parameter(
                "1 validation error detected: Value at 'messageAction' failed to satisfy constraint"
            )
        if action == "RESEND":
            raise invalid_parameter("MessageAction RESEND is not served by the local stack")
        metadata = fields.string_map(body, "ClientMetadata")
        attributes = _attributes(body, "UserAttributes")
        validation = _attributes(body, "ValidationData")
        settings = self._directory.pool_settings(pool_id)
        if self._directory.find(pool_id, login) is not None:
            # Cognito refuses before any trigger runs.
            raise CognitoError("UsernameExistsException", USER_EXISTS)
        attributes = _with_username_attribute(settings, login, attributes)
        configured = self._directory.triggers(pool_id)
        # A pool that signs in by email names its users with a UUID, which is what the triggers see.
        user_name = str(uuid.uuid4()) if settings.get("UsernameAttributes") else login
        self._pre_sign_up(
            pool_id=pool_id,
            client_id=ADMIN_CLIENT,
            user_name=user_name,
            trigger_source="PreSignUp_AdminCreateUser",
            configured=configured,
            attributes=attributes,
            validation=validation,
            metadata=metadata,
        )
        forwarded = dict(body)
        message = None
        mediums = body.get("DesiredDeliveryMediums") or ["SMS"]
        if action != "SUPPRESS" and isinstance(mediums, list) and "EMAIL" in mediums:
            invitation_template = (settings.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate")
            message = self._mail.compose_invitation(
                pool_id=pool_id,
                user_name=user_name,
                attributes=attributes,
                configured=configured,
                client_metadata=metadata,
                template=invitation_template,
            )
            # Cognito makes up the temporary password when the call gives none.
            forwarded.setdefault("TemporaryPassword", _temporary_password())
        created = self._moto.call("AdminCreateUser", forwarded)
        if message is not None:
            self._mail.send(message, username=login, code=str(forwarded["TemporaryPassword"]))
        return created

    def sign_up(self, body: Body) -> dict[str, Any]:
        pool_id, client = self._directory.client(None, fields.text(body, "ClientId", limit=fields.MAX_NAME))
        settings = self._directory.pool_settings(pool_id)
        if (settings.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise not_authorized("SignUp is not permitted for this user pool")
        login = fields.text(body, "Username", limit=fields.MAX_NAME)
        password = fields.text(body, "Password", limit=256)
        secret_hash = body.get("SecretHash")
        check_secret_hash(client, {"SECRET_HASH": secret_hash} if isinstance(secret_hash, str) else {}, login)
        metadata = fields.string_map(body, "ClientMetadata")
        attributes = _with_username_attribute(settings, login, _attributes(body, "UserAttributes"))
        validation = _attributes(body, "ValidationData")
        if self._directory.find(pool_id, login) is not None:
            raise CognitoError("UsernameExistsException", USER_EXISTS)
        self._directory.check_password_policy(pool_id, password)
        user_name = str(uuid.uuid4()) if settings.get("UsernameAttributes") else login
        response = self._pre_sign_up(
            pool_id=pool_id,
            client_id=client["ClientId"],
            user_name=user_name,
            trigger_source="PreSignUp_SignUp",
            configured=self._directory.triggers(pool_id),
            attributes=attributes,
            validation=validation,
            metadata=metadata,
        )
        created = self._moto.call("SignUp", body)
        user = self._directory.find(pool_id, login)
        if user is None:
            raise CognitoError("InternalErrorException", "Internal server error.", status=500)
        if response.get("autoConfirmUser") is True:
            self._moto.call("AdminConfirmSignUp", {"UserPoolId": pool_id, "Username": user.username})
            created["UserConfirmed"] = True
        verified = [
            {"Name": name, "Value": "true"}
            for name, flag in (
                ("email_verified", "autoVerifyEmail"),
                ("phone_number_verified", "autoVerifyPhone"),
            )
            if response.get(flag) is True
        ]
        if verified:
            self._moto.call(
                "AdminUpdateUserAttributes",
                {"UserPoolId": pool_id, "Username": user.username, "UserAttributes": verified},
            )
        return created

    def _pre_sign_up(
        self,
        *,
        pool_id: str,
        client_id: str,
        user_name: str,
        trigger_source: str,
        configured: Mapping[str, str],
        attributes: Mapping[str, str],
        validation: Mapping[str, str] | None,
        metadata: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The trigger's response (all false without a trigger); raises Cognito's refusal."""
        answer: dict[str, Any] = {
            "autoConfirmUser": False,
            "autoVerifyEmail": False,
            "autoVerifyPhone": False,
        }
        arn = configured.get(PRE_SIGN_UP)
        if not arn:
            return answer
        if arn not in self._triggers:
            raise CognitoError(
                "UnexpectedLambdaException", f"{PRE_SIGN_UP} invocation failed: no such function."
            )
        request: dict[str, Any] = {"userAttributes": dict(attributes), "validationData": validation}
        if metadata is not None:
            request["clientMetadata"] = dict(metadata)
        event = cognito_event(
            pool_id=pool_id,
            client_id=client_id,
            user_name=user_name,
            trigger_source=trigger_source,
            request=request,
            response=answer,
        )
        # "PreSignUp failed with error <message>." (UserLambdaValidationException) when it raises.
        returned = self._triggers.invoke(PRE_SIGN_UP, arn, event)["response"]
        return dict(returned)


def _attributes(body: Body, key: str) -> dict[str, str] | None:
    """A list of {"Name", "Value"} as a dict; None when the call has none."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("Name"), str)
        and isinstance(item.get("Value", ""), str)
        and len(item.get("Value", "")) <= fields.MAX_VALUE
        for item in value
    ):
        raise invalid_parameter(
            f"1 validation error detected: Value at '{key[:1].lower()}{key[1:]}' failed to satisfy constraint"
        )
    return {item["Name"]: item.get("Value", "") for item in value}


def _with_username_attribute(
    settings: Mapping[str, Any], login: str, attributes: Mapping[str, str] | None
) -> dict[str, str]:
    """A pool that signs in by email keeps the username as the email attribute, as Cognito does."""
    merged = dict(attributes or {})
    if "email" in (settings.get("UsernameAttributes") or []) and "@" in login:
        merged["email"] = login
    return merged


def _temporary_password() -> str:
    # Meets Cognito's default policy (upper, lower, digit, symbol, 8+) whatever the random part holds.
    return f"{secrets.token_urlsafe(12)}Aa1!"
