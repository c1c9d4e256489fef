"""Every kind of email the product sends, in every language we ship: what it says, what it never shows
where it should not, and that the rules of the sign-in email (escaping, one-line subjects, web links
only, lock-screen previews) hold for each kind."""

from __future__ import annotations

import io
import logging
from typing import get_args

import pytest
from aws_lambda_powertools import Logger

from passwordless.email.message import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    PasskeyChangedEmail,
    SignInEmail,
)
from passwordless.email.render import KINDS, LOCALES, render
from tests.support.emails import (
    email_change_code_email,
    email_changed_email,
    invitation_email,
    new_sign_in_email,
    one_of_each,
    parse_html,
    sign_in_email,
    visible_text,
)

TO = "jane@example.com"
LINK = "https://app.example.com/sign-in#t=aW52aXRhdGlvbi10b2tlbg&u=amFuZQ"
TOKEN = "aW52aXRhdGlvbi10b2tlbg"
CODE = "582031"
MASKED = "j\u2022\u2022\u2022@example.net"

# What each kind must say in each locale: the sentence that tells the reader what happened and the
# one that tells them what to do if it was not them. A translation cannot silently drop either.
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "invitation": {
        "en": ("You have been invited to Example Shop", "works for 3 days", "did not expect this invitation"),
        "de": ("eine Einladung für Example Shop erhalten", "gilt 3 Tage", "keine Einladung erwartet"),
    },
    "new_sign_in": {
        "en": ("Someone signed in to Example Shop", "2026-11-22 10:15 UTC", "If it was not you"),
        "de": ("neue Anmeldung für Example Shop", "2026-11-22 10:15 UTC", "Wenn nicht"),
    },
    "email_change": {
        "en": ("use this email address for Example Shop", "expires in 10 minutes"),
        "de": ("diese E-Mail-Adresse für Example Shop verwenden", "läuft in 10 Minuten ab"),
    },
    "email_changed": {
        "en": ("was changed to:", MASKED, "If you did not make this change"),
        "de": ("wurde geändert in:", MASKED, "Wenn Sie das nicht geändert haben"),
    },
    "passkey_added": {
        "en": (
            "A passkey was added: it can now sign you in to Example Shop",
            "Jane's phone",
            "If you did not make this change",
        ),
        "de": (
            "Ihrem Konto für Example Shop wurde ein Passkey hinzugefügt",
            "Jane's phone",
            "Wenn Sie das nicht geändert haben",
        ),
    },
    "passkeys_removed": {
        "en": (
            "none can sign you in to Example Shop any more",
            "sign in by email",
            "If you did not make this change",
        ),
        "de": (
            "Alle Passkeys Ihres Kontos für Example Shop wurden entfernt",
            "Per E-Mail",
            "Wenn Sie das nicht geändert haben",
        ),
    },
    "code_only_sign_in": {
        "en": (
            "with this email address and its password",
            "expires in 10 minutes",
            "someone knows your password",
        ),
        "de": ("und ihr Passwort eingegeben", "läuft in 10 Minuten ab", "kennt jemand Ihr Passwort"),
    },
}


def each_kind(locale: str = "en", **common: str) -> list[OutgoingEmail]:
    return one_of_each(to=TO, link=LINK, code=CODE, locale=locale, **common)


def name_of(email: OutgoingEmail) -> str:
    if isinstance(email, SignInEmail) and not email.link:
        return "code_only_sign_in"
    if isinstance(email, PasskeyChangedEmail):
        return "passkey_added" if email.added else "passkeys_removed"
    return email.kind


def secrets_in(email: OutgoingEmail) -> list[str]:
    """The values in this email that sign someone in or change an account."""
    return [value for value in (getattr(email, "link", ""), getattr(email, "code", "")) if value]


def test_two_kinds_with_the_same_values_are_different_emails() -> None:
    changed = EmailChangedEmail("a@example.com", "b•••@example.com", "en", "App")
    notice = NewSignInEmail("a@example.com", "b•••@example.com", "en", "App")
    assert changed != notice
    assert (changed.kind, notice.kind) == ("email_changed", "new_sign_in")
    assert render(changed).subject != render(notice).subject


