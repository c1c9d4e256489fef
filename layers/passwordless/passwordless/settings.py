"""Every setting of the stack, read once per container from the environment and checked.

Each template parameter sets exactly one variable here, and each variable is one field: its default
is the field's default, its bounds are written where it is read. A missing or invalid variable fails
fast with a message that names it (and never echoes a value).

The records are NamedTuples rather than frozen dataclasses: a dataclass compiles its generated
methods when its module is imported, which every function's cold start would pay for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from passwordless.session_settings import SESSION_DEFAULTS, SessionSettings, SignInMode
from passwordless.settings_reader import SettingsError, SettingsReader

# The stranger email budgets' ranges (stranger_budget): a per-source shift register's update expression
# must fit DynamoDB's 4 KB limit; the overall budget is one item per email of the hour.
MAX_STRANGER_EMAILS_PER_SOURCE = 100
MAX_STRANGER_EMAILS = 100_000

EmailProvider = Literal["ses", "sendgrid", "outbox"]
EMAIL_PROVIDERS: tuple[EmailProvider, ...] = ("ses", "sendgrid", "outbox")
KeyStore = Literal["secretsmanager", "kms"]
KEY_STORES: tuple[KeyStore, ...] = ("secretsmanager", "kms")
ApiPayload = Literal["http", "rest"]
API_PAYLOADS: tuple[ApiPayload, ...] = ("http", "rest")
DOMAIN_PATTERN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# Cognito's own shapes: "<region>_<id>" and a 1-128 character client id of word characters.
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
_CLIENT_ID = re.compile(r"[\w+]{1,128}")
# No whitespace or brackets: API Gateway passes the groups claim as "[admins other]".
_GROUP = re.compile(r"[^\s\[\]\",]{1,128}")
# AppName's rule in template.yaml: the name goes into subjects (one line) and HTML (no brackets).
APP_NAME_PATTERN = re.compile(r"[^\r\n<>]{1,64}")
APP_NAME_RULE = "1 to 64 characters without angle brackets or line breaks"
# DefaultLocale's pattern in template.yaml ("de", "pt-BR", "de_AT").
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
DEFAULT_APP_NAME = "your account"
"""APP_NAME's default, which means "no name given": each language's emails then use their own words."""


class _StackReader(SettingsReader):
    """The reader with the checks only this stack's own records make."""

    def domains(self, name: str) -> tuple[str, ...]:
        raw = self._env.get(name, "")
        domains = tuple(part for part in (p.strip().lower() for p in raw.split(",")) if part)
        if not all(DOMAIN_PATTERN.fullmatch(domain) for domain in domains):
            raise SettingsError(f"{name} must be a comma-separated list of domain names")
        return domains

    def app_name(self, name: str) -> str:
        return self.matching(name, APP_NAME_PATTERN, APP_NAME_RULE)

    def app_names(self, name: str) -> Mapping[str, str]:
        problem = f"{name} must be a JSON object of language tag (such as de or pt-BR) to {APP_NAME_RULE}"
        parsed = self.string_object(name, problem)
        if not all(
            _LANGUAGE_TAG.fullmatch(tag) and APP_NAME_PATTERN.fullmatch(app) for tag, app in parsed.items()
        ):
            raise SettingsError(problem)
        # The form the template folders have: what a written email's locale is looked up by.
        return {tag.lower().replace("_", "-"): app for tag, app in parsed.items()}


