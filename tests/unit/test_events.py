"""Bad input is refused generically: malformed events, wrong types, oversized and non-ASCII answers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from passwordless.answer_checker import classify_answer
from passwordless.events import MalformedEvent, parse_define
from passwordless.private_parameters import parse_private
from passwordless.trigger_requests import parse_create, parse_verify

GOOD: dict[str, Any] = {
    "version": "1",
    "region": "us-east-1",
    "userPoolId": "us-east-1_abc",
    "userName": "jane",
    "callerContext": {"awsSdkVersion": "x", "clientId": "client1"},
    "triggerSource": "VerifyAuthChallengeResponse_Authentication",
    "request": {
        "userAttributes": {"email": "jane@example.com"},
        "session": [
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "m"}
        ],
        "privateChallengeParameters": {"v": "1"},
        "challengeAnswer": "123456",
        "userNotFound": False,
    },
    "response": {},
}


def mutated(path: tuple[str, ...], value: object) -> dict[str, Any]:
    event = copy.deepcopy(GOOD)
    target = event
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return event


_DELETE = object()

MALFORMED: list[tuple[tuple[str, ...], object]] = [
    (("request",), "text"),
    (("request",), _DELETE),
    (("response",), ["x"]),
    (("callerContext",), _DELETE),
    (("callerContext", "clientId"), 7),
    (("callerContext", "clientId"), ""),
    (("userPoolId",), None),
    (("userName",), "u" * 129),
    (("userName",), ["jane"]),
    (("request", "userNotFound"), "false"),
    (("request", "session"), {"0": {}}),
    (("request", "session"), [None]),
    (("request", "session"), [{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": "true"}]),
    (("request", "session"), [{"challengeName": 5, "challengeResult": True}]),
    (("request", "session"), [{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True}] * 65),
    (("request", "clientMetadata"), {"resend": True}),
    (("request", "userAttributes"), {"email": ["jane@example.com"]}),
]


def parsers_reading(path: tuple[str, ...]) -> tuple[Any, ...]:
    """Cognito sends the session to define and create only, and create alone reads userAttributes."""
    if path[:2] == ("request", "session"):
        return (parse_define, parse_create)
    if path[:2] == ("request", "userAttributes"):
        return (parse_create,)
    return (parse_define, parse_create, parse_verify)


@pytest.mark.parametrize(("path", "value"), MALFORMED)
def test_each_parser_refuses_malformed_fields(path: tuple[str, ...], value: object) -> None:
    event = mutated(path, value)
    for parse in parsers_reading(path):
        with pytest.raises(MalformedEvent) as caught:
            parse(event)
        assert "jane@example.com" not in str(caught.value)


@pytest.mark.parametrize("event", [None, "LIST", [], 3, "{}"])
def test_non_objects_are_refused(event: object) -> None:
    for parse in (parse_define, parse_create, parse_verify):
        with pytest.raises(MalformedEvent):
            parse(event)


@pytest.mark.parametrize("answer", [None, 123456, ["123456"], {"a": 1}])
def test_verify_refuses_non_string_answers(answer: object) -> None:
    with pytest.raises(MalformedEvent):
        parse_verify(mutated(("request", "challengeAnswer"), answer))


def test_a_well_formed_event_parses_with_resend_flag() -> None:
    event = mutated(("request", "clientMetadata"), {"resend": "true"})
    request = parse_verify(event)
    assert request.context.resend_requested
    assert request.context.binding.username == "jane"
    assert request.answer == "123456"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("123456", ("code", "123456")),
        (" 123 456 ", ("code", "123456")),
        ("123-456", ("code", "123456")),
        ("A" * 32, ("token", "A" * 32)),
        ("abc_DEF-0123456789abcdefghij", ("token", "abc_DEF-0123456789abcdefghij")),
        ("12345", None),
        ("1234567", None),
        ("", None),
        ("\u0661\u0662\u0663\u0664\u0665\u0666", None),  # Arabic-Indic digits are not our code
        ("\udc80" * 6, None),  # lone surrogates: what non-UTF-8 bytes become
        ("1" * 10_000, None),
        ("A" * 129, None),
        ("' OR 1=1 --", None),
    ],
)
def test_answers_are_classified_strictly(answer: str, expected: tuple[str, str] | None) -> None:
    assert classify_answer(answer, 6) == expected


def test_private_parameters_must_be_ours() -> None:
    good = {
        "v": "1",
        "secretId": "a" * 32,
        "tokenHash": "b" * 64,
        "codeHash": "c" * 64,
        "expiresMs": "1700000000000",
    }
    assert parse_private(good) is not None
    for key, bad in [
        ("v", "2"),
        ("secretId", "xyz"),
        ("tokenHash", "B" * 64),
        ("codeHash", "c" * 63),
        ("expiresMs", "-1"),
        ("expiresMs", "\u0661" * 13),
        ("expiresMs", "9" * 40),
    ]:
        assert parse_private({**good, key: bad}) is None, key
    assert parse_private({}) is None
