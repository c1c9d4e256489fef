"""What the adversarial tests share: a client that fires many requests at once without retrying, each
outcome as the caller saw it, and the user's item as DynamoDB stores it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from laptop.aws import REGION
from laptop.local_stack.stack import LOCAL_CREDENTIALS
from tests.support.local_stack import RunningStack

T = TypeVar("T")
R = TypeVar("R")


def attack_client(stack: RunningStack, connections: int = 64) -> Any:
    """One boto3 client for many threads (low-level clients are thread-safe), with a connection per
    thread and no retries: every request the test sends reaches the stack exactly once."""
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=stack.stack.url.rstrip("/"),
        config=Config(max_pool_connections=connections, retries={"total_max_attempts": 1}),
        **LOCAL_CREDENTIALS,
    )


@dataclass(frozen=True)
class Outcome:
    """One API call as the caller saw it: a challenge, tokens, or an error code and message."""

    response: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    message: str = ""

    @property
    def signed_in(self) -> bool:
        return "AuthenticationResult" in self.response

    @property
    def challenged(self) -> bool:
        return self.response.get("ChallengeName") == "CUSTOM_CHALLENGE"


def attempt(call: Callable[..., Any], **arguments: Any) -> Outcome:
    try:
        return Outcome(response=dict(call(**arguments)))
    except ClientError as error:
        details = error.response.get("Error", {})
        return Outcome(error=str(details.get("Code", "")), message=str(details.get("Message", "")))


def initiate(idp: Any, stack: RunningStack, login: str) -> Outcome:
    return attempt(
        idp.initiate_auth,
        AuthFlow="CUSTOM_AUTH",
        ClientId=stack.client_id,
        AuthParameters={"USERNAME": login},
    )


def answer(
    idp: Any, stack: RunningStack, challenge: Outcome, text: str, metadata: dict[str, str] | None = None
) -> Outcome:
    assert challenge.challenged, f"no live challenge to answer: {challenge}"
    return attempt(
        idp.respond_to_auth_challenge,
        ClientId=stack.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge.response["Session"],
        ChallengeResponses={
            "USERNAME": challenge.response["ChallengeParameters"]["USERNAME"],
            "ANSWER": text,
        },
        **({"ClientMetadata": metadata} if metadata else {}),
    )


def all_at_once(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`work` on every item, one thread each, released together by a barrier so the requests race."""
    barrier = threading.Barrier(len(items))

    def released(item: T) -> R:
        barrier.wait(timeout=30)
        return work(item)

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(released, items))


def open_sessions(idp: Any, stack: RunningStack, login: str, count: int) -> list[Outcome]:
    """`count` sign-in sessions for `login`, opened in parallel; each must be a live challenge."""
    with ThreadPoolExecutor(max_workers=min(count, 16)) as pool:
        sessions = list(pool.map(lambda _: initiate(idp, stack, login), range(count)))
    assert all(session.challenged for session in sessions), sessions
    return sessions


def wrong_code(code: str, offset: int = 1) -> str:
    """A code of the same length that is not `code`."""
    size = len(code)
    return f"{(int(code) + offset) % 10**size:0{size}d}"


def stored_item(stack: RunningStack, username: str) -> dict[str, Any]:
    """The user's one item in the secrets table, read back over HTTP (consistent read)."""
    dynamodb = stack.stack.client("dynamodb")
    [table] = dynamodb.list_tables()["TableNames"]
    key = {"pk": {"S": f"{stack.pool_id}#{username}"}}
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    assert item is not None, f"no stored item for {username}"
    return dict(item)


def code_failures(stack: RunningStack, username: str) -> int:
    return int(stored_item(stack, username).get("code_failures", {"N": "0"})["N"])
