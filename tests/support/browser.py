"""A real, headless Chromium for tests that drive a page: Debian's build, never a Playwright download.

Any test that uses the `browser` fixture is marked `browser` (select with `-m browser`). A machine
without /usr/bin/chromium fails those tests with the install command rather than skipping them: a
skipped browser test would hide exactly the defence it is there to prove.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container: no sandbox (no user namespaces here), no GPU, and nothing that phones home
# (updates, sync, QUIC probes), so the only traffic is what a test points the page at.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
# Keeps a broken page from holding a test for Playwright's default 30 s.
ACTION_TIMEOUT_MS = 5_000


@dataclass
class WatchedPage:
    """A page in a fresh browser context, with every console error and uncaught exception it raised
    (Content-Security-Policy violations arrive as console errors)."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.console_errors, *self.page_errors]


def _is_favicon_probe(message: ConsoleMessage) -> bool:
    # Chromium asks every origin for /favicon.ico on its own; the page never references one, so a
    # 404 there says nothing about the page.
    return urlsplit(message.location.get("url", "")).path == "/favicon.ico"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"browser tests need Chromium at {CHROMIUM}: run `apt-get install -y chromium` "
            "(never `playwright install`: it downloads a browser build of its own)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def watched_page(browser: Browser) -> Iterator[WatchedPage]:
    """A new context per test: no cookies, storage or cache carried over from another test."""
    context = browser.new_context()
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    watched = WatchedPage(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _is_favicon_probe(message):
            watched.console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        watched.page_errors.append(f"{error.name}: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield watched
    finally:
        context.close()
