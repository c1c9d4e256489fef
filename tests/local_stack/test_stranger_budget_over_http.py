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
