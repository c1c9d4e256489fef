"""Bad input anywhere gets a clear, generic refusal and changes nothing stored, through the real
handlers: malformed events, wrong types, oversized and non-UTF-8 answers, pre-filled responses."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest

from passwordless.errors import SignInRefused
from tests.support.flow import JANE
from tests.support.lambda_handlers import Deployed

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text())
    return event


def table() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName=os.environ["TABLE_NAME"])[
        "Items"
    ]
    return sorted(items, key=lambda item: item["pk"]["S"])


def broken(base: dict[str, Any]) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = []
    for path, value in [
        (("request",), None),
        (("callerContext",), "client"),
        (("userName",), 12345),
        (("userName",), "x" * 10_000),
        (("userPoolId",), ""),
        (("request", "userNotFound"), "no"),
        (("request", "session"), "[]"),
        (("request", "clientMetadata"), {"resend": ["true"]}),
    ]:
        event = copy.deepcopy(base)
        target = event
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        variants.append(event)
    return variants


@pytest.fixture
def warmed(deployed: Deployed) -> Deployed:
    # A real user with state in the table, so "nothing changed" is a meaningful comparison.
    asked = deployed.cognito.initiate_auth(JANE.email)
    deployed.cognito.respond(asked, "000000")
    return deployed


def test_define_refuses_malformed_events_and_never_keeps_a_prefilled_yes(warmed: Deployed) -> None:
    before = table()
    base = sample("define_after_right_answer")
    for event in broken(base):
        event["response"] = {"issueTokens": True, "failAuthentication": False}
        response = warmed.invoke("define", event)["response"]
        assert response == {"issueTokens": False, "failAuthentication": True}
    # A well-formed event with a pre-filled response gets its own decision, not the caller's
    foreign = sample("define_foreign_challenge")
    foreign["response"] = {"issueTokens": True}
    assert warmed.invoke("define", foreign)["response"]["issueTokens"] is False
    assert table() == before


def test_create_refuses_malformed_events_with_a_generic_error(warmed: Deployed) -> None:
    before = table()
    for event in broken(sample("create_first_round_no_secret")):
        with pytest.raises(SignInRefused) as caught:
            warmed.invoke("create", event)
        assert str(caught.value) == "Sign-in could not be completed."
    assert table() == before
    assert warmed.mail()[1:] == [], "no email beyond the warm-up one"


ANSWERS = [
    "",
    "\udcff\udcfe" * 3,  # what undecodable bytes become after a lenient decode
    "1" * 1_000_000,
    "12345\x00",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "\u0661\u0662\u0663\u0664\u0665\u0666",
]


@pytest.mark.parametrize("answer", ANSWERS, ids=range(len(ANSWERS)))
def test_verify_refuses_bad_answers_and_counts_nothing(warmed: Deployed, answer: str) -> None:
    before = table()
    event = sample("verify_right_code")
    event["request"]["challengeAnswer"] = answer
    assert warmed.invoke("verify", event)["response"] == {"answerCorrect": False}
    assert table() == before


@pytest.mark.parametrize("answer", [None, 123456, ["123456"], {"code": "123456"}, True])
def test_verify_refuses_answers_of_the_wrong_type(warmed: Deployed, answer: object) -> None:
    before = table()
    event = sample("verify_right_code")
    event["request"]["challengeAnswer"] = answer
    assert warmed.invoke("verify", event)["response"] == {"answerCorrect": False}
    for event in broken(sample("verify_right_code")):
        assert warmed.invoke("verify", event)["response"] == {"answerCorrect": False}
    assert table() == before
