"""Adding and managing passkeys through the account API's real handler, on embedded AWS, with a
software authenticator standing in for the browser: what is stored, what is mailed, what is refused."""

from __future__ import annotations

import json
from typing import Any

import cbor2
import pytest

from laptop.sample_api_events import api_event
from tests.support.account_api import AccountApi, MakeApi
from tests.support.passkey_stack import (
    ORIGIN,
    new_passkey_client,
    passkey_environment,
    recent_claims,
    with_method,
)
from tests.support.soft_authenticator import SoftAuthenticator


@pytest.fixture
def passkey_api(make_api: MakeApi, request: pytest.FixtureRequest) -> AccountApi:
    overrides: dict[str, str] = getattr(request, "param", {})
    pool = make_api().pool_id
    return make_api(**passkey_environment(new_passkey_client(pool), **overrides))


def call(api: AccountApi, method: str, path: str, body: object, claims: dict[str, str] | None) -> Any:
    return api.send(with_method(api_event(path, body, claims), method))


def register(
    api: AccountApi, claims: dict[str, str], authenticator: SoftAuthenticator, name: str = "Laptop"
) -> Any:
    options = api.post("/account/passkeys/options", {}, claims)
    assert options.status == 200, options.body
    credential = authenticator.register(options.body["options"])
    return api.post("/account/passkeys", {"credential": credential, "name": name}, claims)


def passkey_items(api: AccountApi) -> list[dict[str, Any]]:
    return [item for item in api.items() if item["pk"]["S"].startswith("passkeys#")]


def challenge_items(api: AccountApi) -> list[dict[str, Any]]:
    return [item for item in api.items() if item["pk"]["S"].startswith("passkey-challenge#")]


def test_a_recent_sign_in_adds_a_passkey_stores_its_public_key_and_mails_a_notice(
    passkey_api: AccountApi,
) -> None:
    username = passkey_api.add_user("jane@example.com", locale="de")
    claims = recent_claims(passkey_api.claims(username))
    authenticator = SoftAuthenticator(ORIGIN)

    options = passkey_api.post("/account/passkeys/options", {}, claims)
    created = options.body["options"]
    # The user handle is the username, the RP is the configured one, and verification is required
    assert created["rp"]["id"] == "localhost"
    assert json.loads(json.dumps(created))["user"]["name"] == "jane@example.com"
    assert created["authenticatorSelection"]["userVerification"] == "required"
    assert created["authenticatorSelection"]["residentKey"] == "preferred"
    assert created["attestation"] == "none"
    [challenge] = challenge_items(passkey_api)
    assert created["challenge"] not in json.dumps(challenge)  # stored as its digest only

    credential = authenticator.register(created)
    answer = passkey_api.post(
        "/account/passkeys", {"credential": credential, "name": "Jane's laptop"}, claims
    )

    assert answer.status == 201
    assert answer.body["passkey"]["id"] == credential["id"]
    assert answer.body["passkey"]["name"] == "Jane's laptop"
    assert answer.body["passkey"]["transports"] == ["internal"]
    assert "publicKey" not in json.dumps(answer.body)
    [item] = passkey_items(passkey_api)
    stored = item[f"c_{credential['id']}"]["M"]
    assert stored["sign_count"] == {"N": "0"}
    assert stored["name"] == {"S": "Jane's laptop"}
    assert len(stored["public_key"]["B"]) > 64
    assert challenge_items(passkey_api) == []  # the challenge was spent
    [notice] = passkey_api.mail()
    assert notice["to"] == "jane@example.com"
    assert "Jane's laptop" in notice["text"]
    assert "Passkey" in notice["subject"]  # German: the person's locale


