"""FunnelMetrics on its own: what reaches stdout per invocation, and what the off switch really stops."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, get_args

import pytest

from passwordless.funnel_metrics import FUNNEL, FunnelMetrics
from passwordless.security_events import EventName, SecurityLog
from tests.integration.emf import cold_starts, emf_records, funnel_counts
from tests.support.fakes import RecordingLogger


@dataclass(frozen=True)
class Context:
    function_name: str = "CreateAuthChallengeFunction"


def handler_raising(audit: SecurityLog, events: list[tuple[EventName, str]]) -> Any:
    def handle(event: dict[str, Any], context: object) -> dict[str, Any]:
        for name, client in events:
            audit.event(name, user="0123456789abcdef", client=client)
        return event

    return handle


@pytest.fixture(autouse=True)
def _service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "passwordless")
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)


def test_the_funnel_maps_security_events_only() -> None:
    assert set(FUNNEL) <= set(get_args(EventName))
    assert len(set(FUNNEL.values())) == len(FUNNEL)


def test_one_record_per_invocation_and_the_cold_start_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics = FunnelMetrics()
    audit = SecurityLog(RecordingLogger(), metrics)
    handle = metrics.flush_per_invocation(handler_raising(audit, [("issued", "app"), ("sent", "app")]))
    handle({}, Context())
    handle({}, Context())
    records = emf_records(capsys.readouterr().out)
    assert len(records) == 3  # the cold start, then one funnel record per invocation
    assert cold_starts(records) == Counter({"CreateAuthChallengeFunction": 1})
    assert funnel_counts(records) == Counter({("SecretIssued", "app"): 2, ("EmailSent", "app"): 2})


def test_an_invocation_without_funnel_events_prints_nothing_and_warns_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Powertools' own flush warns on an empty set, which pytest turns into an error here.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
    metrics = FunnelMetrics()
    handle = metrics.flush_per_invocation(
        handler_raising(SecurityLog(RecordingLogger(), metrics), [("session_decided", "app")])
    )
    handle({}, Context())
    assert capsys.readouterr().out == ""


def test_two_clients_in_one_invocation_never_share_a_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics = FunnelMetrics()
    audit = SecurityLog(RecordingLogger(), metrics)
    events: list[tuple[EventName, str]] = [("failed", "web"), ("failed", "mobile"), ("locked", "mobile")]
    metrics.flush_per_invocation(handler_raising(audit, events))({}, Context())
    records = emf_records(capsys.readouterr().out)
    assert funnel_counts(records) == Counter(
        {("AnswerWrong", "web"): 1, ("AnswerWrong", "mobile"): 1, ("CodeLocked", "mobile"): 1}
    )
    assert len(records) == 3  # cold start, web's record, mobile's record


@pytest.mark.parametrize("switch", [{"POWERTOOLS_METRICS_DISABLED": "true"}, {"POWERTOOLS_DEV": "true"}])
def test_switched_off_nothing_is_written_however_many_events(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], switch: dict[str, str]
) -> None:
    # Powertools' own Metrics keeps buffering when disabled and prints once 100 values pile up.
    for name, value in switch.items():
        monkeypatch.setenv(name, value)
    metrics = FunnelMetrics()
    audit = SecurityLog(RecordingLogger(), metrics)
    handle = metrics.flush_per_invocation(handler_raising(audit, [("sent", "app")] * 150))
    handle({}, Context())
    assert capsys.readouterr().out == ""
    assert not metrics.enabled


def test_the_security_log_still_logs_every_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    logger = RecordingLogger()
    audit = SecurityLog(logger, FunnelMetrics())
    audit.event("consumed", user="0123456789abcdef", client="app", kind="code")
    assert logger.events("consumed") == [
        {
            "message": "security_event",
            "security_event": "consumed",
            "user": "0123456789abcdef",
            "client": "app",
            "kind": "code",
        }
    ]
