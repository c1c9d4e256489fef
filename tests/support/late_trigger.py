"""A create trigger that overruns Cognito's budget once: for proving a retried create sends no second
email. Pass an instance as LocalCognito's wrap_handler."""

from __future__ import annotations

import threading
from typing import Any

from laptop.handlers import Handler


class LateFirstCreate:
    """Wraps create so its first invocation does its work (stores the secret, sends the email) but
    answers only after the retry has run, as a Lambda slower than its budget would; counts calls."""

    def __init__(self, hold_seconds: float) -> None:
        self.creates = 0
        self._hold_seconds = hold_seconds
        self._retried = threading.Event()

    def __call__(self, function: str, handler: Handler) -> Handler:
        if function != "create_auth_challenge":
            return handler

        def late_once(event: dict[str, Any], context: object) -> dict[str, Any]:
            self.creates += 1
            first = self.creates == 1
            result = handler(event, context)
            if first:
                self._retried.wait(self._hold_seconds)  # past the budget for certain: the retry has started
            else:
                self._retried.set()
            return result

        return late_once