def test_an_old_sign_in_must_sign_in_again_before_adding_a_passkey(passkey_api: AccountApi) -> None:
    username = passkey_api.add_user("jane@example.com")
    stale = recent_claims(passkey_api.claims(username), age_seconds=601)

    answer = passkey_api.post("/account/passkeys/options", {}, stale)

    assert (answer.status, answer.body) == (403, {"message": "Sign in again to add a passkey."})
    assert challenge_items(passkey_api) == []
    # And a fresh sign-in's options cannot be finished by a stale one
    authenticator = SoftAuthenticator(ORIGIN)
    options = passkey_api.post("/account/passkeys/options", {}, recent_claims(passkey_api.claims(username)))
    credential = authenticator.register(options.body["options"])
    late = passkey_api.post("/account/passkeys", {"credential": credential}, stale)
    assert late.status == 403
    assert passkey_items(passkey_api) == []


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong_origin",
        "replayed_challenge",
        "other_users_challenge",
        "no_user_verification",
        "unissued_challenge",
    ],
)
def test_a_registration_that_does_not_verify_stores_nothing_and_mails_nothing(
    passkey_api: AccountApi, tamper: str
) -> None:
    jane = passkey_api.add_user("jane@example.com")
    john = passkey_api.add_user("john@example.com")
    claims = recent_claims(passkey_api.claims(jane))
    authenticator = SoftAuthenticator(ORIGIN, user_verified=tamper != "no_user_verification")
    options = passkey_api.post("/account/passkeys/options", {}, claims).body["options"]
    if tamper == "other_users_challenge":
        options = passkey_api.post(
            "/account/passkeys/options", {}, recent_claims(passkey_api.claims(john))
        ).body["options"]
    if tamper == "unissued_challenge":
        options = {**options, "challenge": "A" * 43}
    if tamper == "replayed_challenge":
        first = authenticator.register(options)
        assert passkey_api.post("/account/passkeys", {"credential": first}, claims).status == 201
    before = (passkey_items(passkey_api), len(passkey_api.mail()))

    origin = "http://evil.localhost:8765" if tamper == "wrong_origin" else None
    credential = authenticator.register(options, origin=origin)
    answer = passkey_api.post("/account/passkeys", {"credential": credential}, claims)

    assert (answer.status, answer.body) == (
        400,
        {"message": "That passkey could not be added. Please try again."},
    )
    assert (passkey_items(passkey_api), len(passkey_api.mail())) == before


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "not an object"},
        {"credential": {}},
        {"credential": {"id": "x", "response": {"clientDataJSON": "%%%"}}},
        {"credential": {"id": "x", "response": {"clientDataJSON": "W1tbW1tbW1tb"}}},
        {"credential": {}, "name": 7},
        {"credential": {}, "name": "x" * 65},
        {"credential": {}, "extra": 1},
        "[" * 5000,
        '{"credential": {}, "credential": {}}',
    ],
)
def test_malformed_registrations_get_a_4xx_and_change_nothing(passkey_api: AccountApi, body: object) -> None:
    username = passkey_api.add_user("jane@example.com")
    claims = recent_claims(passkey_api.claims(username))

    answer = passkey_api.post("/account/passkeys", body, claims)

    assert 400 <= answer.status < 500
    assert passkey_items(passkey_api) == []
    assert passkey_api.mail() == []


def test_list_rename_and_remove_are_the_callers_own_and_removal_mails_a_notice(
    passkey_api: AccountApi,
) -> None:
    jane = passkey_api.add_user("jane@example.com")
    john = passkey_api.add_user("john@example.com")
    jane_claims, john_claims = (recent_claims(passkey_api.claims(u)) for u in (jane, john))
    added = register(passkey_api, jane_claims, SoftAuthenticator(ORIGIN)).body["passkey"]
    path = f"/account/passkeys/{added['id']}"

    listed = call(passkey_api, "GET", "/account/passkeys", None, jane_claims)
    assert [p["id"] for p in listed.body["passkeys"]] == [added["id"]]
    assert call(passkey_api, "GET", "/account/passkeys", None, john_claims).body == {"passkeys": []}
    # John can neither rename nor remove Jane's passkey
    assert call(passkey_api, "PATCH", path, {"name": "mine"}, john_claims).status == 404
    assert call(passkey_api, "DELETE", path, None, john_claims).status == 404

    renamed = call(passkey_api, "PATCH", path, {"name": "  Work laptop "}, jane_claims)
    assert renamed.body["passkey"]["name"] == "Work laptop"
    removed = call(passkey_api, "DELETE", path, None, jane_claims)

    assert removed.status == 200
    assert call(passkey_api, "GET", "/account/passkeys", None, jane_claims).body == {"passkeys": []}
    _, removed_notice = passkey_api.mail()
    assert removed_notice["to"] == "jane@example.com"
    assert "Work laptop" in removed_notice["text"]
    assert "removed" in removed_notice["subject"]
    assert call(passkey_api, "DELETE", path, None, jane_claims).status == 404
    assert call(passkey_api, "DELETE", "/account/passkeys/not*an*id", None, jane_claims).status == 404


