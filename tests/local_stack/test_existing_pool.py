"""A team's own pool, attached to on the laptop through the same setup function a deployed stack
runs: its users sign in by link and code as they are (an email alias, an email username), a user
whose address was never verified is refused like an unknown one, their password client still signs
in with passwords, and nothing about the pool changes but the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from laptop.existing_pool import (
    ANN,
    BOB,
    THEIR_CLIENT_NAME,
    THEIR_TOKEN_TRIGGER,
    create_existing_pool,
    create_team_pool,
)
from tests.support.local_stack import RunningStack, start_stack

OUR_TRIGGERS = {"DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"}


class TeamPool:
    """Makes their pool and remembers it as it was before the stack attached."""

    def __init__(self) -> None:
        self.before: dict[str, Any] = {}

    def __call__(self, cognito: Any) -> str:
        pool_id = create_team_pool(cognito)
        self.before = _described(cognito, pool_id)
        return pool_id


def _described(cognito: Any, pool_id: str) -> dict[str, Any]:
    pool = dict(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"])
    pool.pop("LastModifiedDate")
    pool.pop("EstimatedNumberOfUsers")  # the stack's test users join theirs
    return pool


@pytest.fixture
def team_pool() -> TeamPool:
    return TeamPool()


@pytest.fixture
def attached(tmp_path: Path, team_pool: TeamPool) -> Iterator[RunningStack]:
    yield from start_stack(tmp_path, existing_pool=team_pool, RESEND_MIN_SECONDS="0")


def test_only_the_triggers_change_and_the_pool_keeps_its_own(
    attached: RunningStack, team_pool: TeamPool
) -> None:
    after = _described(attached.idp, attached.pool_id)
    config = after.pop("LambdaConfig")
    before = dict(team_pool.before)
    assert before.pop("LambdaConfig") == {"PreTokenGeneration": THEIR_TOKEN_TRIGGER}
    assert after == before
    # Their PreTokenGeneration stays; ours join it (PreSignUp only with self sign-up, off here)
    assert config["PreTokenGeneration"] == THEIR_TOKEN_TRIGGER
    assert OUR_TRIGGERS | {"PostAuthentication", "CustomMessage"} == set(config) - {"PreTokenGeneration"}


def test_a_user_with_an_email_alias_signs_in_by_code_and_by_link(attached: RunningStack) -> None:
    # Ann's username is her own id; she types her address
    challenge = attached.initiate(ANN["email"])
    assert challenge["ChallengeParameters"]["USERNAME"] == ANN["Username"]
    [mail] = attached.mail_to(ANN["email"])
    tokens = attached.answer(challenge, mail.code)["AuthenticationResult"]
    assert tokens["IdToken"]
    assert attached.sign_in_by_link(ANN["email"])["IdToken"]


def test_a_user_whose_address_was_never_verified_is_refused_like_an_unknown_one(
    attached: RunningStack,
) -> None:
    bob = attached.initiate(BOB["email"])
    nobody = attached.initiate("nobody@example.com")
    # The same shape of answer, and no email to either
    assert sorted(bob["ChallengeParameters"]) == sorted(nobody["ChallengeParameters"])
    assert bob["ChallengeName"] == nobody["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert attached.mail_to(BOB["email"]) == []


def test_their_password_client_still_signs_in_with_a_password(attached: RunningStack) -> None:
    clients = attached.idp.list_user_pool_clients(UserPoolId=attached.pool_id, MaxResults=10)[
        "UserPoolClients"
    ]
    [theirs] = [client["ClientId"] for client in clients if client["ClientName"] == THEIR_CLIENT_NAME]

    def password_sign_in() -> dict[str, Any]:
        return dict(
            attached.idp.admin_initiate_auth(
                UserPoolId=attached.pool_id,
                ClientId=theirs,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": ANN["Username"], "PASSWORD": ANN["password"]},
            )
        )

    assert password_sign_in()["AuthenticationResult"]["IdToken"]
    # And a password user keeps the password after signing in by email too
    attached.sign_in_by_link(ANN["email"])
    assert password_sign_in()["AuthenticationResult"]["IdToken"]


def test_a_pool_that_signs_in_by_email_address_works_as_it_is(tmp_path: Path) -> None:
    def email_usernames(cognito: Any) -> str:
        pool_id = create_existing_pool(
            cognito, UsernameAttributes=["email"], AliasAttributes=[], DeletionProtection="INACTIVE"
        )
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="cat@example.com",
            UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        return pool_id

    for stack in start_stack(tmp_path, existing_pool=email_usernames, RESEND_MIN_SECONDS="0"):
        assert stack.sign_in_by_link("cat@example.com")["IdToken"]


def test_a_pool_whose_trigger_slot_is_taken_stops_the_stack_by_name(tmp_path: Path) -> None:
    def taken(cognito: Any) -> str:
        return create_existing_pool(
            cognito,
            LambdaConfig={"CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:their-messages"},
        )

    with pytest.raises(
        RuntimeError,
        match="CustomMessage trigger is arn:aws:lambda:us-east-1:123456789012:function:their-messages",
    ):
        for _ in start_stack(tmp_path, existing_pool=taken):
            pass
