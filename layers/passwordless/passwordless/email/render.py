"""Turn any OutgoingEmail into subject, HTML and plain text, in the reader's language.

Each kind has its own templates (templates/<locale>/<kind>/{subject.txt, body.html, body.txt}); every
HTML body extends the one shared _layout.html and builds its content from _parts.html, so a locale's
files hold words, not markup. The environment and loading rules are in template_sets, the choice
of language and of the app's name in locales.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from passwordless.email.locales import EMAIL_PARTS, FALLBACK_LOCALE, KINDS, LOCALES, resolve_locale
from passwordless.email.message import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    PasskeyChangedEmail,
    RenderedEmail,
    SignInEmail,
)
from passwordless.email.template_sets import TemplateSets, one_line

_MINUTE_UTC = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})Z")

TEMPLATES = TemplateSets(LOCALES, KINDS, EMAIL_PARTS)
"""Every kind's templates in every shipped locale, each set loaded when its first email goes out."""


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


def rehearse_render(locale: str) -> None:
    """Render a sign-in email in `locale` and throw it away: a create trigger does this at init, so
    Jinja, that language's sign-in templates and their first run are paid for there (before any
    request, where provisioned concurrency or Lambda's own early start runs init) and not inside
    the first person's sign-in."""
    render(
        SignInEmail(
            to="rehearsal@example.com",
            link="https://example.com/#rehearsal",
            code="000000",
            minutes=1,
            locale=locale,
            app_name="-",
        )
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
        case PasskeyChangedEmail():
            return {"added": email.added, "passkey_name": email.passkey_name}


def _check_link(link: str) -> None:
    # Links are built from configuration, but an href is where a `javascript:` URL would do harm;
    # refuse anything but a web link rather than trust every future caller.
    if urlsplit(link).scheme not in ("https", "http"):
        raise ValueError("the sign-in link must be an http(s) URL")


def _readable_time(when_utc: str) -> str:
    """2026-11-22T10:15Z -> 2026-11-22 10:15 UTC; anything else is shown as given."""
    match = _MINUTE_UTC.fullmatch(when_utc)
    return f"{match[1]} {match[2]} UTC" if match else when_utc
