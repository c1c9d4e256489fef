"""Serve the sign-in page and its two assets, each with headers that lock the page down.

The page holds a magic link's secret (in the URL fragment) and, later, the user's tokens, so it runs no script
but its own, loads nothing from anywhere else, sends no Referer, cannot be framed and is never cached
(docs/security/requirements.md #16). Its configuration is embedded as inert JSON, never as script, and
the app's name (configured text) as escaped text.
"""

from __future__ import annotations

import dataclasses
import html
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from passwordless.settings import APP_NAME_PATTERN, APP_NAME_RULE, DEFAULT_APP_NAME

_FILES = Path(__file__).parent
# The page's two slots, filled in one pass: a value that spells a slot stays text.
_SLOTS = re.compile(r"\{\{(config|app_name)\}\}")
_HTML_TYPE = "text/html; charset=utf-8"
_ASSET_TYPES = {"sign-in.js": "text/javascript; charset=utf-8", "sign-in.css": "text/css; charset=utf-8"}
# Read once per container; the names come from this table, never from the request, so no request
# can reach another file.
_ASSETS = {name: (kind, (_FILES / name).read_bytes()) for name, kind in _ASSET_TYPES.items()}
_HTML = (_FILES / "sign-in.html").read_text(encoding="utf-8")

# Cognito's own shapes: regions such as eu-west-1 or us-gov-west-1; app client ids are [\w+]{1,128}.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_+]{1,128}")
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
MAX_RESEND_AFTER_SECONDS = 3600  # settings.py's upper bound for RESEND_MIN_SECONDS
# The account API's URLs the page may call; each is "" when the stack does not offer what it is for.
_OPTIONAL_URLS = ("sign_up_url", "accept_invitation_url", "account_api_url")
# Passkeys' settings besides account_api_url: "" while passkeys are off.
_PASSKEY_FIELDS = ("passkey_client_id", "passkey_rp_id")
# A WebAuthn relying party id: a domain name or localhost, never an IP address (browsers refuse one).
_RP_ID = re.compile(r"localhost|(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class PageConfigError(ValueError):
    """The page cannot be served with this configuration; the message names the field."""


@dataclass(frozen=True)
class PageConfig:
    region: str
    """AWS region of the user pool, e.g. eu-west-1."""

    client_id: str
    """The app client (no secret) the page signs in to."""

    endpoint: str
    """Cognito's JSON endpoint, e.g. https://cognito-idp.eu-west-1.amazonaws.com/ (http only on loopback)."""

    resend_after_seconds: int = 60
    """When the page enables "Send a new email": the stack's ResendMinSeconds."""

    sign_up_url: str = ""
    """The account API's POST /sign-up when self sign-up is on, else "" (the page then never calls it)."""

    accept_invitation_url: str = ""
    """The account API's POST /invitations/accept in password mode, else "": with it, an invitation's
    link leads to "choose your password" instead of a CUSTOM_AUTH sign-in that mode refuses."""

    app_name: str = DEFAULT_APP_NAME
    """APP_NAME, shown in the title and the heading ("Sign in to <app_name>"); not for the script."""

    passkey_client_id: str = ""
    """The passkey app client when passkeys are on, else "": the page then offers no passkey."""

    passkey_rp_id: str = ""
    """The passkeys' relying party id (PASSKEY_RP_ID) when they are on, else ""."""

    account_api_url: str = ""
    """The account API's base URL (ending in "/") when passkeys are on, else "": where the page asks
    for passkey options and manages passkeys."""

    def __post_init__(self) -> None:
        if not isinstance(self.region, str) or not _REGION.fullmatch(self.region):
            raise PageConfigError("region must be an AWS region such as eu-west-1")
        if not isinstance(self.client_id, str) or not _CLIENT_ID.fullmatch(self.client_id):
            raise PageConfigError("client_id must be a Cognito app client id (letters, digits, _ and +)")
        _endpoint_origin(self.endpoint)
        seconds = self.resend_after_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise PageConfigError("resend_after_seconds must be a whole number")
        if not 0 <= seconds <= MAX_RESEND_AFTER_SECONDS:
            raise PageConfigError(f"resend_after_seconds must be from 0 to {MAX_RESEND_AFTER_SECONDS}")
        for field in _OPTIONAL_URLS:
            if getattr(self, field) != "":
                _origin(getattr(self, field), field)
        if not isinstance(self.app_name, str) or not APP_NAME_PATTERN.fullmatch(self.app_name):
            raise PageConfigError(f"app_name must be {APP_NAME_RULE}")
        self._check_passkeys()

    def _check_passkeys(self) -> None:
        client, rp_id, api = self.passkey_client_id, self.passkey_rp_id, self.account_api_url
        if not isinstance(client, str) or (client and not _CLIENT_ID.fullmatch(client)):
            raise PageConfigError("passkey_client_id must be empty or a Cognito app client id")
        if not isinstance(rp_id, str) or (rp_id and not _RP_ID.fullmatch(rp_id)):
            raise PageConfigError("passkey_rp_id must be empty, localhost or a lower-case domain name")
        # All three or none: half a passkey configuration would show a button that cannot work.
        if len({bool(client), bool(rp_id), bool(api)}) != 1:
            raise PageConfigError("passkey_client_id, passkey_rp_id and account_api_url go together")

    @property
    def connect_origins(self) -> tuple[str, ...]:
        """The origins the page's connect-src must allow besides its own: Cognito's and the account
        API's (sign-up, accepting an invitation, passkeys) when the page uses it."""
        origins = [_endpoint_origin(self.endpoint)]
        origins += [_origin(getattr(self, field), field) for field in _OPTIONAL_URLS if getattr(self, field)]
        return tuple(dict.fromkeys(origins))

    @property
    def endpoint_origin(self) -> str:
        """scheme://host[:port] of the endpoint: what the page's connect-src must allow."""
        return _endpoint_origin(self.endpoint)


@dataclass(frozen=True)
class WebResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def sign_in_page(config: PageConfig) -> WebResponse:
    """The HTML document, with config embedded as JSON the script reads (and the browser never runs)."""
    embedded = dataclasses.asdict(config)
    del embedded["app_name"]  # markup, already in the document: the script has no use for it
    for field in (*_OPTIONAL_URLS, *_PASSKEY_FIELDS):
        if not embedded[field]:
            del embedded[field]  # feature off: the page's configuration is what it always was
    values = {"config": _inert_json(embedded), "app_name": html.escape(config.app_name, quote=True)}
    document = _SLOTS.sub(lambda slot: values[slot.group(1)], _HTML)
    return _response(200, _HTML_TYPE, document.encode("utf-8"), config.connect_origins)


def static_asset(name: str) -> WebResponse | None:
    """The asset called `sign-in.js` or `sign-in.css`; None for any other name."""
    asset = _ASSETS.get(name)
    if asset is None:
        return None
    kind, body = asset
    return _response(200, kind, body)


def plain_text(status: int, text: str) -> WebResponse:
    """An error answer (404, 500 ...) carrying the same protective headers as the page."""
    return _response(status, "text/plain; charset=utf-8", text.encode("utf-8"))


def _response(
    status: int, content_type: str, body: bytes, connect_origins: tuple[str, ...] = ()
) -> WebResponse:
    # Assets and errors get the page's policy too: opened on their own they are documents as well.
    connect = " ".join(["connect-src 'self'", *connect_origins])
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            connect,
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Type": content_type,
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        # The page is only ever served over HTTPS (API Gateway, or your own domain); browsers ignore
        # the header on the laptop's plain-http loopback, so one set of headers serves both.
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    }
    return WebResponse(status, headers, body)


def _inert_json(value: object) -> str:
    # Inside <script type="application/json"> only "</script" could end the element early; escaping
    # <, > and & as \u escapes keeps any value, however odd, plain data for JSON.parse.
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _endpoint_origin(endpoint: object) -> str:
    return _origin(endpoint, "endpoint")


def _origin(url: object, field: str) -> str:
    problem = f"{field} must be an https URL (http only on loopback) without credentials, query or fragment"
    if not isinstance(url, str) or not _plain_ascii(url):
        raise PageConfigError(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise PageConfigError(problem) from None
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
    extras = (parts.username, parts.password, parts.query or None, parts.fragment or None)
    if not secure or extras != (None, None, None, None):
        raise PageConfigError(problem)
    # The origin goes into a header: only a plain host name or an IP address may reach it.
    if _is_ip(host):
        netloc = f"[{host}]" if ":" in host else host
    elif _HOST_NAME.fullmatch(host):
        netloc = host
    else:
        raise PageConfigError(problem)
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


def _plain_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable() and " " not in text


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)
