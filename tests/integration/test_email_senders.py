"""Every sender delivers the rendered message, and every failure is a clean, generic EmailDeliveryError.

SendGrid runs through the official client against a local v3 sink; SES runs against moto; the outbox
writes real files. Each test reads back what was delivered.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from passwordless.email.factory import build_sender
from passwordless.email.message import EmailDeliveryError, OutgoingEmail, SignInEmail
from passwordless.email.outbox import OutboxSender, read_outbox
from passwordless.email.render import render
from passwordless.email.sendgrid_sender import SendGridSender
from passwordless.email.ses import SesSender
from passwordless.settings import Settings
from tests.support.emails import one_of_each, sign_in_email, visible_text
from tests.support.sendgrid_sink import SendGridSink

REGION = "us-east-1"
API_KEY = "SG.test-key.abcdefghijklmnop"
SENDER = "noreply@example.com"
RECIPIENT = "jane.doe@example.org"
LINK = "https://app.example.com/sign-in#t=c2VjcmV0LXRva2VuLXZhbHVl&u=amFuZQ"
CODE = "739104"
TIMEOUT = 0.5
MARGIN = 1.0
ROOT = Path(__file__).resolve().parents[2]


def an_email(**changes: Any) -> SignInEmail:
    return sign_in_email(**{"to": RECIPIENT, "link": LINK, "code": CODE, **changes})


def every_kind() -> list[OutgoingEmail]:
    return one_of_each(to=RECIPIENT, link=LINK, code=CODE)


def kind_id(email: OutgoingEmail) -> str:
    return "code_only_sign_in" if isinstance(email, SignInEmail) and not email.link else email.kind


def settings_for(provider: str, **changes: Any) -> Settings:
    fields: dict[str, Any] = {
        "table_name": "sign-in-secrets",
        "hmac_key_secret_id": "hmac-key",
        "email_provider": provider,
        "email_from": SENDER,
        "email_from_name": "Example Shop",
        "sign_in_url": "https://app.example.com/sign-in",
        "email_timeout_seconds": TIMEOUT,
    }
    fields.update(changes)
    return Settings(**fields)


def assert_generic(error: EmailDeliveryError) -> None:
    """The error says that delivery failed, and carries nothing a log should not hold."""
    text = str(error)
    for secret in (CODE, LINK, "c2VjcmV0LXRva2VuLXZhbHVl", API_KEY, RECIPIENT, SENDER):
        assert secret not in text
    assert error.__cause__ is None
    assert error.__context__ is None
    assert error.__suppress_context__


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SESV2"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    # Powertools caches providers (and their clients and values) process-wide.
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    with mock_aws():
        yield
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def ses_sent_messages() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def verify_sender() -> None:
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)


# -- SendGrid ---------------------------------------------------------------------------------------


def sendgrid_sender(sink: SendGridSink, **changes: Any) -> SendGridSender:
    options: dict[str, Any] = {
        "from_name": "Example Shop",
        "api_host": sink.url,
        "timeout_seconds": TIMEOUT,
    }
    options.update(changes)
    return SendGridSender(API_KEY, SENDER, **options)


def test_sendgrid_posts_our_rendered_message_with_the_api_key(sendgrid_sink: SendGridSink) -> None:
    # Given a SendGrid sender pointed at the local v3 API
    sender = sendgrid_sender(sendgrid_sink)
    expected = render(an_email())

    # When it sends a sign-in email
    sender.send(an_email())

    # Then SendGrid received exactly our message, authenticated with our key
    [request] = sendgrid_sink.requests
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    [message] = sendgrid_sink.messages
    assert message["from"] == {"email": SENDER, "name": "Example Shop"}
    assert message["personalizations"] == [{"to": [{"email": RECIPIENT}]}]
    assert message["subject"] == expected.subject
    assert message["content"] == [
        {"type": "text/plain", "value": expected.text},
        {"type": "text/html", "value": expected.html},
    ]
    assert CODE in message["content"][0]["value"]
    assert LINK in message["content"][0]["value"]
    assert f'href="{escape(LINK)}"' in message["content"][1]["value"]
    assert "template_id" not in message


def test_sendgrid_dynamic_template_gets_the_data_instead_of_our_content(sendgrid_sink: SendGridSink) -> None:
    sender = sendgrid_sender(sendgrid_sink, template_id="d-0123456789abcdef")

    sender.send(an_email(locale="de-AT", minutes=15))

    [message] = sendgrid_sink.messages
    assert message["template_id"] == "d-0123456789abcdef"
    assert message["personalizations"] == [
        {
            "to": [{"email": RECIPIENT}],
            "dynamic_template_data": {
                "link": LINK,
                "code": CODE,
                "minutes": 15,
                "app_name": "Example Shop",
                "locale": "de-AT",
            },
        }
    ]
    assert "content" not in message
    assert "subject" not in message


@pytest.mark.parametrize("email", every_kind(), ids=kind_id)
def test_sendgrid_delivers_every_kind_as_we_render_it(
    sendgrid_sink: SendGridSink, email: OutgoingEmail
) -> None:
    # Given a SendGrid sender without a dynamic template
    expected = render(email)

    # When it sends an email of this kind
    sendgrid_sender(sendgrid_sink).send(email)

    # Then SendGrid received our subject and both parts, to the recipient
    [message] = sendgrid_sink.messages
    assert message["personalizations"] == [{"to": [{"email": RECIPIENT}]}]
    assert message["subject"] == expected.subject
    assert message["content"] == [
        {"type": "text/plain", "value": expected.text},
        {"type": "text/html", "value": expected.html},
    ]


@pytest.mark.parametrize("email", every_kind()[2:], ids=kind_id)
def test_sendgrid_dynamic_template_is_for_sign_in_only(
    sendgrid_sink: SendGridSink, email: OutgoingEmail
) -> None:
    # Given a sender configured with the sign-in email's dynamic template
    sender = sendgrid_sender(sendgrid_sink, template_id="d-0123456789abcdef")

    # When it sends any other kind
    sender.send(email)

    # Then that kind goes out as we word it, not through a template designed for sign-in
    [message] = sendgrid_sink.messages
    assert "template_id" not in message
    assert "dynamic_template_data" not in message["personalizations"][0]
    assert message["subject"] == render(email).subject
    assert message["content"][0]["value"] == render(email).text


def test_sendgrid_dynamic_template_gets_an_empty_link_in_code_only_mode(sendgrid_sink: SendGridSink) -> None:
    sendgrid_sender(sendgrid_sink, template_id="d-0123456789abcdef").send(an_email(link=""))

    [message] = sendgrid_sink.messages
    assert message["template_id"] == "d-0123456789abcdef"
    data = message["personalizations"][0]["dynamic_template_data"]
    assert (data["link"], data["code"]) == ("", CODE)


def test_sendgrid_without_a_display_name_sends_the_bare_address(sendgrid_sink: SendGridSink) -> None:
    sendgrid_sender(sendgrid_sink, from_name="").send(an_email())

    assert sendgrid_sink.messages[0]["from"] == {"email": SENDER}


@pytest.mark.parametrize("status", [400, 401, 403, 413, 429, 500, 503])
def test_sendgrid_refusal_is_a_generic_delivery_error(sendgrid_sink: SendGridSink, status: int) -> None:
    # Given SendGrid answers with an error
    sendgrid_sink.fail_with(status)
    sender = sendgrid_sender(sendgrid_sink)

    # When a sign-in email is sent
    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())

    # Then the request reached SendGrid, nothing was delivered, and the error is generic
    assert len(sendgrid_sink.requests) == 1
    assert sendgrid_sink.messages == []
    assert str(status) in str(caught.value)
    assert_generic(caught.value)


@pytest.mark.timing  # compares a wall time with the timeout
def test_sendgrid_stall_longer_than_the_timeout_gives_up_in_time(sendgrid_sink: SendGridSink) -> None:
    # Given SendGrid accepts the connection but does not answer for far longer than our timeout
    sendgrid_sink.stall(10)
    sender = sendgrid_sender(sendgrid_sink)

    # When a sign-in email is sent
    started = time.monotonic()
    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())
    elapsed = time.monotonic() - started

    # Then the sender gives up at the timeout, well inside Cognito's 5 s budget
    assert TIMEOUT <= elapsed < TIMEOUT + MARGIN
    assert len(sendgrid_sink.requests) == 1
    assert sendgrid_sink.messages == []
    assert_generic(caught.value)


def test_sendgrid_unreachable_is_a_delivery_error() -> None:
    with SendGridSink() as sink:
        url = sink.url
    sender = SendGridSender(API_KEY, SENDER, api_host=url, timeout_seconds=TIMEOUT)

    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())

    assert_generic(caught.value)


def test_sendgrid_recovers_after_a_transient_failure(sendgrid_sink: SendGridSink) -> None:
    sendgrid_sink.fail_with(500, times=1)
    sender = sendgrid_sender(sendgrid_sink)

    with pytest.raises(EmailDeliveryError):
        sender.send(an_email(code="111111"))
    sender.send(an_email(code="222222"))

    assert len(sendgrid_sink.requests) == 2
    [delivered] = sendgrid_sink.messages
    assert "222222" in delivered["content"][0]["value"]


def test_sendgrid_debug_logging_never_shows_the_key_or_the_message(
    sendgrid_sink: SendGridSink, caplog: pytest.LogCaptureFixture
) -> None:
    # Given someone turns on DEBUG logging everywhere (python_http_client logs headers and payloads)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="python_http_client.client")
    sendgrid_sink.fail_with(500, times=1)
    sender = sendgrid_sender(sendgrid_sink)

    # When a send fails and another succeeds
    with pytest.raises(EmailDeliveryError):
        sender.send(an_email())
    sender.send(an_email())

    # Then no log line carries the key, the code, the link or the address
    assert len(sendgrid_sink.messages) == 1
    for secret in (API_KEY, CODE, "c2VjcmV0LXRva2VuLXZhbHVl", RECIPIENT):
        assert secret not in caplog.text


@pytest.mark.parametrize("api_key", ["", " ", "SG.key with space", "SG.key\r\nX-Evil: 1"])
def test_sendgrid_refuses_an_empty_or_malformed_key(api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The library would otherwise fall back to whatever $SENDGRID_API_KEY holds.
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.from-the-environment")

    with pytest.raises(ValueError, match="API key"):
        SendGridSender(api_key, SENDER, api_host="http://127.0.0.1:9")


# -- SES --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_aws")
def test_ses_delivers_subject_and_body() -> None:
    # Given a verified sender identity
    verify_sender()
    sender = SesSender(boto3.client("sesv2", region_name=REGION), SENDER, "Example Shop", "")
    expected = render(an_email())

    # When a sign-in email is sent
    sender.send(an_email())

    # Then SES holds it, addressed and worded as rendered
    [message] = ses_sent_messages()
    assert message.source == f"Example Shop <{SENDER}>"
    assert message.destinations == {"ToAddresses": [RECIPIENT]}
    assert message.subject == expected.subject
    assert message.body == expected.html  # moto keeps the HTML part when there is one
    assert f'href="{escape(LINK)}"' in message.body
    assert CODE in message.body


@pytest.mark.usefixtures("fake_aws")
def test_ses_request_carries_both_parts_in_utf8_and_the_configuration_set() -> None:
    # moto stores only one body part, so read the request as botocore sends it.
    verify_sender()
    client = boto3.client("sesv2", region_name=REGION)
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.sesv2.SendEmail", lambda params, **_: sent.append(params)
    )
    expected = render(an_email(locale="de", app_name="Müller & Söhne"))

    SesSender(client, SENDER, "Müller & Söhne", "sign-in-events").send(
        an_email(locale="de", app_name="Müller & Söhne")
    )

    [params] = sent
    assert params["ConfigurationSetName"] == "sign-in-events"
    assert params["FromEmailAddress"].endswith(f" <{SENDER}>")
    simple = params["Content"]["Simple"]
    assert simple["Subject"] == {"Data": expected.subject, "Charset": "UTF-8"}
    assert simple["Body"]["Text"] == {"Data": expected.text, "Charset": "UTF-8"}
    assert simple["Body"]["Html"] == {"Data": expected.html, "Charset": "UTF-8"}
    [stored] = ses_sent_messages()
    assert "Müller" in stored.subject


@pytest.mark.usefixtures("fake_aws")
def test_ses_delivers_every_kind_as_we_render_it() -> None:
    # Given a verified sender identity, and the request botocore sends (moto keeps only the HTML part)
    verify_sender()
    client = boto3.client("sesv2", region_name=REGION)
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.sesv2.SendEmail", lambda params, **_: sent.append(params)
    )
    sender = SesSender(client, SENDER, "Example Shop", "")

    # When one email of every kind is sent
    for email in every_kind():
        sender.send(email)

    # Then SES accepted each, worded and addressed as rendered
    stored = ses_sent_messages()
    assert len(stored) == len(sent) == len(every_kind())
    for email, params, message in zip(every_kind(), sent, stored, strict=True):
        expected = render(email)
        assert message.destinations == {"ToAddresses": [RECIPIENT]}
        assert message.subject == expected.subject
        assert message.body == expected.html
        assert params["Content"]["Simple"]["Body"]["Text"] == {"Data": expected.text, "Charset": "UTF-8"}


@pytest.mark.usefixtures("fake_aws")
def test_ses_unverified_sender_is_a_generic_delivery_error() -> None:
    # Given no verified identity
    sender = SesSender(boto3.client("sesv2", region_name=REGION), SENDER, "", "")

    # When a sign-in email is sent
    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())

    # Then nothing was sent and the error names the SES code, not the address
    assert ses_sent_messages() == []
    assert "MessageRejected" in str(caught.value)
    assert_generic(caught.value)


@pytest.mark.timing  # compares a wall time with the timeout
def test_ses_stall_is_cut_off_by_the_factory_timeout_without_retries(
    sendgrid_sink: SendGridSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an "SES endpoint" that accepts connections and never answers (the sink speaks plain HTTP)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", sendgrid_sink.url)
    sendgrid_sink.stall(10)
    sender = build_sender(settings_for("ses"))

    # When a sign-in email is sent
    started = time.monotonic()
    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())
    elapsed = time.monotonic() - started

    # Then it fails once, at the read timeout: Cognito retries the trigger, we do not retry inside it
    assert elapsed < TIMEOUT + MARGIN
    assert len(sendgrid_sink.requests) == 1
    assert sendgrid_sink.requests[0]["path"] == "/v2/email/outbound-emails"
    assert "ReadTimeoutError" in str(caught.value)
    assert_generic(caught.value)


# -- Outbox -----------------------------------------------------------------------------------------


def test_outbox_writes_one_file_per_message_and_reads_them_oldest_first(tmp_path: Path) -> None:
    # Given an outbox
    folder = tmp_path / "outbox"
    sender = OutboxSender(folder)
    before = datetime.now(UTC)

    # When three emails are sent in quick succession
    codes = ["100001", "100002", "100003"]
    for code in codes:
        sender.send(an_email(code=code))

    # Then three complete, private files exist and read back in sending order
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".json"] * 3
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    messages = read_outbox(folder)
    assert [next(c for c in codes if f"    {c}\n" in m["text"]) for m in messages] == codes
    first = messages[0]
    expected = render(an_email(code="100001"))
    assert set(first) == {"to", "subject", "text", "html", "time"}
    assert (first["to"], first["subject"], first["text"], first["html"]) == (
        RECIPIENT,
        expected.subject,
        expected.text,
        expected.html,
    )
    times = [datetime.fromisoformat(m["time"]) for m in messages]
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in times)  # type: ignore[union-attr]
    assert before <= times[0] <= times[1] <= times[2] <= datetime.now(UTC)
    assert json.loads(files[-1].read_text(encoding="utf-8"))["text"] == messages[-1]["text"]


def test_outbox_holds_every_kind_as_rendered_in_sending_order(tmp_path: Path) -> None:
    # Given an outbox
    sender = OutboxSender(tmp_path)

    # When one email of every kind is sent, in German
    emails = one_of_each(to=RECIPIENT, link=LINK, code=CODE, locale="de")
    for email in emails:
        sender.send(email)

    # Then the outbox holds each, in order, exactly as rendered
    messages = read_outbox(tmp_path)
    assert len(messages) == len(emails)
    for email, message in zip(emails, messages, strict=True):
        expected = render(email)
        assert (message["to"], message["subject"], message["text"], message["html"]) == (
            RECIPIENT,
            expected.subject,
            expected.text,
            expected.html,
        )
    assert "Einladung" in messages[2]["subject"]
    assert CODE in visible_text(messages[4]["html"])


def test_outbox_names_sort_newest_last_across_sender_instances(tmp_path: Path) -> None:
    for code in ("200001", "200002"):
        OutboxSender(tmp_path).send(an_email(code=code))

    names = sorted(p.name for p in tmp_path.iterdir())
    last = json.loads((tmp_path / names[-1]).read_text(encoding="utf-8"))
    assert "200002" in last["text"]


def test_outbox_ignores_partial_files_and_an_absent_folder(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "missing") == []
    (tmp_path / ".123.partial").write_text("{half", encoding="utf-8")

    OutboxSender(tmp_path).send(an_email())

    assert len(read_outbox(tmp_path)) == 1


def test_outbox_write_failure_is_a_generic_delivery_error(tmp_path: Path) -> None:
    # Given an outbox whose folder has been replaced by a plain file
    folder = tmp_path / "outbox"
    sender = OutboxSender(folder)
    folder.rmdir()
    folder.write_text("not a folder", encoding="utf-8")

    with pytest.raises(EmailDeliveryError) as caught:
        sender.send(an_email())

    assert_generic(caught.value)


# -- Factory ----------------------------------------------------------------------------------------


def test_factory_builds_an_outbox_that_delivers(tmp_path: Path) -> None:
    sender = build_sender(settings_for("outbox", outbox_dir=str(tmp_path)))

    sender.send(an_email())

    assert isinstance(sender, OutboxSender)
    [message] = read_outbox(tmp_path)
    assert CODE in message["text"]


@pytest.mark.usefixtures("fake_aws")
def test_factory_builds_an_ses_sender_that_delivers() -> None:
    verify_sender()
    sender = build_sender(settings_for("ses", email_from_name=""))

    sender.send(an_email())

    assert isinstance(sender, SesSender)
    [message] = ses_sent_messages()
    assert message.source == SENDER
    assert CODE in message.body


@pytest.mark.usefixtures("fake_aws")
def test_factory_builds_a_sendgrid_sender_with_the_key_from_secrets_manager(
    sendgrid_sink: SendGridSink,
) -> None:
    # Given the API key in Secrets Manager
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="sendgrid-api-key", SecretString=API_KEY + "\n"
    )
    settings = settings_for(
        "sendgrid", sendgrid_api_key_secret_id="sendgrid-api-key", sendgrid_api_host=sendgrid_sink.url
    )

    # When the factory builds the sender and it sends
    sender = build_sender(settings)
    sender.send(an_email())

    # Then SendGrid saw the key from the secret and our message
    assert isinstance(sender, SendGridSender)
    assert sendgrid_sink.requests[0]["headers"]["Authorization"] == f"Bearer {API_KEY}"
    [message] = sendgrid_sink.messages
    assert message["from"] == {"email": SENDER, "name": "Example Shop"}


@pytest.mark.timing  # compares a wall time with the timeout
@pytest.mark.usefixtures("fake_aws")
def test_factory_passes_the_template_id_and_timeout_to_sendgrid(sendgrid_sink: SendGridSink) -> None:
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name="sg", SecretString=API_KEY)
    sender = build_sender(
        settings_for(
            "sendgrid",
            sendgrid_api_key_secret_id="sg",
            sendgrid_api_host=sendgrid_sink.url,
            sendgrid_template_id="d-template",
        )
    )
    sender.send(an_email())
    sendgrid_sink.stall(10)

    started = time.monotonic()
    with pytest.raises(EmailDeliveryError):
        sender.send(an_email())

    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert sendgrid_sink.messages[0]["template_id"] == "d-template"


@pytest.mark.usefixtures("fake_aws")
def test_factory_missing_sendgrid_secret_is_a_delivery_error(sendgrid_sink: SendGridSink) -> None:
    settings = settings_for(
        "sendgrid", sendgrid_api_key_secret_id="absent", sendgrid_api_host=sendgrid_sink.url
    )

    with pytest.raises(EmailDeliveryError) as caught:
        build_sender(settings)

    assert_generic(caught.value)


@pytest.mark.parametrize("provider", ["ses", "outbox"])
def test_factory_does_not_import_sendgrid_unless_chosen(provider: str, tmp_path: Path) -> None:
    # A fresh interpreter, because this test process has imported sendgrid long ago.
    script = f"""
import sys
from passwordless.email.factory import build_sender
from passwordless.settings import Settings
sender = build_sender(Settings(
    table_name="t", hmac_key_secret_id="k", email_provider={provider!r}, email_from="a@example.com",
    sign_in_url="https://example.com/", outbox_dir={str(tmp_path)!r}))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sendgrid", "python_http_client"))
print(type(sender).__name__, loaded)
"""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "layers" / "passwordless"),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        timeout=60,
    )

    expected = {"ses": "SesSender", "outbox": "OutboxSender"}[provider]
    assert result.stdout.strip() == f"{expected} []"
