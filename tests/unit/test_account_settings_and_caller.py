"""The account API's variables fail fast with their name; the caller is read from verified claims."""

from __future__ import annotations

import pytest

from passwordless.accounts.caller import caller_from
from passwordless.accounts.refusals import NotAuthenticated
from passwordless.settings import ApiSettings, SettingsError

GOOD = {"USER_POOL_ID": "us-east-1_Abc123", "USER_POOL_CLIENT_ID": "3sample5c1ient7id9for0docs"}


def test_defaults_keep_sign_up_closed_and_name_the_admins_group() -> None:
    settings = ApiSettings.from_env(GOOD)

    assert (settings.self_sign_up, settings.admin_group) == (False, "admins")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"USER_POOL_CLIENT_ID": GOOD["USER_POOL_CLIENT_ID"]}, "USER_POOL_ID"),
        ({**GOOD, "USER_POOL_ID": "not a pool"}, "USER_POOL_ID"),
        ({"USER_POOL_ID": GOOD["USER_POOL_ID"]}, "USER_POOL_CLIENT_ID"),
        ({**GOOD, "SELF_SIGN_UP": "yes"}, "SELF_SIGN_UP"),
        ({**GOOD, "ADMIN_GROUP": "two words"}, "ADMIN_GROUP"),
    ],
)
def test_a_bad_variable_fails_with_its_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        ApiSettings.from_env(env)


def event(claims: dict[str, object] | None) -> dict[str, object]:
    context: dict[str, object] = {} if claims is None else {"authorizer": {"jwt": {"claims": claims}}}
    return {"requestContext": context}


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("[admins]", {"admins"}),
        ("[admins staff]", {"admins", "staff"}),
        ('["admins","staff"]', {"admins", "staff"}),
        (["admins"], {"admins"}),
        ("", set()),
        (None, set()),
        (7, set()),
        ('["admins"', set()),
    ],
)
def test_groups_are_read_in_the_forms_api_gateway_passes(groups: object, expected: set[str]) -> None:
    claims: dict[str, object] = {"username": "7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13", "token_use": "access"}
    if groups is not None:
        claims["cognito:groups"] = groups

    assert caller_from(event(claims)).groups == expected


def test_the_caller_is_the_access_tokens_username() -> None:
    caller = caller_from(event({"username": "user-1", "sub": "sub-1", "token_use": "access"}))

    assert caller.username == "user-1"


@pytest.mark.parametrize(
    "claims",
    [
        None,
        {},
        {"username": "", "token_use": "access"},
        {"username": 5, "token_use": "access"},
        {"username": "a b", "token_use": "access"},
        {"username": "x" * 129, "token_use": "access"},
        # An ID token passes API Gateway's audience check too (its aud is the client): refused.
        {"cognito:username": "user-1", "sub": "user-1", "token_use": "id"},
        {"username": "user-1", "token_use": "id"},
        {"username": "user-1"},
        {"sub": "user-1", "token_use": "access"},
    ],
)
def test_no_usable_claims_is_not_authenticated(claims: dict[str, object] | None) -> None:
    with pytest.raises(NotAuthenticated):
        caller_from(event(claims))
