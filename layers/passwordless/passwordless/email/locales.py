"""Which shipped language an email is written in, and what it calls the app: everything about a
message's locale that needs no template engine, so modules that only choose a language (the
triggers, the account API) never load Jinja.

The templates live in templates/<locale>/<name>/, one file per part; a locale is shipped when it holds
every part of every kind (complete_locales).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from passwordless.email.message import OutgoingEmail
from passwordless.settings import DEFAULT_APP_NAME

if TYPE_CHECKING:
    from passwordless.settings import Settings

TEMPLATE_DIR = Path(__file__).parent / "templates"
# templates/<locale>/app_name.txt holds words, not a template: what that language calls an unnamed app.
APP_NAME_FILE = "app_name.txt"


def complete_locales(names: Iterable[str], parts: Iterable[str]) -> frozenset[str]:
    """The locale folders holding every part of every named set."""
    wanted = [(name, part) for name in names for part in parts]
    return frozenset(
        folder.name
        for folder in TEMPLATE_DIR.iterdir()
        if folder.is_dir() and all((folder / name / part).is_file() for name, part in wanted)
    )


FALLBACK_LOCALE = "en"
"""Used when neither the requested locale nor the configured default is one we ship."""

KINDS: tuple[str, ...] = tuple(message.kind for message in get_args(OutgoingEmail))
"""Every kind of email the product sends; each needs its templates in every shipped locale."""

EMAIL_PARTS = ("subject.txt", "body.html", "body.txt")
# A BCP 47-ish tag as Cognito's `locale` attribute holds it ("de", "de-AT", "de_AT", "zh-Hant-TW").
# Anything else is user-controlled noise and must not reach the template loader as a path.
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_MAX_LOCALE_LENGTH = 35

LOCALES: frozenset[str] = complete_locales(KINDS, EMAIL_PARTS)
"""The locales we ship complete templates for (every kind, every part)."""

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
