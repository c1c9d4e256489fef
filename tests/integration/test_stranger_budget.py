"""docs/security/requirements.md #31: emails to addresses that have not proven they want them are budgeted
per source and overall, counted exactly over any rolling hour by conditional writes to DynamoDB (moto),
failing closed; people with a verified address never spend them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import boto3
import pytest

from laptop.aws import REGION
from passwordless.binding import Binding
from passwordless.errors import SignInUnavailable, StorageUnavailable
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import HOUR_MS, SecretStore, item_key
from passwordless.settings import Settings
from passwordless.stranger_budget import StrangerBudget, source_of
from tests.support.cognito import CLIENT_ID, POOL_ID, User
from tests.support.fakes import FakeClock
from tests.support.flow import JANE, Flow, build_flow

STRANGER = User("7d1c0a7e-0000-4000-8000-000000stranger", "new@example.com", verified=False)


def budget(
    settings: Settings, clock: Callable[[], float], *, per_source: int = 3, overall: int = 5
) -> StrangerBudget:
    client = boto3.client("dynamodb", region_name=REGION)
    return StrangerBudget(client, settings.table_name, per_source=per_source, overall=overall, clock=clock)


def test_a_source_gets_its_budget_then_nothing_until_its_oldest_email_is_an_hour_old(aws: Settings) -> None:
    clock = FakeClock(1_800_000_000.0)
    spending = budget(aws, clock, per_source=3)

    spent = []
    for _ in range(5):
        spent.append(spending.spend_for_source("198.51.100.7"))
        clock.advance(600)
    assert spent == [True, True, True, False, False]
    assert spending.spend_for_source("198.51.100.8"), "another source has its own budget"

    # The first email was sent at 0 s; at 3,600 s it leaves the hour and makes room for exactly one.
    clock.now = 1_800_000_000.0 + 3_600
    assert [spending.spend_for_source("198.51.100.7") for _ in range(2)] == [True, False]


def test_the_source_item_holds_the_last_emails_newest_first(aws: Settings) -> None:
    clock = FakeClock(1_800_000_000.0)
    spending = budget(aws, clock, per_source=3)
    for _ in range(4):
        spending.spend_for_source("198.51.100.7")
        clock.advance(1)

    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=aws.table_name, Key={"pk": {"S": "budget#source#198.51.100.7"}}
    )["Item"]
    times = [int(item[f"s{i}"]["N"]) for i in range(3)]
    # The fourth, refused, changed nothing.
    assert times == [1_800_000_002_000, 1_800_000_001_000, 1_800_000_000_000]


def test_an_ipv6_caller_spends_its_64_and_a_mapped_ipv4_its_address() -> None:
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of("::ffff:198.51.100.7") == source_of("198.51.100.7") == "198.51.100.7"
    assert source_of("") == source_of("not an address") == "unknown"


@pytest.mark.parametrize("seed", range(3))
def test_no_rolling_hour_ever_holds_more_than_the_budget(aws: Settings, seed: int) -> None:
    """Against a sliding log kept in the test: whatever the spacing, the budget answers as the log does."""
    gaps = [1, 30, 300, 900, 1800, 60, 2400]
    clock = FakeClock(1_800_000_000.0)
    spending = budget(aws, clock, per_source=4, overall=6)
    granted: dict[str, list[int]] = {"source": [], "overall": []}
    for step in range(60):
        clock.advance(gaps[(step * (seed + 3)) % len(gaps)])
        now_ms = int(clock.now * 1000)
        for scope, limit, spend in (
            ("source", 4, lambda: spending.spend_for_source("203.0.113.1")),
            ("overall", 6, spending.spend_overall),
        ):
            in_the_hour = [t for t in granted[scope] if now_ms - t < HOUR_MS]
            answer = spend()
            assert answer == (len(in_the_hour) < limit), (scope, now_ms)
            if answer:
                granted[scope].append(now_ms)


def test_racing_spenders_share_the_overall_budget_exactly(aws: Settings) -> None:
    spending = budget(aws, FakeClock(1_800_000_000.0), per_source=10, overall=7)
    answers: list[bool] = []
    lock = threading.Lock()

    def spend() -> None:
        answer = spending.spend_overall()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=spend) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 9 + [True] * 7


def test_a_counter_that_cannot_be_written_fails_closed(aws: Settings) -> None:
    spending = StrangerBudget(
        boto3.client("dynamodb", region_name=REGION), "no-such-table", per_source=3, overall=5
    )
    with pytest.raises(StorageUnavailable):
        spending.spend_for_source("198.51.100.7")
    with pytest.raises(StorageUnavailable):
        spending.spend_overall()


# --- create: the first email to an unverified address -------------------------------------------


def stranger_flow(aws: Settings, store: SecretStore, hasher: KeyedHasher, *, overall: int) -> Flow:
    clock = FakeClock(1_800_000_000.0)
    flow = build_flow(aws, store, hasher, clock=clock, budget=budget(aws, clock, overall=overall))
    flow.cognito.add_user(STRANGER)
    return flow


def test_create_mails_an_unverified_address_while_the_overall_budget_has_room(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    flow = stranger_flow(aws, store, hasher, overall=1)

    asked = flow.cognito.initiate_auth(STRANGER.email)

    assert [mail.to for mail in flow.sender.sent] == [STRANGER.email]
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"


def test_over_the_overall_budget_an_unverified_address_gets_nothing_and_the_answer_looks_the_same(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    flow = stranger_flow(aws, store, hasher, overall=1)
    other = User("7d1c0a7e-0000-4000-8000-0000000other", "other@example.com", verified=False)
    flow.cognito.add_user(other)
    sent = flow.cognito.initiate_auth(other.email)

    held = flow.cognito.initiate_auth(STRANGER.email)

    assert [mail.to for mail in flow.sender.sent] == [other.email]
    assert held.kind == sent.kind == "challenge"
    assert set(held.public) == set(sent.public)
    assert set(held.session.private) == set(sent.session.private)
    # The secret was stored but never sent, so nothing the caller could guess opens it, and the next
    # round replaces it.
    record = store.load(item_key(Binding(POOL_ID, CLIENT_ID, STRANGER.username)))
    assert record is not None
    assert record.secret is not None
    assert not record.secret.sent
    assert record.secret.send_failed
    assert held.session.private["secretId"] != record.secret.secret_id
    assert [event["scope"] for event in flow.log.events("stranger_budget")] == ["overall"]


def test_a_verified_address_signs_in_while_the_budget_is_spent(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    flow = stranger_flow(aws, store, hasher, overall=1)
    flow.cognito.initiate_auth(STRANGER.email)  # spends the hour's one stranger email

    asked = flow.cognito.initiate_auth(JANE.email)

    assert flow.sender.sent[-1].to == JANE.email
    assert flow.cognito.respond(asked, flow.code()).kind == "tokens"
    assert len(flow.log.events("stranger_budget")) == 0


def test_an_unwritable_budget_fails_create_closed_and_sends_nothing(
    aws: Settings, store: SecretStore, hasher: KeyedHasher
) -> None:
    clock = FakeClock(1_800_000_000.0)
    broken = StrangerBudget(
        boto3.client("dynamodb", region_name=REGION), "no-such-table", per_source=3, overall=5, clock=clock
    )
    flow = build_flow(aws, store, hasher, clock=clock, budget=broken)
    flow.cognito.add_user(STRANGER)

    with pytest.raises(SignInUnavailable):
        flow.cognito.initiate_auth(STRANGER.email)
    assert flow.sender.attempts == 0
