"""functions/custom_message/app.py as Lambda runs it (a fresh import, its own Logger) on every
events/custom_message_*.json: worded answers for the sources we handle, the response untouched for
the one we do not, and logs that hold neither the event nor the user's attributes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from laptop.aws import local_environment
from laptop.handlers import load_handler
from laptop.invoke import LambdaContextStandIn
from laptop.sample_message_events import build_message_events
from passwordless.custom_message import SOURCES
from tests.support.emails import parse_html, visible_text

ROOT = Path(__file__).resolve().parents[2]
EVENT_FILES = sorted((ROOT / "events").glob("custom_message_*.json"))
APP_NAME = "Example Shop"
GERMAN_APP_NAME = "Beispiel-Shop"
APP_NAMES = {"en": APP_NAME, "de": GERMAN_APP_NAME}


def run(
    event_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Any, list[dict[str, Any]]]:
    """(the event as the file holds it, what the handler returned, the JSON log records)."""
    environment = local_environment(
        tmp_path, APP_NAME=APP_NAME, APP_NAMES_BY_LOCALE=f'{{"de": "{GERMAN_APP_NAME}"}}', DEFAULT_LOCALE="en"
    )
    # An operator's switches for "log everything": the handler must still not log the event.
    environment |= {"POWERTOOLS_LOG_LEVEL": "DEBUG", "POWERTOOLS_LOGGER_LOG_EVENT": "true"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    logs = io.StringIO()
    # Powertools' Logger binds its stream when the module is imported: import under the redirect.
    with contextlib.redirect_stdout(logs):
        handler = load_handler("custom_message")
        event = json.loads(event_file.read_text(encoding="utf-8"))
        returned = handler(
            json.loads(event_file.read_text(encoding="utf-8")),
            LambdaContextStandIn.for_function("custom_message"),
        )
    records = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    return event, returned, records


def test_the_event_files_are_the_samples_and_cover_every_source() -> None:
    stems = {path.stem for path in EVENT_FILES}
    events = build_message_events()

    assert stems == set(events)
    sources = {json.loads(path.read_text(encoding="utf-8"))["triggerSource"] for path in EVENT_FILES}
    assert set(SOURCES) < sources, "one sample per source we word, and one we do not"


@pytest.mark.parametrize("event_file", EVENT_FILES, ids=lambda path: path.stem)
def test_the_handler_answers_each_sample_event(
    event_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a sample event as `make invoke` and `sam local invoke` read it
    # When the freshly imported handler runs on it
    event, returned, records = run(event_file, tmp_path, monkeypatch)

    # Then everything but the response comes back as it was sent
    assert {k: v for k, v in returned.items() if k != "response"} == {
        k: v for k, v in event.items() if k != "response"
    }
    request = event["request"]
    response = returned["response"]
    if event["triggerSource"] not in SOURCES:
        # And a source we do not word keeps Cognito's nulls (Cognito sends its default); one refusal logged
        assert response == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
        [refusal] = [r for r in records if r.get("security_event") == "rejected"]
        assert refusal["trigger"] == "custom_message"
    else:
        # And a source we word gets our subject, HTML and SMS with Cognito's placeholders once each
        locale = request["userAttributes"].get("locale", "en")
        assert parse_html(response["emailMessage"]).tags[0] == ("html", {"lang": locale})
        assert APP_NAMES[locale] in response["emailSubject"]
        assert APP_NAMES[locale] in visible_text(response["emailMessage"])
        for placeholder in (request["codeParameter"], request["usernameParameter"]):
            if placeholder:
                assert response["emailMessage"].count(placeholder) == 1
                assert response["smsMessage"].count(placeholder) == 1
        assert not [r for r in records if r.get("security_event") == "rejected"]
    # And the logs hold neither the event nor the user's attributes
    text = json.dumps(records)
    for attribute in ("email", "sub"):
        assert request["userAttributes"][attribute] not in text
    assert request["codeParameter"] not in text


def test_the_german_sample_is_answered_in_german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, returned, _ = run(ROOT / "events" / "custom_message_forgot_password_de.json", tmp_path, monkeypatch)

    assert returned["response"]["emailSubject"] == f"Passwort für {GERMAN_APP_NAME} zurücksetzen"
    assert "Hallo," in visible_text(returned["response"]["emailMessage"])
