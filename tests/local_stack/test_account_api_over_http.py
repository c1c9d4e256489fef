"""The account lifecycle end to end through the local stack, with the real functions: the account API
served on the stack's origin behind the emulated JWT authorizer, its Cognito calls coming back to the
stack over HTTP (so PreSignUp runs), and PostAuthentication after each sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.support.local_stack import JANE_EMAIL, JOHN_EMAIL, RunningStack, start_stack


@pytest.fixture
def open_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """Self sign-up on, for example.com only, no gap between emails."""
    yield from start_stack(
        tmp_path,
        parameters={"SelfSignUp": "true", "SignUpAllowedDomains": "example.com"},
        RESEND_MIN_SECONDS="0",
    )


def test_self_sign_up_then_a_link_sign_in_verifies_the_address(open_stack: RunningStack) -> None:
    status, answer = open_stack.api("/sign-up", {"email": "Mia@Example.com", "name": "Mia"})

    assert status == 202, answer
    attributes = open_stack.attributes("mia@example.com")
    assert attributes["email"] == "mia@example.com"
    assert attributes["email_verified"] == "false"
    assert attributes["name"] == "Mia"
    assert open_stack.mail_to("mia@example.com") == [], "sign-up itself sends nothing"

    tokens = open_stack.sign_in_by_link("mia@example.com")

    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["email"] == "mia@example.com"
    # PostAuthentication ran after the sign-in and marked the address proven.
    assert open_stack.attributes("mia@example.com")["email_verified"] == "true"


def test_sign_up_answers_alike_for_an_existing_account_and_creates_nothing(open_stack: RunningStack) -> None:
    before = open_stack.idp.list_users(UserPoolId=open_stack.pool_id)["Users"]

    first = open_stack.api("/sign-up", {"email": JANE_EMAIL})
    second = open_stack.api("/sign-up", {"email": JANE_EMAIL.upper()})

    assert first == second
    assert first[0] == 202
    assert open_stack.idp.list_users(UserPoolId=open_stack.pool_id)["Users"] == before


def test_sign_up_from_a_domain_outside_the_allowed_ones_creates_nothing(open_stack: RunningStack) -> None:
    status, answer = open_stack.api("/sign-up", {"email": "eve@elsewhere.org"})

    assert (status, answer) == (403, {"message": "Sign-up is not open to that address."})
    users = open_stack.idp.list_users(UserPoolId=open_stack.pool_id, Filter='email = "eve@elsewhere.org"')
    assert users["Users"] == []


def test_sign_up_is_not_served_unless_the_stack_allows_it(local_stack: RunningStack) -> None:
    status, _ = local_stack.api("/sign-up", {"email": "mia@example.com"})

    assert status == 404
    users = local_stack.idp.list_users(UserPoolId=local_stack.pool_id, Filter='email = "mia@example.com"')
    assert users["Users"] == []


def test_an_admin_invites_and_the_invitation_link_signs_in(local_stack: RunningStack) -> None:
    local_stack.add_to_group(local_stack.jane, "admins")
    admin = local_stack.sign_in_by_link(JANE_EMAIL)
    assert jwt.decode(admin["AccessToken"], options={"verify_signature": False})["cognito:groups"] == [
        "admins"
    ]

    status, answer = local_stack.api(
        "/invitations", {"email": "newbie@example.org", "name": "New Bie"}, token=admin["AccessToken"]
    )

    assert status == 201, answer
    [invitation] = local_stack.mail_to("newbie@example.org")
    attributes = local_stack.attributes("newbie@example.org")
    assert attributes["name"] == "New Bie"
    assert answer["username"] == attributes["sub"]
    # The normal link flow: InitiateAuth reuses the invitation's live secret and sends nothing.
    challenge = local_stack.initiate("newbie@example.org")
    assert local_stack.mail_to("newbie@example.org") == [invitation]
    tokens = local_stack.answer(challenge, invitation.link_token)["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["email"] == "newbie@example.org"
    assert local_stack.attributes("newbie@example.org")["email_verified"] == "true"


def test_a_member_who_is_no_admin_may_not_invite(local_stack: RunningStack) -> None:
    member = local_stack.sign_in_by_link(JOHN_EMAIL)

    status, _ = local_stack.api("/invitations", {"email": "newbie@example.org"}, token=member["AccessToken"])

    assert status == 403
    assert local_stack.mail_to("newbie@example.org") == []
    assert (
        local_stack.idp.list_users(UserPoolId=local_stack.pool_id, Filter='email = "newbie@example.org"')[
            "Users"
        ]
        == []
    )


@pytest.mark.parametrize("authorization", [None, "not-a-jwt", "id-token"])
def test_an_invitation_without_a_valid_access_token_is_401_before_the_function(
    local_stack: RunningStack, authorization: str | None
) -> None:
    local_stack.add_to_group(local_stack.jane, "admins")
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)
    token = tokens["IdToken"] if authorization == "id-token" else authorization

    status, answer = local_stack.api("/invitations", {"email": "newbie@example.org"}, token=token)

    assert (status, answer) == (401, {"message": "Unauthorized"})
    assert local_stack.mail_to("newbie@example.org") == []


def test_an_expired_or_revoked_access_token_is_401(local_stack: RunningStack) -> None:
    local_stack.add_to_group(local_stack.jane, "admins")
    expiring = local_stack.sign_in_by_link(JANE_EMAIL)
    revoked = local_stack.sign_in_by_link(JANE_EMAIL)
    local_stack.idp.revoke_token(Token=revoked["RefreshToken"], ClientId=local_stack.client_id)

    assert local_stack.api("/invitations", {"email": "a@example.org"}, token=revoked["AccessToken"])[0] == 401
    local_stack.clock.advance(3601)
    assert (
        local_stack.api("/invitations", {"email": "b@example.org"}, token=expiring["AccessToken"])[0] == 401
    )
    assert local_stack.mail() == [mail for mail in local_stack.mail() if mail.to == JANE_EMAIL]


def test_an_email_change_is_requested_and_confirmed_with_the_users_access_token(
    local_stack: RunningStack,
) -> None:
    tokens = local_stack.sign_in_by_link(JANE_EMAIL)

    status, _ = local_stack.api(
        "/account/email", {"email": "jane.new@example.org"}, token=tokens["AccessToken"]
    )
    assert status == 202
    [code_mail] = local_stack.mail_to("jane.new@example.org")
    assert local_stack.attributes(local_stack.jane)["email"] == JANE_EMAIL, "nothing changes before the code"

    status, _ = local_stack.api(
        "/account/email/confirm",
        {"email": "jane.new@example.org", "code": code_mail.code},
        token=tokens["AccessToken"],
    )

    assert status == 200
    attributes = local_stack.attributes(local_stack.jane)
    assert (attributes["email"], attributes["email_verified"]) == ("jane.new@example.org", "true")
    assert len(local_stack.mail_to(JANE_EMAIL)) == 2, "the old address is told (after its sign-in email)"
    assert "jane.new@example.org" not in local_stack.mail_to(JANE_EMAIL)[-1].text, "the new address is masked"


def test_an_email_change_without_a_token_is_401_and_sends_nothing(local_stack: RunningStack) -> None:
    status, answer = local_stack.api("/account/email", {"email": "jane.new@example.org"})

    assert (status, answer) == (401, {"message": "Unauthorized"})
    assert local_stack.mail() == []
