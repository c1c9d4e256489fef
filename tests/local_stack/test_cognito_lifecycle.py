"""What the local stack does around the pool's lifecycle triggers, as Cognito does it: PreSignUp before
AdminCreateUser (its exception refuses the call), Cognito's invitation worded by CustomMessage into
the outbox, PostAuthentication before tokens, the admin password flow with NEW_PASSWORD_REQUIRED,
and the user's groups in the tokens. The real functions run unless a test stands one in."""

from __future__ import annotations

import contextlib
import copy
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from laptop.stack_template import load_template
from tests.local_stack.test_sign_in_over_http import get_json, refusal
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack

Event = dict[str, Any]


class Recorder:
    """A stand-in function that keeps each event it gets and answers as told."""

    def __init__(self, error: str | None = None) -> None:
        self.events: list[Event] = []
        self._error = error
        self._lock = threading.Lock()

    def __call__(self, event: Event, _: object) -> Event:
        with self._lock:
            self.events.append(copy.deepcopy(event))
        if self._error is not None:
            raise ValueError(self._error)
        return event


# The local_stack fixture's stack with other parameters or stand-in functions, for one test.
running_stack = contextlib.contextmanager(start_stack)


def invite(stack: RunningStack, email: str, **extra: Any) -> dict[str, Any]:
    return dict(
        stack.idp.admin_create_user(
            UserPoolId=stack.pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}],
            DesiredDeliveryMediums=["EMAIL"],
            **extra,
        )
    )


def users_with(stack: RunningStack, email: str) -> list[Any]:
    return list(stack.idp.list_users(UserPoolId=stack.pool_id, Filter=f'email = "{email}"')["Users"])


@pytest.fixture
def password_stack(tmp_path: Path) -> Iterator[RunningStack]:
    """Password + email code mode: the app client allows ADMIN_USER_PASSWORD_AUTH."""
    yield from start_stack(
        tmp_path, parameters={"SignInMode": "password-and-email-code"}, RESEND_MIN_SECONDS="0"
    )


# --- PreSignUp ----------------------------------------------------------------------------------


def test_admin_create_user_runs_pre_sign_up_with_cognitos_event(tmp_path: Path) -> None:
    recorder = Recorder()
    with running_stack(tmp_path, functions={"pre_sign_up": recorder}) as stack:
        recorder.events.clear()  # the fixture's own two users
        created = invite(
            stack, "ann@example.org", MessageAction="SUPPRESS", ClientMetadata={"signUp": "self"}
        )

        [event] = recorder.events
        assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
        assert event["userPoolId"] == stack.pool_id
        assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
        assert event["request"]["userAttributes"] == {"email": "ann@example.org"}
        assert event["request"]["clientMetadata"] == {"signUp": "self"}
        assert event["request"]["validationData"] is None
        assert event["response"] == {
            "autoConfirmUser": False,
            "autoVerifyEmail": False,
            "autoVerifyPhone": False,
        }
        assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
        assert [user["Username"] for user in users_with(stack, "ann@example.org")] == [
            created["User"]["Username"]
        ]


def test_the_real_pre_sign_up_refuses_a_self_sign_up_from_another_domain_and_nothing_is_created(
    tmp_path: Path,
) -> None:
    with running_stack(tmp_path, SIGN_UP_ALLOWED_DOMAINS="example.com") as stack:
        code, message = refusal(
            lambda: invite(
                stack, "eve@elsewhere.org", MessageAction="SUPPRESS", ClientMetadata={"signUp": "self"}
            )
        )

        assert code == "UserLambdaValidationException"
        # Cognito appends its own full stop to the function's message, whatever that ends with.
        assert message == "PreSignUp failed with error Sign-up is not possible with these details.."
        assert users_with(stack, "eve@elsewhere.org") == []
        # An administrator's own invitation is not a self sign-up: any domain.
        invite(stack, "eve@elsewhere.org", MessageAction="SUPPRESS")
        assert len(users_with(stack, "eve@elsewhere.org")) == 1


