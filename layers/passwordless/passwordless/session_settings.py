"""The three settings define reads, and nothing else: define's cold start loads this module, not
settings (every other record and check of the stack). Settings reads the same three through
SessionSettings.from_env, so both always agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, NamedTuple

from passwordless.settings_reader import SettingsReader

SignInMode = Literal["email", "password-and-email-code"]
SIGN_IN_MODES: tuple[SignInMode, ...] = ("email", "password-and-email-code")


class SessionSettings(NamedTuple):
    """MAX_ANSWERS_PER_SESSION, MAX_RESENDS_PER_SESSION and SIGN_IN_MODE (documented on Settings)."""

    max_answers_per_session: int = 3
    max_resends_per_session: int = 3
    sign_in_mode: SignInMode = "email"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SessionSettings:
        read = SettingsReader(os.environ if environ is None else environ, cls._field_defaults)
        return cls(
            max_answers_per_session=read.integer("MAX_ANSWERS_PER_SESSION", 1, 10),
            max_resends_per_session=read.integer("MAX_RESENDS_PER_SESSION", 0, 10),
            sign_in_mode=read.choice("SIGN_IN_MODE", SIGN_IN_MODES),
        )


SESSION_DEFAULTS = SessionSettings()
