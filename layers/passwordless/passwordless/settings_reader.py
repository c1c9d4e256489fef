"""Reading the environment into typed, checked values: what Settings is built from.

Apart from passwordless.settings so that define, which needs three values (SessionSettings), loads
neither Settings' dataclass (twenty-five fields: its generated methods cost milliseconds to compile
at import) nor the URL checks' urllib.parse.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple, TypeVar

SignInMode = Literal["email", "password-and-email-code"]
SIGN_IN_MODES: tuple[SignInMode, ...] = ("email", "password-and-email-code")
DOMAIN_PATTERN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_N = TypeVar("_N", int, float)
_C = TypeVar("_C", bound=str)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class SettingsError(ValueError):
    """The environment does not describe a usable configuration; the message names the variable."""


class SessionSettings(NamedTuple):
    """The three settings define uses, read and checked exactly as Settings reads them.

    Define reads only these, so its cold start skips the URL checks' urllib.parse (which loads ipaddress:
    about 5 ms on the Lambda runtime's Python 3.13, measured by `make bench`)."""

    max_answers_per_session: int
    max_resends_per_session: int
    sign_in_mode: SignInMode

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SessionSettings:
        reader = SettingsReader(os.environ if environ is None else environ)
        return cls(
            max_answers_per_session=reader.integer("MAX_ANSWERS_PER_SESSION", 3, 1, 10),
            max_resends_per_session=reader.integer("MAX_RESENDS_PER_SESSION", 3, 0, 10),
            sign_in_mode=reader.choice("SIGN_IN_MODE", SIGN_IN_MODES, default="email"),
        )


class SettingsReader:
    """Each variable read, checked and turned into its type, or a SettingsError naming it."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str, default: str | None = None) -> str:
        value = self._env.get(name, "").strip()
        if value:
            return value
        if default is None:
            raise SettingsError(f"{name} is required but not set")
        return default

    def email(self, name: str) -> str:
        value = self.text(name)
        local, _, domain = value.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in value):
            raise SettingsError(f"{name} must be an email address")
        return value

    def choice(self, name: str, choices: tuple[_C, ...], default: _C) -> _C:
        value = self.text(name, default=default)
        for choice in choices:
            if value == choice:
                return choice
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")

    def flag(self, name: str) -> bool:
        value = self.text(name, default="false").lower()
        if value not in {"true", "false"}:
            raise SettingsError(f"{name} must be true or false")
        return value == "true"

    def domains(self, name: str) -> tuple[str, ...]:
        parts = [part.strip().lower() for part in self.text(name, default="").split(",")]
        domains = tuple(part for part in parts if part)
        if not all(DOMAIN_PATTERN.fullmatch(domain) for domain in domains):
            raise SettingsError(f"{name} must be a comma-separated list of domain names")
        return domains

    def url(self, name: str, default: str | None = None) -> str:
        return checked_url(name, self.text(name, default))

    def url_map(self, name: str) -> Mapping[str, str]:
        raw = self.text(name, default="{}")
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a JSON object of appClientId to URL") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise SettingsError(f"{name} must be a JSON object of appClientId to URL")
        return {client: checked_url(name, url) for client, url in parsed.items()}

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        return self._bounded(name, default, (low, high), int, "a whole number")

    def number(self, name: str, default: float, low: float, high: float) -> float:
        return self._bounded(name, default, (low, high), float, "a number")

    def _bounded(
        self, name: str, default: _N, bounds: tuple[_N, _N], parse: Callable[[str], _N], kind: str
    ) -> _N:
        low, high = bounds
        problem = f"{name} must be {kind} from {low} to {high}"
        try:
            value = parse(self.text(name, default=str(default)))
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
    # Imported here, not at the top: define never checks a URL (SessionSettings), and this import
    # is most of what the module would add to its cold start.
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
