"""laptop.moto_speedups changes moto's cost, never its answers: the same requests, with and without it,
give the same responses, the same errors (code and message) and the same stored items. Every request
runs twice, so the second run goes through the caches, and the same expressions come back with other
values, which a cache that kept the first request's values would get wrong."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from laptop.aws import environment, local_environment
from laptop.moto_speedups import faster_dynamodb
from passwordless.binding import Binding
from passwordless.secret_store import IssueGuard, SecretStore, StoredSecret, item_key

TABLE = "speedups"
NOW = 1_800_000_000_000

# (operation, parameters) for the table below; each tuple is one request.
Request = tuple[str, dict[str, Any]]


def _key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}}


def _update(name: str, expression: str, values: dict[str, Any] | None = None, **more: Any) -> Request:
    parameters: dict[str, Any] = {"TableName": TABLE, "Key": _key(name), "UpdateExpression": expression}
    if values is not None:
        parameters["ExpressionAttributeValues"] = values
    return "update_item", {**parameters, **more}


N = {"N": "1"}
LIMITED = "attribute_not_exists(v) OR v < :limit"
ALL_OLD = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
REQUESTS: list[Request] = [
    _update(
        "a",
        "SET n = :n, s = :s, l = :l, m = :m",
        {":n": N, ":s": {"S": "x"}, ":l": {"L": [N]}, ":m": {"M": {}}},
    ),
    _update(
        "a",
        "SET m.nested = :v, l = list_append(l, :more)",
        {":v": {"S": "deep"}, ":more": {"L": [{"N": "2"}]}},
    ),
    _update("a", "ADD tally :one REMOVE s", {":one": N}),
    _update(
        "a", "SET #t = if_not_exists(#t, :v)", {":v": {"N": "7"}}, ExpressionAttributeNames={"#t": "ttl"}
    ),
    # One condition with other values each time: a cache that kept the first request's values would
    # refuse the third (9 < 5) and accept the fourth (3 < 5).
    *(
        _update("b", "SET v = :v", {":v": {"N": v}, ":limit": {"N": n}}, ConditionExpression=LIMITED, **more)
        for v, n, more in (("1", "5", {}), ("9", "5", {}), ("3", "100", {}), ("4", "0", ALL_OLD))
    ),
    _update(
        "b",
        "SET w = :w",
        {
            ":w": {"S": "abc"},
            ":p": {"S": "a"},
            ":lo": {"N": "0"},
            ":hi": {"N": "20"},
            ":x": {"N": "3"},
            ":y": {"N": "2"},
        },
        ConditionExpression=(
            "(begins_with(w, :p) OR attribute_not_exists(w)) AND v BETWEEN :lo AND :hi AND v IN (:x, :y)"
        ),
        ReturnValues="ALL_NEW",
    ),
    _update(
        "b",
        "SET w = :w",
        {":w": {"S": "zzz"}, ":t": {"S": "S"}, ":n": {"N": "3"}},
        ConditionExpression="attribute_type(w, :t) AND size(w) = :n AND NOT contains(w, :w)",
        ReturnValues="UPDATED_OLD",
    ),
    # Refusals: moto's own error for each.
    _update("c", "SET a = :v SET b = :v", {":v": N}),
    _update("c", "SET a = :v, a.b = :v", {":v": N}),
    _update("c", "SET a = :missing", {":v": N}),
    _update("c", "SET #undefined = :v", {":v": N}),
    _update("c", "SET a = :v", {":v": N}, ConditionExpression="b = :missing"),
    _update("c", "SET a = :v", {":v": N}, ConditionExpression="((b = :v))"),
    _update("c", "ADD s :v", {":v": {"S": "text"}}),
    _update("c", "SET pk = :v", {":v": {"S": "other"}}),
    _update("a", "SET n = n + :one", {":one": {"S": "x"}}),
    ("get_item", {"TableName": TABLE, "Key": _key("a"), "ConsistentRead": True}),
]


@contextmanager
def _table(*, fast: bool) -> Iterator[Any]:
    """A fresh moto with one empty table, with the speedups or without."""
    with mock_aws(), faster_dynamodb() if fast else nullcontext(False) as patched:
        assert patched is fast
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield db


def _items(db: Any) -> list[dict[str, Any]]:
    return sorted(db.scan(TableName=TABLE)["Items"], key=lambda item: item["pk"]["S"])


def run(requests: list[Request], *, fast: bool) -> tuple[list[Any], list[dict[str, Any]]]:
    """Each request's response (or error) in a fresh moto, twice over, and the table afterwards."""
    with _table(fast=fast) as db:
        answers = [_answer(db, operation, parameters) for operation, parameters in requests + requests]
        return answers, _items(db)


def _answer(db: Any, operation: str, parameters: dict[str, Any]) -> Any:
    try:
        response = getattr(db, operation)(**parameters)
    except ClientError as error:
        details = error.response["Error"]
        return ("error", details["Code"], details["Message"], error.response.get("Item"))
    except Exception as error:
        return ("crash", type(error).__name__, str(error))
    response.pop("ResponseMetadata", None)
    return response


@pytest.fixture(autouse=True)
def _credentials(tmp_path: Path) -> Iterator[None]:
    with environment(local_environment(tmp_path)):
        yield


def test_every_request_gets_the_same_answer_and_leaves_the_same_items() -> None:
    plain = run(REQUESTS, fast=False)
    assert run(REQUESTS, fast=True) == plain
    answers, _ = plain
    limited = [
        answer
        for (_, request), answer in zip(REQUESTS, answers, strict=False)
        if request.get("ConditionExpression") == LIMITED
    ]
    assert [isinstance(answer, dict) for answer in limited] == [True, True, True, False]
    assert limited[3][:2] == ("error", "ConditionalCheckFailedException")
    assert limited[3][3]["v"] == {"N": "3"}  # ALL_OLD: the item as the condition saw it
    assert {answer[1] for answer in answers if isinstance(answer, tuple)} >= {
        "ValidationException",
        "KeyError",
    }


def test_the_sign_in_store_writes_the_same_items() -> None:
    def sign_ins(fast: bool) -> list[dict[str, Any]]:
        with _table(fast=fast) as db:
            store = SecretStore(db, TABLE)
            for user in range(3):
                key = item_key(Binding("pool", "client", f"user-{user}"))
                for round_ in range(3):
                    now = NOW + round_ * 120_000
                    secret = StoredSecret(
                        f"secret-{user}-{round_}",
                        "client",
                        "t" * 43,
                        "c" * 43,
                        now,
                        now + 600_000,
                        f"round-{round_}",
                        sent=False,
                        send_failed=False,
                        consumed=False,
                    )
                    guard = IssueGuard(now, None, now - 60_000, now - 3_600_000, max_emails_per_hour=2)
                    if store.issue_unread(key, secret, guard) is None:  # the third round is throttled
                        store.mark_sent(key, secret.secret_id)
                        store.consume(key, secret.secret_id, now + 1_000, max_code_failures=3)
            return _items(db)

    plain = sign_ins(fast=False)
    assert sign_ins(fast=True) == plain
    assert len(plain) == 3