class Settings(NamedTuple):
    """The sign-in settings every function shares; from_env reads them all."""

    table_name: str
    """TABLE_NAME: the DynamoDB table holding one sign-in secret item per user."""

    hmac_key_secret_id: str
    """HMAC_KEY_SECRET_ID: Secrets Manager id/ARN of the stack-generated key that hashes secrets at rest
    (KEY_STORE secretsmanager; empty with kms)."""

    email_from: str
    """EMAIL_FROM: the sender address (verified in SES / SendGrid)."""

    sign_in_url: str
    """SIGN_IN_URL: the page a magic link opens, for any app client not named in SIGN_IN_URLS_BY_CLIENT."""

    email_provider: EmailProvider = "ses"
    """EMAIL_PROVIDER: ses | sendgrid | outbox (outbox writes JSON files; for laptops and tests)."""

    sign_in_urls_by_client: Mapping[str, str] = MappingProxyType({})
    """SIGN_IN_URLS_BY_CLIENT: JSON object {appClientId: url} overriding SIGN_IN_URL per client."""

    email_from_name: str = ""
    """EMAIL_FROM_NAME: display name of the sender."""

    app_name: str = DEFAULT_APP_NAME
    """APP_NAME: what the emails call the thing being signed in to, in every language without a name
    of its own in APP_NAMES_BY_LOCALE; the sign-in page's title and heading show it too. Left at its
    default, each language's emails use their own words for "your account"."""

    app_names_by_locale: Mapping[str, str] = MappingProxyType({})
    """APP_NAMES_BY_LOCALE: JSON object {language: name} naming the app in the emails written in that
    language ({"de": "die Demo"}). Keys are read lower-case with "-" ("pt_BR" is "pt-br")."""

    sendgrid_api_key_secret_id: str = ""
    """SENDGRID_API_KEY_SECRET_ID: Secrets Manager id/ARN of the SendGrid API key (required for sendgrid)."""

    sendgrid_template_id: str = ""
    """SENDGRID_TEMPLATE_ID: optional SendGrid dynamic template id; when set, our templates are skipped."""

    sendgrid_api_host: str = "https://api.sendgrid.com"
    """SENDGRID_API_HOST: SendGrid API base URL (https://api.eu.sendgrid.com for EU data residency)."""

    ses_configuration_set: str = ""
    """SES_CONFIGURATION_SET: optional SES configuration set name (event publishing, suppression)."""

    outbox_dir: str = ""
    """OUTBOX_DIR: folder the outbox provider writes one JSON file per message to (required for outbox)."""

    secret_lifetime_seconds: int = 600
    """SECRET_LIFETIME_SECONDS: how long a link/code works (NIST SP 800-63B / ASVS: 10 minutes)."""

    code_length: int = 6
    """CODE_LENGTH: digits in the typed code."""

    max_answers_per_session: int = SESSION_DEFAULTS.max_answers_per_session
    """MAX_ANSWERS_PER_SESSION: wrong answers one Cognito session may give before it fails."""

    max_resends_per_session: int = SESSION_DEFAULTS.max_resends_per_session
    """MAX_RESENDS_PER_SESSION: resend requests one Cognito session may make."""

    max_code_failures: int = 5
    """MAX_CODE_FAILURES: wrong answers per user (across secrets and sessions, reset only by a
    successful sign-in) after which the code stops working; the link keeps working."""

    resend_min_seconds: int = 60
    """RESEND_MIN_SECONDS: minimum gap between two emails to one user."""

    max_emails_per_hour: int = 5
    """MAX_EMAILS_PER_HOUR: emails one user may receive in any rolling hour (not a fixed window: the
    next email waits until the oldest of the last hour's leaves it)."""

    stranger_emails_per_source_per_hour: int = 10
    """STRANGER_EMAILS_PER_SOURCE_PER_HOUR: emails to addresses not yet verified (sign-ups,
    invitations, email changes) one caller's IP address (an IPv6 caller's /64) may cause in any
    rolling hour. Over it, a sign-up answers as for an address that already has an account."""

    stranger_emails_per_hour: int = 500
    """STRANGER_EMAILS_PER_HOUR: emails to addresses not yet verified the whole stack sends in any
    rolling hour, whoever causes them. People with a verified address never count against it."""

    email_timeout_seconds: float = 3.0
    """EMAIL_TIMEOUT_SECONDS: provider call timeout; must leave room inside Cognito's 5 s trigger budget."""

    default_locale: str = "en"
    """DEFAULT_LOCALE: email language when the user's `locale` attribute names none we ship."""

    sign_in_mode: SignInMode = SESSION_DEFAULTS.sign_in_mode
    """SIGN_IN_MODE: email (the email's link or code is the only factor) | password-and-email-code
    (SRP password first, then the emailed code as a second step; Amplify's CUSTOM_WITH_SRP)."""

    sign_up_allowed_domains: tuple[str, ...] = ()
    """SIGN_UP_ALLOWED_DOMAINS: comma-separated email domains self sign-up accepts (empty: any domain).
    Lower-case; invitations by an administrator are not limited by it."""

    notify_new_sign_in: bool = False
    """NOTIFY_NEW_SIGN_IN: true sends a "new sign-in to your account" email after each sign-in."""

    email_sign_in_client_name: str = ""
    """EMAIL_SIGN_IN_CLIENT_NAME: the name of the stack's app client; PostAuthentication marks an
    address verified only after a sign-in through it (a password sign-in on a team's own client of an
    existing pool proves no mailbox). Empty: after a sign-in through any client. A name, as the
    client's id cannot reach the functions: the client names the pool, whose triggers they are."""

    invitation_lifetime_seconds: int = 259_200
    """INVITATION_LIFETIME_SECONDS: how long an invitation's link works (default 3 days)."""

    key_store: KeyStore = "secretsmanager"
    """KEY_STORE: secretsmanager (the key is read into the functions) | kms (it never leaves KMS)."""

    hmac_key_id: str = ""
    """HMAC_KEY_ID: the alias (ARN) of the stack's KMS HMAC key (required for KEY_STORE kms)."""

    def sign_in_url_for(self, client_id: str) -> str:
        """The link base for an app client: from configuration only, never from request input."""
        return self.sign_in_urls_by_client.get(client_id, self.sign_in_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        read = _StackReader(env, cls._field_defaults)
        session = SessionSettings.from_env(env)
        provider = read.choice("EMAIL_PROVIDER", EMAIL_PROVIDERS)
        key_store = read.choice("KEY_STORE", KEY_STORES)
        kms = key_store == "kms"
        return cls(
            table_name=read.text("TABLE_NAME"),
            hmac_key_secret_id="" if kms else read.text("HMAC_KEY_SECRET_ID"),
            key_store=key_store,
            hmac_key_id=read.text("HMAC_KEY_ID", required=kms),
            email_provider=provider,
            email_from=read.email("EMAIL_FROM"),
            email_from_name=read.text("EMAIL_FROM_NAME"),
            app_name=read.app_name("APP_NAME"),
            app_names_by_locale=read.app_names("APP_NAMES_BY_LOCALE"),
            sign_in_url=read.url("SIGN_IN_URL"),
            sign_in_urls_by_client=read.url_map("SIGN_IN_URLS_BY_CLIENT"),
            sendgrid_api_key_secret_id=read.text(
                "SENDGRID_API_KEY_SECRET_ID", required=provider == "sendgrid"
            ),
            sendgrid_template_id=read.text("SENDGRID_TEMPLATE_ID"),
            sendgrid_api_host=read.url("SENDGRID_API_HOST"),
            ses_configuration_set=read.text("SES_CONFIGURATION_SET"),
            outbox_dir=read.text("OUTBOX_DIR", required=provider == "outbox"),
            secret_lifetime_seconds=read.integer("SECRET_LIFETIME_SECONDS", 60, 86_400),
            code_length=read.integer("CODE_LENGTH", 6, 10),
            max_answers_per_session=session.max_answers_per_session,
            max_resends_per_session=session.max_resends_per_session,
            max_code_failures=read.integer("MAX_CODE_FAILURES", 1, 100),
            resend_min_seconds=read.integer("RESEND_MIN_SECONDS", 0, 3600),
            max_emails_per_hour=read.integer("MAX_EMAILS_PER_HOUR", 1, 100),
            stranger_emails_per_source_per_hour=read.integer(
                "STRANGER_EMAILS_PER_SOURCE_PER_HOUR", 1, MAX_STRANGER_EMAILS_PER_SOURCE
            ),
            stranger_emails_per_hour=read.integer("STRANGER_EMAILS_PER_HOUR", 1, MAX_STRANGER_EMAILS),
            email_timeout_seconds=read.number("EMAIL_TIMEOUT_SECONDS", 0.1, 4.5),
            default_locale=read.text("DEFAULT_LOCALE"),
            sign_in_mode=session.sign_in_mode,
            sign_up_allowed_domains=read.domains("SIGN_UP_ALLOWED_DOMAINS"),
            notify_new_sign_in=read.flag("NOTIFY_NEW_SIGN_IN"),
            email_sign_in_client_name=read.text("EMAIL_SIGN_IN_CLIENT_NAME"),
            invitation_lifetime_seconds=read.integer("INVITATION_LIFETIME_SECONDS", 600, 604_800),
        )


class PageSettings(NamedTuple):
    """The one shared setting the sign-in page reads, as Settings reads it; the rest of the page's
    configuration comes from its API stage, whose variables cannot hold a name with spaces."""

    app_name: str = DEFAULT_APP_NAME

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PageSettings:
        read = _StackReader(os.environ if environ is None else environ, Settings._field_defaults)
        return cls(app_name=read.app_name("APP_NAME"))


class ApiSettings(NamedTuple):
    """The account API's own variables; it reads the shared Settings too (the same table, key,
    email provider and throttles as the sign-in triggers)."""

    user_pool_id: str
    """USER_POOL_ID: the pool whose users this API creates and changes."""

    user_pool_client_id: str
    """USER_POOL_CLIENT_ID: the app client invitation links (and password-mode sign-ins) belong to."""

    admin_group: str = "admins"
    """ADMIN_GROUP: members of this Cognito group may invite people."""

    self_sign_up: bool = False
    """SELF_SIGN_UP: true serves POST /sign-up; otherwise that route answers 404."""

    account_api_payload: ApiPayload = "http"
    """ACCOUNT_API_PAYLOAD: which API Gateway front invokes the function: http (the HTTP API, payload
    format 2.0) | rest (the REST API the template puts behind the WAF web ACL when
    SignInRequestsPerIpPer5Minutes is set). Each puts the caller's address and claims elsewhere."""

    account_api_allowed_origin: str = ""
    """ACCOUNT_API_ALLOWED_ORIGIN: the one browser origin (the sign-in page's, https://host) the
    function's answers carry CORS headers for; required for rest, whose proxy answers get none from
    API Gateway (the HTTP API adds its own)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        read = SettingsReader(os.environ if environ is None else environ, cls._field_defaults)
        payload = read.choice("ACCOUNT_API_PAYLOAD", API_PAYLOADS)
        return cls(
            user_pool_id=read.matching("USER_POOL_ID", _POOL_ID, "a user pool id"),
            user_pool_client_id=read.matching("USER_POOL_CLIENT_ID", _CLIENT_ID, "an app client id"),
            admin_group=read.matching("ADMIN_GROUP", _GROUP, "a group name"),
            self_sign_up=read.flag("SELF_SIGN_UP"),
            account_api_payload=payload,
            account_api_allowed_origin=read.origin("ACCOUNT_API_ALLOWED_ORIGIN", required=payload == "rest"),
        )
