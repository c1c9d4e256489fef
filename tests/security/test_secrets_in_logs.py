"""docs/security/requirements.md #14 end to end: every log line (the three handlers' Powertools output at
DEBUG, with event logging switched on by the operator, the local stack's own logging, stdout and stderr) and
every HTTP response of full sign-ins is searched for every secret the sign-ins handled. A secret may appear
only where it must: the email (SendGrid's request), SendGrid's key in its Authorization header, and the one
response that hands a Session or the tokens to the client."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus

import pytest

from laptop.aws import LOCAL_HMAC_KEY
from tests.support.attacks import Outcome, answer, attack_client, attempt, initiate, wrong_code
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack
from tests.support.sendgrid_sink import SendGridSink

SENDGRID_KEY_NAME = "passwordless-local-sendgrid-key"
# Third-party wire tracing at DEBUG carries the test client's own request bodies (its Session
# strings, say); what an app logs about its own requests is not the product's output.
WIRE_LOGGERS = ("botocore", "boto3", "urllib3", "moto")
STACK_LOGGERS = ("werkzeug", "laptop")
DELIVERING_FIELDS = ("Session", "AuthenticationResult")


class Everything(logging.Handler):
    """Every record, with its extra fields (Powertools' structured keys arrive as attributes)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.DEBUG and record.name.startswith(WIRE_LOGGERS):
            return
        fields = {k: v for k, v in vars(record).items() if k not in {"msg", "args"}}
        self.lines.append(f"{record.getMessage()} {fields!r} {record.exc_text or ''}")


@pytest.fixture
def everything() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    # The stack's loggers at their most talkative, whatever an earlier test (make demo's quiet
    # werkzeug, say) left them at.
    loggers = [root, *(logging.getLogger(name) for name in STACK_LOGGERS)]
    levels = [logger.level for logger in loggers]
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def encodings(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms |= {encode(raw).decode(), encode(raw).decode().rstrip("=")}
    return forms


def leaks(haystack: str, named_secrets: dict[str, set[str]]) -> list[str]:
    """Which secrets (by name) occur in `haystack`, in any of their encodings. A code is all digits,
    so it counts only when it stands alone, not inside a longer run of letters and digits."""
    found = []
    for name, values in named_secrets.items():
        for value in values:
            for form in encodings(value):
                pattern = rf"(?<![0-9A-Za-z]){re.escape(form)}(?![0-9A-Za-z])" if value.isdigit() else None
                hit = re.search(pattern, haystack) if pattern else form in haystack
                if hit:
                    found.append(f"{name} ({form[:12]}...)")
    return found


def test_no_secret_reaches_a_log_line_or_a_response_that_does_not_deliver_it(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], everything: Everything
) -> None:
    sendgrid_key = f"SG.{secrets.token_urlsafe(16)}.{secrets.token_urlsafe(32)}"
    responses: list[tuple[dict[str, Any], str]] = []
    with SendGridSink(api_key=sendgrid_key) as sink:
        for stack in start_stack(
            tmp_path,
            RESEND_MIN_SECONDS="0",
            EMAIL_PROVIDER="sendgrid",
            SENDGRID_API_KEY_SECRET_ID=SENDGRID_KEY_NAME,
            SENDGRID_API_HOST=sink.url,
            POWERTOOLS_LOG_LEVEL="DEBUG",
            POWERTOOLS_LOGGER_LOG_EVENT="true",
        ):
            stack.stack.client("secretsmanager").create_secret(
                Name=SENDGRID_KEY_NAME, SecretString=sendgrid_key
            )
            idp = attack_client(stack)
            idp.meta.events.register(
                "before-parse.cognito-idp.*",
                lambda response_dict, **_: responses.append(
                    (dict(response_dict["headers"]), response_dict["body"].decode())
                ),
            )
            tokens = sign_in_every_way(idp, stack, sink)
        mails = [text_of(message) for message in sink.messages]
        sendgrid_requests = sink.requests
    out, err = capfd.readouterr()

    codes = {re.search(r"\b(\d{6})\b", mail).group(1) for mail in mails}  # type: ignore[union-attr]
    links = {parse_qs(re.search(r"#(\S+)", mail).group(1))["t"][0] for mail in mails}  # type: ignore[union-attr]
    sessions = {body_json["Session"] for _, body in responses if "Session" in (body_json := json.loads(body))}
    named = {
        "code": codes,
        "link token": links,
        "HMAC key": {LOCAL_HMAC_KEY},
        "SendGrid key": {sendgrid_key},
        "Session": sessions,
        "token": tokens,
    }
    assert len(mails) == 3, "first email, the resend, and the email of the sign-in after sign-out"
    assert len(sessions) >= 6
    assert len(tokens) == 8, "three sign-ins' access and ID tokens (one a refresh), two refresh tokens"

    # Positive controls: the search finds each kind of secret where it is meant to be.
    assert {hit.split(" (")[0] for hit in leaks(mails[0], named)} == {"code", "link token"}
    assert leaks(str(sendgrid_requests[0]["headers"]), {"SendGrid key": {sendgrid_key}})
    delivering = [body for _, body in responses if "AuthenticationResult" in body]
    assert leaks(delivering[0], {"token": tokens})

    # Nowhere else: not in any log line, stream or header, nor in any response beyond what it delivers.
    # Powertools writes its JSON lines to stdout (its logger does not propagate); the stack logs each
    # request through the logging module.
    assert len(everything.lines) >= len(responses), "one werkzeug line per request at least"
    for event in ("issued", "sent", "failed", "consumed", "session_decided"):
        assert f'"security_event":"{event}"' in out, event
    assert leaks("\n".join(everything.lines), named) == []
    assert leaks(out, named) == []
    assert leaks(err, named) == []
    for headers, body in responses:
        assert leaks(json.dumps(headers), named) == []
        kept = {k: v for k, v in json.loads(body).items() if k not in DELIVERING_FIELDS}
        assert leaks(json.dumps(kept), named) == [], kept


def text_of(message: dict[str, Any]) -> str:
    return next(part["value"] for part in message["content"] if part["type"] == "text/plain")


def sign_in_every_way(idp: Any, stack: RunningStack, sink: SendGridSink) -> set[str]:
    """A wrong code, the right code, refresh, sign-out; a resend and the link; a replayed link.
    Returns the tokens the client was handed."""
    tokens: set[str] = set()

    def mail() -> str:
        return text_of(sink.messages[-1])

    def keep(outcome: Outcome) -> dict[str, Any]:
        assert outcome.signed_in, outcome
        result: dict[str, Any] = outcome.response["AuthenticationResult"]
        tokens.update(v for k, v in result.items() if k.endswith("Token"))
        return result

    first = initiate(idp, stack, JANE_EMAIL)
    code = re.search(r"\b(\d{6})\b", mail()).group(1)  # type: ignore[union-attr]
    retry = answer(idp, stack, first, wrong_code(code))
    by_code = keep(answer(idp, stack, retry, code))
    refreshed = attempt(
        idp.initiate_auth,
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=stack.client_id,
        AuthParameters={"REFRESH_TOKEN": by_code["RefreshToken"]},
    )
    keep(refreshed)
    assert attempt(idp.get_user, AccessToken=by_code["AccessToken"]).response
    assert not attempt(idp.revoke_token, Token=by_code["RefreshToken"], ClientId=stack.client_id).error

    second = initiate(idp, stack, JANE_EMAIL)
    resent = answer(idp, stack, second, "resend", {"resend": "true"})
    token = parse_qs(re.search(r"#(\S+)", mail()).group(1))["t"][0]  # type: ignore[union-attr]
    keep(answer(idp, stack, initiate(idp, stack, JANE_EMAIL), token))
    replayed = answer(idp, stack, resent, token)
    assert not replayed.signed_in
    return tokens
