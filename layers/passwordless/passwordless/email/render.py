"""Turn any OutgoingEmail into subject, HTML and plain text, in the reader's language.

Each kind has its own templates (templates/<locale>/<kind>/{subject.txt, body.html, body.txt}); every
HTML body extends the one shared _layout.html and builds its content from _parts.html, so a locale's
files hold words, not markup. The environment and loading rules are in template_sets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import urlsplit

from passwordless.email.message import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    RenderedEmail,
    SignInEmail,
)
from passwordless.email.template_sets import (
    APP_NAME_FILE,
    TEMPLATE_DIR,
    TemplateSets,
    complete_locales,
    one_line,
)
from passwordless.settings import DEFAULT_APP_NAME

if TYPE_CHECKING:
    from passwordless.settings import Settings

FALLBACK_LOCALE = "en"
"""Used when neither the requested locale nor the configured default is one we ship."""

KINDS: tuple[str, ...] = tuple(message.kind for message in get_args(OutgoingEmail))
"""Every kind of email the product sends; each needs its templates in every shipped locale."""

_PARTS = ("subject.txt", "body.html", "body.txt")
# A BCP 47-ish tag as Cognito's `locale` attribute holds it ("de", "de-AT", "de_AT", "zh-Hant-TW").
# Anything else is user-controlled noise and must not reach the template loader as a path.
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_MAX_LOCALE_LENGTH = 35
_MINUTE_UTC = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})Z")

LOCALES: frozenset[str] = complete_locales(KINDS, _PARTS)
"""The locales we ship complete templates for (every kind, every part)."""

TEMPLATES = TemplateSets(LOCALES, KINDS, _PARTS)
"""Every kind's templates in every shipped locale, each set loaded when its first email goes out."""

# Each language's words for an app nobody named, written where its sentences are: they must fit
# every place the name stands in that language's templates.
_UNNAMED = {
    locale: (TEMPLATE_DIR / locale / APP_NAME_FILE).read_text(encoding="utf-8").strip() for locale in LOCALES
}


def app_name_for(settings: Settings, locale: str) -> str:
    """What an email written in `locale` (a shipped one, as resolve_locale returns it) calls the app:
    the name APP_NAMES_BY_LOCALE gives that language, else APP_NAME, else, while APP_NAME is left at
    its default, the language's own words for "your account" (templates/<locale>/app_name.txt)."""
    named = settings.app_names_by_locale.get(locale)
    if named is not None:
        return named
    if settings.app_name != DEFAULT_APP_NAME:
        return settings.app_name
    return _UNNAMED[locale]


def resolve_locale(requested: str, default: str) -> str:
    """The shipped locale closest to `requested` ("de-AT" or "de_AT" → "de"), else `default`.

    If `default` is not shipped either, FALLBACK_LOCALE. Garbage and oversized input count as unknown.
    """
    for candidate in (requested, default):
        match = _match(candidate)
        if match is not None:
            return match
    return FALLBACK_LOCALE


def _match(tag: object) -> str | None:
    if not isinstance(tag, str) or len(tag) > _MAX_LOCALE_LENGTH:
        return None
    tag = tag.strip()
    if not _LOCALE_TAG.fullmatch(tag):
        return None
    subtags = tag.lower().replace("_", "-").split("-")
    # Most specific first, so a shipped "pt-br" would win over "pt" for "pt_BR".
    for length in range(len(subtags), 0, -1):
        candidate = "-".join(subtags[:length])
        if candidate in LOCALES:
            return candidate
    return None


def render(email: OutgoingEmail) -> RenderedEmail:
    """Subject, HTML and text for one email. Subjects never carry a code or a link: they show on lock
    screens and in notification previews."""
    locale = resolve_locale(email.locale, FALLBACK_LOCALE)
    # Every kind sees `link` and `code` (empty when it has none), so the shared parts can test them.
    context: dict[str, Any] = {
        "app_name": email.app_name,
        "locale": locale,
        "link": "",
        "code": "",
        **_fields(email),
    }
    subject_template, html_template, text_template = TEMPLATES[(locale, email.kind)]
    subject = one_line(subject_template.render(context))
    context["subject"] = subject
    return RenderedEmail(
        to=email.to,
        subject=subject,
        html=html_template.render(context),
        text=text_template.render(context).strip() + "\n",
    )


def _fields(email: OutgoingEmail) -> dict[str, Any]:
    match email:
        case SignInEmail():
            # "" is password-and-email-code mode: the code alone, no link to show.
            if email.link:
                _check_link(email.link)
            return {"link": email.link, "code": email.code, "minutes": email.minutes}
        case InvitationEmail():
            _check_link(email.link)
            return {"link": email.link, "code": email.code, "days": email.days, "name": email.name}
        case NewSignInEmail():
            return {"when": _readable_time(email.when_utc)}
        case EmailChangeCodeEmail():
            return {"code": email.code, "minutes": email.minutes}
        case EmailChangedEmail():
            return {"new_address": email.new_address_masked}


def _check_link(link: str) -> None:
    # Links are built from configuration, but an href is where a `javascript:` URL would do harm;
    # refuse anything but a web link rather than trust every future caller.
    if urlsplit(link).scheme not in ("https", "http"):
        raise ValueError("the sign-in link must be an http(s) URL")


def _readable_time(when_utc: str) -> str:
    """2026-11-22T10:15Z -> 2026-11-22 10:15 UTC; anything else is shown as given."""
    match = _MINUTE_UTC.fullmatch(when_utc)
    return f"{match[1]} {match[2]} UTC" if match else when_utc
