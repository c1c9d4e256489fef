"""The one place an email address is checked and put into its canonical form.

Cognito compares addresses case-insensitively (the pool's UsernameConfiguration), so every part of
this product lower-cases and strips an address before it stores, compares, hashes or sends to it.
Only the plain dot-atom form is accepted: quoted local parts, comments and lists (quotes, brackets,
commas, semicolons, whitespace) are refused, as is anything outside printable ASCII, so an address
can never smuggle a second recipient or markup into a header or a template.
"""

from __future__ import annotations

import string

from passwordless.settings import DOMAIN_PATTERN

MAX_ADDRESS_LENGTH = 254  # RFC 5321's path limit less the angle brackets.
MAX_LOCAL_PART_LENGTH = 64
# RFC 5322 atext: what an unquoted local part may hold besides dots.
_LOCAL_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "!#$%&'*+-/=?^_`{|}~.")
_EDGE_WHITESPACE = " \t\r\n"


class BadAddress(ValueError):
    """Not an email address we accept. The message is generic and never repeats the input."""

    def __init__(self) -> None:
        super().__init__("That is not a valid email address.")


def normalise_email(raw: object) -> str:
    """The canonical (lower-case, stripped) form of an address, or BadAddress."""
    if not isinstance(raw, str):
        raise BadAddress
    address = raw.strip(_EDGE_WHITESPACE)
    if not address or len(address) > MAX_ADDRESS_LENGTH or not address.isascii():
        raise BadAddress
    # Lower-case only after the ASCII check: str.lower() can change the length of other scripts.
    address = address.lower()
    local, at, domain = address.partition("@")
    if not at or not _is_local_part(local) or not DOMAIN_PATTERN.fullmatch(domain):
        raise BadAddress
    return address


def domain_of(address: object) -> str:
    """The lower-case domain of an address (after its only "@"), or BadAddress."""
    return normalise_email(address).rpartition("@")[2]


def _is_local_part(local: str) -> bool:
    return (
        0 < len(local) <= MAX_LOCAL_PART_LENGTH
        and set(local) <= _LOCAL_CHARACTERS
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
    )
