"""Create's write-first issue (no read before it) never stores a secret where choose_plan, reading
the same item, would not ISSUE; where it does store one, the item is as the plan would leave it (the
send log holding this email and every earlier one still inside the hour, never more than the cap);
where it does not, it changes nothing and hands back the item as stored. It may refuse where the plan
issues (the plan then writes), but the likely cases must go through: a first round with no email
inside the hour, a resend with room in its log. Items are drawn around every boundary the plan looks
at, written to DynamoDB (moto), read back after."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passwordless.challenge_issuer import Plan, choose_plan, emails_in_the_hour, write_first_guard
from passwordless.round_metadata import RoundKind
from passwordless.secret_store import HOUR_MS, SecretStore, StoredSecret
from passwordless.settings import Settings

NOW = 1_800_000_000_000
CLIENT = "client-a"
ROUND = "round-now"
KEY = "pool#jane"


def near(edge: int) -> st.SearchStrategy[int]:
    return st.sampled_from([edge - 1, edge, edge + 1])


@st.composite
def items(draw: st.DrawFn, settings: Settings) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    item: dict[str, Any] = {"pk": {"S": KEY}, "version": {"N": str(draw(st.integers(1, 9)))}}
    if draw(st.booleans()):
        item |= {
            "secret_id": {"S": "old-secret"},
            "client_id": {"S": draw(st.sampled_from([CLIENT, "client-b"]))},
            "token_hash": {"S": "t"},
            "code_hash": {"S": "c"},
            "issued_ms": {"N": str(draw(st.sampled_from([NOW - 10_000, NOW - 5_000, NOW - 4_999, NOW])))},
            "expires_ms": {"N": str(draw(near(NOW)))},
            "round_key": {"S": draw(st.sampled_from([ROUND, "round-earlier"]))},
            "sent": {"BOOL": draw(st.booleans())},
            "send_failed": {"BOOL": draw(st.booleans())},
        }
        if draw(st.booleans()):
            item["consumed_ms"] = {"N": str(NOW - 1)}
    gap_edge = NOW - settings.resend_min_seconds * 1000
    last = draw(st.one_of(st.none(), st.just(0), near(gap_edge)))
    if last is not None:
        item["last_email_ms"] = {"N": str(last)}
    cap = settings.max_emails_per_hour
    if draw(st.booleans()):
        # The send log as the store writes it: newest first, one to cap entries, around the edges.
        times = draw(
            st.lists(
                st.one_of(near(NOW - HOUR_MS), st.just(NOW - 60_000), st.just(NOW + 1)),
                min_size=1,
                max_size=cap,
            )
        )
        item["email_times_ms"] = {"L": [{"N": str(t)} for t in sorted(times, reverse=True)]}
    if draw(st.booleans()):
        item["code_failures"] = {"N": str(draw(st.integers(0, 9)))}
    return item


@pytest.mark.parametrize("kind", ["first", "resend"])
def test_the_write_first_issue_writes_exactly_where_the_plan_issues(
    aws: Settings, store: SecretStore, dynamodb: Any, kind: RoundKind
) -> None:
    table = aws.table_name

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(item=items(aws))
    def check(item: dict[str, Any] | None) -> None:
        # Given the user's item as the store would have written it (or none)
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": KEY}})
        if item is not None:
            dynamodb.put_item(TableName=table, Item=item)
        record = store.load(KEY)
        secret = record.secret if record else None
        live = secret if secret and secret.is_live(NOW) and secret.client_id == CLIENT else None
        plan = choose_plan(record, live, kind=kind, round_key=ROUND, now_ms=NOW, settings=aws)
        guard = write_first_guard(kind, ROUND, NOW, aws)

        # When create writes first
        fresh = StoredSecret("new-secret", CLIENT, "th", "ch", NOW, NOW + 600_000, ROUND, False, False, False)
        refused = store.issue_unread(KEY, fresh, guard)

        # Then it wrote only where the plan says ISSUE, and always in the cases it is meant for
        after = store.load(KEY)
        assert after is not None or record is None
        log = record.email_times_ms if record else ()
        if kind == "first":
            meant_for = all(t <= NOW - HOUR_MS for t in log)
        else:
            meant_for = "email_times_ms" in (item or {}) and len(log) < aws.max_emails_per_hour
            meant_for = meant_for and all(t <= NOW for t in log)
        if plan is Plan.ISSUE and meant_for:
            assert refused is None
        if refused is None:
            assert plan is Plan.ISSUE, "wrote where the plan would not issue"
            assert after is not None
            assert after.secret == fresh
            assert after.version == (record.version if record else 0) + 1
            assert after.code_failures == (record.code_failures if record else 0), "never reset here"
            assert after.last_email_ms == NOW
            assert after.email_times_ms[0] == NOW
            assert list(after.email_times_ms) == sorted(after.email_times_ms, reverse=True)
            assert len(after.email_times_ms) <= aws.max_emails_per_hour
            inside = emails_in_the_hour(after, NOW)
            assert len(inside) <= aws.max_emails_per_hour, "the hour holds at most the cap"
            assert sorted(inside) == sorted([NOW, *(emails_in_the_hour(record, NOW) if record else [])])
        else:
            assert refused.record == record
            stored = dynamodb.get_item(TableName=table, Key={"pk": {"S": KEY}}, ConsistentRead=True)
            assert stored.get("Item") == item

    check()
