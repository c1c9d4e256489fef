"""The sign-in email as the reader sees it: content, escaping, language, and what stays out of previews."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passwordless.email.message import SignInEmail
from passwordless.email.render import FALLBACK_LOCALE, LOCALES, render, resolve_locale
from tests.support.emails import parse_html, sign_in_email

LINK = "https://app.example.com/sign-in#t=Zm9vYmFyYmF6cXV4&u=dXNlcg"
CODE = "482913"

# Phrases each locale must say, so a translation cannot silently drop the safety sentence.
PHRASES = {
    "en": {
        "greeting": "Hello,",
        "ignore": "If you did not ask to sign in, ignore this email.",
        "nobody": "Nobody can sign in without this email.",
        "expires": "expire in 10 minutes",
    },
    "de": {
        "greeting": "Hallo,",
        "ignore": "Wenn Sie keine Anmeldung angefordert haben, ignorieren Sie diese E-Mail.",
        "nobody": "Ohne diese E-Mail kann sich niemand anmelden.",
        "expires": "laufen in 10 Minuten ab",
    },
}


def an_email(**changes: object) -> SignInEmail:
    return sign_in_email(**{"to": "jane@example.com", "link": LINK, "code": CODE, **changes})


@pytest.mark.parametrize("locale", sorted(PHRASES))
def test_each_locale_carries_link_code_expiry_and_warning(locale: str) -> None:
    # Given a sign-in email in this locale
    email = an_email(locale=locale)

    # When it is rendered
    rendered = render(email)
    document = parse_html(rendered.html)
    visible = " ".join(" ".join(document.text).split())

    # Then the big button and the text part both carry the exact link, and both show the code
    assert document.hrefs() == [LINK]
    assert LINK in rendered.text
    assert CODE in visible
    assert f"    {CODE}\n" in rendered.text
    # And both say how long it works and what to do if it was not you
    for phrase in PHRASES[locale].values():
        assert phrase in visible
        assert phrase in " ".join(rendered.text.split())
    assert rendered.to == "jane@example.com"


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_subject_names_the_app_but_never_the_secret(locale: str) -> None:
    rendered = render(an_email(locale=locale))

    assert "Example Shop" in rendered.subject
    assert CODE not in rendered.subject
    assert LINK not in rendered.subject
    assert "\n" not in rendered.subject


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_the_preview_a_lock_screen_shows_holds_neither_code_nor_link(locale: str) -> None:
    # Mail apps show the subject plus roughly the first 90 characters of the body.
    rendered = render(an_email(locale=locale))
    preview_html = " ".join(" ".join(parse_html(rendered.html).text).split())[:90]

    for preview in (rendered.text[:90], preview_html):
        assert CODE not in preview
        assert "#t=" not in preview


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_html_is_a_small_standalone_document_with_inline_styles_only(locale: str) -> None:
    rendered = render(an_email(locale=locale))
    document = parse_html(rendered.html)

    assert document.doctype.lower() == "doctype html"
    assert document.errors == []
    assert document.stack == []
    assert [tag for tag, _ in document.tags[:3]] == ["html", "head", "meta"]
    assert dict(document.tags[0][1]) == {"lang": locale}
    assert len(rendered.html) < 10_000
    tags = {tag for tag, _ in document.tags}
    # No <style> (clients strip it), no scripts, and nothing fetched: no images, pixels or fonts.
    assert tags.isdisjoint({"style", "script", "img", "link", "iframe", "object", "picture", "video"})
    assert all("src" not in attrs and "background" not in attrs for _, attrs in document.tags)
    assert "url(" not in rendered.html
    # The only URL in the whole message is the sign-in link.
    assert rendered.html.count("http") == rendered.html.count("https://app.example.com") == 2


def test_app_name_is_escaped_in_html_and_literal_in_text() -> None:
    # Given an app name an attacker might control
    hostile = '<script>alert("x")</script> & <b>Co</b>'

    # When rendered
    rendered = render(an_email(app_name=hostile))
    document = parse_html(rendered.html)

    # Then the HTML shows it as text and runs nothing; the text part shows it as typed
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert {tag for tag, _ in document.tags}.isdisjoint({"script", "b"})
    assert hostile in " ".join(document.text)
    assert hostile in rendered.text
    assert "&lt;" not in rendered.text


def test_link_with_markup_characters_survives_as_one_attribute() -> None:
    link = 'https://app.example.com/in?a=1&b="2"#t=x<y>'

    rendered = render(an_email(link=link))

    assert parse_html(rendered.html).hrefs() == [link]
    assert link in rendered.text


def test_app_name_cannot_break_the_subject_into_headers() -> None:
    rendered = render(an_email(app_name="Shop\r\nBcc: victim@example.com"))

    assert "\r" not in rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.subject == "Your sign-in link for Shop Bcc: victim@example.com"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", "relative"])
def test_a_link_that_is_not_a_web_url_is_refused(link: str) -> None:
    with pytest.raises(ValueError, match="http"):
        render(an_email(link=link))


@pytest.mark.parametrize(
    ("minutes", "en", "de"), [(1, "1 minute ", "1 Minute "), (15, "15 minutes", "15 Minuten")]
)
def test_minutes_are_counted_in_words_that_agree(minutes: int, en: str, de: str) -> None:
    assert en in render(an_email(minutes=minutes, locale="en")).text
    assert de in render(an_email(minutes=minutes, locale="de")).text
    assert "1 minutes" not in render(an_email(minutes=1, locale="en")).text


def test_render_falls_back_to_english_for_a_locale_we_do_not_ship() -> None:
    assert render(an_email(locale="fr-FR")) == render(an_email(locale="en"))
    assert render(an_email(locale="de_CH")) == render(an_email(locale="de"))


@pytest.mark.parametrize(
    ("requested", "default", "expected"),
    [
        ("de", "en", "de"),
        ("de-AT", "en", "de"),
        ("de_AT", "en", "de"),
        ("DE-at", "en", "de"),
        (" de ", "en", "de"),
        ("en-US", "de", "en"),
        ("en-GB-oxendict", "de", "en"),
        ("fr", "en", "en"),
        ("fr-CA", "de", "de"),
        ("", "de", "de"),
        ("zz-de", "en", "en"),  # the language decides, not a region that happens to read "de"
        ("deu", "en", "en"),
        ("d", "en", "en"),
        ("de-", "en", "en"),
        ("de--AT", "en", "en"),
        ("../de", "en", "en"),
        ("de/../../etc", "en", "en"),
        ("de\x00", "en", "en"),
        ("de;q=0.9", "en", "en"),
        ("de-" + "A" * 100, "en", "en"),
        ("x" * 10_000, "de", "de"),
        ("fr", "fr", FALLBACK_LOCALE),  # a default we do not ship cannot break rendering
        ("fr", "../../secret", FALLBACK_LOCALE),
        ("de-AT", "fr", "de"),
    ],
)
def test_locale_negotiation(requested: str, default: str, expected: str) -> None:
    assert resolve_locale(requested, default) == expected


@given(requested=st.text(max_size=60), default=st.text(max_size=60))
def test_any_input_resolves_to_a_locale_we_ship(requested: str, default: str) -> None:
    assert resolve_locale(requested, default) in LOCALES


def test_we_ship_english_and_german() -> None:
    assert {"en", "de"} <= LOCALES
    assert FALLBACK_LOCALE in LOCALES


def test_repr_of_rendered_email_hides_the_body() -> None:
    rendered = render(an_email())

    assert CODE not in repr(rendered)
    assert LINK not in repr(rendered)
