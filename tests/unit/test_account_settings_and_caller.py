"""The account API's variables fail fast with their name; the caller is read from verified claims."""

from __future__ import annotations

import pytest

from passwordless.accounts.caller import Caller, caller_from
from passwordless.accounts.refusals import NotAuthenticated
from passwordless.accounts.routes import FRONTS
from passwordless.settings import ApiSettings
from passwordless.settings_reader import SettingsError

CLIENT_ID = "3sample5c1ient7id9for0docs"
GOOD = {"USER_POOL_ID": "us-east-1_Abc123", "USER_POOL_CLIENT_ID": CLIENT_ID}
ORIGIN = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


def test_defaults_keep_sign_up_closed_and_name_the_admins_group() -> None:
    settings = ApiSettings.from_env(GOOD)

    assert (settings.self_sign_up, settings.admin_group) == (False, "admins")
    assert (settings.account_api_payload, settings.account_api_allowed_origin) == ("http", "")


def test_the_rest_front_takes_the_pages_origin() -> None:
    rest = {"ACCOUNT_API_PAYLOAD": "rest", "ACCOUNT_API_ALLOWED_ORIGIN": ORIGIN}
    settings = ApiSettings.from_env({**GOOD, **rest})

    assert (settings.account_api_payload, settings.account_api_allowed_origin) == ("rest", ORIGIN)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"USER_POOL_CLIENT_ID": GOOD["USER_POOL_CLIENT_ID"]}, "USER_POOL_ID"),
        ({**GOOD, "USER_POOL_ID": "not a pool"}, "USER_POOL_ID"),
        ({"USER_POOL_ID": GOOD["USER_POOL_ID"]}, "USER_POOL_CLIENT_ID"),
        ({**GOOD, "SELF_SIGN_UP": "yes"}, "SELF_SIGN_UP"),
        ({**GOOD, "ADMIN_GROUP": "two words"}, "ADMIN_GROUP"),
        ({**GOOD, "ACCOUNT_API_PAYLOAD": "v1"}, "ACCOUNT_API_PAYLOAD"),
        # Behind the REST API the function writes the CORS headers itself, so it must know the origin.
        ({**GOOD, "ACCOUNT_API_PAYLOAD": "rest"}, "ACCOUNT_API_ALLOWED_ORIGIN"),
        ({**GOOD, "ACCOUNT_API_ALLOWED_ORIGIN": f"{ORIGIN}/"}, "ACCOUNT_API_ALLOWED_ORIGIN"),
        ({**GOOD, "ACCOUNT_API_ALLOWED_ORIGIN": "http://example.com"}, "ACCOUNT_API_ALLOWED_ORIGIN"),
    ],
)
def test_a_bad_variable_fails_with_its_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        ApiSettings.from_env(env)


def event(claims: dict[str, object] | None) -> dict[str, object]:
    context: dict[str, object] = {} if claims is None else {"authorizer": {"jwt": {"claims": claims}}}
    return {"requestContext": context}


def caller_from_http(claims: dict[str, object] | None) -> Caller:
    return caller_from(event(claims), claims_at=FRONTS["http"].claims_at, client_id=CLIENT_ID)


def access(username: str, **more: object) -> dict[str, object]:
    return {"username": username, "token_use": "access", "client_id": CLIENT_ID, **more}


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
    claims = access("7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13")
    if groups is not None:
        claims["cognito:groups"] = groups

    assert caller_from_http(claims).groups == expected


def test_the_caller_is_the_access_tokens_username() -> None:
    caller = caller_from_http(access("user-1", sub="sub-1"))

    assert caller.username == "user-1"


def test_the_rest_front_reads_the_claims_its_cognito_authorizer_passes() -> None:
    claims = access("user-1", **{"cognito:groups": "admins"})
    rest_event = {"requestContext": {"authorizer": {"claims": claims}}}

    caller = caller_from(rest_event, claims_at=FRONTS["rest"].claims_at, client_id=CLIENT_ID)

    assert (caller.username, caller.groups) == ("user-1", frozenset({"admins"}))


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
        {"username": "user-1", "token_use": "id", "client_id": CLIENT_ID},
        {"username": "user-1"},
        {"sub": "user-1", "token_use": "access"},
        # The REST API's Cognito authorizer takes any app client's token of the pool: refused here.
        {"username": "user-1", "token_use": "access"},
        {"username": "user-1", "token_use": "access", "client_id": "0ther5c1ient"},
    ],
)
def test_no_usable_claims_is_not_authenticated(claims: dict[str, object] | None) -> None:
    with pytest.raises(NotAuthenticated):
        caller_from_http(claims)
