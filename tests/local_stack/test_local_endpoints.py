"""What else the one port serves: the stack's config, the outbox (JSON and page), the JWKS, and moto
for every other AWS call, atomic under concurrent requests like the real services."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from laptop.local_stack.stack import LOCAL_PARAMETERS
from laptop.stack_template import Deployment, blueprint, load_template
from tests.support.local_stack import JANE_EMAIL, RunningStack, start_stack


def fetch(url: str, accept: str = "application/json") -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 - 127.0.0.1
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return dict(response.headers), response.read()


def test_local_config_names_everything_a_client_needs(local_stack: RunningStack) -> None:
    _, body = fetch(f"{local_stack.stack.url}local/config")
    config = json.loads(body)

    assert config["region"] == "us-east-1"
    assert config["userPoolId"] == local_stack.pool_id
    assert config["clientId"] == local_stack.client_id
    assert config["endpoint"] == local_stack.stack.url
    described = local_stack.idp.describe_user_pool_client(
        UserPoolId=config["userPoolId"], ClientId=config["clientId"]
    )
    assert described["UserPoolClient"]["ClientId"] == config["clientId"]


def test_the_sign_in_page_names_the_app_the_functions_are_configured_with(tmp_path: Path) -> None:
    for stack in start_stack(tmp_path, APP_NAME="Tom & Jerry's"):
        _, body = fetch(stack.stack.url, accept="text/html")
        html = body.decode()
        assert "<title>Sign in to Tom &amp; Jerry&#x27;s</title>" in html
        assert '<h1 id="ask-title" tabindex="-1">Sign in to Tom &amp; Jerry&#x27;s<span' in html


def test_the_pool_and_client_mirror_template_yaml(local_stack: RunningStack) -> None:
    template = load_template()
    plan = blueprint(Deployment(template, {**LOCAL_PARAMETERS, "SignInUrl": local_stack.stack.url}), template)

    pool = local_stack.idp.describe_user_pool(UserPoolId=local_stack.pool_id)["UserPool"]
    client = local_stack.idp.describe_user_pool_client(
        UserPoolId=local_stack.pool_id, ClientId=local_stack.client_id
    )["UserPoolClient"]

    assert pool["UsernameAttributes"] == plan.user_pool["UsernameAttributes"]
    assert (
        set(pool["LambdaConfig"])
        == set(plan.triggers)
        == {
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
            "PreSignUp",
            "PostAuthentication",
            "CustomMessage",
        }
    )
    assert [
        group["GroupName"] for group in local_stack.idp.list_groups(UserPoolId=local_stack.pool_id)["Groups"]
    ] == [group["GroupName"] for group in plan.groups]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    for key in ("ExplicitAuthFlows", "PreventUserExistenceErrors", "AuthSessionValidity", "GenerateSecret"):
        assert client.get(key, False) == plan.app_client[key], key


def test_the_outbox_lists_mail_newest_last_as_json(local_stack: RunningStack) -> None:
    local_stack.initiate(JANE_EMAIL)
    local_stack.initiate("john@example.com")

    headers, body = fetch(f"{local_stack.stack.url}local/outbox")

    messages = json.loads(body)
    assert headers["Content-Type"].startswith("application/json")
    assert [message["to"] for message in messages] == [JANE_EMAIL, "john@example.com"]
    assert set(messages[0]) == {"to", "subject", "text", "html", "time"}
    assert messages[0]["time"] < messages[1]["time"]


def test_the_outbox_page_links_each_magic_link_with_the_text_escaped(local_stack: RunningStack) -> None:
    local_stack.initiate(JANE_EMAIL)
    [mail] = local_stack.mail()

    headers, body = fetch(f"{local_stack.stack.url}local/outbox", accept="text/html")

    page = body.decode()
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert f'href="{mail.link.replace("&", "&amp;")}"' in page
    assert "<script" not in page


def test_the_jwks_and_discovery_document_publish_the_signing_key(local_stack: RunningStack) -> None:
    _, body = fetch(f"{local_stack.stack.url}local/config")
    issuer = json.loads(body)["issuer"]

    _, discovery = fetch(f"{issuer}/.well-known/openid-configuration")
    _, jwks = fetch(json.loads(discovery)["jwks_uri"])

    assert issuer == f"{local_stack.stack.url}{local_stack.pool_id}"
    [key] = json.loads(jwks)["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key, "only the public half is published"


def test_other_aws_calls_on_the_same_port_reach_the_embedded_services(local_stack: RunningStack) -> None:
    dynamodb = local_stack.stack.client("dynamodb")
    secrets = local_stack.stack.client("secretsmanager")

    [table] = dynamodb.list_tables()["TableNames"]

    assert dynamodb.describe_table(TableName=table)["Table"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"}
    ]
    assert len(secrets.list_secrets()["SecretList"]) == 1
    # The handlers' writes (in-process) and HTTP clients see one and the same table.
    local_stack.initiate(JANE_EMAIL)
    assert dynamodb.scan(TableName=table)["Count"] == 1


def test_conditional_writes_over_http_stay_atomic_under_concurrency(local_stack: RunningStack) -> None:
    dynamodb = local_stack.stack.client("dynamodb")
    [table] = dynamodb.list_tables()["TableNames"]

    def claim(worker: int) -> str:
        client = local_stack.stack.client("dynamodb")
        try:
            client.put_item(
                TableName=table,
                Item={"pk": {"S": "race"}, "winner": {"N": str(worker)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "won"

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(claim, range(20)))

    assert sorted(set(results)) == ["ConditionalCheckFailedException", "won"]
    assert results.count("won") == 1


def test_twenty_parallel_redemptions_of_one_link_sign_in_exactly_once(local_stack: RunningStack) -> None:
    local_stack.initiate(JANE_EMAIL)
    token = local_stack.mail()[0].link_token

    def redeem(_: int) -> dict[str, Any]:
        idp = local_stack.stack.client()
        challenge = idp.initiate_auth(
            AuthFlow="CUSTOM_AUTH", ClientId=local_stack.client_id, AuthParameters={"USERNAME": JANE_EMAIL}
        )
        return dict(
            idp.respond_to_auth_challenge(
                ClientId=local_stack.client_id,
                ChallengeName="CUSTOM_CHALLENGE",
                Session=challenge["Session"],
                ChallengeResponses={
                    "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                    "ANSWER": token,
                },
            )
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(redeem, range(20)))

    assert sum("AuthenticationResult" in result for result in results) == 1
    assert all(
        "AuthenticationResult" in result or result["ChallengeName"] == "CUSTOM_CHALLENGE"
        for result in results
    )
    # A first round that starts after the sign-in finds no live secret and issues one new email;
    # every later round reuses that secret.
    assert len(local_stack.mail()) <= 2


def test_aws_sdk_requests_reach_moto_even_on_the_pages_paths(local_stack: RunningStack) -> None:
    s3 = local_stack.stack.client("s3")

    s3.create_bucket(Bucket="local")
    s3.put_object(Bucket="local", Key="outbox", Body=b"mine")

    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["local"]
    assert s3.get_object(Bucket="local", Key="outbox")["Body"].read() == b"mine"


def raw(
    stack: RunningStack, path: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    url = f"{stack.stack.url.rstrip('/')}{path}"
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_a_foreign_host_name_is_refused_so_dns_rebinding_reads_nothing(local_stack: RunningStack) -> None:
    port = local_stack.stack.url.rstrip("/").rsplit(":", 1)[1]

    assert raw(local_stack, "/local/outbox", headers={"Host": f"attacker.example:{port}"})[0] == 403
    assert raw(local_stack, "/local/outbox", headers={"Host": f"localhost:{port}"})[0] == 200


def test_only_public_documents_are_readable_cross_origin(local_stack: RunningStack) -> None:
    local_stack.stack.client("dynamodb").list_tables()  # moto is up and answering
    issuer_path = f"/{local_stack.pool_id}/.well-known/jwks.json"

    assert "Access-Control-Allow-Origin" not in raw(local_stack, "/local/outbox")[1]
    assert "Access-Control-Allow-Origin" not in raw(local_stack, "/local/config")[1]
    assert raw(local_stack, issuer_path)[1]["Access-Control-Allow-Origin"] == "*"
    assert raw(local_stack, "/moto-api/data.json")[0] == 404


def test_a_cross_origin_page_may_not_send_aws_credentials(local_stack: RunningStack) -> None:
    def preflight(headers: str) -> tuple[int, dict[str, str]]:
        status, answer_headers = raw(
            local_stack,
            "/",
            method="OPTIONS",
            headers={
                "Origin": "https://elsewhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": headers,
            },
        )
        return status, answer_headers

    allowed = preflight("content-type,x-amz-target")
    assert allowed[0] == 204
    # Not even advertised: a cached preflight would let a later request send them unasked.
    offered = {name.strip() for name in allowed[1]["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-amz-target"} <= offered
    assert not offered & {"authorization", "x-amz-security-token"}
    assert preflight("content-type,x-amz-target,authorization,x-amz-date")[0] == 403
