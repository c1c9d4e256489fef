"""How one environment variable is read and checked: the reader every settings record uses.

Its own module, with no record in it, so that a function reading a few settings (define reads
three: session_settings) does not define every record of the stack in its cold start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
_N = TypeVar("_N", int, float)
_C = TypeVar("_C", bound=str)


class SettingsError(ValueError):
    """The environment does not describe a usable configuration; the message names the variable."""


class SettingsReader:
    """Each variable read, checked and turned into its type, or a SettingsError naming it.

    A variable's default is the default of the field of the same name (TABLE_NAME: table_name) in
    `defaults`; a variable whose field has none is required."""

    def __init__(self, env: Mapping[str, str], defaults: Mapping[str, Any]) -> None:
        self._env = env
        self._defaults = defaults

    def text(self, name: str, *, required: bool = False) -> str:
        value = self._env.get(name, "").strip()
        if value:
            return value
        default = self._defaults.get(name.lower())
        if required or default is None:
            raise SettingsError(f"{name} is required but not set")
        return str(default)

    def email(self, name: str) -> str:
        value = self.text(name)
        local, _, domain = value.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in value):
            raise SettingsError(f"{name} must be an email address")
        return value

    def matching(self, name: str, pattern: re.Pattern[str], kind: str) -> str:
        value = self.text(name)
        if not pattern.fullmatch(value):
            raise SettingsError(f"{name} must be {kind}")
        return value

    def choice(self, name: str, choices: tuple[_C, ...]) -> _C:
        value = self.text(name)
        for choice in choices:
            if value == choice:
                return choice
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")

    def flag(self, name: str) -> bool:
        value = self.text(name).lower()
        if value not in {"true", "false"}:
            raise SettingsError(f"{name} must be true or false")
        return value == "true"

    def url(self, name: str) -> str:
        return checked_url(name, self.text(name))

    def origin(self, name: str, *, required: bool) -> str:
        """A browser origin (scheme://host[:port], as an Origin header sends it), or "" when unset
        and not required."""
        value = self.text(name, required=required)
        return self.origin_value(name, value) if value else value

    def origin_value(self, name: str, value: str) -> str:
        """`value`, checked to be an origin (one of a list that `name` holds, say)."""
        from urllib.parse import urlsplit  # noqa: PLC0415 - as in checked_url

        if urlsplit(checked_url(name, value))[2:] != ("", "", ""):
            raise SettingsError(f"{name} must be an origin: scheme and host only, without a path")
        return value

    def url_map(self, name: str) -> Mapping[str, str]:
        parsed = self.string_object(name, f"{name} must be a JSON object of appClientId to URL")
        return {client: checked_url(name, url) for client, url in parsed.items()}

    def string_object(self, name: str, problem: str) -> dict[str, str]:
        """A JSON object of strings to strings ("{}" when unset), or SettingsError(problem)."""
        raw = self._env.get(name, "").strip() or "{}"
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise SettingsError(problem) from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise SettingsError(problem)
        checked: dict[str, str] = parsed
        return checked

    def integer(self, name: str, low: int, high: int) -> int:
        return self._bounded(name, (low, high), int, "a whole number")

    def number(self, name: str, low: float, high: float) -> float:
        return self._bounded(name, (low, high), float, "a number")

    def _bounded(self, name: str, bounds: tuple[_N, _N], parse: Callable[[str], _N], kind: str) -> _N:
        low, high = bounds
        problem = f"{name} must be {kind} from {low} to {high}"
        try:
            value = parse(self.text(name))
        except ValueError:
            raise SettingsError(problem) from None
        if not low <= value <= high:
            raise SettingsError(problem)
        return value


def checked_url(name: str, url: str) -> str:
    """https only, except plain http on loopback for local development; no fragment or credentials.

    The host must read the same to us as to a browser, so a link never opens a host other than the
    one configured: plain ASCII (browsers read an ideographic full stop as "."), no whitespace or
    backslash (browsers drop tabs and newlines and read a backslash as "/"), and no percent escape
    in the host (browsers decode "%2e" to "." and "%40" to "@")."""
    # Imported here: define never checks a URL, and this import is most of what the module would
    # add to its cold start.
    from urllib.parse import urlsplit  # noqa: PLC0415

    problem = f"{name} must be an https URL without a fragment (http only on localhost)"
    if not (url.isascii() and url.isprintable()) or any(c.isspace() or c == "\\" for c in url):
        raise SettingsError(problem)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise SettingsError(problem) from None
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK_HOSTS)
    if not secure or not host or "%" in host or parts.fragment or parts.username or parts.password:
        raise SettingsError(problem)
    return url