def test_an_administrator_removes_all_of_a_users_passkeys_and_others_may_not(passkey_api: AccountApi) -> None:
    jane = passkey_api.add_user("jane@example.com")
    admin = passkey_api.add_user("admin@example.com")
    jane_claims = recent_claims(passkey_api.claims(jane))
    authenticator = SoftAuthenticator(ORIGIN)
    register(passkey_api, jane_claims, authenticator, "one")
    register(passkey_api, jane_claims, authenticator, "two")

    refused = call(passkey_api, "DELETE", f"/users/{jane}/passkeys", None, jane_claims)
    assert refused.status == 403
    admin_claims = passkey_api.claims(admin, groups="[admins]")
    answer = call(passkey_api, "DELETE", f"/users/{jane}/passkeys", None, admin_claims)

    assert (answer.status, answer.body) == (200, {"removed": 2})
    assert passkey_items(passkey_api) == []
    assert passkey_api.mail()[-1]["to"] == "jane@example.com"
    assert call(passkey_api, "DELETE", "/users/no%20such/passkeys", None, admin_claims).status == 404


def test_passkey_routes_answer_404_when_passkeys_are_off(make_api: MakeApi) -> None:
    api = make_api()
    username = api.add_user("jane@example.com")
    claims = recent_claims(api.claims(username))

    assert api.post("/passkeys/sign-in-options", {}, None).status == 404
    assert api.post("/account/passkeys/options", {}, claims).status == 404
    assert api.items() == []


def test_sign_in_options_are_public_single_use_challenges_stored_as_digests(passkey_api: AccountApi) -> None:
    first = passkey_api.post("/passkeys/sign-in-options", {}, None)
    second = passkey_api.post("/passkeys/sign-in-options", {}, None)

    assert first.status == 200
    options = first.body["options"]
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []
    assert options["challenge"] != second.body["options"]["challenge"]
    stored = challenge_items(passkey_api)
    assert len(stored) == 2
    assert all(options["challenge"] not in json.dumps(item) for item in stored)
    assert passkey_api.post("/passkeys/sign-in-options", {"email": "x@example.com"}, None).status == 400


def test_a_credential_id_outside_webauthns_bounds_is_not_stored(passkey_api: AccountApi) -> None:
    username = passkey_api.add_user("jane@example.com")
    claims = recent_claims(passkey_api.claims(username))
    for size in (1, 15, 1024):
        authenticator = SoftAuthenticator(ORIGIN, credential_id_bytes=size)

        answered = register(passkey_api, claims, authenticator)

        assert answered.status == 400, size
    assert passkey_items(passkey_api) == []
    assert passkey_api.mail() == []


def test_a_credential_the_browser_says_is_not_discoverable_is_refused(passkey_api: AccountApi) -> None:
    username = passkey_api.add_user("jane@example.com")
    claims = recent_claims(passkey_api.claims(username))
    options = passkey_api.post("/account/passkeys/options", {}, claims).body["options"]
    assert options["extensions"] == {"credProps": True}
    credential = SoftAuthenticator(ORIGIN).register(options)
    credential["clientExtensionResults"] = {"credProps": {"rk": False}}

    answered = passkey_api.post("/account/passkeys", {"credential": credential}, claims)

    assert answered.status == 400
    assert passkey_items(passkey_api) == []


@pytest.mark.parametrize("key", [b"\x04", "cbor list", "unknown curve"])
def test_a_public_key_that_could_never_verify_is_refused(passkey_api: AccountApi, key: object) -> None:
    username = passkey_api.add_user("jane@example.com")
    claims = recent_claims(passkey_api.claims(username))
    cose = {b"\x04": b"\x04", "cbor list": cbor2.dumps([1, 2, 3]), "unknown curve": None}[key]  # type: ignore[index]
    authenticator = SoftAuthenticator(ORIGIN, cose_key=cose, curve=99 if key == "unknown curve" else 1)

    answered = register(passkey_api, claims, authenticator)

    assert 400 <= answered.status < 500
    assert passkey_items(passkey_api) == []
