"""Wiring for the account API's container: settings and AWS clients once (at import, no network; a
bad variable fails the cold start with its name), the HMAC key and the email sender on first use, so
a Secrets Manager outage is a clean 503 rather than a failed cold start."""

# The email stack is imported where the sender is first built (sign-up never needs it).
# ruff: noqa: PLC0415

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from passwordless.accounts.account_log import AccountLog
from passwordless.accounts.api_settings import load
from passwordless.accounts.email_change import EmailChange
from passwordless.accounts.email_change_store import EmailChangeStore
from passwordless.accounts.invitations import Invitations
from passwordless.accounts.refusals import Unavailable
from passwordless.accounts.routes import AccountServices
from passwordless.accounts.sign_up import SignUp
from passwordless.accounts.user_admin import UserAdmin
from passwordless.keyed_hash import KeyedHasher, hasher_from_secret
from passwordless.runtime import USER_AGENT
from passwordless.secret_store import SecretStore

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from passwordless.email.message import EmailSender

# Not a Cognito trigger: API Gateway waits 30 s. AdminCreateUser runs the PreSignUp trigger (which
# may cold-start), so Cognito gets room; one retry for throttling and dropped connections.
ACCOUNT_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=10,
    retries={"total_max_attempts": 2, "mode": "standard"},
    user_agent=USER_AGENT,  # as the triggers' clients (passwordless.runtime)
)


class AccountRuntime:
    def __init__(self, log: AccountLog, environ: Mapping[str, str] | None = None) -> None:
        self.settings, self.api = load(environ)
        self.log = log
        self._secrets: SecretsManagerClient = boto3.client("secretsmanager", config=ACCOUNT_CLIENT_CONFIG)
        dynamodb = boto3.client("dynamodb", config=ACCOUNT_CLIENT_CONFIG)
        cognito = boto3.client("cognito-idp", config=ACCOUNT_CLIENT_CONFIG)
        users = UserAdmin(cognito, self.api.user_pool_id, self.api.user_pool_client_id)
        self.services = AccountServices(
            sign_up=SignUp(
                users,
                log,
                enabled=self.api.self_sign_up,
                allowed_domains=self.settings.sign_up_allowed_domains,
            ),
            invitations=Invitations(
                self.settings,
                self.api,
                users,
                SecretStore(dynamodb, self.settings.table_name),
                log,
                keys=self.hasher,
                sender=self.sender,
            ),
            email_change=EmailChange(
                self.settings,
                self.api.user_pool_id,
                users,
                EmailChangeStore(dynamodb, self.settings.table_name),
                log,
                keys=self.hasher,
                sender=self.sender,
            ),
            log=log,
            code_length=self.settings.code_length,
        )

    def hasher(self) -> KeyedHasher:
        return self._hasher

    def sender(self) -> EmailSender:
        return self._sender

    @functools.cached_property
    def _hasher(self) -> KeyedHasher:
        try:
            return hasher_from_secret(self._secrets, self.settings.hmac_key_secret_id)
        except Exception as error:  # any failure here must fail closed, never crash with details
            self.log.event("unavailable", dependency="secretsmanager", error=type(error).__name__)
            raise Unavailable from None

    @functools.cached_property
    def _sender(self) -> EmailSender:
        from passwordless.email.factory import build_sender

        try:
            return build_sender(self.settings, secrets=self._secrets)
        except Exception as error:  # e.g. the SendGrid key secret is unreadable
            self.log.event("unavailable", dependency="email", error=type(error).__name__)
            raise Unavailable from None
