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
from moto.backends import get_backend
from moto.core.models import DEFAULT_ACCOUNT_ID

from laptop.aws import environment, local_environment
from laptop.moto_speedups import faster_moto
from passwordless.accounts.email_change_store import EmailChangeStore, PendingChange, change_key
from passwordless.binding import Binding
from passwordless.secret_store import EmailQuota, IssueGuard, SecretStore, StoredSecret, item_key

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
    with mock_aws(), faster_moto() if fast else nullcontext(False) as patched:
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


class _Recording:
    """A DynamoDB client that keeps every request and its answer (or error) as a store meets it."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.exchanges: list[tuple[str, dict[str, Any], Any]] = []

    def __getattr__(self, operation: str) -> Any:
        def call(**parameters: Any) -> Any:
            try:
                response = getattr(self._db, operation)(**parameters)
            except ClientError as error:
                self.exchanges.append((operation, parameters, error.response["Error"]))
                raise
            self.exchanges.append((operation, parameters, response))
            return response

        return call


SECRET_STORE_CALLS = (
    "load",
    "issue",
    "issue_unread",
    "mark_sent",
    "mark_send_failed",
    "consume",
    "record_failure",
)
EMAIL_CHANGE_CALLS = ("load", "request", "void", "count_failure", "consume")


def _secret(secret_id: str, now: int, round_key: str = "round-1") -> StoredSecret:
    return StoredSecret(
        secret_id, "client", "t" * 43, "c" * 43, now, now + 600_000, round_key, False, False, False
    )


def _every_secret_store_write(store: SecretStore, called: set[str]) -> list[Any]:
    """Each of the store's writes, where DynamoDB accepts it and where its condition refuses it."""
    key, other = item_key(Binding("pool", "client", "jane")), item_key(Binding("pool", "client", "nobody"))
    outcomes: list[Any] = []

    def do(name: str, *args: Any, **kwargs: Any) -> None:
        called.add(name)
        try:
            outcomes.append(getattr(store, name)(*args, **kwargs))
        except Exception as error:  # ItemChanged carries the item as the condition saw it
            outcomes.append((type(error).__name__, getattr(error, "args", ())))

    first = IssueGuard(NOW, None, NOW - 60_000, NOW - 3_600_000, max_emails_per_hour=2)
    do("issue_unread", key, _secret("s1", NOW), first)
    do("issue_unread", key, _secret("s2", NOW), first)  # refused: the gap since the last email
    do("mark_sent", key, "s1")
    do("mark_send_failed", key, "s1")
    do("mark_sent", key, "gone")  # another secret replaced it: nothing to mark
    later = NOW + 120_000
    resend = IssueGuard(later, "round-2", later - 60_000, later - 3_600_000, max_emails_per_hour=2)
    do("issue_unread", key, _secret("s3", later, "round-2"), resend)
    do("issue_unread", key, _secret("s4", later, "round-2"), resend)  # refused: this round's is live
    do("record_failure", key)
    do("record_failure", other)  # no item: nothing is created
    do("consume", key, "s3", later + 1_000, max_code_failures=1)  # refused: code entry is locked
    do("consume", key, "s3", later + 1_000, max_code_failures=None)
    do("consume", key, "s3", later + 2_000, max_code_failures=None)  # refused: spent
    do("load", key)
    record = store.load(key)
    version = record.version if record else 0
    quota = EmailQuota(later + 5_000, (later + 5_000, later))
    do("issue", key, _secret("s5", later + 5_000, "round-3"), expected_version=version, quota=quota)
    do("issue", key, _secret("s6", later + 5_000, "round-3"), expected_version=version, quota=None)  # stale
    do("issue", other, _secret("s7", later), expected_version=None, quota=None)
    do("issue", other, _secret("s8", later), expected_version=None, quota=None)  # it exists now
    do("consume", key, "s5", later + 700_000, max_code_failures=3)  # refused: expired
    return outcomes


