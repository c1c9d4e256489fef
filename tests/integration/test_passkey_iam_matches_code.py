"""Least privilege with passkeys on, checked against behaviour: what the grants that passkeys add
(template.yaml, conditions resolved for such a deployment) allow is exactly what the create and verify
triggers and the account API ask of AWS while every passkey route and a passkey sign-in run, and
their DynamoDB requests touch only the items those grants are scoped to."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import boto3

from laptop.aws import REGION
from tests.integration.test_account_iam_matches_code import EMAIL_MODE_WITH_SES, granted_actions
from tests.integration.test_passkey_registration import call, register
from tests.support.account_api import MakeApi
from tests.support.aws_calls import on_every_session, operation_name
from tests.support.passkey_stack import (
    ORIGIN,
    TriggerSession,
    answer,
    new_passkey_client,
    passkey_environment,
    recent_claims,
)
from tests.support.soft_authenticator import SoftAuthenticator

PASSKEYS_ON = EMAIL_MODE_WITH_SES | {"PasskeysOn": True, "MakePasskeyClient": True}
PARAMETER = "/passwordless/test/passkey-client-id"
FUNCTIONS = ("create_auth_challenge", "verify_auth_challenge", "account_api")


class Recorder:
    """Each request the functions make, under the function that made it."""

    def __init__(self) -> None:
        self.running = ""
        self.used: dict[str, set[str]] = defaultdict(set)
        self.keys: dict[tuple[str, str], set[str]] = defaultdict(set)

    def answered(self, model: Any, **_: Any) -> None:
        # Requests answered while the functions load (their init; rehearsals are never answered)
        # are kept under "init".
        self.used[self.running or "init"].add(operation_name(model))

    def requested(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        key = params.get("Key", params.get("Item", {})).get("pk", {}).get("S")
        if self.running and key is not None:
            self.keys[(self.running, operation_name(model))].add(key)

    def watch(self, name: str, handler: Any) -> Any:
        def watched(event: dict[str, Any], context: Any) -> Any:
            self.running = name
            try:
                return handler(event, context)
            finally:
                self.running = ""

        return watched


def test_the_passkey_grants_are_exactly_what_the_passkey_code_asks_and_only_for_its_items(
    make_api: MakeApi,
) -> None:
    recorder = Recorder()
    # The functions' sessions are made as they load: each one made here reports to the recorder.
    with (
        on_every_session(recorder.answered),
        on_every_session(recorder.requested, "provide-client-params.dynamodb"),
    ):
        pool = make_api().pool_id
        passkey_client = new_passkey_client(pool)
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name=PARAMETER, Value=passkey_client, Type="String"
        )
        # As deployed, the triggers learn the passkey client from SSM (the tokens this test presents
        # to the account API are all the web client's).
        api = make_api(
            **passkey_environment(passkey_client, PASSKEY_CLIENT_ID="", PASSKEY_CLIENT_ID_PARAMETER=PARAMETER)
        )
    for name in ("create_auth_challenge", "verify_auth_challenge"):
        api.triggers[name] = recorder.watch(name, api.triggers[name])
    api.handler = recorder.watch("account_api", api.handler)

    # Every passkey route, and a passkey sign-in
    jane = api.add_user("jane@example.com")
    admin = api.add_user("admin@example.com")
    claims = recent_claims(api.claims(jane))
    authenticator = SoftAuthenticator(ORIGIN)
    added = register(api, claims, authenticator).body["passkey"]
    options = api.post("/passkeys/sign-in-options", {}, None).body["options"]
    session = TriggerSession(api.triggers, pool, passkey_client)
    assert session.sign_in(jane, {"email": "jane@example.com"}, answer(authenticator, options)).tokens
    assert call(api, "GET", "/account/passkeys", None, claims).status == 200
    assert call(api, "PATCH", f"/account/passkeys/{added['id']}", {"name": "x"}, claims).status == 200
    assert call(api, "DELETE", f"/account/passkeys/{added['id']}", None, claims).status == 200
    register(api, claims, SoftAuthenticator(ORIGIN))
    admin_claims = api.claims(admin, groups="[admins]")
    assert call(api, "DELETE", f"/users/{jane}/passkeys", None, admin_claims).status == 200

    # The triggers read the passkey client's id at init, before any invocation
    assert recorder.used["init"] == {"ssm:GetParameter"}
    for function in FUNCTIONS:
        added_grants = granted_actions(function, PASSKEYS_ON) - granted_actions(function, EMAIL_MODE_WITH_SES)
        at_init = recorder.used["init"] if function != "account_api" else set()
        # Every grant passkeys add is used, and everything used is granted
        assert added_grants <= recorder.used[function] | at_init, function
        assert recorder.used[function] | at_init <= granted_actions(function, PASSKEYS_ON), function
    # The scoped grants: the items each one's LeadingKeys allow, and no other (each one really used)
    scoped = {
        ("verify_auth_challenge", "dynamodb:GetItem"): ("passkeys#",),
        ("verify_auth_challenge", "dynamodb:DeleteItem"): ("passkey-challenge#",),
        ("account_api", "dynamodb:PutItem"): ("passkey-challenge#",),
        ("account_api", "dynamodb:DeleteItem"): ("passkeys#", "passkey-challenge#"),
    }
    for (function, action), prefixes in scoped.items():
        keys = recorder.keys[(function, action)]
        assert keys, (function, action)
        assert all(key.startswith(prefixes) for key in keys), (function, action, keys)
