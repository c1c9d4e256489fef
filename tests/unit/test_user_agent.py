"""The functions' AWS requests carry the fixed User-Agent (passwordless.runtime.USER_AGENT) instead of
botocore's default, which botocore rebuilds twice per request."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from passwordless.email.factory import build_sender
from passwordless.email.ses import SesSender
from passwordless.runtime import USER_AGENT, client_config
from passwordless.settings import Settings


class _Body:
    def stream(self, **_: Any) -> Any:
        yield b"{}"


def user_agent_sent(client: Any, operation: str, **parameters: Any) -> str:
    """The User-Agent of the request, answered here instead of sent."""
    seen: list[str] = []

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        agent = request.headers["User-Agent"]
        seen.append(agent.decode() if isinstance(agent, bytes) else agent)
        headers = HTTPHeaders()
        headers["content-type"] = "application/x-amz-json-1.0"
        return AWSResponse(request.url, 200, headers, _Body())

    client.meta.events.register_first("before-send", answer)
    getattr(client, operation)(**parameters)
    return seen[0]


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_the_triggers_clients_send_the_products_user_agent() -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1", config=client_config("trigger"))
    sent = user_agent_sent(dynamodb, "get_item", TableName="t", Key={"pk": {"S": "k"}})
    assert sent.startswith(f"{USER_AGENT} ")
    assert "Botocore/" in sent  # botocore still names itself
    assert "ua/2.1" not in sent  # not the default, rebuilt per request


def test_the_ses_sender_sends_it_too() -> None:
    settings = Settings.from_env(
        {
            "TABLE_NAME": "t",
            "HMAC_KEY_SECRET_ID": "k",
            "EMAIL_FROM": "no-reply@example.com",
            "SIGN_IN_URL": "https://app.example.com/",
        }
    )
    sender = build_sender(settings)
    assert isinstance(sender, SesSender)
    client = sender._client
    sent = user_agent_sent(client, "get_account")
    assert sent.startswith(f"{USER_AGENT} ")
