"""PreSignUp: the rule table, the response Cognito reads, and a generic refusal for every bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passwordless.events import MalformedEvent
from passwordless.pre_sign_up_trigger import respond_to_pre_sign_up
from passwordless.security_events import SecurityLog
from passwordless.sign_up_rules import (
    MAX_NAME_LENGTH,
    SignUpRefused,
    decide_sign_up,
    parse_pre_sign_up,
)
from tests.support.fakes import RecordingLogger

ALLOWED = ("example.com", "corp.example.org")


def event(
    source: str = "PreSignUp_SignUp",
    *,
    email: str | None = "Jane@Example.com",
    name: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    attributes = {} if email is None else {"email": email}
    if name is not None:
        attributes["name"] = name
    request: dict[str, Any] = {"userAttributes": attributes, "validationData": None}
    if metadata is not None:
        request["clientMetadata"] = metadata
    return {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": "us-east-1_abc",
        "userName": "7d3f6a52-1c9e-4b8a-9f21-5e0c4a7b9d13",
        "callerContext": {"awsSdkVersion": "x", "clientId": "client1"},
        "triggerSource": source,
        "request": request,
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


SELF = {"signUp": "self"}
ADMIN = "PreSignUp_AdminCreateUser"
EVIL = "a@evil.example"
# (event, allowed domains) -> autoConfirmUser, or None for a refusal
TABLE: list[tuple[str, dict[str, Any], tuple[str, ...], bool | None]] = [
    ("sign-up, any domain", event(), (), True),
    ("sign-up, allowed domain", event(), ALLOWED, True),
    ("sign-up, domain upper-case", event(email="jane@CORP.EXAMPLE.ORG"), ALLOWED, True),
    ("sign-up, other domain", event(email="jane@evil.example"), ALLOWED, None),
    ("sign-up, subdomain is not the domain", event(email="jane@mail.example.com"), ALLOWED, None),
    ("sign-up, domain as a suffix", event(email="jane@notexample.com"), ALLOWED, None),
    ("admin invite, other domain", event(ADMIN, email=EVIL), ALLOWED, False),
    ("admin, other key", event(ADMIN, email=EVIL, metadata={"x": "self"}), ALLOWED, False),
    ("self via API, allowed", event(ADMIN, metadata=SELF), ALLOWED, False),
    ("self via API, other domain", event(ADMIN, email=EVIL, metadata=SELF), ALLOWED, None),
    ("external, allowed", event("PreSignUp_ExternalProvider"), ALLOWED, False),
    ("external, other domain", event("PreSignUp_ExternalProvider", email=EVIL), ALLOWED, None),
    ("no email", event(email=None), (), None),
    ("malformed email", event(email="jane@@example.com"), (), None),
    ("two addresses", event(email="jane@example.com,eve@evil.example"), (), None),
    ("admin, malformed email", event(ADMIN, email="not an address"), (), None),
    ("name at the limit", event(name="N" * MAX_NAME_LENGTH), (), True),
    ("name too long", event(name="N" * (MAX_NAME_LENGTH + 1)), (), None),
    ("admin, name too long", event(ADMIN, name="N" * 300), (), None),
    ("name with a newline", event(name="Jane\nDoe"), (), None),
    ("unicode name", event(name="Zoë Ōtsuka"), (), True),
]  # fmt: skip


@pytest.mark.parametrize(("case", "raw", "domains", "confirm"), TABLE, ids=[row[0] for row in TABLE])
def test_rule_table(case: str, raw: dict[str, Any], domains: tuple[str, ...], confirm: bool | None) -> None:
    verdict = decide_sign_up(parse_pre_sign_up(raw), domains)
    assert verdict.allowed is (confirm is not None)
    if confirm is not None:
        assert verdict.response() == {
            "autoConfirmUser": confirm,
            "autoVerifyEmail": False,
            "autoVerifyPhone": False,
        }


def _handle(raw: object, domains: tuple[str, ...] = ALLOWED) -> tuple[dict[str, Any], RecordingLogger]:
    log = RecordingLogger()
    return respond_to_pre_sign_up(raw, domains, SecurityLog(log)), log  # type: ignore[arg-type]


def test_an_allowed_sign_up_rebuilds_the_response_and_logs_no_address() -> None:
    raw = event()
    raw["response"] = {"autoConfirmUser": False, "autoVerifyEmail": True, "autoVerifyPhone": True}
    returned, log = _handle(raw)
    assert returned["response"] == {
        "autoConfirmUser": True,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }
    (decided,) = log.events("sign_up_decided")
    assert decided["allowed"] is True
    assert decided["source"] == "PreSignUp_SignUp"
    assert "example.com" not in repr(log.records).lower()


def _broken(path: tuple[str, ...], value: object) -> dict[str, Any]:
    raw = event()
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return raw


MALFORMED: list[object] = [
    "text",
    None,
    [],
    _broken(("request",), "x"),
    _broken(("request", "userAttributes"), None),
    _broken(("request", "userAttributes"), {"email": 5}),
    _broken(("request", "clientMetadata"), {"signUp": ["self"]}),
    _broken(("triggerSource",), "PreSignUp_Unknown"),
    _broken(("triggerSource",), "PostAuthentication_Authentication"),
    _broken(("triggerSource",), 7),
    _broken(("userName",), "u" * 129),
    _broken(("userName",), ""),
    _broken(("userPoolId",), None),
    _broken(("callerContext",), "x"),
    _broken(("response",), "x"),
    _broken(("request", "userAttributes"), {"email": "jane@example.com", "name": "n" * 5000}),
]


@pytest.mark.parametrize("raw", MALFORMED, ids=lambda value: repr(value)[:40])
def test_a_malformed_event_is_refused_with_the_generic_message(raw: object) -> None:
    with pytest.raises(MalformedEvent):
        parse_pre_sign_up(raw)
    with pytest.raises(SignUpRefused) as refusal:
        _handle(copy.deepcopy(raw))
    assert str(refusal.value) == "Sign-up is not possible with these details."


@pytest.mark.parametrize(
    "raw",
    [row[1] for row in TABLE if row[3] is None],
    ids=[row[0] for row in TABLE if row[3] is None],
)
def test_every_refusal_reads_the_same_and_names_no_reason(raw: dict[str, Any]) -> None:
    with pytest.raises(SignUpRefused) as refusal:
        _handle(copy.deepcopy(raw))
    assert str(refusal.value) == "Sign-up is not possible with these details."
    assert refusal.value.__cause__ is None


@given(
    st.sampled_from(["PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"]),
    st.one_of(st.text(max_size=80), st.emails()),
    st.one_of(st.none(), st.text(max_size=300)),
    st.dictionaries(st.sampled_from(["signUp", "other"]), st.sampled_from(["self", "admin", ""])),
)
def test_any_event_is_allowed_only_for_a_valid_address_in_an_allowed_domain(
    source: str, email: str, name: str | None, metadata: dict[str, str]
) -> None:
    raw = event(source, email=email, name=name, metadata=metadata)
    try:
        returned, _ = _handle(raw)
    except SignUpRefused:
        return
    domain = email.strip(" \t\r\n").lower().rpartition("@")[2]
    admin_invite = source == "PreSignUp_AdminCreateUser" and metadata.get("signUp") != "self"
    assert admin_invite or domain in ALLOWED
    assert returned["response"]["autoConfirmUser"] is (source == "PreSignUp_SignUp")
    assert returned["response"]["autoVerifyEmail"] is False