def _every_email_change_write(store: EmailChangeStore, called: set[str]) -> list[Any]:
    key = change_key("pool", "jane")
    outcomes: list[Any] = []

    def do(name: str, *args: Any, **kwargs: Any) -> None:
        called.add(name)
        outcomes.append(getattr(store, name)(*args, **kwargs))

    change = PendingChange("c1", "a" * 43, "h" * 43, NOW + 600_000, 0, NOW, False, request_times_ms=(NOW,))
    do("request", key, change, read=None)
    do("request", key, change, read=None)  # refused: one is pending already
    do("load", key)
    pending = store.load(key)
    assert pending is not None
    do("count_failure", key, "c1", NOW + 1_000, max_failures=1)
    do("count_failure", key, "c1", NOW + 2_000, max_failures=1)  # refused: at the cap
    do("consume", key, "c1", NOW + 3_000, max_failures=1)  # refused: at the cap
    fresh = store.load(key)
    assert fresh is not None
    again = PendingChange(
        "c2", "a" * 43, "h" * 43, NOW + 700_000, 0, NOW + 100_000, False, version=fresh.version
    )
    do("request", key, again, read=fresh)
    do("request", key, again, read=pending)  # refused: the item changed since that read
    do("void", key, "c1")  # refused: not the pending change
    do("consume", key, "c2", NOW + 110_000, max_failures=5)
    do("consume", key, "c2", NOW + 120_000, max_failures=5)  # refused: spent
    do("void", key, "c2")
    return outcomes


def test_every_write_the_product_sends_gets_the_same_answer() -> None:
    """Every DynamoDB request the sign-in store and the email-change store build, accepted and
    refused: the same answers, errors and items with and without the speedups."""

    def product_mix(fast: bool) -> tuple[Any, ...]:
        secret_calls: set[str] = set()
        change_calls: set[str] = set()
        with _table(fast=fast) as db:
            recording = _Recording(db)
            secrets_outcomes = _every_secret_store_write(SecretStore(recording, TABLE), secret_calls)
            change_outcomes = _every_email_change_write(EmailChangeStore(recording, TABLE), change_calls)
            exchanges = [(op, answer) for op, _, answer in recording.exchanges]
            for _, _, answer in recording.exchanges:
                if isinstance(answer, dict):
                    answer.pop("ResponseMetadata", None)
            return secrets_outcomes, change_outcomes, exchanges, _items(db), secret_calls, change_calls

    plain = product_mix(fast=False)
    assert product_mix(fast=True) == plain
    _, _, exchanges, items, secret_calls, change_calls = plain
    # Every public call of both stores ran, so a new kind of write cannot slip past this test (but
    # rehearse(), which stops before its request is sent: test_rehearsal.py)
    assert (
        secret_calls
        == {name for name in dir(SecretStore) if not name.startswith("_")} - {"rehearse"}
        == set(SECRET_STORE_CALLS)
    )
    assert change_calls == {name for name in dir(EmailChangeStore) if not name.startswith("_")}
    assert change_calls == set(EMAIL_CHANGE_CALLS)
    # ...and both sides of their conditions were met
    refused = [answer for _, answer in exchanges if isinstance(answer, dict) and "Code" in answer]
    assert {answer["Code"] for answer in refused} == {"ConditionalCheckFailedException"}
    accepted = [answer for op, answer in exchanges if op == "update_item" and "Code" not in answer]
    assert (len(refused), len(accepted)) >= (12, 12)
    assert len(items) == 3


def test_every_user_pool_signs_with_the_key_moto_bundles() -> None:
    def pool_keys(fast: bool) -> list[Any]:
        with mock_aws(), faster_moto() if fast else nullcontext(False):
            idp = boto3.client("cognito-idp", region_name="us-east-1")
            ids = [idp.create_user_pool(PoolName=f"pool-{n}")["UserPool"]["Id"] for n in range(2)]
            backend = get_backend("cognito-idp")[DEFAULT_ACCOUNT_ID]["us-east-1"]
            return [backend.user_pools[pool_id].json_web_key for pool_id in ids]

    plain, fast = pool_keys(fast=False), pool_keys(fast=True)
    # The same private key material either way, so every token moto signs verifies as before...
    assert [key.as_dict(private=True) for key in fast] == [key.as_dict(private=True) for key in plain]
    assert plain[0].as_dict(private=False)["kid"] == "dummy"
    # ...imported once with the speedups, once per pool without
    assert fast[0] is fast[1]
    assert plain[0] is not plain[1]


def test_each_mocks_new_session_reads_the_service_models_it_had() -> None:
    def loaders(fast: bool) -> list[Any]:
        found = []
        for _ in range(2):
            with mock_aws(), faster_moto() if fast else nullcontext(False):
                boto3.client("dynamodb", region_name="us-east-1")  # moto gives each mock a new session
                found.append(boto3.DEFAULT_SESSION._session.get_component("data_loader"))  # type: ignore[union-attr]
        return found

    plain, fast = loaders(fast=False), loaders(fast=True)
    assert plain[0] is not plain[1]
    assert fast[0] is fast[1]
    model = fast[0].load_service_model("dynamodb", "service-2")
    assert model == plain[0].load_service_model("dynamodb", "service-2")
