"""What a function's container builds, once: one FunctionRuntime per container, made at import.

At import (no network; a bad variable fails the cold start with its name): the Logger, the funnel
metrics, the security log, the settings and the AWS clients the function names. On first use: the
HMAC key (or, with KMS, its first derived key) and the email sender, so an outage of Secrets Manager,
KMS or the provider is a clean, retryable error rather than a failed cold start.

Each piece imports what it needs where it is first built, so a function loads only what it uses:
define no AWS SDK, verify no email stack, create no answer checker.
"""

# Imports inside the builders are the point of this module (see above).
# ruff: noqa: PLC0415

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools import Logger

from passwordless.errors import SignInUnavailable, StorageUnavailable
from passwordless.funnel_metrics import FunnelMetrics
from passwordless.security_events import SecurityLog
from passwordless.session_settings import SessionSettings

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session as BotocoreSession

    from passwordless.accounts.account_log import AccountLog
    from passwordless.accounts.routes import AccountServices
    from passwordless.accounts.user_admin import UserAdmin
    from passwordless.answer_checker import AnswerChecker
    from passwordless.challenge_issuer import ChallengeIssuer
    from passwordless.email.factory import FinishSender
    from passwordless.email.message import EmailSender
    from passwordless.keyed_hash import KeyedHasher
    from passwordless.passkeys.account import PasskeyAccount
    from passwordless.passkeys.challenges import ChallengeStore
    from passwordless.passkeys.client_id import PasskeyClientId
    from passwordless.passkeys.config import PasskeySettings
    from passwordless.passkeys.credentials import PasskeyStore
    from passwordless.passkeys.sign_in import PasskeySignIn
    from passwordless.secret_store import SecretStore
    from passwordless.settings import ApiSettings, Settings
    from passwordless.stranger_budget import StrangerBudget

Role = Literal["trigger", "account_api", "setup"]
# botocore rebuilds its default User-Agent (SDK, OS, language and feature metadata, each sanitised
# character by character) twice per request; a fixed one names the product instead. botocore and
# Powertools still append their versions.
USER_AGENT = "passwordless-email-sign-in"


@functools.cache
def client_config(role: Role = "trigger") -> Config:
    """The botocore configuration of a role's AWS clients.

    Triggers: short timeouts and one retry, so every call fits inside Cognito's 5 s; and no
    client-side parameter validation (AWS's documented performance option): the requests are built
    by this code, not from input, the services validate them again, and a refusal fails the sign-in
    closed like any other AWS error. The account API is no trigger: API Gateway waits 30 s, and
    AdminCreateUser runs PreSignUp (which may cold-start), so Cognito gets room."""
    from botocore.config import Config

    connect, read = (1, 1) if role == "trigger" else (2, 10)
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"total_max_attempts": 2, "mode": "standard"},
        user_agent=USER_AGENT,
        parameter_validation=role != "trigger",
    )


def _end_init_phase() -> None:
    """Turn the garbage collector back on (passwordless.init_phase turned it off), after moving every
    object alive at the first init's end out of its sight for good: what a container's init imported
    and built lives as long as the container, so no collection need scan it again.

    Every runtime turns the collector on, since a process that runs several functions (the tests,
    the local stack) may import one's init_phase after another's init ended; only the first freezes,
    as freezing again would keep whatever garbage earlier stacks left from being freed."""
    _freeze_once()
    gc.enable()


@functools.cache
def _freeze_once() -> None:
    gc.freeze()


