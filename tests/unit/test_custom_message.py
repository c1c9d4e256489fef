"""The CustomMessage trigger: every source we word, in each language, with Cognito's placeholders
verbatim and once, inside Cognito's limits; and anything it cannot answer left exactly as Cognito sent
it (so Cognito's default message goes out) with one refusal logged."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest

from passwordless.custom_message import (
    MAX_EMAIL_MESSAGE,
    MAX_EMAIL_SUBJECT,
    MAX_SMS_MESSAGE,
    SOURCES,
    parse_custom_message,
    respond_to_custom_message,
)
from passwordless.email.render import LOCALES
from passwordless.events import MalformedEvent
from passwordless.security_events import SecurityLog
from passwordless.settings import DEFAULT_APP_NAME, Settings
from tests.support.emails import READS_RIGHT_AFTER, parse_html, visible_text, words_before
from tests.support.fakes import RecordingLogger

CODE = "{####}"
USERNAME = "{username}"
APP = "Example Shop"
GREETING = {"en": "Hello,", "de": "Hallo,"}
ADMIN = "CustomMessage_AdminCreateUser"


def an_event(
    source: str = "CustomMessage_ForgotPassword", *, locale: str | None = "en", **request: Any
) -> Any:
    attributes = {"sub": "7d3f6a52", "email": "jane@example.com", "email_verified": "true"}
    if locale is not None:
        attributes["locale"] = locale
    return {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": "us-east-1_SampLe123",
        "userName": "7d3f6a52",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client"},
        "triggerSource": source,
        "request": {
            "userAttributes": attributes,
            "codeParameter": CODE,
            "linkParameter": "{##Click Here##}",
            "usernameParameter": USERNAME if source == ADMIN else None,
            **request,
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }


def configured(**fields: Any) -> Settings:
    """The settings the trigger words its messages with: APP_NAME "Example Shop" unless given."""
    return Settings(
        table_name="t",
        hmac_key_secret_id="k",
        email_from="no-reply@example.com",
        sign_in_url="https://app.example.com/sign-in",
        **{"app_name": APP, **fields},
    )


def respond(event: Any, **settings: Any) -> tuple[Any, RecordingLogger]:
    logger = RecordingLogger()
    answered = respond_to_custom_message(event, SecurityLog(logger), configured(**settings))
    return answered, logger


def assert_left_to_cognito(event: Any, **respond_options: Any) -> str:
    """The event comes back exactly as it was and one refusal is logged; returns the logged reason."""
    before = copy.deepcopy(event)
    answered, logger = respond(event, **respond_options)
    assert answered == before
    assert event == before, "the event it was given is not changed either"
    [refusal] = logger.events("rejected")
    assert refusal["trigger"] == "custom_message"
    assert len(logger.records) == 1
    return str(refusal["reason"])


def cognito_accepts(text: str) -> bool:
    """Cognito's pattern for messages and subjects: letters, marks, symbols, numbers, punctuation, space."""
    return all(c.isspace() or unicodedata.category(c)[0] in "LMSNP" for c in text)


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_source_is_worded_in_each_locale_with_the_placeholders_once(source: str, locale: str) -> None:
    # Given Cognito's event for this source, for a user with this locale
    event = an_event(source, locale=locale)

    # When the trigger answers
    answered, logger = respond(event)
    response = answered["response"]

    # Then it returns our subject, HTML email and SMS, in the user's language
    subject, html, sms = response["emailSubject"], response["emailMessage"], response["smsMessage"]
    assert APP in subject
    assert "\n" not in subject
    assert parse_html(html).tags[0] == ("html", {"lang": locale})
    assert GREETING[locale] in visible_text(html)
    assert parse_html(html).errors == []
    # And Cognito's placeholders stand verbatim, once each, where the values go (never in the subject)
    placeholders = [CODE, USERNAME] if source == ADMIN else [CODE]
    for placeholder in placeholders:
        assert html.count(placeholder) == 1
        assert sms.count(placeholder) == 1
        assert placeholder not in subject
    if source != ADMIN:
        assert USERNAME not in html + sms
    # And everything fits Cognito's limits and character rules
    assert len(subject) <= MAX_EMAIL_SUBJECT
    assert len(html) <= MAX_EMAIL_MESSAGE
    assert len(sms) <= MAX_SMS_MESSAGE
    assert cognito_accepts(subject)
    assert cognito_accepts(html)
    # And nothing else in the event changed, nothing was refused
    assert {key: value for key, value in answered.items() if key != "response"} == {
        key: value for key, value in event.items() if key != "response"
    }
    assert logger.events("rejected") == []


