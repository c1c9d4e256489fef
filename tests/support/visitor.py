"""A person at a real browser against the local stack, and the links their mail client shows them."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import BrowserContext, Page, Request

from laptop.local_stack.outbox_page import magic_link_in
from tests.support.local_stack import RunningStack

MASKED = "j\u2022\u2022\u2022@example.com"
TIMEOUT_MS = 10_000


class Visitor:
    """One browser context (its own cookies and storage: another device, or a mail scanner) with a
    record of every call its page makes to the Cognito endpoint and of every error it reports."""

    def __init__(self, context: BrowserContext) -> None:
        context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = context.new_page()
        self.cognito_calls: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.page.on("request", self._record)
        self.page.on(
            "console", lambda message: message.type == "error" and self.problems.append(message.text)
        )
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _record(self, request: Request) -> None:
        self.requests.append((request.method, request.url))
        target = request.headers.get("x-amz-target")
        if request.method == "POST" and target:
            self.cognito_calls.append(target.rsplit(".", 1)[1])


def outbox_links(stack: RunningStack) -> list[str]:
    """The links, read the way a person's mail client would get them: from the outbox over HTTP."""
    with urllib.request.urlopen(f"{stack.stack.url}local/outbox", timeout=5) as response:  # noqa: S310
        messages = json.loads(response.read())
    return [link for message in messages if (link := magic_link_in(message["text"], stack.stack.url))]
