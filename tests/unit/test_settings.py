"""Configuration fails fast, naming the variable, and never takes a link base from anywhere else."""

from __future__ import annotations

import pytest

from passwordless.session_settings import SessionSettings
from passwordless.settings import Settings
from passwordless.settings_reader import SettingsError

BASE = {
    "TABLE_NAME": "t",
    "HMAC_KEY_SECRET_ID": "k",
    "EMAIL_FROM": "no-reply@example.com",
    "SIGN_IN_URL": "https://app.example.com/sign-in",
}


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env(BASE)
    assert settings.email_provider == "ses"
    assert (settings.secret_lifetime_seconds, settings.code_length, settings.max_answers_per_session) == (
        600,
        6,
        3,
    )
    assert (settings.max_code_failures, settings.resend_min_seconds, settings.max_emails_per_hour) == (
        5,
        60,
        5,
    )
    assert settings.email_timeout_seconds == 3.0


@pytest.mark.parametrize("missing", sorted(BASE))
def test_a_missing_variable_is_named(missing: str) -> None:
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env)


# APP_NAMES_BY_LOCALE: a JSON object of language tag to a name with AppName's character rules.
BAD_APP_NAMES_BY_LOCALE = [
    '["de", "die Demo"]',
    '{"de": "die Demo"',
    '{"de": 1}',
    '{"de": ""}',
    '{"de": "<b>Demo</b>"}',
    '{"de": "Demo\\nBcc: victim@example.com"}',
    '{"de": "Demo\\r"}',
    '{"de": "%s"}' % ("D" * 65),
    '{"d": "die Demo"}',
    '{"deutsch-x": "die Demo"}',
    '{"../de": "die Demo"}',
    '{"": "die Demo"}',
]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CODE_LENGTH", "4"),
        ("CODE_LENGTH", "six"),
        ("SECRET_LIFETIME_SECONDS", "0"),
        ("MAX_CODE_FAILURES", "-1"),
        ("EMAIL_TIMEOUT_SECONDS", "5"),
        ("EMAIL_PROVIDER", "smtp"),
        ("EMAIL_FROM", "not an address"),
        ("SIGN_IN_URL", "http://app.example.com/"),
        ("SIGN_IN_URL", "javascript:alert(1)"),
        ("SIGN_IN_URL", "https://app.example.com/#frag"),
        ("SIGN_IN_URL", "https://user:pw@app.example.com/"),
        ("SIGN_IN_URLS_BY_CLIENT", "[1, 2]"),
        ("SIGN_IN_URLS_BY_CLIENT", '{"c": "ftp://x"}'),
        ("SIGN_IN_URLS_BY_CLIENT", "{not json"),
        ("SIGN_IN_MODE", "password"),
        ("SIGN_IN_MODE", "EMAIL"),
        ("SIGN_UP_ALLOWED_DOMAINS", "example"),
        ("SIGN_UP_ALLOWED_DOMAINS", "*.example.com"),
        ("SIGN_UP_ALLOWED_DOMAINS", "@example.com"),
        ("SIGN_UP_ALLOWED_DOMAINS", "exa mple.com"),
        ("SIGN_UP_ALLOWED_DOMAINS", "bücher.example"),
        ("NOTIFY_NEW_SIGN_IN", "yes"),
        ("NOTIFY_NEW_SIGN_IN", "1"),
        ("INVITATION_LIFETIME_SECONDS", "599"),
        ("INVITATION_LIFETIME_SECONDS", "604801"),
        ("APP_NAME", "<b>Shop</b>"),
        ("APP_NAME", "Shop\nBcc: victim@example.com"),
        ("APP_NAME", "S" * 65),
        *(("APP_NAMES_BY_LOCALE", value) for value in BAD_APP_NAMES_BY_LOCALE),
    ],
)
def test_an_invalid_value_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**BASE, name: value})


@pytest.mark.parametrize("value", BAD_APP_NAMES_BY_LOCALE)
def test_a_refused_app_name_is_not_echoed(value: str) -> None:
    with pytest.raises(SettingsError, match="APP_NAMES_BY_LOCALE must be a JSON object") as refused:
        Settings.from_env({**BASE, "APP_NAMES_BY_LOCALE": value})
    assert "Demo" not in str(refused.value)
    assert "DDD" not in str(refused.value)