def test_the_two_locales_differ_for_every_source() -> None:
    for source in SOURCES:
        english = respond(an_event(source, locale="en"))[0]["response"]
        german = respond(an_event(source, locale="de"))[0]["response"]
        assert english["emailSubject"] != german["emailSubject"]
        assert english["smsMessage"] != german["smsMessage"]


def test_sources_have_distinct_subjects() -> None:
    subjects = {respond(an_event(source))[0]["response"]["emailSubject"] for source in SOURCES}
    assert len(subjects) == len(SOURCES)


def test_every_shipped_locale_words_every_source() -> None:
    assert {"en", "de"} <= LOCALES
    assert len(SOURCES) == 7
    for locale in LOCALES:
        for source in SOURCES:
            assert respond(an_event(source, locale=locale))[0]["response"]["emailMessage"]


@pytest.mark.parametrize(
    "placeholder",
    ["{####}", "{#CODE#}", "{{code}}", "%CODE%", "{#}#}"],
    ids=["cognito", "hashes", "jinja", "pct", "odd"],
)
def test_placeholders_with_braces_and_hashes_survive_templating_and_html_escaping(placeholder: str) -> None:
    # A "{#" written into a template would open a Jinja comment; passed as a value it is only text,
    # and nothing in it is a character HTML autoescaping rewrites.
    answered, _ = respond(an_event(ADMIN, codeParameter=placeholder, usernameParameter="{user#name}"))

    response = answered["response"]
    assert response["emailMessage"].count(placeholder) == 1
    assert response["smsMessage"].count(placeholder) == 1
    assert response["emailMessage"].count("{user#name}") == 1
    assert "&#" not in response["emailMessage"]


@pytest.mark.parametrize("placeholder", ["<####>", "{&#}", '{"#"}', "{'#'}", "{# #}", "{#\n#}", "", "#" * 65])
def test_a_placeholder_escaping_would_change_is_refused(placeholder: str) -> None:
    reason = assert_left_to_cognito(an_event(codeParameter=placeholder))

    assert reason == "request.codeParameter must be a placeholder"


@pytest.mark.parametrize(
    ("requested", "default", "expected"),
    [("de-AT", "en", "de"), ("de_CH", "en", "de"), ("fr", "de", "de"), ("", "de", "de"), (None, "de", "de")],
)
def test_locale_is_the_users_else_the_configured_default(
    requested: str | None, default: str, expected: str
) -> None:
    answered, _ = respond(an_event(locale=requested), default_locale=default)

    assert parse_html(answered["response"]["emailMessage"]).tags[0] == ("html", {"lang": expected})


def test_an_oversized_locale_falls_back_to_the_default() -> None:
    # A user may write their own locale attribute: a long one must not cost them their emails.
    answered, logger = respond(an_event(locale="de-" + "x" * 500), default_locale="de")

    assert parse_html(answered["response"]["emailMessage"]).tags[0] == ("html", {"lang": "de"})
    assert logger.records == []


def test_a_locale_longer_than_cognito_allows_is_malformed() -> None:
    assert (
        assert_left_to_cognito(an_event(locale="d" * 2049))
        == "request.userAttributes.locale must be a string"
    )


def test_the_app_name_is_escaped_in_the_html() -> None:
    answered, _ = respond(an_event(), app_name="<b>Shop</b> & Co")

    response = answered["response"]
    assert "<b>" not in response["emailMessage"]
    assert "&lt;b&gt;Shop&lt;/b&gt; &amp; Co" in response["emailMessage"]
    assert response["emailSubject"].startswith("Reset your password for <b>Shop</b> & Co")


@pytest.mark.parametrize(
    ("app_name", "reason"),
    [
        ("S" * 140, "the email subject is over Cognito's limit"),
        ("S" * 90, "the SMS message is over Cognito's limit"),
        ("Shop {####}", "a placeholder is not in the message exactly once"),
    ],
)
def test_a_message_cognito_would_refuse_or_garble_is_left_to_cognito(app_name: str, reason: str) -> None:
    assert assert_left_to_cognito(an_event(), app_name=app_name) == reason


