"""The local stack with passkeys on (PasskeyRelyingPartyId localhost), as `make demo` runs it: it
serves the template's passkey client beside the web client, names it to the page and to every
function directly (no SSM here), puts itself on http://localhost:<port> because WebAuthn refuses an
IP address, and serves the account API's passkey routes behind an authorizer that takes either
client's access tokens. With passkeys off none of it exists."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.local_stack import JANE_EMAIL, PASSKEY_PARAMETERS, RunningStack, start_stack

PASSKEY_ROUTES = [
    ("POST", "/passkeys/sign-in-options", "/passkeys/sign-in-options", False),
    ("GET", "/account/passkeys", "/account/passkeys", True),
    ("POST", "/account/passkeys", "/account/passkeys", True),
    ("POST", "/account/passkeys/options", "/account/passkeys/options", True),
    ("PATCH", "/account/passkeys/abc_-123", "/account/passkeys/{id}", True),
    ("DELETE", "/account/passkeys/abc_-123", "/account/passkeys/{id}", True),
    ("DELETE", "/users/someone/passkeys", "/users/{username}/passkeys", True),
]


def _get(url: str) -> tuple[dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the stack on loopback
        return dict(response.headers), response.read().decode("utf-8")


def _local_config(stack: RunningStack) -> dict[str, Any]:
    return dict(json.loads(_get(f"{stack.stack.url}local/config")[1]))


def _clients(stack: RunningStack) -> dict[str, dict[str, Any]]:
    """The pool's app clients as DescribeUserPoolClient shows them, by name."""
    listed = stack.idp.list_user_pool_clients(UserPoolId=stack.pool_id)["UserPoolClients"]
    described = [
        stack.idp.describe_user_pool_client(UserPoolId=stack.pool_id, ClientId=c["ClientId"])[
            "UserPoolClient"
        ]
        for c in listed
    ]
    return {client["ClientName"]: client for client in described}


