"""Whatever reaches the stack's Cognito endpoint gets an answer a Cognito client can handle: JSON with
`__type` and `message`, the status Cognito would use, and (for what pages may call) CORS headers.
Operations that need IAM credentials in AWS need a SigV4-shaped signature here too, and are never
callable from another origin's page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from laptop.local_stack.operations import SERVED, Answer, catalogue, with_table
from laptop.stack_template import ROOT
from tests.support.local_stack import JANE_EMAIL, RunningStack

TARGET = "AWSCognitoIdentityProviderService."
SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)
PAGE_ORIGIN = "http://app.example.com"


def post(
    stack: RunningStack,
    body: bytes | object,
    *,
    target: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON or text) of a raw POST to the stack's endpoint."""
    sent = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if target is not None:
        sent["X-Amz-Target"] = target
    return raw_post(stack, "/", body, sent)


def raw_post(
    stack: RunningStack, path: str, body: bytes | object, headers: dict[str, str]
) -> tuple[int, dict[str, str], Any]:
    """post() to another path of the endpoint (a query string, moto's own paths)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the stack's own 127.0.0.1 URL
        f"{stack.stack.url}{path.lstrip('/')}", data=data, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, answer_headers, raw = error.code, dict(error.headers), error.read()
    try:
        return status, answer_headers, json.loads(raw)
    except ValueError:
        return status, answer_headers, raw.decode("utf-8", "replace")


def is_cognito_error(answer: Any, error_type: str) -> bool:
    return (
        isinstance(answer, dict)
        and answer.get("__type") == error_type
        and isinstance(answer.get("message"), str)
    )


def user_count(stack: RunningStack) -> int:
    return len(stack.idp.list_users(UserPoolId=stack.pool_id)["Users"])


def test_an_unknown_operation_gets_cognitos_unknown_operation_error(local_stack: RunningStack) -> None:
    status, headers, answer = post(local_stack, {}, target=f"{TARGET}NoSuchOperation")

    assert status == 400
    assert is_cognito_error(answer, "UnknownOperationException")
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("target", [None, "DynamoDB_20120810.ListTables", "AmazonSSM.GetParameter", ""])
def test_a_missing_or_foreign_target_gets_a_json_error_never_another_services_answer(
    local_stack: RunningStack, target: str | None
) -> None:
    status, headers, answer = post(local_stack, {}, target=target)

    assert status == 400
    assert is_cognito_error(answer, "UnknownOperationException")
    assert headers["Content-Type"] == "application/x-amz-json-1.1"


@pytest.mark.parametrize("operation", ["InitiateAuth", "ConfirmSignUp", "AdminGetUser"])
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 5000 + b"]" * 5000, 400),
        (b'{"a":' * 3000 + b"1" + b"}" * 3000, 400),
        (b"\xff\xfe{not json", 400),
        (b'{"ClientId": "\\ud800"}', 400),
        (b"[]", 400),
        (b'{"ClientId": NaN}', 400),
        (b'{"a":' * 30 + b"1" + b"}" * 30, 400),
        (b"{" + b" " * (1 << 20) + b"}", 413),
    ],
    ids=[
        "nested-list",
        "nested-map",
        "not-utf8",
        "lone-surrogate",
        "not-an-object",
        "not-a-number",
        "nested-30",
        "oversized",
    ],
)
def test_malformed_bodies_get_serialization_errors_and_change_nothing(
    local_stack: RunningStack, operation: str, body: bytes, status: int
) -> None:
    before = user_count(local_stack)

    got, _, answer = post(
        local_stack, body, target=f"{TARGET}{operation}", headers={"Authorization": SIGNATURE}
    )

    assert got == status
    assert is_cognito_error(answer, "SerializationException")
    assert user_count(local_stack) == before


def test_wrong_types_for_an_operation_moto_answers_are_a_validation_error_not_a_500(
    local_stack: RunningStack,
) -> None:
    status, _, answer = post(
        local_stack,
        {"UserPoolId": local_stack.pool_id, "Limit": "ten", "Filter": ["x"]},
        target=f"{TARGET}ListUsers",
        headers={"Authorization": SIGNATURE},
    )

    assert status == 400
    assert is_cognito_error(answer, "InvalidParameterException")
    assert "'limit'" in answer["message"]


def test_operations_that_need_iam_credentials_refuse_an_unsigned_call_and_change_nothing(
    local_stack: RunningStack,
) -> None:
    before = user_count(local_stack)
    create = {
        "UserPoolId": local_stack.pool_id,
        "Username": "mallory@example.com",
        "MessageAction": "SUPPRESS",
    }

    for operation, body in [
        ("AdminCreateUser", create),
        ("ListUsers", {"UserPoolId": local_stack.pool_id}),
        ("AdminGetUser", {"UserPoolId": local_stack.pool_id, "Username": JANE_EMAIL}),
        ("CreateUserPool", {"PoolName": "mallory"}),
    ]:
        status, headers, answer = post(local_stack, body, target=f"{TARGET}{operation}")
        assert status == 403, operation
        assert is_cognito_error(answer, "MissingAuthenticationTokenException"), operation
        assert "Access-Control-Allow-Origin" not in headers

    assert user_count(local_stack) == before
    assert len(local_stack.idp.list_user_pools(MaxResults=60)["UserPools"]) == 1


def test_a_page_of_another_origin_cannot_call_them_even_with_a_signature(local_stack: RunningStack) -> None:
    before = user_count(local_stack)

    status, headers, answer = post(
        local_stack,
        {"UserPoolId": local_stack.pool_id, "Username": "mallory@example.com"},
        target=f"{TARGET}AdminCreateUser",
        headers={"Authorization": SIGNATURE, "Origin": PAGE_ORIGIN},
    )

    assert status == 403
    assert is_cognito_error(answer, "AccessDeniedException")
    assert "Access-Control-Allow-Origin" not in headers
    assert user_count(local_stack) == before


def test_the_unauthenticated_operations_stay_callable_from_pages(local_stack: RunningStack) -> None:
    page = {"Origin": PAGE_ORIGIN}
    status, headers, answer = post(
        local_stack,
        {
            "AuthFlow": "CUSTOM_AUTH",
            "ClientId": local_stack.client_id,
            "AuthParameters": {"USERNAME": JANE_EMAIL},
        },
        target=f"{TARGET}InitiateAuth",
        headers=page,
    )
    assert status == 200
    assert answer["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert headers["Access-Control-Allow-Origin"] == "*"

    # One moto answers carries the same headers, refusal or not.
    status, headers, answer = post(
        local_stack,
        {"ClientId": local_stack.client_id, "Username": "nobody@example.com", "ConfirmationCode": "123456"},
        target=f"{TARGET}ConfirmSignUp",
        headers=page,
    )
    assert status == 400
    assert isinstance(answer.get("__type"), str)
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_operations_the_stack_cannot_serve_are_refused_as_unsupported(local_stack: RunningStack) -> None:
    access = local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]

    devices = post(local_stack, {"AccessToken": access}, target=f"{TARGET}ListDevices")
    tags = post(
        local_stack,
        {"ResourceArn": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/x"},
        target=f"{TARGET}ListTagsForResource",
        headers={"Authorization": SIGNATURE},
    )

    for status, _, answer in (devices, tags):
        assert status == 400
        assert is_cognito_error(answer, "UnsupportedOperationException")
    assert devices[1]["Access-Control-Allow-Origin"] == "*"
    assert access not in json.dumps(devices[2])


def test_every_cognito_operation_gets_a_json_answer_and_none_a_5xx(local_stack: RunningStack) -> None:
    """Each of botocore's cognito-idp operations, signed, with an empty body: the served ones and moto's
    refuse it as Cognito would (missing parameters), the others as unsupported."""
    answered: dict[str, tuple[int, str]] = {}
    for name, operation in catalogue().items():
        status, _, answer = post(
            local_stack, {}, target=f"{TARGET}{name}", headers={"Authorization": SIGNATURE}
        )
        assert isinstance(answer, dict), name
        answered[name] = (status, str(answer.get("__type", "")))
        assert status < 500, (name, answer)
        if operation.answer is Answer.REFUSED:
            assert answered[name] == (400, "UnsupportedOperationException"), name
        else:
            assert answered[name][1] != "UnsupportedOperationException", name
    assert {name for name, op in catalogue().items() if op.answer is Answer.SERVED} == SERVED


def test_the_docs_table_lists_every_operation_as_the_stack_answers_it() -> None:
    document = (ROOT / "docs" / "local-stack.md").read_text(encoding="utf-8")

    assert with_table(document) == document, (
        "run: python -m laptop.local_stack.operations --write docs/local-stack.md"
    )
    for name, operation in catalogue().items():
        assert f"| `{name}` |" in document
        assert operation.answer.value in document


def test_the_table_path_is_the_docs_page(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- cognito-operations -->\nold\n<!-- /cognito-operations -->\nafter\n")

    rewritten = with_table(page.read_text())

    assert rewritten.startswith("before\n<!-- cognito-operations -->\n")
    assert rewritten.endswith("<!-- /cognito-operations -->\nafter\n")
    assert "old" not in rewritten
    assert "| `InitiateAuth` | none (callable from pages) | served by the stack |" in rewritten


def test_a_query_string_cannot_make_an_operation_run_another(local_stack: RunningStack) -> None:
    """moto would take ?Action= over X-Amz-Target; only the named operation may run."""
    attributes = {"UserPoolId": local_stack.pool_id, "Username": JANE_EMAIL}
    takeover = {**attributes, "UserAttributes": [{"Name": "email", "Value": "mallory@example.com"}]}
    page = {"Content-Type": "text/plain", "Origin": PAGE_ORIGIN}

    from_a_page = raw_post(
        local_stack,
        "/?Action=AdminUpdateUserAttributes",
        takeover,
        {**page, "X-Amz-Target": f"{TARGET}ForgotPassword"},
    )
    signed = raw_post(
        local_stack,
        "/?Action=AdminUpdateUserAttributes",
        takeover,
        {"X-Amz-Target": f"{TARGET}AdminGetUser", "Authorization": SIGNATURE},
    )

    assert from_a_page[0] == 400
    assert is_cognito_error(from_a_page[2], "UnsupportedOperationException")
    assert signed[0] == 200
    assert signed[2]["Username"] == local_stack.jane  # AdminGetUser's answer, nothing else ran
    assert local_stack.attributes(local_stack.jane)["email"] == JANE_EMAIL


def password_reset(stack: RunningStack, password: str) -> dict[str, str]:
    """A ConfirmForgotPassword body with a code nobody was sent."""
    return {
        "ClientId": stack.client_id,
        "Username": JANE_EMAIL,
        "ConfirmationCode": "000000",
        "Password": password,
    }


@pytest.mark.parametrize("operation", ["ConfirmForgotPassword", "ConfirmSignUp", "ForgotPassword"])
def test_code_operations_moto_would_wave_through_are_refused(
    local_stack: RunningStack, operation: str
) -> None:
    status, _, answer = post(
        local_stack,
        password_reset(local_stack, "x"),
        target=f"{TARGET}{operation}",
        headers={"Origin": PAGE_ORIGIN},
    )

    assert status == 400
    assert is_cognito_error(answer, "UnsupportedOperationException")
    assert local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]


@pytest.mark.parametrize("path", ["/moto-api/reset", "/moto-api/data.json", "/latest/meta-data/"])
def test_motos_own_paths_are_closed_however_the_request_is_signed(
    local_stack: RunningStack, path: str
) -> None:
    status, _, _ = raw_post(
        local_stack, f"{path}?X-Amz-Credential=a/b/us-east-1/s3/aws4_request", b"", {"Origin": PAGE_ORIGIN}
    )

    assert status == 404
    assert local_stack.idp.describe_user_pool(UserPoolId=local_stack.pool_id)["UserPool"]["Id"]


def test_a_cognito_operation_signed_for_another_service_is_refused(local_stack: RunningStack) -> None:
    other = SIGNATURE.replace("/cognito-idp/", "/secretsmanager/")

    refused = raw_post(
        local_stack,
        "/?Action=ListSecrets",
        {"UserPoolId": local_stack.pool_id},
        {"X-Amz-Target": f"{TARGET}ListUsers", "Authorization": other},
    )
    upper_case = post(
        local_stack,
        {"UserPoolId": local_stack.pool_id, "Username": JANE_EMAIL},
        target=f"{TARGET}AdminGetUser",
        headers={"Authorization": SIGNATURE.replace("/cognito-idp/", "/COGNITO-IDP/")},
    )

    assert refused[0] == 403
    assert is_cognito_error(refused[2], "InvalidSignatureException")
    assert upper_case[0] == 200  # the scope as moto reads it: the same service, answered as Cognito
    assert upper_case[2]["Username"] == local_stack.jane


def test_a_web_page_cannot_write_to_the_other_embedded_services(local_stack: RunningStack) -> None:
    """A simple request (text/plain, no preflight) with a credential in its query string."""
    status, _, _ = raw_post(
        local_stack,
        "/?X-Amz-Credential=a/20260101/us-east-1/dynamodb/aws4_request",
        {"TableName": "passwordless-local"},
        {
            "Content-Type": "text/plain",
            "Origin": PAGE_ORIGIN,
            "X-Amz-Target": "DynamoDB_20120810.DeleteTable",
        },
    )

    assert status == 403
    assert local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]


@pytest.mark.parametrize(
    ("operation", "body", "error_type"),
    [
        (
            "UpdateUserPoolClient",
            {"TokenValidityUnits": {"AccessToken": "weeks"}},
            "InvalidParameterException",
        ),
        ("UpdateUserPoolClient", {"AccessTokenValidity": -1}, "InvalidParameterException"),
        (
            "AdminUpdateUserAttributes",
            {"Username": JANE_EMAIL, "UserAttributes": [{"Name": "name"}]},
            "InvalidParameterException",
        ),
        (
            "AdminUserGlobalSignOut",
            {"UserPoolId": "us-east-1_nope", "Username": JANE_EMAIL},
            "ResourceNotFoundException",
        ),
    ],
    ids=["unit-not-in-enum", "validity-below-min", "attribute-without-value", "unknown-pool"],
)
def test_values_cognito_would_refuse_get_a_4xx_and_break_nothing(
    local_stack: RunningStack, operation: str, body: dict[str, Any], error_type: str
) -> None:
    full = {"UserPoolId": local_stack.pool_id, "ClientId": local_stack.client_id, **body}

    status, _, answer = post(
        local_stack, full, target=f"{TARGET}{operation}", headers={"Authorization": SIGNATURE}
    )

    assert status == 400
    assert is_cognito_error(answer, error_type)
    assert local_stack.sign_in_by_link(JANE_EMAIL)["AccessToken"]
    assert local_stack.attributes(local_stack.jane)["name"] == "Jane Doe"


def test_a_target_without_an_operation_gets_a_json_error(local_stack: RunningStack) -> None:
    status, _, answer = raw_post(
        local_stack,
        "/?X-Amz-Credential=a/20260101/us-east-1/dynamodb/aws4_request",
        {},
        {"X-Amz-Target": "AWSCognitoIdentityProviderService"},
    )

    assert status == 400
    assert is_cognito_error(answer, "UnknownOperationException")


@pytest.mark.parametrize(
    "authorization",
    [SIGNATURE.replace("AWS4-HMAC-SHA256", "aws4-hmac-sha256"), SIGNATURE.replace("AWS4-HMAC-SHA256", "Foo")],
    ids=["lower-case-scheme", "other-scheme"],
)
def test_no_spelling_of_a_signature_reaches_motos_cognito_by_another_route(
    local_stack: RunningStack, authorization: str
) -> None:
    """moto reads the service from any Authorization scheme, before the query string: so does the stack."""
    reset = password_reset(local_stack, "Attacker-chosen-1!")

    status, _, answer = raw_post(
        local_stack,
        "/?X-Amz-Credential=a/20240101/us-east-1/sts/aws4_request",
        reset,
        {"Authorization": authorization, "X-Amz-Target": "x.ConfirmForgotPassword"},
    )

    assert 400 <= status < 500
    assert isinstance(answer, dict)
    assert local_stack.stack.directory is not None
    assert not local_stack.stack.directory.password_matches(
        local_stack.pool_id, local_stack.jane, reset["Password"]
    )


def test_a_served_operation_refuses_wrong_types_before_handing_the_body_on(local_stack: RunningStack) -> None:
    before = user_count(local_stack)
    create = {"UserPoolId": local_stack.pool_id, "Username": "t@example.com", "MessageAction": "SUPPRESS"}

    typed = post(
        local_stack,
        {**create, "TemporaryPassword": 5},
        target=f"{TARGET}AdminCreateUser",
        headers={"Authorization": SIGNATURE},
    )
    no_pool = post(
        local_stack,
        {**create, "UserPoolId": "us-east-1_nope"},
        target=f"{TARGET}AdminCreateUser",
        headers={"Authorization": SIGNATURE},
    )

    assert typed[0] == 400
    assert is_cognito_error(typed[2], "InvalidParameterException")
    assert no_pool[0] == 400
    assert is_cognito_error(no_pool[2], "ResourceNotFoundException")
    assert user_count(local_stack) == before


@pytest.mark.parametrize("target", [None, "x.y"])
def test_another_services_call_moto_cannot_place_is_a_json_4xx(
    local_stack: RunningStack, target: str | None
) -> None:
    headers = {"Authorization": SIGNATURE.replace("/cognito-idp/", "/dynamodb/")}
    if target:
        headers["X-Amz-Target"] = target

    status, _, answer = raw_post(local_stack, "/", b"[1,2", headers)

    assert 400 <= status < 500
    assert isinstance(answer, dict)