def test_every_kind_has_every_part_in_english_and_german() -> None:
    # A kind missing one file in one locale would drop that locale from LOCALES altogether.
    assert {kind.kind for kind in get_args(OutgoingEmail)} == set(KINDS)
    assert len(KINDS) == 6
    assert {"en", "de"} <= LOCALES


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("index", range(1, 8), ids=lambda i: name_of(each_kind()[i]))
def test_each_kind_says_what_happened_and_what_to_do_in_each_locale(locale: str, index: int) -> None:
    # Given one email of this kind in this locale
    email = each_kind(locale)[index]

    # When it is rendered
    rendered = render(email)
    html_text = visible_text(rendered.html)
    text = " ".join(rendered.text.split())

    # Then both parts say what happened and what to do if it was not the reader, in that language
    for phrase in PHRASES[name_of(email)][locale]:
        assert phrase in html_text
        assert phrase in text
    assert parse_html(rendered.html).tags[0] == ("html", {"lang": locale})
    assert rendered.to == TO
    # And the secrets it carries are in both parts, exactly as issued
    for secret in secrets_in(email):
        assert secret in rendered.text
        assert secret in html_text


def test_the_two_locales_really_differ_for_every_kind() -> None:
    for english, german in zip(each_kind("en"), each_kind("de"), strict=True):
        english_rendered, german_rendered = render(english), render(german)
        assert english_rendered.subject != german_rendered.subject
        assert english_rendered.text != german_rendered.text


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_no_subject_and_no_preview_shows_a_secret(locale: str) -> None:
    for email in each_kind(locale):
        rendered = render(email)
        preview_html = visible_text(rendered.html)[:90]
        assert "Example Shop" in rendered.subject
        assert "\n" not in rendered.subject
        for secret in (CODE, LINK, TOKEN, "#t="):
            assert secret not in rendered.subject
            # Lock screens show the subject and about the first 90 characters of the body.
            assert secret not in rendered.text[:90]
            assert secret not in preview_html


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_kind_is_a_clean_standalone_document_whose_only_url_is_its_own_link(locale: str) -> None:
    for email in each_kind(locale):
        rendered = render(email)
        document = parse_html(rendered.html)

        assert document.doctype.lower() == "doctype html"
        assert document.errors == []
        assert document.stack == []
        assert len(rendered.html) < 10_000
        tags = {tag for tag, _ in document.tags}
        assert tags.isdisjoint({"style", "script", "img", "link", "iframe", "object", "picture", "video"})
        assert all("src" not in attrs and "background" not in attrs for _, attrs in document.tags)
        link = getattr(email, "link", "")
        assert document.hrefs() == ([link] if link else [])
        # The link shows once as the button's target and once as text to copy; nothing else is a URL.
        assert rendered.html.count("http") == (2 if link else 0)
        assert rendered.text.count("http") == (1 if link else 0)


def test_a_code_only_sign_in_email_has_no_link_and_no_empty_href() -> None:
    # Given a sign-in email in password-and-email-code mode
    email = sign_in_email(to=TO, link="", code=CODE)

    # When it is rendered
    rendered = render(email)
    document = parse_html(rendered.html)

    # Then it shows the code, has no anchor at all, and says code rather than link
    assert "a" not in {tag for tag, _ in document.tags}
    assert "href" not in rendered.html
    assert "http" not in rendered.html + rendered.text
    assert f"    {CODE}\n" in rendered.text
    assert CODE in visible_text(rendered.html)
    assert rendered.subject == "Your sign-in code for Example Shop"
    assert render(sign_in_email(to=TO, link=LINK, code=CODE)).subject == "Your sign-in link for Example Shop"
    assert "link" not in " ".join(rendered.text.split()).lower()


@pytest.mark.parametrize("link", ["", "javascript:alert(1)", "data:text/html,hi", "//evil.example/x"])
def test_an_invitation_needs_a_web_link(link: str) -> None:
    with pytest.raises(ValueError, match="http"):
        render(invitation_email(to=TO, link=link, code=CODE))


@pytest.mark.parametrize("link", ["javascript:alert(1)", "relative"])
def test_a_sign_in_link_that_is_not_a_web_url_is_still_refused(link: str) -> None:
    with pytest.raises(ValueError, match="http"):
        render(sign_in_email(to=TO, link=link, code=CODE))


def test_the_invitees_name_is_escaped_in_html_and_literal_in_text() -> None:
    # Given a name an administrator typed, holding markup
    hostile = '<img src=x onerror="alert(1)"> & Jane'

    # When the invitation is rendered
    rendered = render(invitation_email(to=TO, link=LINK, code=CODE, name=hostile))
    document = parse_html(rendered.html)

    # Then the HTML shows the name as text and builds no element from it; the text part shows it as typed
    assert "<img" not in rendered.html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Jane" in rendered.html
    assert "img" not in {tag for tag, _ in document.tags}
    assert f"Hello {hostile}," in visible_text(rendered.html)
    assert rendered.text.startswith(f"Hello {hostile},\n")
    # And the name stays out of the subject, where it could look like the sender's words
    assert hostile not in rendered.subject