def _echo(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """An account function that answers with the event API Gateway handed it."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}


# Three triggers that sign anyone in who answers "open": the tokens of either client, without the
# passkey ceremony (the real triggers' business, tested with them), to hold the authorizer to both.
def _define(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    answered = any(round_["challengeResult"] for round_ in event["request"]["session"])
    event["response"].update(
        issueTokens=answered, failAuthentication=False, challengeName="" if answered else "CUSTOM_CHALLENGE"
    )
    return event


def _create(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    event["response"].update(publicChallengeParameters={"open": "1"}, privateChallengeParameters={})
    return event


def _verify(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == "open"
    return event


@pytest.fixture
def echo_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """Passkeys on, the account function one that echoes its event, and triggers that let "open" in."""
    functions = {
        "account_api": _echo,
        "define_auth_challenge": _define,
        "create_auth_challenge": _create,
        "verify_auth_challenge": _verify,
    }
    yield from start_stack(tmp_path, parameters=PASSKEY_PARAMETERS, functions=functions)


def _access_token(stack: RunningStack, client_id: str) -> str:
    """Jane's access token from `client_id` (the stand-in triggers' sign-in)."""
    challenge = stack.idp.initiate_auth(
        AuthFlow="CUSTOM_AUTH", ClientId=client_id, AuthParameters={"USERNAME": JANE_EMAIL}
    )
    answer = stack.idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": JANE_EMAIL, "ANSWER": "open"},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


def test_with_passkeys_the_stack_serves_the_passkey_client_and_names_it_to_the_page(
    passkey_stack: RunningStack,
) -> None:
    url = passkey_stack.stack.url
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    # Given passkeys on for localhost, the stack is on localhost (an IP address is no relying party)
    assert url == f"http://localhost:{port}/"

    config = _local_config(passkey_stack)
    clients = _clients(passkey_stack)

    # Then /local/config names the passkey client, the relying party and the account API
    assert config["passkeys"] is True
    assert config["passkeyClientId"] == passkey_stack.passkey_client_id != passkey_stack.client_id
    assert (config["passkeyRpId"], config["accountApiUrl"], config["signInPage"]) == ("localhost", url, url)
    # And the pool has the template's passkey client beside the web client: CUSTOM_AUTH and refresh
    # only, hiding whether a user exists
    passkey = clients["passwordless-local-passkey"]
    assert passkey["ClientId"] == passkey_stack.passkey_client_id
    assert sorted(passkey["ExplicitAuthFlows"]) == ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert passkey["PreventUserExistenceErrors"] == "ENABLED"
    assert "ClientSecret" not in passkey
    assert clients["passwordless-local-web"]["ClientId"] == passkey_stack.client_id


def test_with_passkeys_the_page_embeds_their_configuration_and_may_reach_its_own_origin(
    passkey_stack: RunningStack,
) -> None:
    headers, page = _get(passkey_stack.stack.url)

    match = re.search(r'<script type="application/json" id="config">(.*?)</script>', page, re.DOTALL)
    assert match
    embedded = json.loads(match.group(1))
    assert embedded["passkey_client_id"] == passkey_stack.passkey_client_id
    assert embedded["passkey_rp_id"] == "localhost"
    assert embedded["account_api_url"] == embedded["endpoint"] == passkey_stack.stack.url
    origin = passkey_stack.stack.url.rstrip("/")
    assert f"connect-src 'self' {origin};" in headers["Content-Security-Policy"]


def test_every_function_gets_the_passkey_client_id_itself_and_the_page_as_the_only_origin(
    passkey_stack: RunningStack,
) -> None:
    # The functions share this process's environment (laptop.aws.environment sets it for the stack).
    assert os.environ["PASSKEY_CLIENT_ID"] == passkey_stack.passkey_client_id
    # No SSM parameter to read here: the deployed triggers' way to the id is left empty.
    assert os.environ["PASSKEY_CLIENT_ID_PARAMETER"] == ""
    assert os.environ["PASSKEY_RP_ID"] == "localhost"
    assert os.environ["PASSKEY_ORIGINS"] == passkey_stack.stack.url.rstrip("/")
    expected = {
        "PASSKEY_USER_VERIFICATION": "required",
        "PASSKEY_ATTESTATION": "none",
        "PASSKEY_RESIDENT_KEY": "preferred",
        "PASSKEY_TIMEOUT_SECONDS": "120",
        "PASSKEY_REAUTH_SECONDS": "600",
    }
    assert {name: os.environ[name] for name in expected} == expected


def test_without_passkeys_there_is_no_passkey_client_variable_or_page_setting(
    local_stack: RunningStack,
) -> None:
    config = _local_config(local_stack)
    _, page = _get(local_stack.stack.url)

    assert local_stack.stack.url.startswith("http://127.0.0.1:")
    assert (config["passkeys"], config["passkeyClientId"], config["passkeyRpId"]) == (False, "", "")
    assert list(_clients(local_stack)) == ["passwordless-local-web"]
    assert not [name for name in os.environ if name.startswith("PASSKEY_")]
    assert "passkey" not in page.split('id="config">', 1)[1].split("</script>", 1)[0]


@pytest.mark.parametrize(("method", "path", "route", "authorized"), PASSKEY_ROUTES)
def test_each_passkey_route_reaches_the_account_function_as_api_gateway_hands_it_over(
    echo_stack: RunningStack, method: str, path: str, route: str, authorized: bool
) -> None:
    token = _access_token(echo_stack, echo_stack.client_id) if authorized else None

    status, event = echo_stack.api(path, {} if method in {"POST", "PATCH"} else None, token, method=method)

    assert status == 200, event
    assert event["routeKey"] == event["requestContext"]["routeKey"] == f"{method} {route}"
    assert event["rawPath"] == path
    names = re.findall(r"\{(\w+)\}", route)
    values = [
        part for part, template in zip(path.split("/"), route.split("/"), strict=True) if "{" in template
    ]
    assert event.get("pathParameters", {}) == dict(zip(names, values, strict=True))
    claims = event["requestContext"].get("authorizer", {}).get("jwt", {}).get("claims")
    assert (claims is not None) == authorized


def test_the_authorizer_takes_either_clients_access_tokens_and_nothing_else(echo_stack: RunningStack) -> None:
    for client_id in (echo_stack.client_id, echo_stack.passkey_client_id):
        status, event = echo_stack.api(
            "/account/passkeys", None, _access_token(echo_stack, client_id), method="GET"
        )
        assert status == 200, event
        assert event["requestContext"]["authorizer"]["jwt"]["claims"]["client_id"] == client_id

    assert echo_stack.api("/account/passkeys", None, "not-a-token", method="GET")[0] == 401
    assert echo_stack.api("/account/passkeys", None, method="GET")[0] == 401


def test_a_literal_route_wins_and_a_method_it_lacks_falls_to_the_template(echo_stack: RunningStack) -> None:
    token = _access_token(echo_stack, echo_stack.client_id)

    # PATCH /account/passkeys/options: no such literal route, so {id} = "options", as API Gateway picks
    status, event = echo_stack.api("/account/passkeys/options", {}, token, method="PATCH")
    assert (status, event["routeKey"], event["pathParameters"]) == (
        200,
        "PATCH /account/passkeys/{id}",
        {"id": "options"},
    )
    # And a method no route of that path has is API Gateway's 404, as is a {id} holding a slash
    for method, path in [("GET", "/account/passkeys/abc"), ("PUT", "/account/passkeys")]:
        assert echo_stack.api(path, None, token, method=method) == (404, {"message": "Not Found"}), path
    request = urllib.request.Request(f"{echo_stack.stack.url}account/passkeys/a/b", method="DELETE")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the stack on loopback
    refused.value.close()  # it holds the connection
    assert refused.value.code == 404


def test_with_passkeys_the_real_account_function_answers_sign_in_options(passkey_stack: RunningStack) -> None:
    status, answer = passkey_stack.api("/passkeys/sign-in-options", {})

    assert status == 200, answer
    assert answer["options"]["rpId"] == "localhost"
    assert answer["options"]["allowCredentials"] == []