class FunctionRuntime:
    """One function's settings, logs, metrics and AWS clients, and the domain objects built on them.

    `clients` are the AWS services the function calls, built now, in Lambda's init phase. `reads`
    says which settings are read now, so a bad variable fails the cold start with its name: "all"
    (the shared Settings, and for the account API its own too), "session" (define's three) or "none"
    (the sign-in page, configured by its API stage's variables). A trigger counts its funnel metrics
    unless `metrics` is off; the account API logs account events and refuses with its own 503.

    `prepares` names the domain objects the function serves with ("issuer", "checker"): their code,
    and everything they need that touches no network (the sender's module and client),
    loads now too, so the first invocation pays only for what it must ask AWS."""

    def __init__(
        self,
        *clients: str,
        role: Role = "trigger",
        reads: Literal["all", "session", "none"] = "all",
        metrics: bool = True,
        prepares: Iterable[Literal["issuer", "checker"]] = (),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.role = role
        self.logger = Logger()
        self.metrics = FunnelMetrics() if metrics and role == "trigger" else None
        self.audit = SecurityLog(self.logger, *(() if self.metrics is None else (self.metrics,)))
        self._environ = environ
        self._clients: dict[str, Any] = {}
        self._aws: BotocoreSession | None = None
        self._initialising = True
        if reads == "session":
            self.session_settings  # noqa: B018 - read now: see the class's docstring
        elif reads == "all":
            self.settings  # noqa: B018
            if role == "account_api":
                self.api_settings  # noqa: B018
        for service in clients:
            self.client(service)
        for prepared in prepares:
            self._prepare(prepared)
        self._initialising = False
        _end_init_phase()

    def _prepare(self, prepared: Literal["issuer", "checker"]) -> None:
        """Load the object's code and rehearse the AWS requests of its first invocation
        (passwordless.rehearsal): the key read, the conditional write and, for the issuer, the send."""
        from passwordless.key_sources import rehearse_key_read

        rehearse_key_read(self.settings, self.client)
        self.store.rehearse()
        if prepared == "issuer":
            import passwordless.challenge_issuer

            self._prepared_sender  # noqa: B018
        else:
            import passwordless.answer_checker  # noqa: F401
        if self.passkey_settings.enabled:
            # Reads the passkey client's id now, if it can: a failure is asked again by the first
            # invocation, which fails closed if it fails too.
            with contextlib.suppress(StorageUnavailable):
                self.passkey_client_id()
            if prepared == "checker":
                import webauthn.authentication.verify_authentication_response  # noqa: F401

    # --- settings -----------------------------------------------------------------------------

    @functools.cached_property
    def settings(self) -> Settings:
        from passwordless.settings import Settings

        return Settings.from_env(self._environ)

    @functools.cached_property
    def session_settings(self) -> SessionSettings:
        return SessionSettings.from_env(self._environ)

    @functools.cached_property
    def api_settings(self) -> ApiSettings:
        from passwordless.settings import ApiSettings

        return ApiSettings.from_env(self._environ)

    @functools.cached_property
    def passkey_settings(self) -> PasskeySettings:
        from passwordless.passkeys.config import PasskeySettings

        return PasskeySettings.from_env(self._environ, app_name=self.settings.app_name)

    # --- AWS ----------------------------------------------------------------------------------

    def client(self, service: str) -> Any:  # noqa: ANN401 - a client of the service asked for
        """The function's one client of `service`, with its role's configuration."""
        if service not in self._clients:
            self._clients[service] = self.new_client(service, client_config(self.role))
        return self._clients[service]

    def new_client(self, service: str, config: Config) -> Any:  # noqa: ANN401 - as boto3.client's
        """A client of `service` from the function's one botocore session, which loads each piece of
        AWS's service data once for all its clients. botocore is what boto3.client runs; boto3 itself
        (its resource layer and S3 transfer manager, a tenth of a cold start) is never imported."""
        if self._aws is None:
            from botocore.session import get_session

            self._aws = get_session()
        return self._aws.create_client(service, config=config)

    @functools.cached_property
    def store(self) -> SecretStore:
        from passwordless.secret_store import SecretStore

        return SecretStore(self.client("dynamodb"), self.settings.table_name)

    @functools.cached_property
    def stranger_budget(self) -> StrangerBudget:
        from passwordless.stranger_budget import StrangerBudget

        settings = self.settings
        return StrangerBudget(
            self.client("dynamodb"),
            settings.table_name,
            per_source=settings.stranger_emails_per_source_per_hour,
            overall=settings.stranger_emails_per_hour,
        )

    @functools.cached_property
    def passkey_store(self) -> PasskeyStore:
        from passwordless.passkeys.credentials import PasskeyStore

        return PasskeyStore(self.client("dynamodb"), self.settings.table_name)

    @functools.cached_property
    def passkey_challenges(self) -> ChallengeStore:
        from passwordless.passkeys.challenges import ChallengeStore

        lifetime = self.passkey_settings.timeout_seconds
        return ChallengeStore(self.client("dynamodb"), self.settings.table_name, lifetime_seconds=lifetime)

    @functools.cached_property
    def passkeys(self) -> PasskeySignIn | None:
        """The passkey client's create and verify; None when passkeys are off."""
        config = self.passkey_settings
        if not config.enabled:
            return None  # before any import: a stack without passkeys loads none of their code
        from passwordless.passkeys.sign_in import PasskeySignIn

        return PasskeySignIn(
            config,
            self.passkey_client_id,
            self.passkey_store,
            self.passkey_challenges,
            hasher=lambda: self.hasher,
            audit=self.audit,
        )

    @functools.cached_property
    def passkey_client_id(self) -> PasskeyClientId:
        """The passkey client's id, from the environment or its SSM parameter (passkeys.client_id)."""
        from passwordless.passkeys.client_id import PasskeyClientId

        config = self.passkey_settings
        return PasskeyClientId(config.client_id, config.client_id_parameter, lambda: self.client("ssm"))

    # --- on first use, failing closed ----------------------------------------------------------

    @functools.cached_property
    def hasher(self) -> KeyedHasher:
        """The keyed hash under the stack's HMAC key: from Secrets Manager, read on first use, or from
        KMS, asked once per invocation. Either one's failure is the role's generic refusal."""
        from passwordless.key_sources import key_source
        from passwordless.keyed_hash import KeyedHasher

        store = self.settings.key_store

        def refuse(error: Exception) -> Exception:
            return self._unavailable(store, error)

        try:
            keys = key_source(self.settings, self.client)
        except Exception as error:  # any failure here must fail closed, never crash with details
            raise refuse(error) from None
        return KeyedHasher(keys, refuse=refuse)

    @functools.cached_property
    def sender(self) -> EmailSender:
        """The configured email sender; a failure to build it (an unreadable SendGrid key, say) fails
        closed, and the next invocation tries again."""
        try:
            return self.build_sender()
        except Exception as error:
            raise self._unavailable("email", error) from None

    def build_sender(self) -> EmailSender:
        """The sender, or the error that building it raised (for housekeeping that must not fail).
        Built once; a failed build is not kept, so the next call tries again."""
        return self._built_sender

    @functools.cached_property
    def _built_sender(self) -> EmailSender:
        return self._prepared_sender(self.client("secretsmanager"))

    @functools.cached_property
    def _prepared_sender(self) -> FinishSender:
        from passwordless.email.factory import prepare_sender

        return prepare_sender(self.settings, self.new_client, rehearse=self._initialising)

    @functools.cached_property
    def issuer(self) -> ChallengeIssuer:
        from passwordless.challenge_issuer import ChallengeIssuer

        hasher = self.hasher
        return ChallengeIssuer(
            self.settings, self.store, hasher, self.sender, self.audit, budget=self.stranger_budget
        )

    @functools.cached_property
    def checker(self) -> AnswerChecker:
        from passwordless.answer_checker import AnswerChecker

        return AnswerChecker(self.settings, self.store, self.hasher, self.audit)

    @functools.cached_property
    def account_services(self) -> AccountServices:
        """The account API's services; the key and the sender are read when a route first needs them."""
        from passwordless.accounts.email_change import EmailChange
        from passwordless.accounts.email_change_store import EmailChangeStore
        from passwordless.accounts.invitations import Invitations
        from passwordless.accounts.routes import AccountServices
        from passwordless.accounts.sign_up import SignUp
        from passwordless.accounts.user_admin import UserAdmin

        settings, api, log = self.settings, self.api_settings, self.account_log
        users = UserAdmin(self.client("cognito-idp"), api.user_pool_id, api.user_pool_client_id)

        def keys() -> KeyedHasher:
            return self.hasher

        def sender() -> EmailSender:
            return self.sender

        return AccountServices(
            sign_up=SignUp(
                users,
                log,
                self.stranger_budget,
                enabled=api.self_sign_up,
                allowed_domains=settings.sign_up_allowed_domains,
            ),
            invitations=Invitations(
                settings, api, users, self.store, log, keys=keys, sender=sender, budget=self.stranger_budget
            ),
            email_change=EmailChange(
                settings,
                api.user_pool_id,
                users,
                EmailChangeStore(self.client("dynamodb"), settings.table_name),
                log,
                keys=keys,
                sender=sender,
                budget=self.stranger_budget,
            ),
            log=log,
            code_length=settings.code_length,
            api=api,
            passkeys=self._passkey_account(users, keys=keys, sender=sender),
            passkey_client_id=self.passkey_settings.client_id,
        )

    def _passkey_account(
        self, users: UserAdmin, *, keys: Callable[[], KeyedHasher], sender: Callable[[], EmailSender]
    ) -> PasskeyAccount | None:
        if not self.passkey_settings.enabled:
            return None
        from passwordless.passkeys.account import PasskeyAccount

        return PasskeyAccount(
            self.settings,
            self.passkey_settings,
            user_pool_id=self.api_settings.user_pool_id,
            users=users,
            store=self.passkey_store,
            challenges=self.passkey_challenges,
            log=self.account_log,
            keys=keys,
            sender=sender,
        )

    @functools.cached_property
    def account_log(self) -> AccountLog:
        from passwordless.accounts.account_log import AccountLog

        return AccountLog(self.logger)

    def _unavailable(self, dependency: str, error: Exception) -> Exception:
        """Log which dependency failed (by its error's class, never its text) and return the role's
        generic, retryable refusal to raise."""
        if self.role == "account_api":
            from passwordless.accounts.refusals import Unavailable

            self.account_log.event("unavailable", dependency=dependency, error=type(error).__name__)
            return Unavailable()
        self.audit.event("unavailable", dependency=dependency, error=type(error).__name__)
        return SignInUnavailable()
