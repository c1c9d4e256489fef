"""samconfig.toml: every named environment deploys a stack CloudFormation accepts and whose functions
start, and prod asks a person before changing anything."""

from __future__ import annotations

import re
import shlex
import tomllib
from typing import Any

import pytest

from laptop.stack_template import Deployment, load_template
from passwordless.settings import Settings
from tests.template.cfn import SAMCONFIG_PATH, parameter_violation, rule_refusals

ENVIRONMENTS = ("default", "dev", "prod")


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads(SAMCONFIG_PATH.read_text(encoding="utf-8"))


def _command(samconfig: dict[str, Any], environment: str, command: str) -> dict[str, Any]:
    """One command's options as the SAM CLI sees them: the environment's global ones, then its own."""
    section = samconfig[environment]
    return {**section.get("global", {}).get("parameters", {}), **section[command]["parameters"]}


def _overrides(deploy: dict[str, Any]) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"])]
    return {key: value for key, value in pairs}


def test_config_declares_the_three_environments(samconfig: dict[str, Any]) -> None:
    assert samconfig["version"] == 0.1
    assert set(ENVIRONMENTS) <= set(samconfig)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environment_builds_cached_and_parallel(samconfig: dict[str, Any], environment: str) -> None:
    build = _command(samconfig, environment, "build")
    assert build["cached"] is True
    assert build["parallel"] is True


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environment_deploys_with_iam_capability_and_managed_bucket(
    samconfig: dict[str, Any], environment: str
) -> None:
    deploy = _command(samconfig, environment, "deploy")
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True
    assert deploy["confirm_changeset"] is (environment == "prod")


def test_each_environment_is_its_own_stack(samconfig: dict[str, Any]) -> None:
    names = [_command(samconfig, env, "deploy")["stack_name"] for env in ENVIRONMENTS]
    assert len(set(names)) == len(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_overrides_are_values_cloudformation_and_the_functions_accept(
    samconfig: dict[str, Any], environment: str
) -> None:
    template = load_template()
    overrides = _overrides(_command(samconfig, environment, "deploy"))
    unknown = set(overrides) - set(template["Parameters"])
    assert not unknown, f"{environment} overrides parameters the template lacks: {unknown}"
    for name, value in overrides.items():
        assert parameter_violation(template["Parameters"][name], value) is None, (environment, name)
    # Deployment refuses to exist when a parameter without a default has no value.
    deployment = Deployment(template, overrides)
    assert rule_refusals(deployment, template) == [], environment
    env = deployment.resolve(template["Globals"]["Function"]["Environment"]["Variables"])
    Settings.from_env({name: str(value) for name, value in env.items()})


def test_prod_keeps_its_user_pool_and_logs(samconfig: dict[str, Any]) -> None:
    overrides = _overrides(_command(samconfig, "prod", "deploy"))
    assert overrides["UserPoolDeletionProtection"] == "ACTIVE"
    assert int(overrides["LogRetentionInDays"]) >= 90


def test_config_holds_no_secret_values() -> None:
    text = SAMCONFIG_PATH.read_text(encoding="utf-8")
    # A SendGrid API key starts with "SG."; AWS access keys with AKIA/ASIA.
    assert not re.search(r"SG\.[\w-]{10,}|\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)
    assert "aws_secret_access_key" not in text.lower()


def test_prod_alarms_notify_a_topic_and_dev_traces(samconfig: dict[str, Any]) -> None:
    template = load_template()
    prod = Deployment(template, _overrides(_command(samconfig, "prod", "deploy")))
    dev = Deployment(template, _overrides(_command(samconfig, "dev", "deploy")))
    assert prod.conditions["NotifyAlarmTopic"] is True
    assert dev.conditions["NotifyAlarmTopic"] is False
    assert (prod.parameters["Tracing"], dev.parameters["Tracing"]) == ("Disabled", "Active")