def test_app_names_by_locale_are_read_by_language_tag_and_app_name_stays_the_fallback() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "APP_NAME": "Example Shop",
            "APP_NAMES_BY_LOCALE": '{"de": "die Shop-App", "pt_BR": "a loja", "EN": "Example Shop UK"}',
        }
    )
    assert settings.app_name == "Example Shop"
    assert settings.app_names_by_locale == {
        "de": "die Shop-App",
        "pt-br": "a loja",
        "en": "Example Shop UK",
    }


def test_without_app_names_by_locale_no_language_has_a_name_of_its_own() -> None:
    assert Settings.from_env(BASE).app_names_by_locale == {}
    assert Settings.from_env({**BASE, "APP_NAMES_BY_LOCALE": " "}).app_names_by_locale == {}


def test_account_lifecycle_defaults_are_the_safe_ones() -> None:
    settings = Settings.from_env(BASE)
    assert settings.sign_in_mode == "email"
    assert settings.sign_up_allowed_domains == ()
    assert settings.notify_new_sign_in is False
    assert settings.invitation_lifetime_seconds == 3 * 86_400


def test_allowed_domains_are_read_as_lower_case_names_ignoring_spaces_and_empty_items() -> None:
    settings = Settings.from_env({**BASE, "SIGN_UP_ALLOWED_DOMAINS": " Example.COM, ,mail.example.org,"})
    assert settings.sign_up_allowed_domains == ("example.com", "mail.example.org")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("TRUE", True), ("false", False)])
def test_flags_read_true_or_false_in_any_case(raw: str, expected: bool) -> None:
    assert Settings.from_env({**BASE, "NOTIFY_NEW_SIGN_IN": raw}).notify_new_sign_in is expected


def test_provider_specific_requirements() -> None:
    with pytest.raises(SettingsError, match="SENDGRID_API_KEY_SECRET_ID"):
        Settings.from_env({**BASE, "EMAIL_PROVIDER": "sendgrid"})
    with pytest.raises(SettingsError, match="OUTBOX_DIR"):
        Settings.from_env({**BASE, "EMAIL_PROVIDER": "outbox"})


def test_link_base_per_client_with_a_default() -> None:
    settings = Settings.from_env(
        {**BASE, "SIGN_IN_URLS_BY_CLIENT": '{"mobile": "https://m.example.com/link"}'}
    )
    assert settings.sign_in_url_for("mobile") == "https://m.example.com/link"
    assert settings.sign_in_url_for("anything-else") == "https://app.example.com/sign-in"


def test_loopback_http_is_allowed_for_local_development() -> None:
    assert Settings.from_env({**BASE, "SIGN_IN_URL": "http://localhost:8000/"}).sign_in_url.startswith(
        "http://"
    )
    assert Settings.from_env({**BASE, "SIGN_IN_URL": "http://127.0.0.1:8000/"})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env(BASE)
    with pytest.raises(AttributeError):
        settings.code_length = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"MAX_ANSWERS_PER_SESSION": "1", "MAX_RESENDS_PER_SESSION": "0"},
        {
            "MAX_ANSWERS_PER_SESSION": "10",
            "MAX_RESENDS_PER_SESSION": "10",
            "SIGN_IN_MODE": "password-and-email-code",
        },
    ],
)
def test_define_reads_its_three_settings_as_settings_does(overrides: dict[str, str]) -> None:
    full = Settings.from_env({**BASE, **overrides})
    # Define's read needs none of the variables it does not use.
    session = SessionSettings.from_env(overrides)
    assert session == (full.max_answers_per_session, full.max_resends_per_session, full.sign_in_mode)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_ANSWERS_PER_SESSION", "0"),
        ("MAX_ANSWERS_PER_SESSION", "11"),
        ("MAX_RESENDS_PER_SESSION", "-1"),
        ("MAX_RESENDS_PER_SESSION", "three"),
        ("SIGN_IN_MODE", "password"),
    ],
)
def test_define_refuses_the_bad_values_settings_refuses(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        SessionSettings.from_env({name: value})
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**BASE, name: value})
