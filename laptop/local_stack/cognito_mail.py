"""The emails Cognito itself sends (the invitation of AdminCreateUser), as Cognito composes them: the
CustomMessage trigger may replace the subject and body, whose placeholders Cognito then fills in;
without a trigger, Cognito's default text. They land in the local outbox beside the project's own."""

from __future__ import annotations

import html
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from laptop.local_stack.errors import invalid_lambda_response
from laptop.local_stack.trigger_events import cognito_event
from laptop.local_stack.trigger_runner import TriggerRunner

CUSTOM_MESSAGE = "CustomMessage"
CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
LINK_PARAMETER = "{##Click Here##}"
# Cognito's invitation when the pool sets no InviteMessageTemplate and no trigger changes it.
DEFAULT_INVITATION_SUBJECT = "Your temporary password"
DEFAULT_INVITATION_BODY = f"Your username is {USERNAME_PARAMETER} and temporary password is {CODE_PARAMETER}."


@dataclass(frozen=True)
class ComposedMessage:
    """An email with its placeholders still in it: composed before the user exists, sent after."""

    to: str
    subject: str
    html: str

    def __repr__(self) -> str:
        return "ComposedMessage(to=<redacted>)"


class CognitoMail:
    def __init__(self, triggers: TriggerRunner, outbox_dir: Path) -> None:
        self._triggers = triggers
        self._outbox = outbox_dir
        self._lock = threading.Lock()
        self._last_ns = 0

    def compose_invitation(
        self,
        *,
        pool_id: str,
        user_name: str,
        attributes: Mapping[str, str],
        configured: Mapping[str, str],
        client_metadata: Mapping[str, str] | None,
        template: Mapping[str, Any] | None,
    ) -> ComposedMessage | None:
        """CustomMessage_AdminCreateUser's answer, or the pool's InviteMessageTemplate, or Cognito's
        default; None without an email address to send to. A trigger that raises fails the call
        (UserLambdaValidationException), before any user is created."""
        to = attributes.get("email")
        if not to:
            return None
        subject = str((template or {}).get("EmailSubject") or DEFAULT_INVITATION_SUBJECT)
        body = str((template or {}).get("EmailMessage") or DEFAULT_INVITATION_BODY)
        arn = configured.get(CUSTOM_MESSAGE)
        if arn:
            request: dict[str, Any] = {
                "userAttributes": dict(attributes),
                "codeParameter": CODE_PARAMETER,
                "linkParameter": LINK_PARAMETER,
                "usernameParameter": USERNAME_PARAMETER,
            }
            if client_metadata is not None:
                request["clientMetadata"] = dict(client_metadata)
            event = cognito_event(
                pool_id=pool_id,
                client_id="CLIENT_ID_NOT_APPLICABLE",
                user_name=user_name,
                trigger_source="CustomMessage_AdminCreateUser",
                request=request,
                response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
            )
            response = self._triggers.invoke(CUSTOM_MESSAGE, arn, event)["response"]
            chosen_subject, chosen_body = response.get("emailSubject"), response.get("emailMessage")
            if not isinstance(chosen_subject, str | None) or not isinstance(chosen_body, str | None):
                raise invalid_lambda_response()
            # A field the trigger leaves empty keeps what Cognito would have sent.
            subject, body = chosen_subject or subject, chosen_body or body
        return ComposedMessage(to, subject, body)

    def send(self, message: ComposedMessage, *, username: str, code: str) -> None:
        """Cognito fills in the placeholders and sends; here "sends" is a file in the outbox, in the
        record format of passwordless.email.outbox (read_outbox lists both kinds together)."""

        def filled(text: str) -> str:
            return text.replace(USERNAME_PARAMETER, username).replace(CODE_PARAMETER, code)

        body = filled(message.html)
        stamp = self._next_stamp()
        record = {
            "to": message.to,
            "subject": filled(message.subject),
            "text": _text_of(body),
            "html": body,
            "time": datetime.fromtimestamp(stamp / 1e9, tz=UTC).isoformat(timespec="microseconds"),
        }
        self._outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_privately(
            self._outbox / f"{stamp:020d}-{secrets.token_hex(4)}.json",
            json.dumps(record, ensure_ascii=False, indent=2),
        )

    def _next_stamp(self) -> int:
        with self._lock:
            self._last_ns = max(time.time_ns(), self._last_ns + 1)
            return self._last_ns


class _Text(HTMLParser):
    """The readable text of an HTML body, each link's address kept after its words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div", "tr", "li"}:
            self.parts.append("\n")
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.parts.append(f" {href} ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text_of(body: str) -> str:
    if "<" not in body:
        return html.unescape(body)
    parser = _Text()
    parser.feed(body)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _write_privately(target: Path, content: str) -> None:
    """Whole or not at all, readable by this user only: the file holds a working temporary password."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
