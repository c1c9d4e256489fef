"""The local stack with a real email provider behind it (the SendGrid sink, or SES in moto) and AWS
faults armed on the handlers' calls: what a fault test drives over HTTP and reads back afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from laptop.aws import REGION
from laptop.handlers import Handler
from laptop.local_stack.stack import LocalCognito
from laptop.local_stack.trigger_runner import TriggerPolicy
from passwordless.settings import Settings
from tests.support.aws_faults import AwsFaults, aws_faults
from tests.support.local_stack import JANE_EMAIL, Mail, MovableClock, RunningStack
from tests.support.sendgrid_sink import SendGridSink

Provider = Literal["outbox", "sendgrid", "ses"]
SENDGRID_KEY = "SG.fault-matrix-key"  # what the sink demands: proves the key came from Secrets Manager


@dataclass
class FaultyStack:
    running: RunningStack
    faults: AwsFaults
    provider: Provider
    sink: SendGridSink | None
    table: str

    def mails(self) -> list[Mail]:
        """Sign-in emails the provider accepted, oldest first."""
        if self.sink is not None:
            return [_sendgrid_mail(body) for body in self.sink.messages]
        if self.provider == "ses":
            return [
                Mail(message.destinations["ToAddresses"][0], message.subject, message.body, message.body)
                for message in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
            ]
        return self.running.mail()

    def item(self, username: str) -> dict[str, Any] | None:
        """The user's stored item, read over HTTP as an operator would."""
        key = f"{self.running.pool_id}#{username}"
        dynamodb = self.running.stack.client("dynamodb")
        found: dict[str, Any] | None = dynamodb.get_item(
            TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True
        ).get("Item")
        return found

    def version(self, username: str) -> int:
        """How many secrets were ever written for the user: each issue bumps the item's version."""
        item = self.item(username)
        return int(item["version"]["N"]) if item else 0


@contextmanager
def faulty_stack(
    tmp_path: Path,
    provider: Provider = "outbox",
    *,
    trigger_policy: TriggerPolicy | None = None,
    wrap_handler: Callable[[str, Handler], Handler] | None = None,
) -> Iterator[FaultyStack]:
    """A running stack with Jane as its user, no gap between emails, and no fault armed yet."""
    # A fresh name per stack: Powertools caches the SendGrid key by name for the whole process.
    key_name = f"sendgrid-key-{uuid.uuid4().hex}"
    environment = {"RESEND_MIN_SECONDS": "0", "EMAIL_PROVIDER": provider}
    with ExitStack() as stack:
        sink = None
        if provider == "sendgrid":
            sink = stack.enter_context(SendGridSink(api_key=SENDGRID_KEY))
            environment |= {"SENDGRID_API_KEY_SECRET_ID": key_name, "SENDGRID_API_HOST": sink.url}
        faults = stack.enter_context(aws_faults())
        clock = MovableClock()
        outbox = tmp_path / "stack-outbox"
        local = stack.enter_context(
            LocalCognito(
                port=0,
                outbox_dir=outbox,
                environment=environment,
                clock=clock,
                trigger_policy=trigger_policy,
                wrap_handler=wrap_handler,
            )
        )
        if provider == "sendgrid":
            local.client("secretsmanager").create_secret(Name=key_name, SecretString=SENDGRID_KEY)
        jane = local.add_user(JANE_EMAIL, name="Jane Doe")
        running = RunningStack(local, clock, outbox, local.client(), jane, "")
        yield FaultyStack(running, faults, provider, sink, Settings.from_env().table_name)


def _sendgrid_mail(body: dict[str, Any]) -> Mail:
    parts = {part["type"]: part["value"] for part in body.get("content", [])}
    return Mail(
        body["personalizations"][0]["to"][0]["email"],
        body.get("subject", ""),
        parts.get("text/plain", ""),
        parts.get("text/html", ""),
    )
