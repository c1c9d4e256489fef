"""JSON request bodies: size first, then syntax, then each field's type and shape.

A body is refused whole (400, or 413 when over 4 KiB) before anything is read or written: a field
that is missing, of the wrong type, too long, or not one the route takes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from passwordless import addresses
from passwordless.accounts.refusals import BadAddress, BadRequest, TooLarge

MAX_BODY_BYTES = 4096
MAX_NAME_LENGTH = 256  # Cognito's limit for the standard `name` attribute; PreSignUp refuses longer.
MAX_PASSWORD_LENGTH = 256  # Cognito's own maximum
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_MAX_LOCALE_LENGTH = 35
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,128}")
_CODE_SEPARATORS = str.maketrans("", "", " -")  # people type "123 456" or "123-456"


@dataclass(frozen=True)
class Body:
    fields: Mapping[str, object]

    def email(self, name: str = "email") -> str:
        try:
            return addresses.normalise_email(self.fields.get(name))
        except addresses.BadAddress:
            raise BadAddress from None

    def name(self) -> str:
        """The optional display name: "" when absent; printable, at most 256 characters."""
        value = self._optional_text("name")
        if len(value) > MAX_NAME_LENGTH or not value.isprintable():
            raise BadRequest
        return value.strip()

    def locale(self) -> str:
        value = self._optional_text("locale")
        if value and (len(value) > _MAX_LOCALE_LENGTH or not _LOCALE.fullmatch(value)):
            raise BadRequest
        return value

    def code(self, length: int) -> str:
        value = self._text("code")
        compact = value.strip().translate(_CODE_SEPARATORS)
        if len(value) > 4 * length or len(compact) != length or not (compact.isascii() and compact.isdigit()):
            raise BadRequest
        return compact

    def token(self) -> str:
        value = self._text("token")
        if not _TOKEN.fullmatch(value):
            raise BadRequest
        return value

    def password(self) -> str:
        value = self._text("password")
        if not 0 < len(value) <= MAX_PASSWORD_LENGTH or not value.isprintable():
            raise BadRequest
        return value

    def object(self, name: str) -> Mapping[str, object]:
        """A nested JSON object (a WebAuthn credential), checked by the code that reads it."""
        value = self.fields.get(name)
        if not isinstance(value, dict):
            raise BadRequest
        return value

    def _text(self, name: str) -> str:
        value = self.fields.get(name)
        if not isinstance(value, str):
            raise BadRequest
        return value

    def _optional_text(self, name: str) -> str:
        return self._text(name) if name in self.fields else ""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A key given twice is refused: which one counts would be the parser's choice, not the caller's."""
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_body(
    raw: str | None, *, is_base64: bool, allowed: frozenset[str], max_bytes: int = MAX_BODY_BYTES
) -> Body:
    """The JSON object a route takes, holding only fields it names in `allowed`, in `max_bytes`."""
    text = raw or ""
    # Cheap refusal before decoding: base64 is 4/3 the size of what it encodes.
    if len(text) > max_bytes * 4 // 3 + 4:
        raise TooLarge
    try:
        data = base64.b64decode(text, validate=True) if is_base64 else text.encode("utf-8")
    except (binascii.Error, UnicodeEncodeError):
        raise BadRequest from None
    if len(data) > max_bytes:
        raise TooLarge
    try:
        parsed: object = json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: a few KiB of nested arrays is deeper than the parser recurses.
        raise BadRequest from None
    if not isinstance(parsed, dict) or not set(parsed) <= allowed:
        raise BadRequest
    return Body(parsed)
