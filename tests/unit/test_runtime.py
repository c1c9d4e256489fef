"""What FunctionRuntime builds once and what it tries again: a sender that was built is kept, one
that failed to build is not (the next notice or sign-in tries again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passwordless.email import factory
from passwordless.email.message import EmailSender
from passwordless.runtime import FunctionRuntime


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FunctionRuntime:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }.items():
        monkeypatch.setenv(name, value)
    environ = {
        "TABLE_NAME": "t",
        "HMAC_KEY_SECRET_ID": "k",
        "EMAIL_PROVIDER": "outbox",
        "OUTBOX_DIR": str(tmp_path),
        "EMAIL_FROM": "no-reply@example.com",
        "SIGN_IN_URL": "https://app.example.com/",
    }
    return FunctionRuntime("cognito-idp", environ=environ, metrics=False)


def test_a_built_sender_is_kept(runtime: FunctionRuntime) -> None:
    assert runtime.build_sender() is runtime.build_sender()


def test_a_sender_that_failed_to_build_is_tried_again(
    runtime: FunctionRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = factory.prepare_sender
    attempts: list[int] = []

    def flaky_provider(*args: object, **kwargs: object) -> factory.FinishSender:
        finish = real(*args, **kwargs)  # type: ignore[arg-type]

        def flaky(secrets: object) -> EmailSender:
            attempts.append(1)
            if len(attempts) == 1:
                raise ConnectionError("the first read of the provider's key timed out")
            return finish(secrets)  # type: ignore[arg-type]

        return flaky

    monkeypatch.setattr(factory, "prepare_sender", flaky_provider)
    with pytest.raises(ConnectionError):
        runtime.build_sender()
    sender = runtime.build_sender()
    assert runtime.build_sender() is sender
    assert len(attempts) == 2