def test_a_second_admin_create_user_for_the_same_address_is_refused_before_pre_sign_up(
    tmp_path: Path,
) -> None:
    recorder = Recorder()
    with running_stack(tmp_path, functions={"pre_sign_up": recorder}) as stack:
        code, message = refusal(lambda: invite(stack, JANE_EMAIL, MessageAction="SUPPRESS"))

        assert (code, message) == (
            "UsernameExistsException",
            "An account with the given email already exists.",
        )
        assert len(recorder.events) == 2, "only the fixture's two users ran the trigger"


# --- Cognito's invitation -------------------------------------------------------------------------


def test_the_invitation_is_worded_by_custom_message_and_its_password_works(
    password_stack: RunningStack,
) -> None:
    invite(password_stack, "ann@example.org")

    [mail] = password_stack.mail_to("ann@example.org")
    assert "{####}" not in mail.html
    assert "{username}" not in mail.html
    assert "ann@example.org" in mail.text, "the username placeholder was filled in"
    # The password in the mail is the one the pool holds: it opens NEW_PASSWORD_REQUIRED.
    challenge = password_stack.idp.admin_initiate_auth(
        UserPoolId=password_stack.pool_id,
        ClientId=password_stack.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann@example.org", "PASSWORD": _password_in(mail.text)},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_without_a_custom_message_trigger_the_invitation_is_cognitos_default(tmp_path: Path) -> None:
    # Given a template without the CustomMessage trigger: no function, no slot, no permission
    template = load_template()
    resources = template["Resources"]
    for name in ("CustomMessageFunction", "CustomMessageInvokePermission", "CustomMessageLogGroup"):
        del resources[name]
    del resources["UserPool"]["Properties"]["LambdaConfig"]["CustomMessage"]
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    with running_stack(tmp_path, template_path=path) as stack:
        invite(stack, "ann@example.org", TemporaryPassword="Temp-Pass-123")

        [mail] = stack.mail_to("ann@example.org")
        assert mail.subject == "Your temporary password"
        assert mail.text == "Your username is ann@example.org and temporary password is Temp-Pass-123."


def test_suppressed_or_sms_only_invitations_send_nothing(local_stack: RunningStack) -> None:
    invite(local_stack, "ann@example.org", MessageAction="SUPPRESS")
    local_stack.idp.admin_create_user(
        UserPoolId=local_stack.pool_id, Username="bob@example.org", DesiredDeliveryMediums=["SMS"]
    )

    assert local_stack.mail() == []
    assert (
        len(users_with(local_stack, "ann@example.org"))
        == len(users_with(local_stack, "bob@example.org"))
        == 1
    )


def test_a_custom_message_that_raises_fails_the_call_before_the_user_exists(tmp_path: Path) -> None:
    with running_stack(tmp_path, functions={"custom_message": Recorder(error="template broken")}) as stack:
        code, message = refusal(lambda: invite(stack, "ann@example.org"))

        assert (code, message) == (
            "UserLambdaValidationException",
            "CustomMessage failed with error template broken.",
        )
        assert users_with(stack, "ann@example.org") == []
        assert stack.mail() == []


# --- PostAuthentication ---------------------------------------------------------------------------


def test_post_authentication_runs_once_after_the_answer_with_its_client_metadata(tmp_path: Path) -> None:
    recorder = Recorder()
    with running_stack(
        tmp_path, functions={"post_authentication": recorder}, RESEND_MIN_SECONDS="0"
    ) as stack:
        challenge = stack.initiate(JANE_EMAIL)
        assert recorder.events == [], "not before the sign-in succeeds"
        stack.answer(challenge, stack.mail_to(JANE_EMAIL)[-1].link_token, ClientMetadata={"app": "web"})

        [event] = recorder.events
        assert event["triggerSource"] == "PostAuthentication_Authentication"
        assert event["userName"] == stack.jane
        assert event["callerContext"]["clientId"] == stack.client_id
        assert event["request"]["clientMetadata"] == {"app": "web"}
        assert event["request"]["userAttributes"]["email"] == JANE_EMAIL
        assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


def test_a_post_authentication_that_raises_fails_the_sign_in_without_tokens(tmp_path: Path) -> None:
    with running_stack(tmp_path, functions={"post_authentication": Recorder(error="audit down")}) as stack:
        challenge = stack.initiate(JANE_EMAIL)

        code, message = refusal(lambda: stack.answer(challenge, stack.mail_to(JANE_EMAIL)[-1].link_token))

        assert (code, message) == (
            "UserLambdaValidationException",
            "PostAuthentication failed with error audit down.",
        )


# --- ADMIN_USER_PASSWORD_AUTH and NEW_PASSWORD_REQUIRED -------------------------------------------


def test_a_temporary_password_leads_to_new_password_required_then_tokens(
    password_stack: RunningStack,
) -> None:
    created = invite(
        password_stack, "ann@example.org", MessageAction="SUPPRESS", TemporaryPassword="Temp-Pass-123"
    )
    username = created["User"]["Username"]

    challenge = password_stack.password_sign_in("ann@example.org", "Temp-Pass-123")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == username
    assert "AuthenticationResult" not in challenge

    def respond(password: str) -> dict[str, Any]:
        return dict(
            password_stack.idp.admin_respond_to_auth_challenge(
                UserPoolId=password_stack.pool_id,
                ClientId=password_stack.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge["Session"],
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password},
            )
        )

    assert refusal(lambda: respond("short"))[0] == "InvalidPasswordException"
    tokens = respond("A-much-better-Passw0rd!")["AuthenticationResult"]

    assert jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["username"] == username
    assert password_stack.idp.admin_get_user(UserPoolId=password_stack.pool_id, Username=username)[
        "UserStatus"
    ] == ("CONFIRMED")
    # The new password now signs in directly; the temporary one no longer does.
    assert "AuthenticationResult" in password_stack.password_sign_in(
        "ann@example.org", "A-much-better-Passw0rd!"
    )
    assert refusal(lambda: password_stack.password_sign_in("ann@example.org", "Temp-Pass-123")) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    # PostAuthentication (the real one) ran on the way: the address counts as proven.
    assert password_stack.attributes(username)["email_verified"] == "true"


