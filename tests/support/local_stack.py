"""The local stack running in the test process on a free port, and what a test reads back from it:
the outbox, the codes and links in it, and a clock the stack's sessions and tokens expire by."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from laptop.handlers import Handler
from laptop.local_stack.clock import LocalClock
from laptop.local_stack.stack import LocalCognito
from laptop.stack_template import TEMPLATE_PATH
from passwordless.email.outbox import read_outbox

JANE_EMAIL = "jane@example.com"
JOHN_EMAIL = "john@example.com"
# Passkeys on for pages on http://localhost:<port> (the stack's URL then; it fills in the origin).
PASSKEY_PARAMETERS = {"PasskeyRelyingPartyId": "localhost"}


# Real time plus an offset a test adds to, so a session can expire without a 15-minute wait.
MovableClock = LocalClock


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str

    @property
    def code(self) -> str:
        match = re.search(r"\b(\d{6,10})\b", self.text)
        assert match, "the email carries a code"
        return match.group(1)

    @property
    def link(self) -> str:
        match = re.search(r"https?://\S+#\S+", self.text)
        assert match, "the email carries a magic link"
        return match.group(0)

    @property
    def link_token(self) -> str:
        return parse_qs(self.link.split("#", 1)[1])["t"][0]


@dataclass
class RunningStack:
    stack: LocalCognito
    clock: MovableClock
    outbox: Path
    idp: Any
    jane: str
    john: str

    @property
    def client_id(self) -> str:
        assert self.stack.config is not None
        return self.stack.config.client_id

    @property
    def pool_id(self) -> str:
        assert self.stack.config is not None
        return self.stack.config.user_pool_id

    @property
    def passkey_client_id(self) -> str:
        """The passkey app client's id; "" when the stack runs without passkeys."""
        assert self.stack.config is not None
        return self.stack.config.passkey_client_id

    def mail(self) -> list[Mail]:
        return [Mail(m["to"], m["subject"], m["text"], m["html"]) for m in read_outbox(self.outbox)]

    def mail_to(self, address: str) -> list[Mail]:
        return [mail for mail in self.mail() if mail.to == address]

    def api(
        self,
        path: str,
        body: object = None,
        token: str | None = None,
        *,
        source: str = "127.0.0.1",
        method: str = "POST",
    ) -> tuple[int, dict[str, Any]]:
        """Send a JSON body (none when `body` is None) to the stack's account API, as a browser or
        app would: (status, JSON). `source`: the loopback address the request comes from (any of
        127.0.0.0/8), which the account API sees as the caller's IP address."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = urlsplit(self.stack.url)
        # The stack listens on 127.0.0.1 whatever host its URL names (localhost with passkeys).
        connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=15, source_address=(source, 0))
        payload = json.dumps(body).encode() if body is not None else None
        try:
            connection.request(method, url.path + path.lstrip("/"), payload, headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def sign_in_by_link(self, login: str) -> dict[str, Any]:
        """The normal link flow: InitiateAuth, then the newest email's link token as the answer;
        the AuthenticationResult."""
        challenge = self.initiate(login)
        token = self.mail_to(login.lower())[-1].link_token
        return dict(self.answer(challenge, token)["AuthenticationResult"])

    def password_sign_in(self, login: str, password: str) -> dict[str, Any]:
        """The backend's own way in with a password (ADMIN_USER_PASSWORD_AUTH; the page's SRP is not
        served locally)."""
        return dict(
            self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": login, "PASSWORD": password},
            )
        )

    def add_to_group(self, username: str, group: str) -> None:
        self.idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)

    def attributes(self, username: str) -> dict[str, str]:
        """The user's attributes as AdminGetUser returns them."""
        user = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return {item["Name"]: item["Value"] for item in user["UserAttributes"]}

    def initiate(self, login: str, **extra: Any) -> dict[str, Any]:
        return dict(
            self.idp.initiate_auth(
                AuthFlow="CUSTOM_AUTH", ClientId=self.client_id, AuthParameters={"USERNAME": login}, **extra
            )
        )

    def answer(self, challenge: dict[str, Any], answer: str, **extra: Any) -> dict[str, Any]:
        return dict(
            self.idp.respond_to_auth_challenge(
                ClientId=self.client_id,
                ChallengeName=challenge["ChallengeName"],
                Session=challenge["Session"],
                ChallengeResponses={
                    "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                    "ANSWER": answer,
                },
                **extra,
            )
        )


def start_stack(
    tmp_path: Path,
    *,
    parameters: Mapping[str, str] | None = None,
    functions: Mapping[str, Handler] | None = None,
    template_path: Path = TEMPLATE_PATH,
    existing_pool: Callable[[Any], str] | None = None,
    **environment: str,
) -> Iterator[RunningStack]:
    """`parameters` are template parameters; `functions` stand in for functions/<folder>/app.py;
    `existing_pool` makes a team's pool the stack attaches to (LocalCognito's argument)."""
    clock = MovableClock()
    outbox = tmp_path / "stack-outbox"
    with LocalCognito(
        port=0,
        outbox_dir=outbox,
        environment=environment,
        clock=clock,
        parameters=parameters,
        functions=functions,
        template_path=template_path,
        existing_pool=existing_pool,
    ) as stack:
        jane = stack.add_user(JANE_EMAIL, name="Jane Doe")
        john = stack.add_user(JOHN_EMAIL, locale="de")
        yield RunningStack(stack, clock, outbox, stack.client(), jane, john)


@pytest.fixture
def local_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """The stack as `make demo` runs it, but with no gap between emails, so tests may resend at once."""
    yield from start_stack(tmp_path, RESEND_MIN_SECONDS="0")


@pytest.fixture
def passkey_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """local_stack with passkeys on: RP ID localhost, origin and URL http://localhost:<port>, the
    passkey client served (its id: `passkey_stack.passkey_client_id`)."""
    yield from start_stack(tmp_path, parameters=PASSKEY_PARAMETERS, RESEND_MIN_SECONDS="0")


@pytest.fixture
def throttled_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """The stack with template.yaml's defaults untouched (60 s between emails)."""
    yield from start_stack(tmp_path)
