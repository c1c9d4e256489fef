"""Each kind of email with ordinary defaults (each test file supplies its own recipient, link and code),
and an HTML reader that sees a message as a mail client would."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from passwordless.email import (
    EmailChangeCodeEmail,
    EmailChangedEmail,
    InvitationEmail,
    NewSignInEmail,
    OutgoingEmail,
    PasskeyChangedEmail,
    SignInEmail,
)

_COMMON: dict[str, Any] = {"locale": "en", "app_name": "Example Shop"}

# The words the app's name may follow, per language. German sentences name the app after "für" only:
# a name with an article ("die Demo") or the default ("Ihr Konto") reads right there, where "bei" or
# "zu" would need another case. English: after "to" or "for".
READS_RIGHT_AFTER = {"en": {"to", "for"}, "de": {"für"}}


def sign_in_email(**fields: Any) -> SignInEmail:
    return SignInEmail(**{**_COMMON, "minutes": 10, **fields})


def invitation_email(**fields: Any) -> InvitationEmail:
    return InvitationEmail(**{**_COMMON, "days": 3, "name": "", **fields})


def new_sign_in_email(**fields: Any) -> NewSignInEmail:
    return NewSignInEmail(**{**_COMMON, "when_utc": "2026-11-22T10:15Z", **fields})


def email_change_code_email(**fields: Any) -> EmailChangeCodeEmail:
    return EmailChangeCodeEmail(**{**_COMMON, "minutes": 10, **fields})


def email_changed_email(**fields: Any) -> EmailChangedEmail:
    return EmailChangedEmail(**{**_COMMON, "new_address_masked": "j\u2022\u2022\u2022@example.net", **fields})


def passkey_changed_email(**fields: Any) -> PasskeyChangedEmail:
    return PasskeyChangedEmail(**{**_COMMON, "added": True, "passkey_name": "Jane's phone", **fields})


def one_of_each(*, to: str, link: str, code: str, **common: Any) -> list[OutgoingEmail]:
    """One email of every kind for `to`, with `link` and `code` wherever a kind carries them."""
    return [
        sign_in_email(to=to, link=link, code=code, **common),
        sign_in_email(to=to, link="", code=code, **common),
        invitation_email(to=to, link=link, code=code, name="Jane", **common),
        new_sign_in_email(to=to, **common),
        email_change_code_email(to=to, code=code, **common),
        email_changed_email(to=to, **common),
        passkey_changed_email(to=to, **common),
        passkey_changed_email(to=to, added=False, passkey_name="", **common),
    ]


class HtmlDocument(HTMLParser):
    """Collects what a mail client would act on: tags, attributes, visible text, and nesting errors."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "area", "base", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def hrefs(self) -> list[str]:
        return [attrs["href"] or "" for tag, attrs in self.tags if tag == "a" and "href" in attrs]


def parse_html(html: str) -> HtmlDocument:
    document = HtmlDocument()
    document.feed(html)
    document.close()
    return document


def visible_text(html: str) -> str:
    """The HTML's text as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(" ".join(parse_html(html).text).split())


def words_before(name: str, text: str) -> list[str]:
    """The word before each occurrence of `name` in `text`, lower-cased ("" where the text starts with it)."""
    return [
        (re.findall(r"(\S+)\s+$", text[: match.start()]) or [""])[-1].lower()
        for match in re.finditer(re.escape(name), text)
    ]