def test_a_wrong_password_and_an_unknown_user_get_the_same_refusal(password_stack: RunningStack) -> None:
    invite(password_stack, "ann@example.org", MessageAction="SUPPRESS", TemporaryPassword="Temp-Pass-123")

    wrong = refusal(lambda: password_stack.password_sign_in("ann@example.org", "Temp-Pass-124"))
    unknown = refusal(lambda: password_stack.password_sign_in("nobody@example.org", "Temp-Pass-123"))

    assert wrong == unknown == ("NotAuthorizedException", "Incorrect username or password.")


def test_password_flows_the_client_does_not_allow_are_refused_clearly(local_stack: RunningStack) -> None:
    code, message = refusal(lambda: local_stack.password_sign_in(JANE_EMAIL, "anything"))
    assert (code, message) == (
        "InvalidParameterException",
        "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client",
    )

    code, message = refusal(
        lambda: local_stack.idp.initiate_auth(
            AuthFlow="USER_SRP_AUTH",
            ClientId=local_stack.client_id,
            AuthParameters={"USERNAME": JANE_EMAIL, "SRP_A": "1"},
        )
    )
    assert (code, message) == ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")


# --- groups and config ----------------------------------------------------------------------------


def test_tokens_carry_the_users_groups_in_precedence_order(local_stack: RunningStack) -> None:
    local_stack.idp.create_group(UserPoolId=local_stack.pool_id, GroupName="editors", Precedence=1)
    local_stack.add_to_group(local_stack.jane, "admins")
    local_stack.add_to_group(local_stack.jane, "editors")

    tokens = local_stack.sign_in_by_link(JANE_EMAIL)
    plain = local_stack.sign_in_by_link("john@example.com")

    for name in ("IdToken", "AccessToken"):
        assert jwt.decode(tokens[name], options={"verify_signature": False})["cognito:groups"] == [
            "editors",
            "admins",
        ]
        assert "cognito:groups" not in jwt.decode(plain[name], options={"verify_signature": False})


def test_local_config_names_the_outbox_folder(local_stack: RunningStack) -> None:
    config = get_json(f"{local_stack.stack.url}local/config")

    assert Path(config["outboxDir"]) == local_stack.outbox
    local_stack.initiate(JANE_EMAIL)
    assert len(list(Path(config["outboxDir"]).glob("*.json"))) == 1


def _password_in(text: str) -> str:
    match = re.search(r"([A-Za-z0-9_\-]{12,}Aa1!)", text)
    assert match, "the invitation carries the temporary password"
    return match.group(1)


# --- the account API's HTTP API emulation ----------------------------------------------------------


