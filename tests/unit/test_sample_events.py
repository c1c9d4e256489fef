"""events/ is what laptop.sample_events builds, and every file is an event the handlers accept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from laptop.handlers import CUSTOM_RESOURCE_FUNCTION, FUNCTIONS, function_for_event
from laptop.invoke import parser_for
from laptop.sample_events import NOT_APPLICABLE, build_events, drift, main
from laptop.sample_pool import RESPONSE_URL
from laptop.sample_state import SAMPLE_CLIENT_ID, SAMPLE_POOL_ID
from passwordless.events import RESEND_KEY

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"
EVENT_FILES = sorted(EVENTS_DIR.glob("*.json"))
# The challenge triggers' events, whose shape these tests hold; the other functions' sample modules
# have their own tests, and every file must still parse for the function it names.
CHALLENGE_FILES = [p for p in EVENT_FILES if p.stem.split("_")[0] in {"define", "create", "verify"}]


def _load(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


# Cognito's events name their trigger; the account API's and CloudFormation's carry none.
COGNITO_FILES = [p for p in EVENT_FILES if FUNCTIONS[function_for_event(_load(p))][1] is not None]
SETUP_FILES = [p for p in EVENT_FILES if function_for_event(_load(p)) == CUSTOM_RESOURCE_FUNCTION]


def test_the_folder_holds_exactly_what_the_generator_builds() -> None:
    # Given the committed folder / When compared with a fresh build / Then nothing has drifted
    assert drift(EVENTS_DIR) == []
    assert {path.stem for path in EVENT_FILES} == set(build_events())


def test_check_reports_a_changed_a_missing_and_a_stray_file(tmp_path: Path) -> None:
    # Given a freshly written copy
    assert main(["--write", str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0
    # When one file is edited, one removed and one added
    (tmp_path / "define_new_session.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "verify_expired.json").unlink()
    (tmp_path / "hand_made.json").write_text("{}\n", encoding="utf-8")
    # Then --check fails and names each of them
    assert main(["--check", str(tmp_path)]) == 1
    problems = "\n".join(drift(tmp_path))
    assert "define_new_session.json: differs" in problems
    assert "verify_expired.json: missing" in problems
    assert "hand_made.json: not built" in problems


def test_files_are_sorted_pretty_json_with_a_trailing_newline() -> None:
    for path in EVENT_FILES:
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.stem)
def test_every_event_parses_for_the_function_it_names(path: Path) -> None:
    event = _load(path)
    function = function_for_event(event)
    # The file name says which function it is for (api_ for the account API); the event must agree.
    assert function.split("_")[0] == path.stem.split("_")[0] or (
        function == "account_api" and path.stem.startswith("api_")
    )
    parser_for(function)(event)


@pytest.mark.parametrize("path", COGNITO_FILES, ids=lambda p: p.stem)
def test_every_cognito_event_comes_from_the_sample_pool(path: Path) -> None:
    event = _load(path)
    assert event["version"] == "1"
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == SAMPLE_POOL_ID
    assert event["callerContext"]["clientId"] in {SAMPLE_CLIENT_ID, NOT_APPLICABLE}
    assert isinstance(event["callerContext"]["awsSdkVersion"], str)
    prefix = FUNCTIONS[function_for_event(event)][1]
    assert prefix is not None
    assert event["triggerSource"].startswith(prefix)
    assert all(isinstance(value, str) for value in event["request"]["userAttributes"].values())


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.stem)
def test_only_administrators_calls_carry_no_app_client(path: Path) -> None:
    event = _load(path)
    if event.get("callerContext", {}).get("clientId") == NOT_APPLICABLE:
        assert event["triggerSource"].endswith("_AdminCreateUser")


@pytest.mark.parametrize("path", CHALLENGE_FILES, ids=lambda p: p.stem)
def test_every_challenge_event_is_shaped_as_cognito_shapes_it(path: Path) -> None:
    event = _load(path)
    assert event["callerContext"]["clientId"] == SAMPLE_CLIENT_ID
    assert event["triggerSource"].endswith("_Authentication")
    assert event["response"] == {}
    request = event["request"]
    assert isinstance(request["userNotFound"], bool)
    for entry in request.get("session", []):
        assert set(entry) == {"challengeName", "challengeResult", "challengeMetadata"}
    if event["triggerSource"].startswith("CreateAuthChallenge_"):
        assert request["challengeName"] == "CUSTOM_CHALLENGE"
    if event["triggerSource"].startswith("VerifyAuthChallengeResponse_"):
        assert isinstance(request["challengeAnswer"], str)
        assert isinstance(request["privateChallengeParameters"], dict)


@pytest.mark.parametrize("path", CHALLENGE_FILES, ids=lambda p: p.stem)
def test_client_metadata_appears_only_where_cognito_passes_it(path: Path) -> None:
    # InitiateAuth's ClientMetadata reaches no challenge trigger, and InitiateAuth is what starts a
    # session: an event with an empty session cannot carry any.
    request = _load(path)["request"]
    if request.get("session") == []:
        assert "clientMetadata" not in request
    if "clientMetadata" in request:
        assert request["clientMetadata"] == {RESEND_KEY: "true"}
        assert "resend" in path.stem


def test_unknown_users_arrive_without_attributes() -> None:
    for path in CHALLENGE_FILES:
        request = _load(path)["request"]
        assert request["userNotFound"] is path.stem.endswith("_unknown_user")
        if request["userNotFound"]:
            assert request["userAttributes"] == {}


def test_pre_sign_up_events_carry_the_account_apis_marker_only_where_it_creates_users() -> None:
    events = build_events()
    for stem, event in events.items():
        metadata = event.get("request", {}).get("clientMetadata", {}) if stem.startswith("pre_") else {}
        if metadata:
            assert metadata == {"signUp": "self"}
            assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
            assert "account_api" in stem


def test_post_authentication_events_cover_an_unverified_and_a_verified_address() -> None:
    events = build_events()
    verified = {
        stem: event["request"]["userAttributes"]["email_verified"]
        for stem, event in events.items()
        if stem.startswith("post_authentication_")
    }
    assert verified == {"post_authentication_unverified": "false", "post_authentication_verified": "true"}


@pytest.mark.parametrize("path", SETUP_FILES, ids=lambda p: p.stem)
def test_every_setup_request_is_shaped_as_cloudformation_shapes_it(path: Path) -> None:
    event = _load(path)
    request_type = event["RequestType"]
    assert event["ResourceType"] == "Custom::TriggerAttachment"
    assert event["LogicalResourceId"] == "TriggerAttachment"
    assert event["ResponseURL"] == RESPONSE_URL  # a placeholder laptop.invoke replaces
    # A resource has a name once it exists, and old properties only when they change
    assert ("PhysicalResourceId" in event) is (request_type != "Create")
    assert ("OldResourceProperties" in event) is (request_type == "Update")
    for properties in (event[key] for key in ("ResourceProperties", "OldResourceProperties") if key in event):
        assert properties["ServiceToken"] == event["ServiceToken"]
        # CloudFormation passes every value as text
        for name, value in properties.items():
            values = value.values() if name == "Triggers" else [value]
            assert all(isinstance(text, str) for text in values), name


def test_the_setup_requests_cover_create_update_delete_and_a_refusal() -> None:
    kinds = sorted((_load(p)["RequestType"], p.stem.endswith("_taken_slot")) for p in SETUP_FILES)
    assert kinds == [("Create", False), ("Create", True), ("Delete", False), ("Update", False)]
