"""Sample events for the message functions, merged into events/ by laptop.sample_events."""

from __future__ import annotations

from typing import Any

Event = dict[str, Any]


def build_message_events() -> dict[str, Event]:
    """File stem -> event."""
    return {}
