"""One full sign-in as an app does it (InitiateAuth, then RespondToAuthChallenge with the emailed
code), and where the code comes from: the local outbox, or the SES messages embedded moto kept."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The code follows this prompt in the English email, in both the HTML and the text part.
_CODE = re.compile(
    r"code where you asked to sign in:.*?(?:^|>)\s*(\d{6,10})\s*(?:<|$)", re.DOTALL | re.MULTILINE
)


def code_in(body: str) -> str:
    match = _CODE.search(body)
    if match is None:
        raise LookupError("no sign-in code in the email")
    return match.group(1)


def ses_code(address: str) -> str:
    """The code in the newest SES message to `address` held by embedded moto (a private API of the
    pinned moto: sent messages are not readable through any SES call)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415 - only where moto is running
    from moto.ses.models import ses_backends  # noqa: PLC0415

    from laptop.aws import REGION  # noqa: PLC0415

    for message in reversed(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages):
        if address in message.destinations.get("ToAddresses", []):
            return code_in(message.body)
    raise LookupError("no SES message to that address")


class OutboxCodes:
    """Codes from the local outbox folder, read once per file however many threads ask."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._seen: set[str] = set()
        self._codes: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, address: str) -> str:
        with self._lock:
            if address not in self._codes:
                for path in self._folder.glob("*.json"):
                    if path.name in self._seen or path.name.startswith("."):
                        continue
                    self._seen.add(path.name)
                    message = json.loads(path.read_text(encoding="utf-8"))
                    self._codes[message["to"]] = code_in(message["text"])
            return self._codes.pop(address)


def sign_in(idp: Any, client_id: str, email: str, code_for: Callable[[str], str]) -> bool:  # noqa: ANN401
    """True when the sign-in ends with tokens."""
    challenge = idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": email}
    )
    answered = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
            "ANSWER": code_for(email),
        },
    )
    return "AccessToken" in answered.get("AuthenticationResult", {})