def test_an_invitation_without_a_name_greets_plainly_and_without_a_code_shows_none() -> None:
    rendered = render(invitation_email(to=TO, link=LINK, code="", name="", locale="de"))

    assert rendered.text.startswith("Hallo,\n")
    assert "Code" not in rendered.text
    assert "letter-spacing" not in rendered.html  # the code block's style: no empty code box
    assert parse_html(rendered.html).hrefs() == [LINK]


@pytest.mark.parametrize(
    ("days", "en", "de"), [(1, "works for 1 day ", "gilt 1 Tag "), (7, "7 days", "7 Tage")]
)
def test_invitation_days_are_counted_in_words_that_agree(days: int, en: str, de: str) -> None:
    assert en in render(invitation_email(to=TO, link=LINK, code=CODE, days=days)).text
    assert de in render(invitation_email(to=TO, link=LINK, code=CODE, days=days, locale="de")).text


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_changed_email_shows_only_the_masked_new_address(locale: str) -> None:
    # Given the notice to the old address after a change to jane.new@example.net
    email = email_changed_email(to="jane.old@example.com", new_address_masked=MASKED, locale=locale)

    # When it is rendered
    rendered = render(email)

    # Then both parts show the masked address as the change's target, and never the full one
    assert f"    {MASKED}\n" in rendered.text
    assert MASKED in visible_text(rendered.html)
    for part in (rendered.subject, rendered.html, rendered.text):
        assert "jane.new" not in part
    assert rendered.to == "jane.old@example.com"


def test_the_change_code_email_carries_the_code_and_no_link() -> None:
    rendered = render(email_change_code_email(to="jane.new@example.net", code=CODE, minutes=1))

    assert f"    {CODE}\n" in rendered.text
    assert "expires in 1 minute " in rendered.text
    assert "href" not in rendered.html


def test_the_new_sign_in_notice_shows_the_time_readably_and_nothing_secret() -> None:
    readable = render(new_sign_in_email(to=TO, when_utc="2026-11-22T10:15Z"))
    unusual = render(new_sign_in_email(to=TO, when_utc="2026-11-22T10:15:07+00:00"))

    assert "    2026-11-22 10:15 UTC\n" in readable.text
    assert "    2026-11-22T10:15:07+00:00\n" in unusual.text
    assert "href" not in readable.html


def test_app_name_is_escaped_in_html_and_cannot_break_any_subject() -> None:
    hostile = '<script>alert("x")</script>\r\nBcc: victim@example.com'

    for email in each_kind(app_name=hostile):
        rendered = render(email)

        assert "<script>" not in rendered.html
        assert "&lt;script&gt;" in rendered.html
        assert "\r" not in rendered.subject
        assert "\n" not in rendered.subject
        assert "<script>" in rendered.text  # the text part is not HTML: shown as typed


@pytest.mark.parametrize(
    "email",
    [
        invitation_email(to=TO, link=LINK, code=CODE),
        new_sign_in_email(to=TO),
        email_change_code_email(to=TO, code=CODE),
        email_changed_email(to=TO),
    ],
    ids=lambda email: email.kind,
)
def test_every_kind_falls_back_to_english_and_matches_regional_german(
    email: InvitationEmail | NewSignInEmail | EmailChangeCodeEmail | EmailChangedEmail,
) -> None:
    def rendered_in(locale: str) -> object:
        return render(type(email)(**{**vars(email), "locale": locale}))

    assert rendered_in("fr-FR") == rendered_in("en")
    assert rendered_in("de_AT") == rendered_in("de")
    assert rendered_in("../de") == rendered_in("en")


def test_no_kind_repr_shows_a_secret_or_the_address() -> None:
    for email in each_kind():
        shown = repr(email) + repr(render(email))
        for secret in (CODE, LINK, TOKEN, TO):
            assert secret not in shown


def test_an_email_logged_as_a_field_shows_no_secret_or_the_address() -> None:
    # Powertools' JSON formatter writes a tuple as the list of its fields and anything else through
    # str(): only a record that is not a tuple keeps its redacting repr in a log line.
    stream = io.StringIO()
    logger = Logger(service="email-kinds", logger_handler=logging.StreamHandler(stream))
    for email in each_kind():
        logger.info("sent", email=email, rendered=render(email))
    written = stream.getvalue()
    assert written.count('"sent"') == len(each_kind())
    for secret in (CODE, LINK, TOKEN, TO):
        assert secret not in written
