"""The SendGrid sink itself behaves like the v3 API the sender tests rely on."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.error import HTTPError

import pytest

from tests.support.sendgrid_sink import SendGridSink

MAIL = {
    "personalizations": [{"to": [{"email": "jane@example.org"}]}],
    "from": {"email": "noreply@example.com"},
    "subject": "Hi",
    "content": [{"type": "text/plain", "value": "hello"}],
}


def post(sink: SendGridSink, body: Any, key: str = "SG.k", path: str = "/v3/mail/send") -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback sink URL
        sink.url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback sink URL
            return int(response.status)
    except HTTPError as error:
        error.close()
        return error.code


def test_accepts_mail_and_records_it(sendgrid_sink: SendGridSink) -> None:
    assert post(sendgrid_sink, MAIL) == 202

    assert sendgrid_sink.messages == [MAIL]
    assert sendgrid_sink.requests[0]["headers"]["Authorization"] == "Bearer SG.k"


def test_rejects_what_sendgrid_rejects() -> None:
    with SendGridSink(api_key="SG.right") as sink:
        assert post(sink, MAIL, key="SG.wrong") == 401
        assert post(sink, {"from": {"email": "a@example.com"}}, key="SG.right") == 400
        assert post(sink, MAIL, key="SG.right", path="/v3/other") == 404
        assert post(sink, MAIL, key="SG.right") == 202

        assert len(sink.requests) == 4
        assert sink.messages == [MAIL]


def test_fails_the_given_number_of_times_then_recovers(sendgrid_sink: SendGridSink) -> None:
    sendgrid_sink.fail_with(503, times=2)

    assert [post(sendgrid_sink, MAIL) for _ in range(3)] == [503, 503, 202]
    assert len(sendgrid_sink.messages) == 1


def test_healthy_ends_an_open_ended_failure(sendgrid_sink: SendGridSink) -> None:
    sendgrid_sink.fail_with(500)
    assert [post(sendgrid_sink, MAIL) for _ in range(2)] == [500, 500]

    sendgrid_sink.healthy()

    assert post(sendgrid_sink, MAIL) == 202
    assert len(sendgrid_sink.messages) == 1


def test_url_needs_a_running_sink() -> None:
    sink = SendGridSink()
    with pytest.raises(RuntimeError):
        _ = sink.url