def test_an_app_name_of_sixty_characters_fits_every_source_and_locale() -> None:
    for locale in ("en", "de"):
        for source in SOURCES:
            answered, logger = respond(an_event(source, locale=locale), app_name="A" * 60)
            assert logger.records == [], (source, locale)
            assert answered["response"]["smsMessage"]


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_language_names_the_app_in_its_own_words_only_where_any_name_reads_right(
    source: str, locale: str
) -> None:
    # Given a German name for the app, or none at all (AppName left at its default)
    german = "die Passwordless-Demo"
    for settings, name in (
        ({"app_names_by_locale": {"de": german}}, {"en": APP, "de": german}),
        ({"app_name": DEFAULT_APP_NAME}, {"en": "your account", "de": "Ihr Konto"}),
    ):
        # When Cognito asks for this source's message in this locale
        response = respond(an_event(source, locale=locale), **settings)[0]["response"]

        # Then subject, email and SMS name the app in that language, after the words that fit any name
        subject, html, sms = response["emailSubject"], response["emailMessage"], response["smsMessage"]
        for part in (subject, visible_text(html), sms):
            before = words_before(name[locale], part)
            assert before, (source, part)
            assert set(before) <= READS_RIGHT_AFTER[locale], (source, part)
            assert locale == "en" or "your account" not in part


def test_an_unknown_source_is_left_to_cognito() -> None:
    reason = assert_left_to_cognito(an_event("CustomMessage_SomethingNew"))

    assert reason == "no templates for this triggerSource"


@pytest.mark.parametrize("event", [None, [], "CustomMessage_SignUp", 42, True])
def test_an_event_that_is_not_an_object_comes_back_as_it_was(event: object) -> None:
    assert assert_left_to_cognito(event) == "the event must be a JSON object"


def _without(event: Any, *path: str) -> Any:
    holder = event
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return event


def _with(event: Any, value: object, *path: str) -> Any:
    holder = event
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return event


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (_with(an_event(), None, "triggerSource"), "triggerSource is not one this trigger handles"),
        (
            _with(an_event(), "PreSignUp_SignUp", "triggerSource"),
            "triggerSource is not one this trigger handles",
        ),
        (
            _with(an_event(), "CustomMessage_" + "X" * 60, "triggerSource"),
            "triggerSource is not one this trigger handles",
        ),
        (_with(an_event(), [], "request"), "request must be an object"),
        (_without(an_event(), "request"), "request must be an object"),
        (_without(an_event(), "response"), "response must be an object"),
        (_with(an_event(), None, "response"), "response must be an object"),
        (
            _with(an_event(), [["locale", "de"]], "request", "userAttributes"),
            "request.userAttributes must be an object",
        ),
        (
            _with(an_event(), 7, "request", "userAttributes", "locale"),
            "request.userAttributes.locale must be a string",
        ),
        (_without(an_event(), "request", "codeParameter"), "request.codeParameter must be a placeholder"),
        (_with(an_event(), None, "request", "codeParameter"), "request.codeParameter must be a placeholder"),
        (
            _with(an_event(), 123456, "request", "codeParameter"),
            "request.codeParameter must be a placeholder",
        ),
        (
            _with(an_event(), ["{####}"], "request", "codeParameter"),
            "request.codeParameter must be a placeholder",
        ),
        (
            _with(an_event(ADMIN), None, "request", "usernameParameter"),
            "request.usernameParameter must be a placeholder",
        ),
        (
            _with(an_event(ADMIN), 5, "request", "usernameParameter"),
            "request.usernameParameter must be a placeholder",
        ),
    ],
    ids=[
        "source-null",
        "source-other-trigger",
        "source-oversized",
        "request-list",
        "request-missing",
        "response-missing",
        "response-null",
        "attributes-list",
        "locale-number",
        "code-missing",
        "code-null",
        "code-number",
        "code-list",
        "admin-username-null",
        "admin-username-number",
    ],
)
def test_a_malformed_event_is_left_to_cognito_with_a_reason_naming_the_field(event: Any, reason: str) -> None:
    assert assert_left_to_cognito(event) == reason


def test_parse_reads_the_fields_the_trigger_needs() -> None:
    request = parse_custom_message(an_event(ADMIN, locale="de-AT"))

    assert (request.source, request.locale, request.code_parameter, request.username_parameter) == (
        ADMIN,
        "de-AT",
        CODE,
        USERNAME,
    )
    assert request.template == "admin_create_user"
    assert parse_custom_message(an_event("CustomMessage_SomethingNew")).template is None
    assert parse_custom_message(an_event(locale=None)).locale == ""
    assert parse_custom_message(an_event()).username_parameter == ""


def test_parse_refuses_with_malformed_event_and_no_value_in_the_message() -> None:
    with pytest.raises(MalformedEvent) as caught:
        parse_custom_message(an_event(codeParameter="<secret-looking value>"))

    assert "secret-looking" not in str(caught.value)
