"""Reading a Cognito JSON request body strictly: a wrong type or a missing field is Cognito's
InvalidParameterException, never a Python error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from laptop.local_stack.errors import invalid_parameter

MAX_NAME = 128  # Cognito's limit on USERNAME and most identifiers
MAX_VALUE = 2048  # Cognito's limit on a Session string and on each metadata value


def text(body: Mapping[str, Any], key: str, *, limit: int = MAX_VALUE) -> str:
    value = body.get(key)
    if value is None:
        raise invalid_parameter(f"Missing required parameter {key}")
    if not isinstance(value, str) or not value or len(value) > limit:
        raise invalid_parameter(
            f"1 validation error detected: Value at '{_camel(key)}' failed to satisfy constraint"
        )
    return value


def string_map(body: Mapping[str, Any], key: str, *, required: bool = False) -> dict[str, str] | None:
    value = body.get(key)
    if value is None:
        if required:
            raise invalid_parameter(f"Missing required parameter {key}")
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_VALUE * 8 for k, v in value.items()
    ):
        raise invalid_parameter(
            f"1 validation error detected: Value at '{_camel(key)}' failed to satisfy constraint"
        )
    return dict(value)


def entry(values: Mapping[str, str], key: str, *, limit: int = MAX_VALUE) -> str:
    value = values.get(key)
    if value is None:
        raise invalid_parameter(f"Missing required parameter {key}")
    if not value or len(value) > limit:
        raise invalid_parameter(f"1 validation error detected: Value at '{key}' failed to satisfy constraint")
    return value


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]
