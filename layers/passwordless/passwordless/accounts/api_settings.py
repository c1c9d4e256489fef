"""The account API's own variables, read once per container and failing fast like passwordless.settings.

The function also reads the shared trigger settings (Settings.from_env): the table, the HMAC key,
the email provider and the throttles are the same ones the sign-in triggers use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from passwordless.settings import Settings
from passwordless.settings_reader import SettingsError

# Cognito's own shapes: "<region>_<id>" and a 1-128 character client id of word characters.
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
_CLIENT_ID = re.compile(r"[\w+]{1,128}")
# No whitespace or brackets: API Gateway passes the groups claim as "[admins other]".
_GROUP = re.compile(r"[^\s\[\]\",]{1,128}")


@dataclass(frozen=True)
class ApiSettings:
    user_pool_id: str
    """USER_POOL_ID: the pool whose users this API creates and changes."""

    user_pool_client_id: str
    """USER_POOL_CLIENT_ID: the app client invitation links (and password-mode sign-ins) belong to."""

    admin_group: str = "admins"
    """ADMIN_GROUP: members of this Cognito group may invite people."""

    self_sign_up: bool = False
    """SELF_SIGN_UP: true serves POST /sign-up; otherwise that route answers 404."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        env = os.environ if environ is None else environ
        return cls(
            user_pool_id=_matching(env, "USER_POOL_ID", _POOL_ID, "a user pool id"),
            user_pool_client_id=_matching(env, "USER_POOL_CLIENT_ID", _CLIENT_ID, "an app client id"),
            admin_group=_matching(env, "ADMIN_GROUP", _GROUP, "a group name", default="admins"),
            self_sign_up=_flag(env, "SELF_SIGN_UP"),
        )


def load(environ: Mapping[str, str] | None = None) -> tuple[Settings, ApiSettings]:
    """Both settings objects; a bad or missing variable raises SettingsError naming it."""
    return Settings.from_env(environ), ApiSettings.from_env(environ)


def _matching(
    env: Mapping[str, str], name: str, pattern: re.Pattern[str], kind: str, default: str | None = None
) -> str:
    value = env.get(name, "").strip() or default
    if value is None:
        raise SettingsError(f"{name} is required but not set")
    if not pattern.fullmatch(value):
        raise SettingsError(f"{name} must be {kind}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower() or "false"
    if value not in {"true", "false"}:
        raise SettingsError(f"{name} must be true or false")
    return value == "true"
