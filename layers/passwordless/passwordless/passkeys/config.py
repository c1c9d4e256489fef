"""The passkey settings, read once per container; passkeys are off unless PASSKEY_RP_ID is set."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Literal, NamedTuple

from passwordless.settings import DOMAIN_PATTERN
from passwordless.settings_reader import SettingsError, SettingsReader

Requirement = Literal["required", "preferred", "discouraged"]
REQUIREMENTS: tuple[Requirement, ...] = ("required", "preferred", "discouraged")
Attestation = Literal["none", "direct"]
ATTESTATIONS: tuple[Attestation, ...] = ("none", "direct")
_CLIENT_ID = re.compile(r"[\w+]{1,128}")
_PARAMETER_NAME = re.compile(r"[\w./-]{1,2048}")
# WebAuthn's RP ID is a registrable domain or `localhost`; browsers refuse an IP address.
_LOCAL_RP_ID = "localhost"


class PasskeySettings(NamedTuple):
    rp_id: str = ""
    """PASSKEY_RP_ID: the relying party id (the page's domain or a parent of it); "" turns passkeys off."""

    rp_name: str = ""
    """PASSKEY_RP_NAME: what the browser's passkey dialog calls the site (default: APP_NAME)."""

    origins: tuple[str, ...] = ()
    """PASSKEY_ORIGINS: comma-separated exact origins a ceremony may come from (required when on)."""

    user_verification: Requirement = "required"
    """PASSKEY_USER_VERIFICATION: required | preferred | discouraged (the authenticator's PIN or
    biometric; required makes a passkey sign-in multi-factor)."""

    attestation: Attestation = "none"
    """PASSKEY_ATTESTATION: none | direct."""

    resident_key: Requirement = "preferred"
    """PASSKEY_RESIDENT_KEY: required | preferred | discouraged (discoverable credentials make the
    usernameless sign-in possible)."""

    timeout_seconds: int = 120
    """PASSKEY_TIMEOUT_SECONDS: how long the browser's dialog waits, and how long a challenge lives."""

    reauth_seconds: int = 600
    """PASSKEY_REAUTH_SECONDS: adding a passkey needs a sign-in at most this old."""

    client_id: str = ""
    """PASSKEY_CLIENT_ID: the passkey app client's id."""

    client_id_parameter: str = ""
    """PASSKEY_CLIENT_ID_PARAMETER: an SSM parameter holding that id, for the deployed triggers (the
    pool names them, so naming the client in their environment would be a cycle)."""

    @property
    def enabled(self) -> bool:
        return bool(self.rp_id)

    @property
    def require_user_verification(self) -> bool:
        return self.user_verification == "required"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, app_name: str = "") -> PasskeySettings:
        env = os.environ if environ is None else environ
        if not env.get("PASSKEY_RP_ID", "").strip():
            return cls()
        # Each variable is its field's name with the PASSKEY_ prefix.
        read = SettingsReader(env, {f"passkey_{name}": value for name, value in cls._field_defaults.items()})
        rp_id = read.text("PASSKEY_RP_ID").lower()
        if rp_id != _LOCAL_RP_ID and not DOMAIN_PATTERN.fullmatch(rp_id):
            raise SettingsError("PASSKEY_RP_ID must be a domain name or localhost (not an IP address)")
        client_id = read.text("PASSKEY_CLIENT_ID")
        parameter = read.text("PASSKEY_CLIENT_ID_PARAMETER")
        if client_id and not _CLIENT_ID.fullmatch(client_id):
            raise SettingsError("PASSKEY_CLIENT_ID must be an app client id")
        if parameter and not _PARAMETER_NAME.fullmatch(parameter):
            raise SettingsError("PASSKEY_CLIENT_ID_PARAMETER must be an SSM parameter name")
        if not client_id and not parameter:
            raise SettingsError(
                "PASSKEY_CLIENT_ID or PASSKEY_CLIENT_ID_PARAMETER is required with PASSKEY_RP_ID"
            )
        return cls(
            rp_id=rp_id,
            rp_name=read.text("PASSKEY_RP_NAME") or app_name or "Sign-in",
            origins=_origins(read, rp_id),
            user_verification=read.choice("PASSKEY_USER_VERIFICATION", REQUIREMENTS),
            attestation=read.choice("PASSKEY_ATTESTATION", ATTESTATIONS),
            resident_key=read.choice("PASSKEY_RESIDENT_KEY", REQUIREMENTS),
            timeout_seconds=read.integer("PASSKEY_TIMEOUT_SECONDS", 30, 600),
            reauth_seconds=read.integer("PASSKEY_REAUTH_SECONDS", 60, 86_400),
            client_id=client_id,
            client_id_parameter=parameter,
        )


def _origins(read: SettingsReader, rp_id: str) -> tuple[str, ...]:
    from urllib.parse import urlsplit  # noqa: PLC0415 - only an enabled configuration reads origins

    raw = read.text("PASSKEY_ORIGINS", required=True)
    origins = tuple(part.strip() for part in raw.split(",") if part.strip())
    for origin in origins:
        checked = read.origin_value("PASSKEY_ORIGINS", origin)
        host = (urlsplit(checked).hostname or "").lower()
        # A browser runs a ceremony only where the RP ID is the page's host or a suffix of it.
        if host != rp_id and not host.endswith("." + rp_id):
            raise SettingsError("PASSKEY_ORIGINS must be origins on PASSKEY_RP_ID or its subdomains")
    if not origins:
        raise SettingsError("PASSKEY_ORIGINS must name at least one origin")
    return origins
