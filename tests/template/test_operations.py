"""template.yaml's operations half: the dashboard and alarms name exactly the metrics the code writes
(passwordless.funnel_metrics), in its namespace, against the real trigger functions; the alarm topic and
the tracing toggle do what their parameters say, without widening any role."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from laptop.stack_template import Deployment, load_template
from passwordless.funnel_metrics import (
    CLIENT_DIMENSION,
    COLD_START,
    COLD_START_DIMENSION,
    FUNNEL,
    NAMESPACE,
    SERVICE_DIMENSION,
)
from tests.template.cfn import (
    BASIC_EXECUTION_ROLE,
    iam_statements,
    is_translator_artifact,
    parameter_violation,
    resources_of_type,
    translate,
)

TRIGGER_FUNCTIONS = (
    "DefineAuthChallengeFunction",
    "CreateAuthChallengeFunction",
    "VerifyAuthChallengeFunction",
)
# The account lifecycle's Cognito triggers: their errors fail a sign-up, a sign-in or Cognito's message.
LIFECYCLE_TRIGGERS = ("PreSignUpFunction", "PostAuthenticationFunction", "CustomMessageFunction")
COGNITO_TRIGGERS = (*TRIGGER_FUNCTIONS, *LIFECYCLE_TRIGGERS)
PHYSICAL = {name: f"passwordless-test-{name}-A1B2C3" for name in COGNITO_TRIGGERS}
REQUIRED_PARAMETERS = {"EmailFrom": "no-reply@example.com"}
LOG_METRICS = {"PasskeyRegistered"}
"""Counted from the account API's log lines by a metric filter (it writes no EMF)."""
CODE_METRICS = {*FUNNEL.values(), COLD_START, *LOG_METRICS}
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
TOPIC = "arn:aws:sns:us-east-1:123456789012:passwordless-alarms"
ALARMS = ("ProviderErrorAlarm", "TriggerErrorAlarm", "TriggerDurationAlarm", "StrangerBudgetAlarm")
SEARCH = re.compile(r"SEARCH\('\{(?P<namespace>[^,}]+)[^}]*\} MetricName=\"(?P<metric>\w+)\"'")


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def dashboard(source: dict[str, Any]) -> dict[str, Any]:
    body = source["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]
    resolved = Deployment(source, REQUIRED_PARAMETERS, physical_ids=PHYSICAL).resolve(body)
    parsed: dict[str, Any] = json.loads(resolved)
    return parsed


def _translate(source: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.delenv("AWS_PROFILE", raising=False)
        return translate(source, parameters)


def _service(source: Mapping[str, Any]) -> str:
    return str(source["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"])


def _metric_rows(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """(widget title, row) for each plain metric row: [namespace, name, dim, value, ..., {options}]."""
    for widget in dashboard["widgets"]:
        if widget["type"] != "metric":
            continue
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], str):
                yield widget["properties"]["title"], [item for item in row if not isinstance(item, dict)]


def _searches(dashboard: Mapping[str, Any]) -> Iterator[re.Match[str]]:
    for widget in dashboard["widgets"]:
        for row in widget.get("properties", {}).get("metrics", []):
            for item in row:
                if isinstance(item, dict) and "expression" in item:
                    found = SEARCH.search(item["expression"])
                    assert found, item["expression"]
                    yield found


def _alarm(source: Mapping[str, Any], name: str) -> dict[str, Any]:
    resolved: dict[str, Any] = Deployment(source, REQUIRED_PARAMETERS, physical_ids=PHYSICAL).resolve(
        source["Resources"][name]["Properties"]
    )
    return resolved


def _queries(alarm: Mapping[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
    """The alarm's one returned expression and its inputs by id."""
    (returned,) = [q for q in alarm["Metrics"] if q.get("ReturnData")]
    inputs = {q["Id"]: q["MetricStat"] for q in alarm["Metrics"] if not q.get("ReturnData")}
    assert all(q.get("ReturnData") is False for q in alarm["Metrics"] if q is not returned)
    return returned["Expression"], inputs


def _assert_combines_every_trigger(alarm: Mapping[str, Any], function: str, metric: str, stat: str) -> None:
    """The alarm's expression is `function` over one AWS/Lambda `metric` query per Cognito trigger."""
    expression, inputs = _queries(alarm)
    assert re.fullmatch(rf"{function}\(\[\w+(, \w+){{5}}\]\)", expression)
    assert set(re.findall(r"\w+", expression)) - {function} == set(inputs)
    for query in inputs.values():
        assert (query["Metric"]["Namespace"], query["Metric"]["MetricName"]) == ("AWS/Lambda", metric)
        assert (query["Stat"], query["Period"]) == (stat, 300)
    assert {query["Metric"]["Dimensions"][0]["Value"] for query in inputs.values()} == {
        PHYSICAL[name] for name in COGNITO_TRIGGERS
    }


# ------------------------------------------------------------------------------------- dashboard


def test_the_dashboard_is_json_after_sub_and_names_only_the_trigger_functions_and_alarms(
    source: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    text = source["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    referenced = set(re.findall(r"\$\{([^}]+)\}", text))
    assert referenced == {"AWS::Region", *COGNITO_TRIGGERS, *(f"{alarm}.Arn" for alarm in ALARMS)}
    assert set(resources_of_type(source, "AWS::CloudWatch::Alarm")) == set(ALARMS)
    functions = {
        row[3] for _, row in _metric_rows(dashboard) if row[2] in ("FunctionName", COLD_START_DIMENSION)
    }
    assert functions == {PHYSICAL[name] for name in COGNITO_TRIGGERS}
    (alarms,) = [w for w in dashboard["widgets"] if w["type"] == "alarm"]
    assert alarms["properties"]["alarms"] == [f"<{alarm}.Arn>" for alarm in ALARMS]
    for widget in dashboard["widgets"]:
        if widget["type"] == "metric":
            assert widget["properties"]["region"] == "us-east-1"


def test_the_dashboard_and_alarms_know_exactly_the_metrics_the_code_writes(
    source: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    ours = [row for _, row in _metric_rows(dashboard) if row[0] == NAMESPACE]
    searched = list(_searches(dashboard))
    alarmed = {
        alarm["Properties"]["MetricName"]
        for alarm in resources_of_type(source, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == NAMESPACE
    }
    # Either way round: a metric the code writes but nobody charts, or one charted that never comes
    assert {row[1] for row in ours} | {m["metric"] for m in searched} | alarmed == CODE_METRICS
    assert {m["namespace"] for m in searched} == {NAMESPACE}
    assert {row[0] for _, row in _metric_rows(dashboard)} == {NAMESPACE, "AWS/Lambda"}
    # Dimensions exactly as the code writes them: funnel totals under the service alone, cold starts
    # per function, and the per-client view searching the ClientId set
    for row in ours:
        dimensions = dict(zip(row[2::2], row[3::2], strict=True))
        if row[1] == COLD_START:
            assert set(dimensions) == {COLD_START_DIMENSION, SERVICE_DIMENSION}
        else:
            assert set(dimensions) == {SERVICE_DIMENSION}
        assert dimensions[SERVICE_DIMENSION] == _service(source)
    assert all(CLIENT_DIMENSION in m.group(0) for m in searched)
    # The funnel widget shows every funnel metric
    funnel = {row[1] for title, row in _metric_rows(dashboard) if title.startswith("Sign-in funnel")}
    assert funnel == set(FUNNEL.values()) | LOG_METRICS


def test_durations_are_drawn_against_cognitos_budget_and_the_alarm_line(
    source: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    (widget,) = [
        w for w in dashboard["widgets"] if w["properties"].get("title", "").startswith("Trigger duration")
    ]
    properties = widget["properties"]
    assert properties["stat"] == "p99"
    assert {row[1] for row in properties["metrics"]} == {"Duration"}
    # Every Cognito trigger has the same 5 s budget, so each has its line
    assert {row[3] for row in properties["metrics"]} == {PHYSICAL[name] for name in COGNITO_TRIGGERS}
    budget_ms = source["Globals"]["Function"]["Timeout"] * 1000
    alarm_ms = source["Resources"]["TriggerDurationAlarm"]["Properties"]["Threshold"]
    lines = {line["value"] for line in properties["annotations"]["horizontal"]}
    assert lines == {budget_ms, alarm_ms} == {5000, 3000}
    titles = {w["properties"].get("title", "") for w in dashboard["widgets"]}
    assert {"Trigger errors", "Cold starts"} <= titles
    assert any(title.startswith("Throttles") for title in titles)


# ---------------------------------------------------------------------------------------- alarms


def test_the_provider_error_alarm_fires_on_one_failed_email(source: dict[str, Any]) -> None:
    alarm = _alarm(source, "ProviderErrorAlarm")
    assert alarm["Namespace"] == NAMESPACE
    assert alarm["MetricName"] == FUNNEL["send_failed"]
    assert alarm["Dimensions"] == [{"Name": SERVICE_DIMENSION, "Value": _service(source)}]
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_stranger_budget_alarm_fires_once_the_overall_budget_holds_an_email_back(
    source: dict[str, Any],
) -> None:
    alarm = _alarm(source, "StrangerBudgetAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == (NAMESPACE, FUNNEL["stranger_budget"])
    assert alarm["Dimensions"] == [{"Name": SERVICE_DIMENSION, "Value": _service(source)}]
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    # The account API's refusals reach the same metric through its log group: the overall ones only.
    properties = resources_of_type(source, "AWS::Logs::MetricFilter")["AccountApiStrangerBudgetMetric"][
        "Properties"
    ]
    assert properties["LogGroupName"] == {"Ref": "AccountApiLogGroup"}
    assert properties["FilterPattern"] == '{ $.account_event = "stranger_budget" && $.scope = "overall" }'
    (transformation,) = properties["MetricTransformations"]
    assert (transformation["MetricNamespace"], transformation["MetricName"]) == (
        NAMESPACE,
        alarm["MetricName"],
    )
    assert transformation["Dimensions"] == [{"Key": SERVICE_DIMENSION, "Value": "$.service"}]


def test_each_passkey_added_through_the_account_api_counts_as_passkey_registered(
    source: dict[str, Any],
) -> None:
    metric_filter = resources_of_type(source, "AWS::Logs::MetricFilter")["PasskeyRegisteredMetric"]
    assert metric_filter["Condition"] == "MakePasskeyClient"
    properties = metric_filter["Properties"]
    assert properties["LogGroupName"] == {"Ref": "AccountApiLogGroup"}
    # The event the account API logs when it stores a verified passkey (passwordless.passkeys.account)
    assert properties["FilterPattern"] == '{ $.account_event = "passkey_added" }'
    (transformation,) = properties["MetricTransformations"]
    assert (transformation["MetricNamespace"], transformation["MetricName"]) == (
        NAMESPACE,
        "PasskeyRegistered",
    )
    assert transformation["Dimensions"] == [{"Key": SERVICE_DIMENSION, "Value": "$.service"}]


def test_the_trigger_error_alarm_sums_every_cognito_trigger(source: dict[str, Any]) -> None:
    alarm = _alarm(source, "TriggerErrorAlarm")
    _assert_combines_every_trigger(alarm, "SUM", "Errors", "Sum")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_duration_alarm_fires_when_the_slowest_p99_passes_three_seconds(source: dict[str, Any]) -> None:
    alarm = _alarm(source, "TriggerDurationAlarm")
    _assert_combines_every_trigger(alarm, "MAX", "Duration", "p99")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 3000)
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (2, 2)


@pytest.mark.parametrize("topic", ["", TOPIC])
def test_alarms_notify_the_topic_only_when_one_is_given(source: dict[str, Any], topic: str) -> None:
    assert parameter_violation(source["Parameters"]["AlarmTopicArn"], topic) is None
    assert source["Parameters"]["AlarmTopicArn"]["Default"] == ""
    deployment = Deployment(source, {**REQUIRED_PARAMETERS, "AlarmTopicArn": topic})
    for name in ALARMS:
        alarm = deployment.resolve(source["Resources"][name]["Properties"])
        if topic:
            assert alarm["AlarmActions"] == alarm["OKActions"] == [topic], name
        else:
            assert "AlarmActions" not in alarm, name
            assert "OKActions" not in alarm, name


@pytest.mark.parametrize(
    "value", ["arn:aws:sqs:us-east-1:123456789012:queue", "passwordless-alarms", "arn:aws:sns:us-east-1:1:t"]
)
def test_the_topic_parameter_refuses_what_is_not_an_sns_topic_arn(source: dict[str, Any], value: str) -> None:
    assert parameter_violation(source["Parameters"]["AlarmTopicArn"], value) is not None


# --------------------------------------------------------------------------------------- tracing


@pytest.mark.parametrize("tracing", ["Active", "Disabled"])
def test_the_tracing_toggle_sets_each_function_and_grants_xray_only_when_active(
    source: dict[str, Any], tracing: str, tmp_path: Path
) -> None:
    parameters = {**REQUIRED_PARAMETERS, "Tracing": tracing}
    translated = _translate(source, parameters)
    deployment = Deployment(source, parameters)
    functions = resources_of_type(translated, "AWS::Lambda::Function")
    assert set(TRIGGER_FUNCTIONS) <= set(functions)
    for name, function in functions.items():
        config = deployment.resolve(function["Properties"].get("TracingConfig"))
        role = translated["Resources"][function["Properties"]["Role"]["Fn::GetAtt"][0]]
        if tracing == "Active":
            assert config == {"Mode": "Active"}, name
            assert role["Properties"]["ManagedPolicyArns"] == [BASIC_EXECUTION_ROLE, XRAY_WRITE], name
        else:
            assert config is None, name
            assert role["Properties"]["ManagedPolicyArns"] == [BASIC_EXECUTION_ROLE], name
    # EMF travels in the log lines: no role is granted CloudWatch (or anything else) for metrics
    actions = {a for s in iam_statements(translated["Resources"]) for a in _as_list(s["Action"])}
    assert not {a for a in actions if isinstance(a, str) and a.startswith(("cloudwatch:", "logs:"))}
    # And cfn-lint is as happy with the translated stack either way
    assert _lint(translated, tmp_path) == []


def _lint(translated: Mapping[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "translated.json"
    path.write_text(json.dumps(translated), encoding="utf-8")
    config = ManualArgs(regions=["us-east-1"])
    return [
        f"{m.rule.id} {m.message}" for m in lint_file(path, config=config) if not is_translator_artifact(m)
    ]


def test_tracing_is_off_unless_chosen(source: dict[str, Any]) -> None:
    spec = source["Parameters"]["Tracing"]
    assert spec["Default"] == "Disabled"
    # PassThrough is left out: the transform would grant X-Ray write access for it and trace nothing.
    assert spec["AllowedValues"] == ["Active", "Disabled"]
    assert source["Globals"]["Function"]["Tracing"] == {"Ref": "Tracing"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
