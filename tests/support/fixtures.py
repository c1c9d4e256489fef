"""Shared pytest fixtures (registered as a plugin by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sendgrid_sink import SendGridSink


@pytest.fixture
def sendgrid_sink() -> Iterator[SendGridSink]:
    """A running local SendGrid v3 API; point a client's host at `sendgrid_sink.url`."""
    with SendGridSink() as sink:
        yield sink
