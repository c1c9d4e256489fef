"""Turn a SignInEmail into subject, HTML and plain text, in the reader's language.

Templates are package files (templates/<locale>/{subject.txt, body.html, body.txt}) loaded through one
module-level Environment, so a warm container parses each template once. Autoescaping is on for the
HTML body only: the text parts are not HTML, and escaping them would show `&amp;` to the reader.
StrictUndefined turns a typo in a template into an error in the tests instead of a blank in an inbox.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from passwordless.email.message import RenderedEmail, SignInEmail

FALLBACK_LOCALE = "en"
"""Used when neither the requested locale nor the configured default is one we ship."""

_TEMPLATE_DIR = Path(__file__).parent / "templates"
_PARTS = ("subject.txt", "body.html", "body.txt")
# A BCP 47-ish tag as Cognito's `locale` attribute holds it ("de", "de-AT", "de_AT", "zh-Hant-TW").
# Anything else is user-controlled noise and must not reach the template loader as a path.
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_MAX_LOCALE_LENGTH = 35

_environment = Environment(
    loader=FileSystemLoader(_TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def _shipped_locales() -> frozenset[str]:
    return frozenset(
        folder.name
        for folder in _TEMPLATE_DIR.iterdir()
        if folder.is_dir() and all((folder / part).is_file() for part in _PARTS)
    )


LOCALES: frozenset[str] = _shipped_locales()
"""The locales we ship complete templates for."""

# Parse every template now: a broken template fails the import (and the tests), not a sign-in, and
# the first email of a container costs no template compilation.
_TEMPLATES = {
    locale: tuple(_environment.get_template(f"{locale}/{part}") for part in _PARTS) for locale in LOCALES
}


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


def render(email: SignInEmail) -> RenderedEmail:
    """Subject, HTML and text for one sign-in email. The subject never carries the code or the link."""
    scheme = urlsplit(email.link).scheme
    # The link is built from configuration, but an href is where a `javascript:` URL would do harm;
    # refuse anything but a web link rather than trust every future caller.
    if scheme not in ("https", "http"):
        raise ValueError("the sign-in link must be an http(s) URL")
    locale = resolve_locale(email.locale, FALLBACK_LOCALE)
    subject_template, html_template, text_template = _TEMPLATES[locale]
    context = {
        "app_name": email.app_name,
        "link": email.link,
        "code": email.code,
        "minutes": email.minutes,
        "locale": locale,
    }
    # Headers are one line: a newline in APP_NAME must not start a second header or body.
    subject = " ".join(subject_template.render(context).split())
    context["subject"] = subject
    return RenderedEmail(
        to=email.to,
        subject=subject,
        html=html_template.render(context),
        text=text_template.render(context).strip() + "\n",
    )
