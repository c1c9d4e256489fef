"""The SendGrid API key is read with the same short timeouts as the HMAC key: a Secrets Manager that
stops answering must fail the sign-in cleanly inside Cognito's 5 s, not after botocore's 60 s reads.

A loopback stand-in for Secrets Manager answers the HMAC key and never answers anything else.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from laptop.loopback import LoopbackServer
from passwordless.email.factory import build_sender
from passwordless.email.message import EmailDeliveryError
from passwordless.errors import SignInUnavailable
from passwordless.runtime import FunctionRuntime
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings
from tests.support.fakes import RecordingLogger

HMAC_KEY_ID = "hmac-key"
SENDGRID_KEY_ID = "sendgrid-api-key"
COGNITO_BUDGET_SECONDS = 5.0
ATTEMPTS = 2  # runtime.client_config(): one retry; botocore's default would make 3 (or 5)
GIVE_UP_AFTER_SECONDS = 8.0  # the stand-in's own bound, so a regression fails rather than hangs


class SilentSecretsManager:
    """GetSecretValue over HTTP: the HMAC key at once, any other secret never (until closed)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._loopback = LoopbackServer(self._handler())

    @property
    def url(self) -> str:
        return self._loopback.origin

    def __enter__(self) -> SilentSecretsManager:
        self._loopback.__enter__()
        return self

    def __exit__(self, *_: object) -> None:
        self._closing.set()  # releases the requests left unanswered, so the server can stop
        self._loopback.__exit__(None, None, None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                secret_id = str(body.get("SecretId"))
                with endpoint._lock:
                    endpoint.requests[secret_id] += 1
                if secret_id != HMAC_KEY_ID:
                    endpoint._closing.wait(GIVE_UP_AFTER_SECONDS)
                    return  # no answer at all: the client must give up on its own
                value = {"Name": secret_id, "SecretString": "k" * 32, "VersionId": "v" * 32}
                answer = json.dumps(value).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                pass

        return Handler


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[SilentSecretsManager]:
    with SilentSecretsManager() as endpoint:
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield endpoint


SENDGRID_ENV = {
    "TABLE_NAME": "sign-in-secrets",
    "HMAC_KEY_SECRET_ID": HMAC_KEY_ID,
    "EMAIL_PROVIDER": "sendgrid",
    "EMAIL_FROM": "noreply@example.com",
    "SENDGRID_API_KEY_SECRET_ID": SENDGRID_KEY_ID,
    "SIGN_IN_URL": "https://app.example.com/sign-in",
}


def sendgrid_settings() -> Settings:
    return Settings.from_env(SENDGRID_ENV)


@pytest.mark.timing  # compares a wall time with Cognito's budget
def test_factory_reads_the_sendgrid_key_with_the_short_config(secrets_manager: SilentSecretsManager) -> None:
    # Given a Secrets Manager that never answers for the SendGrid key
    started = time.monotonic()

    # When the factory builds a SendGrid sender with no client of its own
    with pytest.raises(EmailDeliveryError):
        build_sender(sendgrid_settings())

    # Then it gave up after the short config's attempts, well inside Cognito's budget
    assert secrets_manager.requests == {SENDGRID_KEY_ID: ATTEMPTS}
    assert time.monotonic() - started < COGNITO_BUDGET_SECONDS


@pytest.mark.timing  # compares a wall time with Cognito's budget
def test_runtime_reads_the_sendgrid_key_through_its_short_timeout_client(
    secrets_manager: SilentSecretsManager,
) -> None:
    # Given a runtime whose HMAC key reads fine and whose SendGrid key read stalls
    logger = RecordingLogger()
    runtime = FunctionRuntime("dynamodb", "secretsmanager", environ=SENDGRID_ENV)
    runtime.audit = SecurityLog(logger)
    started = time.monotonic()

    # When create's issuer is first built
    with pytest.raises(SignInUnavailable):
        _ = runtime.issuer

    # Then the sign-in failed closed in time, after two attempts, and said which dependency failed
    assert secrets_manager.requests == {HMAC_KEY_ID: 1, SENDGRID_KEY_ID: ATTEMPTS}
    assert time.monotonic() - started < COGNITO_BUDGET_SECONDS
    [event] = logger.events("unavailable")
    assert event["dependency"] == "email"
