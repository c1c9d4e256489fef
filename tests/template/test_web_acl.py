"""The optional AWS WAF web ACL on the user pool: absent by default; given a rate, a rate-based rule per
IP address on exactly Cognito's public sign-in and sign-up operations, on the pool the stack serves (its
second rule and the account API's REST front: test_account_rest_front)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from laptop.stack_template import Deployment, load_template
from tests.template.cfn import (
    POOL_MODES,
    PoolMode,
    existing_resources,
    lint_translated,
    parameter_violation,
    resources_of_type,
    translate_offline,
)

REQUIRED = {"EmailFrom": "no-reply@example.com"}
GUARDED = {**REQUIRED, "SignInRequestsPerIpPer5Minutes": "300"}
LIMITED = {"InitiateAuth", "RespondToAuthChallenge", "SignUp", "ForgotPassword", "ResendConfirmationCode"}


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


def test_there_is_no_web_acl_unless_a_rate_is_given(source: dict[str, Any]) -> None:
    resources = existing_resources(Deployment(source, REQUIRED), source)
    assert [name for name, r in resources.items() if r["Type"].startswith("AWS::WAFv2::")] == []


@pytest.mark.parametrize("pool", POOL_MODES)
def test_the_rule_limits_each_address_on_the_pool_the_stack_serves(
    source: dict[str, Any], pool: PoolMode
) -> None:
    resources = existing_resources(Deployment(source, {**GUARDED, **pool.parameters}), source)
    acl = resources["SignInWebAcl"]["Properties"]
    association = resources["SignInWebAclAssociation"]["Properties"]

    assert association["ResourceArn"] == pool.pool_arn
    assert association["WebACLArn"] == "<SignInWebAcl.Arn>"
    assert (acl["Scope"], acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    rule, _account_api_rule = acl["Rules"]  # the second: test_account_rest_front
    assert rule["Action"] == {"Block": {}}
    rate = rule["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"], rate["AggregateKeyType"]) == ("300", 300, "IP")
    match = rate["ScopeDownStatement"]["RegexMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-amz-target"}}
    assert match["TextTransformations"] == [{"Priority": 0, "Type": "LOWERCASE"}]
    # Every cognito-idp operation the SDK knows, as its X-Amz-Target header names it: only the five.
    operations = botocore.session.get_session().get_service_model("cognito-idp").operation_names
    matched = {
        name
        for name in operations
        if re.search(match["RegexString"], f"AWSCognitoIdentityProviderService.{name}".lower())
    }
    assert matched == LIMITED


@pytest.mark.parametrize(
    ("value", "taken"),
    [("0", True), ("10", True), ("2000", True), ("5", False), ("-1", False), ("ten", False)],
)
def test_the_rate_is_off_or_at_least_wafs_minimum(source: dict[str, Any], value: str, taken: bool) -> None:
    parameter = source["Parameters"]["SignInRequestsPerIpPer5Minutes"]
    assert (parameter_violation(parameter, value) is None) is taken


@pytest.mark.parametrize("pool", POOL_MODES)
def test_cfn_lint_finds_nothing_with_the_web_acl_and_the_rest_front(
    source: dict[str, Any], tmp_path: Path, pool: PoolMode
) -> None:
    parameters = {**GUARDED, **pool.parameters}
    translated = translate_offline(source, parameters)
    assert resources_of_type(translated, "AWS::WAFv2::WebACL")
    assert resources_of_type(translated, "AWS::ApiGateway::RestApi")
    assert lint_translated(translated, tmp_path, parameters) == []
