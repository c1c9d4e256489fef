"""One typed, frozen settings object, built once per container from the environment.

Every template parameter maps to exactly one variable here; the README's configuration table lists them.
A missing or invalid variable fails fast with a message that names it (and never echoes a secret).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from passwordless.settings_reader import SessionSettings, SettingsError, SettingsReader, SignInMode

EmailProvider = Literal["ses", "sendgrid", "outbox"]
_PROVIDERS: tuple[EmailProvider, ...] = ("ses", "sendgrid", "outbox")


class Settings(NamedTuple):
    """Every setting of the stack; from_env reads them all.

    A NamedTuple, not a frozen dataclass: a dataclass compiles its generated methods at import, and
    for twenty-five fields that cost every function about 2 ms of cold start (make bench)."""

    table_name: str
    """TABLE_NAME: the DynamoDB table holding one sign-in secret item per user."""

    hmac_key_secret_id: str
    """HMAC_KEY_SECRET_ID: Secrets Manager id/ARN of the stack-generated key that hashes secrets at rest."""

    email_provider: EmailProvider
    """EMAIL_PROVIDER: ses | sendgrid | outbox (outbox writes JSON files; for laptops and tests)."""

    email_from: str
    """EMAIL_FROM: the sender address (verified in SES / SendGrid)."""

    sign_in_url: str
    """SIGN_IN_URL: the page a magic link opens, for any app client not named in SIGN_IN_URLS_BY_CLIENT."""

    sign_in_urls_by_client: Mapping[str, str] = MappingProxyType({})
    """SIGN_IN_URLS_BY_CLIENT: JSON object {appClientId: url} overriding SIGN_IN_URL per client."""

    email_from_name: str = ""
    """EMAIL_FROM_NAME: display name of the sender."""

    app_name: str = "your account"
    """APP_NAME: what the email calls the thing being signed in to."""

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

    max_answers_per_session: int = 3
    """MAX_ANSWERS_PER_SESSION: wrong answers one Cognito session may give before it fails."""

    max_resends_per_session: int = 3
    """MAX_RESENDS_PER_SESSION: resend requests one Cognito session may make."""

    max_code_failures: int = 5
    """MAX_CODE_FAILURES: wrong answers per user (across secrets and sessions, reset only by a
    successful sign-in) after which the code stops working; the link keeps working."""

    resend_min_seconds: int = 60
    """RESEND_MIN_SECONDS: minimum gap between two emails to one user."""

    max_emails_per_hour: int = 5
    """MAX_EMAILS_PER_HOUR: emails one user may receive in any rolling hour (not a fixed window: the
    next email waits until the oldest of the last hour's leaves it)."""

    email_timeout_seconds: float = 3.0
    """EMAIL_TIMEOUT_SECONDS: provider call timeout; must leave room inside Cognito's 5 s trigger budget."""

    default_locale: str = "en"
    """DEFAULT_LOCALE: email language when the user's `locale` attribute names none we ship."""

    sign_in_mode: SignInMode = "email"
    """SIGN_IN_MODE: email (the email's link or code is the only factor) | password-and-email-code
    (SRP password first, then the emailed code as a second step; Amplify's CUSTOM_WITH_SRP)."""

    sign_up_allowed_domains: tuple[str, ...] = ()
    """SIGN_UP_ALLOWED_DOMAINS: comma-separated email domains self sign-up accepts (empty: any domain).
    Lower-case; invitations by an administrator are not limited by it."""

    notify_new_sign_in: bool = False
    """NOTIFY_NEW_SIGN_IN: true sends a "new sign-in to your account" email after each sign-in."""

    invitation_lifetime_seconds: int = 259_200
    """INVITATION_LIFETIME_SECONDS: how long an invitation's link works (default 3 days)."""

    def sign_in_url_for(self, client_id: str) -> str:
        """The link base for an app client: from configuration only, never from request input."""
        return self.sign_in_urls_by_client.get(client_id, self.sign_in_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        reader = SettingsReader(env)
        session = SessionSettings.from_env(env)
        provider = reader.text("EMAIL_PROVIDER", default="ses")
        if provider not in _PROVIDERS:
            raise SettingsError(f"EMAIL_PROVIDER must be one of {', '.join(_PROVIDERS)}")
        return cls(
            table_name=reader.text("TABLE_NAME"),
            hmac_key_secret_id=reader.text("HMAC_KEY_SECRET_ID"),
            email_provider=provider,
            email_from=reader.email("EMAIL_FROM"),
            email_from_name=reader.text("EMAIL_FROM_NAME", default=""),
            app_name=reader.text("APP_NAME", default="your account"),
            sign_in_url=reader.url("SIGN_IN_URL"),
            sign_in_urls_by_client=reader.url_map("SIGN_IN_URLS_BY_CLIENT"),
            sendgrid_api_key_secret_id=reader.text(
                "SENDGRID_API_KEY_SECRET_ID", default=None if provider == "sendgrid" else ""
            ),
            sendgrid_template_id=reader.text("SENDGRID_TEMPLATE_ID", default=""),
            sendgrid_api_host=reader.url("SENDGRID_API_HOST", default="https://api.sendgrid.com"),
            ses_configuration_set=reader.text("SES_CONFIGURATION_SET", default=""),
            outbox_dir=reader.text("OUTBOX_DIR", default=None if provider == "outbox" else ""),
            secret_lifetime_seconds=reader.integer("SECRET_LIFETIME_SECONDS", 600, 60, 86_400),
            code_length=reader.integer("CODE_LENGTH", 6, 6, 10),
            max_answers_per_session=session.max_answers_per_session,
            max_resends_per_session=session.max_resends_per_session,
            max_code_failures=reader.integer("MAX_CODE_FAILURES", 5, 1, 100),
            resend_min_seconds=reader.integer("RESEND_MIN_SECONDS", 60, 0, 3600),
            max_emails_per_hour=reader.integer("MAX_EMAILS_PER_HOUR", 5, 1, 100),
            email_timeout_seconds=reader.number("EMAIL_TIMEOUT_SECONDS", 3.0, 0.1, 4.5),
            default_locale=reader.text("DEFAULT_LOCALE", default="en"),
            sign_in_mode=session.sign_in_mode,
            sign_up_allowed_domains=reader.domains("SIGN_UP_ALLOWED_DOMAINS"),
            notify_new_sign_in=reader.flag("NOTIFY_NEW_SIGN_IN"),
            invitation_lifetime_seconds=reader.integer("INVITATION_LIFETIME_SECONDS", 259_200, 600, 604_800),
        )
