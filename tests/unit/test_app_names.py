"""What an email calls the app: the name APP_NAMES_BY_LOCALE gives the language it is written in, else
APP_NAME, else (APP_NAME left at its default) that language's own words for "your account". In every
language the name stands only where any name reads right, so neither a configured name nor the
default ever lands mid-sentence in the wrong grammar or the wrong language."""

from __future__ import annotations

import pytest

from passwordless.email.locales import LOCALES, app_name_for
from passwordless.email.render import render
from passwordless.settings import DEFAULT_APP_NAME, Settings
from tests.support.emails import READS_RIGHT_AFTER, one_of_each, visible_text, words_before

BASE = {
    "TABLE_NAME": "t",
    "HMAC_KEY_SECRET_ID": "k",
    "EMAIL_FROM": "no-reply@example.com",
    "SIGN_IN_URL": "https://app.example.com/sign-in",
}
LINK = "https://app.example.com/sign-in#u=jan%40example.com&t=dG9rZW4"
DEMO = {"APP_NAME": "the passwordless demo", "APP_NAMES_BY_LOCALE": '{"de": "die Passwordless-Demo"}'}


def settings(**env: str) -> Settings:
    return Settings.from_env({**BASE, **env})


def test_a_language_with_a_name_of_its_own_uses_it_and_the_others_use_app_name() -> None:
    demo = settings(**DEMO)

    assert app_name_for(demo, "de") == "die Passwordless-Demo"
    assert app_name_for(demo, "en") == "the passwordless demo"


def test_with_app_name_left_at_its_default_each_language_uses_its_own_words() -> None:
    # CloudFormation passes the parameter's default when nobody sets it: that is "no name given".
    for unnamed in (settings(), settings(APP_NAME=DEFAULT_APP_NAME)):
        assert app_name_for(unnamed, "en") == "your account"
        assert app_name_for(unnamed, "de") == "Ihr Konto"


def test_a_name_for_one_language_does_not_stop_the_others_using_their_own_words() -> None:
    only_german = settings(APP_NAMES_BY_LOCALE='{"de": "die Passwordless-Demo"}')

    assert app_name_for(only_german, "en") == "your account"


@pytest.mark.parametrize("configured", [{}, DEMO], ids=["app name left at its default", "demo"])
def test_no_german_email_speaks_english_about_the_app(configured: dict[str, str]) -> None:
    # Given a German reader, with and without names configured
    name = app_name_for(settings(**configured), "de")

    # When each kind of email is written to them
    for email in one_of_each(to="jan@example.com", link=LINK, code="123456", locale="de", app_name=name):
        rendered = render(email)

        # Then no part carries the English name, and each names the app in German
        for part in (rendered.subject, visible_text(rendered.html), rendered.text):
            assert "your account" not in part
            assert "passwordless demo" not in part
        assert name in rendered.subject


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize(
    "configured", [{}, {"APP_NAME": "Example Shop"}, DEMO], ids=["default", "brand", "demo"]
)
def test_every_email_puts_the_name_only_where_any_name_reads_right(
    locale: str, configured: dict[str, str]
) -> None:
    name = app_name_for(settings(**configured), locale)
    for email in one_of_each(to="jan@example.com", link=LINK, code="123456", locale=locale, app_name=name):
        rendered = render(email)
        for part in (rendered.subject, visible_text(rendered.html), rendered.text):
            before = words_before(name, part)
            assert before, (email.kind, part)
            assert set(before) <= READS_RIGHT_AFTER[locale], (email.kind, part)


def test_every_shipped_language_has_words_of_its_own_for_an_unnamed_app() -> None:
    unnamed = settings()
    words = {locale: app_name_for(unnamed, locale) for locale in LOCALES}

    assert words["en"] == DEFAULT_APP_NAME
    assert len(set(words.values())) == len(LOCALES)
