"""Wiring for the Lambda containers: settings and AWS clients once per container (at import, no network;
a bad variable fails the cold start with its name), the HMAC key and the email sender on first use, so
an outage of Secrets Manager is a clean, retryable sign-in error rather than a failed cold start.

create and verify share this module but each needs only one side of it: the issuer (with the email
renderer, Jinja2 and the sender) or the answer checker. Each side is imported where it is first built,
so verify's cold start never loads the email stack and create's never loads the checker.
"""

# Imports inside the cached properties are the point of this module (see above).
# ruff: noqa: PLC0415

from __future__ import annotations

import functools
import gc
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from passwordless.errors import SignInUnavailable
from passwordless.keyed_hash import KeyedHasher, hasher_from_secret
from passwordless.secret_store import SecretStore
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from passwordless.answer_checker import AnswerChecker
    from passwordless.challenge_issuer import ChallengeIssuer

# botocore rebuilds its default User-Agent (SDK, OS, language and feature metadata, each sanitised
# character by character) twice per request: a quarter of a warm DynamoDB call's CPU. A fixed one
# names the product instead; botocore and Powertools still append their versions.
USER_AGENT = "passwordless-email-sign-in"
# Short timeouts and one retry: every trigger must answer inside Cognito's 5 s. No client-side
# parameter validation (AWS's documented performance option): the requests are built by this code,
# not from input, the services validate them again, and a refusal fails the sign-in closed like any
# other AWS error. It was an eighth of a warm DynamoDB call's CPU.
AWS_CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=1,
    retries={"total_max_attempts": 2, "mode": "standard"},
    user_agent=USER_AGENT,
    parameter_validation=False,
)


@functools.cache
def _freeze_what_init_loaded() -> None:
    """Move every object alive now (the modules a container imported) out of the garbage collector's
    sight for good: they live as long as the container, and no collection need scan them again. At
    cold start that spares the generation-1 pass the clients' service models would set off over all of
    them (16 ms on Python 3.13, make bench); later collections stay small too.

    Once per process: in a Lambda container this is the end of its imports; in a test process or the
    local stack, freezing again would keep whatever garbage the earlier stacks left from being freed."""
    gc.freeze()


class TriggerRuntime:
    def __init__(self, settings: Settings, audit: SecurityLog) -> None:
        self.settings = settings
        self.audit = audit
        _freeze_what_init_loaded()
        self._store = SecretStore(boto3.client("dynamodb", config=AWS_CLIENT_CONFIG), settings.table_name)
        self._secrets: SecretsManagerClient = boto3.client("secretsmanager", config=AWS_CLIENT_CONFIG)

    @classmethod
    def from_env(cls, audit: SecurityLog) -> TriggerRuntime:
        return cls(Settings.from_env(), audit)

    @functools.cached_property
    def _hasher(self) -> KeyedHasher:
        try:
            return hasher_from_secret(self._secrets, self.settings.hmac_key_secret_id)
        except Exception as error:  # any failure here must fail closed, never crash with details
            self.audit.event("unavailable", dependency="secretsmanager", error=type(error).__name__)
            raise SignInUnavailable from None

    @functools.cached_property
    def issuer(self) -> ChallengeIssuer:
        from passwordless.challenge_issuer import ChallengeIssuer
        from passwordless.email.factory import build_sender

        hasher = self._hasher
        try:
            sender = build_sender(self.settings, secrets=self._secrets)
        except Exception as error:  # e.g. the SendGrid key secret is unreadable
            self.audit.event("unavailable", dependency="email", error=type(error).__name__)
            raise SignInUnavailable from None
        return ChallengeIssuer(self.settings, self._store, hasher, sender, self.audit)

    @functools.cached_property
    def checker(self) -> AnswerChecker:
        from passwordless.answer_checker import AnswerChecker

        return AnswerChecker(self.settings, self._store, self._hasher, self.audit)
