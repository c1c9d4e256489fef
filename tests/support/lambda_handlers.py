"""The real functions/*/app.py handlers, loaded fresh inside embedded AWS, with their logs captured."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from laptop.handlers import Handler, load_handlers
from laptop.invoke import LambdaContextStandIn
from passwordless.email.outbox import read_outbox
from passwordless.settings import Settings
from tests.support.cognito import Cognito
from tests.support.flow import JANE, JOHN

FUNCTIONS = {
    "define": "define_auth_challenge",
    "create": "create_auth_challenge",
    "verify": "verify_auth_challenge",
}


@dataclass
class Deployed:
    """What a deployed stack would be: three handlers, their log output, and the mail they sent."""

    handlers: dict[str, Handler]
    logs: io.StringIO
    outbox: Path
    errors: list[str] = field(default_factory=list)
    cognito: Cognito = field(init=False)

    def __post_init__(self) -> None:
        self.cognito = Cognito(self.invoke)
        self.cognito.add_user(JANE)
        self.cognito.add_user(JOHN)

    def invoke(self, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
        function = FUNCTIONS[trigger]
        try:
            return self.handlers[trigger](event, LambdaContextStandIn.for_function(function))
        except Exception as error:
            self.errors.append(f"{type(error).__name__}: {error}")
            raise

    def log_records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines() if line.startswith("{")]

    def mail(self) -> list[dict[str, str]]:
        return read_outbox(self.outbox)


def deploy(outbox: Path, logs: io.StringIO) -> Deployed:
    # Powertools' Logger binds its stream when the module is imported: import under the redirect.
    with contextlib.redirect_stdout(logs):
        loaded = load_handlers(*FUNCTIONS.values())
    handlers = {trigger: loaded[function] for trigger, function in FUNCTIONS.items()}
    return Deployed(handlers, logs, outbox)


@pytest.fixture
def deployed(aws: Settings, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Deployed:
    # Log everything a production operator could turn on, so secrets at DEBUG would be caught too.
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")  # an operator's "log the events" switch
    monkeypatch.setenv("RESEND_MIN_SECONDS", "0")
    return deploy(outbox_dir, io.StringIO())


Deploy = Callable[[Path, io.StringIO], Deployed]
