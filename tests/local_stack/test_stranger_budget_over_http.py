"""A hostile client on the local stack: self sign-up of fresh addresses, then InitiateAuth for each, from
one source and then from several (distinct loopback addresses, which the account API sees as callers'
IP addresses). At most the per-source budget of strangers is mailed per source, the overall budget holds
across sources, and a person whose address is verified still signs in (docs/security/requirements.md #31)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack

PER_SOURCE = 10  # the template's default
OVERALL = 25


@pytest.fixture
def open_stack(tmp_path: Path) -> Iterator[RunningStack]:
    yield from start_stack(
        tmp_path,
        parameters={"SelfSignUp": "true"},
        RESEND_MIN_SECONDS="0",
        STRANGER_EMAILS_PER_HOUR=str(OVERALL),
    )


def sign_up_and_ask(stack: RunningStack, addresses: list[str], source: str) -> set[tuple[int, str]]:
    """What the attacker sees: each sign-up's answer, then an InitiateAuth for every address."""
    answers = set()
    for address in addresses:
        status, body = stack.api("/sign-up", {"email": address}, source=source)
        answers.add((status, str(body)))
    for address in addresses:
        challenge = stack.initiate(address)
        assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    return answers


def mailed(stack: RunningStack, addresses: list[str]) -> list[str]:
    return [address for address in addresses if stack.mail_to(address)]


def test_one_source_gets_its_budget_of_strangers_mailed_and_cannot_tell_when_it_ran_out(
    open_stack: RunningStack,
) -> None:
    addresses = [f"target{i}@example.com" for i in range(PER_SOURCE + 5)]

    answers = sign_up_and_ask(open_stack, addresses, "127.0.0.1")

    assert answers == {(202, str({"message": "Now sign in with this email address."}))}
    assert mailed(open_stack, addresses) == addresses[:PER_SOURCE]
    users = {
        attribute["Value"]
        for user in open_stack.idp.list_users(UserPoolId=open_stack.pool_id)["Users"]
        for attribute in user["Attributes"]
        if attribute["Name"] == "email"
    }
    assert users.isdisjoint(addresses[PER_SOURCE:]), "over its budget a sign-up creates no account"


def test_the_overall_budget_holds_across_sources_and_a_verified_person_still_signs_in(
    open_stack: RunningStack,
) -> None:
    sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    addresses = {source: [f"{source}-{i}@example.com" for i in range(PER_SOURCE)] for source in sources}

    for source in sources:
        sign_up_and_ask(open_stack, addresses[source], source)

    every_address = [address for source in sources for address in addresses[source]]
    assert len(mailed(open_stack, every_address)) == OVERALL
    # Jane's address is verified: the spent budget is not hers to spend.
    tokens = open_stack.sign_in_by_link(JANE_EMAIL)
    assert tokens["AccessToken"]


@pytest.fixture
def tight_stack(tmp_path: Path) -> Iterator[RunningStack]:
    yield from start_stack(tmp_path, RESEND_MIN_SECONDS="0", STRANGER_EMAILS_PER_SOURCE_PER_HOUR="2")


def test_over_the_budget_an_administrator_is_told_and_nobody_is_invited_or_mailed(
    tight_stack: RunningStack,
) -> None:
    tight_stack.add_to_group(tight_stack.jane, "admins")
    admin = tight_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]
    invited = [
        tight_stack.api("/invitations", {"email": f"new{i}@example.org"}, token=admin) for i in range(2)
    ]
    assert [status for status, _ in invited] == [201, 201]

    refused = tight_stack.api("/invitations", {"email": "new2@example.org"}, token=admin)

    assert refused == (
        429,
        {"message": "Too many emails to new addresses right now. Please try again later."},
    )
    assert tight_stack.mail_to("new2@example.org") == []
    assert (
        tight_stack.idp.list_users(UserPoolId=tight_stack.pool_id, Filter='email = "new2@example.org"')[
            "Users"
        ]
        == []
    )
    # Another source's administrator still has room.
    assert (
        tight_stack.api("/invitations", {"email": "new3@example.org"}, token=admin, source="127.0.0.9")[0]
        == 201
    )


def test_over_the_budget_an_email_change_is_refused_and_mails_nothing(tight_stack: RunningStack) -> None:
    token = tight_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]
    for address in ("jane.one@example.org", "jane.two@example.org"):
        assert tight_stack.api("/account/email", {"email": address}, token=token)[0] == 202

    refused = tight_stack.api("/account/email", {"email": "jane.three@example.org"}, token=token)

    assert refused == (
        429,
        {"message": "Too many emails to new addresses right now. Please try again later."},
    )
    assert tight_stack.mail_to("jane.three@example.org") == []
    assert tight_stack.attributes(JANE_EMAIL)["email"] == JANE_EMAIL
