"""Fixtures for the local SendGrid v3 sink (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sendgrid_sink import SendGridSink


@pytest.fixture
def sendgrid_sink() -> Iterator[SendGridSink]:
    with SendGridSink() as sink:
        yield sink