def test_the_function_gets_a_payload_2_event_with_the_claims_as_api_gateway_passes_them(
    tmp_path: Path,
) -> None:
    def echo(event: Event, _: object) -> dict[str, Any]:
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}

    with running_stack(tmp_path, functions={"account_api": echo}, RESEND_MIN_SECONDS="0") as stack:
        stack.idp.create_group(UserPoolId=stack.pool_id, GroupName="editors", Precedence=1)
        stack.add_to_group(stack.jane, "admins")
        stack.add_to_group(stack.jane, "editors")
        tokens = stack.sign_in_by_link(JANE_EMAIL)

        status, event = stack.api("/account/email", {"email": "x@example.org"}, token=tokens["AccessToken"])
        public_status, public = stack.api("/sign-up", {"email": "x@example.org"})

    assert (status, public_status) == (200, 200)
    assert (event["version"], event["routeKey"], event["rawPath"]) == (
        "2.0",
        "POST /account/email",
        "/account/email",
    )
    assert json.loads(event["body"]) == {"email": "x@example.org"}
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[editors admins]"
    assert claims["username"] == stack.jane
    assert claims["client_id"] == stack.client_id
    assert all(isinstance(value, str) for value in claims.values())
    assert "authorizer" not in public["requestContext"], "a public route gets no claims"


def test_api_routes_keep_the_endpoints_host_check_and_send_no_cors_headers(local_stack: RunningStack) -> None:
    url = f"{local_stack.stack.url}account/email"
    rebound = urllib.request.Request(  # noqa: S310 - the stack's own 127.0.0.1 URL
        url, data=b"{}", headers={"Host": "evil.example", "Content-Type": "application/json"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(rebound, timeout=5)  # noqa: S310
    refused.value.close()  # it holds the connection's socket
    assert refused.value.code == 403

    preflight = urllib.request.Request(  # noqa: S310
        url,
        method="OPTIONS",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as preflight_refused:
        urllib.request.urlopen(preflight, timeout=5)  # noqa: S310
    preflight_refused.value.close()  # it holds the connection's socket
    assert preflight_refused.value.code == 403

    unauthorized = urllib.request.Request(  # noqa: S310
        url, data=b"{}", headers={"Origin": "https://evil.example"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(unauthorized, timeout=5)  # noqa: S310
    answered.value.close()  # it holds the connection's socket
    assert answered.value.code == 401
    assert "Access-Control-Allow-Origin" not in answered.value.headers


def test_an_invitation_in_password_mode_is_accepted_with_a_chosen_password(
    password_stack: RunningStack,
) -> None:
    password_stack.add_to_group(password_stack.jane, "admins")
    tokens = _admin_tokens(password_stack)

    status, _ = password_stack.api("/invitations", {"email": "ann@example.org"}, token=tokens["AccessToken"])
    assert status == 201
    [invitation] = password_stack.mail_to("ann@example.org")

    status, answer = password_stack.api(
        "/invitations/accept",
        {"email": "ann@example.org", "token": invitation.link_token, "password": "A-much-better-Passw0rd!"},
    )

    assert status == 200, answer
    claims = jwt.decode(answer["authenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["email"] == "ann@example.org"
    assert "AuthenticationResult" in password_stack.password_sign_in(
        "ann@example.org", "A-much-better-Passw0rd!"
    )
    # The invitation is spent: a second acceptance changes nothing.
    again = password_stack.api(
        "/invitations/accept",
        {"email": "ann@example.org", "token": invitation.link_token, "password": "Other-Passw0rd!!"},
    )
    assert again[0] >= 400
    assert "AuthenticationResult" in password_stack.password_sign_in(
        "ann@example.org", "A-much-better-Passw0rd!"
    )


def _admin_tokens(stack: RunningStack) -> dict[str, Any]:
    """Jane's tokens in password mode, where the email link alone does not sign in: her password is
    set by an administrator here, and ADMIN_USER_PASSWORD_AUTH is the backend's way in."""
    stack.idp.admin_set_user_password(
        UserPoolId=stack.pool_id, Username=stack.jane, Password="Admin-Passw0rd!", Permanent=True
    )
    return dict(stack.password_sign_in(JANE_EMAIL, "Admin-Passw0rd!")["AuthenticationResult"])
