"""The account API's real handler (functions/account_api/app.py) on embedded AWS: a moto user pool,
the sign-in table, the HMAC key and the outbox. Each test reads back what a client cannot see:
Cognito's users, the table's items, the mail that went out, and the function's log lines."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import boto3
import pytest

from laptop.aws import REGION
from laptop.invoke import LambdaContextStandIn
from laptop.sample_api_events import api_event
from laptop.sample_rest_events import rest_api_event
from tests.support.account_api import AccountApi, Answer, MakeApi
from tests.support.fakes import FakeClock
from tests.support.passkey_stack import TriggerSession

TOKEN_IN_LINK = re.compile(r"[#&]t=([A-Za-z0-9_-]+)")
CODE_IN_TEXT = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
ADMIN = "[admins]"


def mailed_secrets(api: AccountApi) -> list[str]:
    """Every code and link token the emails sent so far hold."""
    found: list[str] = []
    for mail in api.mail():
        found += TOKEN_IN_LINK.findall(mail["text"]) + CODE_IN_TEXT.findall(mail["text"])
    return found


def secrets_in(text: str, api: AccountApi) -> list[str]:
    return [value for value in mailed_secrets(api) if value in text]


def assert_no_secret_leaked(api: AccountApi, *answers: Answer) -> None:
    assert mailed_secrets(api), "this check needs mail with secrets to look for"
    assert secrets_in(api.log_text(), api) == []
    for answer in answers:
        assert secrets_in(json.dumps(answer.raw), api) == []


def sign_in_with_link(api: AccountApi, username: str, email: str, token: str) -> tuple[bool, int]:
    """The real define -> create -> verify handlers, as Cognito runs them for an InitiateAuth with
    this user and then the link token as the answer: (answerCorrect, emails sent by create)."""
    attributes = {"sub": username, "email": email, "email_verified": "false"}
    before = len(api.mail())
    answered = TriggerSession(api.triggers, api.pool_id, api.client_id).sign_in(username, attributes, token)
    return answered.correct, len(api.mail()) - before


# --- sign-up ------------------------------------------------------------------------------------


def test_sign_up_creates_a_confirmed_user_with_an_unverified_address_and_sends_nothing(
    api: AccountApi,
) -> None:
    answer = api.post("/sign-up", {"email": "  New.Person@Example.COM ", "name": "New Person"})

    assert answer.status == 202
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Type"] == "application/json"
    [created] = api.users()
    user = api.user(created["Username"])
    assert user["status"] == "CONFIRMED"
    assert user["email"] == "new.person@example.com"
    assert user["email_verified"] == "false"
    assert user["name"] == "New Person"
    assert created["Username"] != "new.person@example.com"  # Cognito's own id, as with UsernameAttributes
    [call] = api.admin_calls
    assert call["MessageAction"] == "SUPPRESS"
    assert call["ClientMetadata"] == {"signUp": "self"}
    assert api.mail() == []


def test_sign_up_answers_the_same_for_an_existing_address_and_leaves_that_user_alone(api: AccountApi) -> None:
    existing = api.add_user("jane@example.com", locale="de")
    before = api.user(existing)

    for_existing = api.post("/sign-up", {"email": "JANE@example.com", "name": "Someone Else"})
    for_new = api.post("/sign-up", {"email": "john@example.com", "name": "Someone Else"})

    assert (for_existing.status, for_existing.headers, for_existing.body) == (
        for_new.status,
        for_new.headers,
        for_new.body,
    )
    assert api.user(existing) == before
    assert len(api.users()) == 2


def test_sign_up_refuses_a_domain_outside_the_allowed_list(make_api: MakeApi) -> None:
    api = make_api(SIGN_UP_ALLOWED_DOMAINS="example.com")

    refused = api.post("/sign-up", {"email": "mallory@example.net"})
    allowed = api.post("/sign-up", {"email": "jane@example.com"})

    assert refused.status == 403
    assert refused.body == {"message": "Sign-up is not open to that address."}
    assert allowed.status == 202
    assert [api.user(u["Username"])["email"] for u in api.users()] == ["jane@example.com"]


def test_sign_up_is_not_found_unless_enabled(make_api: MakeApi) -> None:
    api = make_api(SELF_SIGN_UP="false")

    answer = api.post("/sign-up", {"email": "jane@example.com"})

    assert answer.status == 404
    assert answer.headers["Cache-Control"] == "no-store"
    assert api.users() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"email": "not-an-address"}, 400, id="no-at"),
        pytest.param({"email": "a@b@example.com"}, 400, id="two-ats"),
        pytest.param({"email": "jane doe@example.com"}, 400, id="space"),
        pytest.param({"email": '"jane"@example.com'}, 400, id="quoted"),
        pytest.param({"email": "jane@example.com, eve@example.net"}, 400, id="list"),
        pytest.param({"email": "j\u00e4ne@example.com"}, 400, id="non-ascii"),
        pytest.param({"email": "x" * 65 + "@example.com"}, 400, id="long-local-part"),
        pytest.param({"email": "jane@example.com", "name": "N" * 257}, 400, id="name-over-256"),
        pytest.param({"email": "jane@example.com", "name": "Jane\u0000"}, 400, id="name-control"),
        pytest.param({"email": 42}, 400, id="email-number"),
        pytest.param({"email": ["jane@example.com"]}, 400, id="email-list"),
        pytest.param({"email": "jane@example.com", "name": 7}, 400, id="name-number"),
        pytest.param({"email": "jane@example.com", "admin": True}, 400, id="unknown-field"),
        pytest.param({}, 400, id="empty-object"),
        pytest.param(["jane@example.com"], 400, id="array"),
        pytest.param("not json at all", 400, id="not-json"),
        pytest.param("", 400, id="empty-body"),
        pytest.param('{"email": ' + "[" * 1500 + "]" * 1500 + "}", 400, id="nested-1500-deep"),
        pytest.param('{"email": "eve@example.com", "email": "jane@example.com"}', 400, id="duplicate-key"),
        pytest.param('{"email": NaN}', 400, id="not-a-number"),
        pytest.param(json.dumps({"email": "jane@example.com", "name": "N" * 5000}), 413, id="over-4-KiB"),
    ],
)
def test_sign_up_refuses_bad_input_and_stores_nothing(api: AccountApi, body: object, status: int) -> None:
    answer = api.post("/sign-up", body)

    assert answer.status == status
    assert set(answer.body) == {"message"}
    assert answer.headers["Cache-Control"] == "no-store"
    assert api.users() == []
    assert api.items() == []
    assert api.mail() == []


def test_a_base64_body_is_read_like_a_plain_one(api: AccountApi) -> None:
    event = api_event("/sign-up", "")
    event["body"] = base64.b64encode(b'{"email": "jane@example.com"}').decode()
    event["isBase64Encoded"] = True

    result = api.handler(event, LambdaContextStandIn.for_function("account_api"))

    assert result["statusCode"] == 202
    assert [api.user(u["Username"])["email"] for u in api.users()] == ["jane@example.com"]


def test_an_unknown_route_is_a_json_404(api: AccountApi) -> None:
    answer = api.post("/admin/delete-everyone", {})

    assert answer.status == 404
    assert answer.body == {"message": "Not found."}
    assert answer.headers["Cache-Control"] == "no-store"


# --- invitations ----------------------------------------------------------------------------------


def test_an_invitation_creates_a_confirmed_user_and_one_email_whose_link_signs_them_in(
    api: AccountApi,
) -> None:
    admin = api.add_user("admin@example.com")

    answer = api.post(
        "/invitations", {"email": "Invitee@Example.com", "name": "In Vitee"}, api.claims(admin, ADMIN)
    )

    assert answer.status == 201
    username = answer.body["username"]
    user = api.user(username)
    assert (user["status"], user["email"], user["name"]) == ("CONFIRMED", "invitee@example.com", "In Vitee")
    assert api.admin_calls[-1]["MessageAction"] == "SUPPRESS"
    assert "signUp" not in api.admin_calls[-1].get("ClientMetadata", {})
    [mail] = api.mail()
    assert mail["to"] == "invitee@example.com"
    assert "invited" in mail["subject"]
    [token] = set(TOKEN_IN_LINK.findall(mail["text"]))
    [item] = api.items()
    assert item["pk"]["S"] == f"{api.pool_id}#{username}"
    assert item["client_id"]["S"] == api.client_id
    assert item["sent"]["BOOL"] is True
    lifetime_ms = int(item["expires_ms"]["N"]) - int(item["issued_ms"]["N"])
    assert lifetime_ms == api.settings.invitation_lifetime_seconds * 1000
    assert token not in json.dumps(item)

    assert sign_in_with_link(api, username, "invitee@example.com", token) == (True, 0)
    assert sign_in_with_link(api, username, "invitee@example.com", token) == (False, 1)  # spent
    assert_no_secret_leaked(api, answer)


def test_an_invitation_from_a_non_admin_is_refused_and_changes_nothing(api: AccountApi) -> None:
    member = api.add_user("member@example.com")

    plain = api.post("/invitations", {"email": "invitee@example.com"}, api.claims(member))
    other_group = api.post("/invitations", {"email": "invitee@example.com"}, api.claims(member, "[staff]"))

    assert (plain.status, other_group.status) == (403, 403)
    assert [u["Username"] for u in api.users()] == [member]
    assert api.items() == []
    assert api.mail() == []


def test_an_invitation_without_claims_is_401(api: AccountApi) -> None:
    answer = api.post("/invitations", {"email": "invitee@example.com"})

    assert answer.status == 401
    assert api.mail() == []


def test_the_groups_claim_is_read_as_api_gateway_and_as_a_json_list(api: AccountApi) -> None:
    admin = api.add_user("admin@example.com")

    spaced = api.post("/invitations", {"email": "a@example.com"}, api.claims(admin, "[staff admins]"))
    listed = api.post("/invitations", {"email": "b@example.com"}, api.claims(admin, '["staff","admins"]'))

    assert (spaced.status, listed.status) == (201, 201)
    assert sorted(m["to"] for m in api.mail()) == ["a@example.com", "b@example.com"]


def test_inviting_an_existing_address_is_409_and_sends_nothing(api: AccountApi) -> None:
    admin = api.add_user("admin@example.com")
    existing = api.add_user("jane@example.com")
    before = api.user(existing)

    answer = api.post("/invitations", {"email": "JANE@example.com"}, api.claims(admin, ADMIN))

    assert answer.status == 409
    assert api.user(existing) == before
    assert api.items() == []
    assert api.mail() == []


def test_an_invitation_whose_email_fails_deletes_the_user_again(api: AccountApi) -> None:
    admin = api.add_user("admin@example.com")
    api.outbox.rmdir()
    api.outbox.write_text("not a folder")  # the outbox cannot write: delivery fails

    answer = api.post("/invitations", {"email": "invitee@example.com"}, api.claims(admin, ADMIN))

    assert answer.status == 503
    assert [u["Username"] for u in api.users()] == [admin]
    assert "invitee@example.com" not in api.log_text()


# --- email change --------------------------------------------------------------------------------


def change_code(api: AccountApi, to: str) -> str:
    [code] = CODE_IN_TEXT.findall([m for m in api.mail() if m["to"] == to][-1]["text"])
    return str(code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_an_email_change_request_mails_the_new_address_and_changes_nothing_in_cognito(
    api: AccountApi,
) -> None:
    jane = api.add_user("jane@example.com")
    before = api.user(jane)

    answer = api.post("/account/email", {"email": "Jane.New@Example.com"}, api.claims(jane))

    assert answer.status == 202
    [mail] = api.mail()
    assert mail["to"] == "jane.new@example.com"
    assert api.user(jane) == before
    [item] = api.items()
    assert item["pk"]["S"] == f"{api.pool_id}#{jane}#email-change"
    stored = json.dumps(item)
    assert "jane.new@example.com" not in stored
    assert change_code(api, "jane.new@example.com") not in stored
    assert_no_secret_leaked(api, answer)


def test_the_right_code_changes_the_address_and_tells_the_old_one(api: AccountApi) -> None:
    jane = api.add_user("jane@example.com")
    api.post("/account/email", {"email": "jane.new@example.com"}, api.claims(jane))
    code = change_code(api, "jane.new@example.com")

    answer = api.post(
        "/account/email/confirm", {"email": "JANE.NEW@example.com", "code": code}, api.claims(jane)
    )

    assert answer.status == 200
    user = api.user(jane)
    assert (user["email"], user["email_verified"]) == ("jane.new@example.com", "true")
    notice = api.mail()[-1]
    assert notice["to"] == "jane@example.com"
    assert "j\u2022\u2022\u2022@example.com" in notice["text"]
    assert "jane.new@example.com" not in notice["text"]
    replay = api.post(
        "/account/email/confirm", {"email": "jane.new@example.com", "code": code}, api.claims(jane)
    )
    assert replay.status == 400
    assert len(api.mail()) == 2
    assert_no_secret_leaked(api, answer, replay)


def test_wrong_codes_count_and_the_fifth_voids_the_change(api: AccountApi) -> None:
    jane = api.add_user("jane@example.com")
    api.post("/account/email", {"email": "jane.new@example.com"}, api.claims(jane))
    code = change_code(api, "jane.new@example.com")
    key = {"pk": {"S": f"{api.pool_id}#{jane}#email-change"}}

    first = api.post(
        "/account/email/confirm", {"email": "jane.new@example.com", "code": wrong(code)}, api.claims(jane)
    )
    assert first.status == 400
    assert api.dynamodb.get_item(TableName=api.settings.table_name, Key=key)["Item"]["failures"]["N"] == "1"
    # The right code for another address is as wrong as a wrong code.
    other = api.post("/account/email/confirm", {"email": "eve@example.net", "code": code}, api.claims(jane))
    assert other.status == 400
    for _ in range(3):
        api.post(
            "/account/email/confirm", {"email": "jane.new@example.com", "code": wrong(code)}, api.claims(jane)
        )
    assert api.dynamodb.get_item(TableName=api.settings.table_name, Key=key)["Item"]["failures"]["N"] == "5"

    right = api.post(
        "/account/email/confirm", {"email": "jane.new@example.com", "code": code}, api.claims(jane)
    )

    assert right.status == 400
    assert api.user(jane)["email"] == "jane@example.com"
    assert [m["to"] for m in api.mail()] == ["jane.new@example.com"]


def test_an_address_taken_meanwhile_is_409_after_the_code(api: AccountApi) -> None:
    jane = api.add_user("jane@example.com")
    api.post("/account/email", {"email": "taken@example.com"}, api.claims(jane))
    code = change_code(api, "taken@example.com")
    api.add_user("taken@example.com")

    answer = api.post(
        "/account/email/confirm", {"email": "taken@example.com", "code": code}, api.claims(jane)
    )

    assert answer.status == 409
    assert answer.body == {"message": "That address cannot be used."}
    assert api.user(jane)["email"] == "jane@example.com"
    assert [m["to"] for m in api.mail()] == ["taken@example.com"]


def test_a_request_inside_the_resend_gap_is_429_and_sends_nothing(api: AccountApi) -> None:
    jane = api.add_user("jane@example.com")
    first = api.post("/account/email", {"email": "jane.new@example.com"}, api.claims(jane))
    code = change_code(api, "jane.new@example.com")

    again = api.post("/account/email", {"email": "jane.other@example.com"}, api.claims(jane))

    assert (first.status, again.status) == (202, 429)
    assert [m["to"] for m in api.mail()] == ["jane.new@example.com"]
    # The pending change is still the first one.
    confirmed = api.post(
        "/account/email/confirm", {"email": "jane.new@example.com", "code": code}, api.claims(jane)
    )
    assert confirmed.status == 200


def test_a_new_request_replaces_the_pending_change_once_the_gap_allows(make_api: MakeApi) -> None:
    api = make_api(RESEND_MIN_SECONDS="0")
    jane = api.add_user("jane@example.com")
    api.post("/account/email", {"email": "first@example.com"}, api.claims(jane))
    old_code = change_code(api, "first@example.com")
    api.post("/account/email", {"email": "second@example.com"}, api.claims(jane))

    stale = api.post(
        "/account/email/confirm", {"email": "first@example.com", "code": old_code}, api.claims(jane)
    )
    fresh = api.post(
        "/account/email/confirm",
        {"email": "second@example.com", "code": change_code(api, "second@example.com")},
        api.claims(jane),
    )

    assert (stale.status, fresh.status) == (400, 200)
    assert api.user(jane)["email"] == "second@example.com"


def test_a_deleted_users_token_gets_a_generic_refusal(api: AccountApi) -> None:
    jane = api.add_user("jane@example.com")
    claims = api.claims(jane)
    api.cognito.admin_delete_user(UserPoolId=api.pool_id, Username=jane)

    request = api.post("/account/email", {"email": "jane.new@example.com"}, claims)
    confirm = api.post("/account/email/confirm", {"email": "jane.new@example.com", "code": "123456"}, claims)

    assert (request.status, confirm.status) == (403, 403)
    assert request.body == confirm.body == {"message": "This request is not allowed."}
    assert api.items() == []
    assert api.mail() == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "jane.new@example.com", "code": "12345"}, id="short-code"),
        pytest.param({"email": "jane.new@example.com", "code": "12345a"}, id="letter"),
        pytest.param({"email": "jane.new@example.com", "code": 123456}, id="number"),
        pytest.param({"email": "jane.new@example.com"}, id="no-code"),
        pytest.param({"email": "nope", "code": "123456"}, id="bad-address"),
    ],
)
def test_a_malformed_confirmation_is_400_and_counts_nothing(api: AccountApi, body: dict[str, Any]) -> None:
    jane = api.add_user("jane@example.com")
    api.post("/account/email", {"email": "jane.new@example.com"}, api.claims(jane))

    answer = api.post("/account/email/confirm", body, api.claims(jane))

    assert answer.status == 400
    [item] = api.items()
    assert item["failures"]["N"] == "0"


def test_no_secret_or_address_reaches_the_logs_or_responses(api: AccountApi) -> None:
    admin = api.add_user("admin@example.com")
    jane = api.add_user("jane@example.com")
    answers = [
        api.post("/sign-up", {"email": "signer@example.com"}),
        api.post("/invitations", {"email": "invitee@example.com"}, api.claims(admin, ADMIN)),
        api.post("/account/email", {"email": "jane.new@example.com"}, api.claims(jane)),
    ]
    code = change_code(api, "jane.new@example.com")
    answers.append(
        api.post(
            "/account/email/confirm", {"email": "jane.new@example.com", "code": wrong(code)}, api.claims(jane)
        )
    )
    answers.append(
        api.post("/account/email/confirm", {"email": "jane.new@example.com", "code": code}, api.claims(jane))
    )

    assert [a.status for a in answers] == [202, 201, 202, 400, 200]
    assert_no_secret_leaked(api, *answers)
    logs = api.log_text()
    for address in ("signer@", "invitee@", "jane.new@", "jane@", "admin@"):
        assert address not in logs
    events = [r.get("account_event") for r in api.log_records()]
    assert {"signed_up", "invited", "email_change_requested", "email_change_failed", "email_changed"} <= set(
        events
    )


def clock_of(api: AccountApi, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Put the deployed function's email change on a clock the test moves."""
    runtime = api.handler.__wrapped__.__globals__["RUNTIME"]  # type: ignore[attr-defined]
    clock = FakeClock(time.time())
    monkeypatch.setattr(runtime.account_services.email_change, "_clock", clock)
    return clock


def change_item(api: AccountApi, username: str) -> dict[str, Any]:
    key = {"pk": {"S": f"{api.pool_id}#{username}#email-change"}}
    item: dict[str, Any] = api.dynamodb.get_item(TableName=api.settings.table_name, Key=key)["Item"]
    return item


def test_requests_beyond_the_hourly_cap_are_429_and_send_nothing_until_the_hour_has_passed(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(RESEND_MIN_SECONDS="0", MAX_EMAILS_PER_HOUR="3")  # only the cap refuses
    clock = clock_of(api, monkeypatch)
    jane = api.add_user("jane@example.com")
    answers = []
    for victim in ("a@example.net", "b@example.net", "c@example.net"):
        answers.append(api.post("/account/email", {"email": victim}, api.claims(jane)))
        clock.advance(60)
    pending = change_item(api, jane)

    over = api.post("/account/email", {"email": "d@example.net"}, api.claims(jane))

    assert [a.status for a in answers] == [202, 202, 202]
    assert over.status == 429
    assert [m["to"] for m in api.mail()] == ["a@example.net", "b@example.net", "c@example.net"]
    assert change_item(api, jane) == pending  # the refused request changed nothing stored
    assert len(pending["request_times_ms"]["L"]) == 3
    # An hour after the first request, one more fits; the log never holds more than the cap.
    clock.advance(3600 - 3 * 60)
    again = api.post("/account/email", {"email": "d@example.net"}, api.claims(jane))
    assert again.status == 202
    assert api.mail()[-1]["to"] == "d@example.net"
    assert len(change_item(api, jane)["request_times_ms"]["L"]) == 3
    clock.advance(30)  # the second request is still inside the hour
    assert api.post("/account/email", {"email": "e@example.net"}, api.claims(jane)).status == 429
    assert len(api.mail()) == 4


def request_and_miss(api: AccountApi, user: str, new_email: str, *, misses: int) -> str:
    """Ask to move `user` to `new_email`, answer `misses` wrong codes, and return the right one."""
    api.post("/account/email", {"email": new_email}, api.claims(user))
    code = change_code(api, new_email)
    for _ in range(misses):
        api.post("/account/email/confirm", {"email": new_email, "code": wrong(code)}, api.claims(user))
    return code


def test_after_five_wrong_codes_no_new_code_is_mailed_until_an_hour_passes(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(RESEND_MIN_SECONDS="60")
    clock = clock_of(api, monkeypatch)
    jane = api.add_user("jane@example.com")
    request_and_miss(api, jane, "first@example.com", misses=5)
    clock.advance(60)

    mails_before = len(api.mail())
    renewed = api.post("/account/email", {"email": "second@example.com"}, api.claims(jane))

    # The hour's five guesses are spent: a new code could not work, so none is mailed.
    assert renewed.status == 429
    assert len(api.mail()) == mails_before
    assert change_item(api, jane)["failures"]["N"] == "5"
    assert api.user(jane)["email"] == "jane@example.com"
    # An hour after the last wrong code and the last request, a new request starts afresh.
    clock.advance(3600)
    fresh = api.post("/account/email", {"email": "third@example.com"}, api.claims(jane))
    assert change_item(api, jane)["failures"]["N"] == "0"
    confirmed = api.post(
        "/account/email/confirm",
        {"email": "third@example.com", "code": change_code(api, "third@example.com")},
        api.claims(jane),
    )
    assert (fresh.status, confirmed.status) == (202, 200)
    assert api.user(jane)["email"] == "third@example.com"


def test_wrong_codes_do_not_carry_over_past_a_confirmed_change(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(RESEND_MIN_SECONDS="60")
    clock = clock_of(api, monkeypatch)
    jane = api.add_user("jane@example.com")
    code = request_and_miss(api, jane, "first@example.com", misses=4)
    confirmed = api.post(
        "/account/email/confirm", {"email": "first@example.com", "code": code}, api.claims(jane)
    )
    clock.advance(60)

    renewed = api.post("/account/email", {"email": "second@example.com"}, api.claims(jane))

    assert (confirmed.status, renewed.status) == (200, 202)
    item = change_item(api, jane)
    assert item["failures"]["N"] == "0"
    assert len(item["request_times_ms"]["L"]) == 2  # the send log is not reset by a success
    second_code = change_code(api, "second@example.com")
    wrong_once = api.post(
        "/account/email/confirm",
        {"email": "second@example.com", "code": wrong(second_code)},
        api.claims(jane),
    )
    right = api.post(
        "/account/email/confirm", {"email": "second@example.com", "code": second_code}, api.claims(jane)
    )
    assert (wrong_once.status, right.status) == (400, 200)
    assert api.user(jane)["email"] == "second@example.com"


# --- password mode: the invitation leads to "choose your password" -------------------------------


PASSWORD_MODE = {"SIGN_IN_MODE": "password-and-email-code"}
CHOSEN = "Chosen-passw0rd!"


def invite_in_password_mode(api: AccountApi) -> tuple[str, str]:
    admin = api.add_user("admin@example.com")
    answer = api.post("/invitations", {"email": "invitee@example.com"}, api.claims(admin, ADMIN))
    assert answer.status == 201
    [mail] = api.mail()
    [token] = set(TOKEN_IN_LINK.findall(mail["text"]))
    return answer.body["username"], token


def test_a_password_mode_invitation_keeps_the_user_waiting_for_a_password_and_mails_only_a_link(
    make_api: MakeApi,
) -> None:
    api = make_api(**PASSWORD_MODE)

    username, token = invite_in_password_mode(api)

    assert api.user(username)["status"] == "FORCE_CHANGE_PASSWORD"
    [mail] = api.mail()
    assert CODE_IN_TEXT.findall(mail["text"]) == []
    [item] = api.items()
    assert token not in json.dumps(item)


def test_accepting_with_the_link_token_sets_the_chosen_password_and_signs_in_once(make_api: MakeApi) -> None:
    api = make_api(**PASSWORD_MODE)
    username, token = invite_in_password_mode(api)
    body = {"email": "Invitee@example.com", "token": token, "password": CHOSEN}

    accepted = api.post("/invitations/accept", body)
    replayed = api.post("/invitations/accept", body)

    assert accepted.status == 200
    assert accepted.headers["Cache-Control"] == "no-store"
    assert set(accepted.body["authenticationResult"]) >= {"AccessToken", "IdToken", "RefreshToken"}
    assert api.user(username)["status"] == "CONFIRMED"
    signed_in = api.cognito.admin_initiate_auth(
        UserPoolId=api.pool_id,
        ClientId=api.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "invitee@example.com", "PASSWORD": CHOSEN},
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]
    assert replayed.status == 400
    assert replayed.body == {"message": "That invitation is not valid. Ask for a new one."}
    assert CHOSEN not in api.log_text()
    assert_no_secret_leaked(api, replayed)


def test_a_wrong_token_or_address_is_refused_and_leaves_the_invitation_usable(make_api: MakeApi) -> None:
    api = make_api(**PASSWORD_MODE)
    username, token = invite_in_password_mode(api)
    wrong_token = ("A" if token[0] != "A" else "B") + token[1:]

    answers = [
        api.post(
            "/invitations/accept", {"email": "invitee@example.com", "token": wrong_token, "password": CHOSEN}
        ),
        api.post("/invitations/accept", {"email": "nobody@example.com", "token": token, "password": CHOSEN}),
        api.post("/invitations/accept", {"email": "admin@example.com", "token": token, "password": CHOSEN}),
    ]
    right = api.post(
        "/invitations/accept", {"email": "invitee@example.com", "token": token, "password": CHOSEN}
    )

    assert [a.status for a in answers] == [400, 400, 400]
    assert len({json.dumps(a.body) for a in answers}) == 1
    assert right.status == 200
    assert api.user(username)["status"] == "CONFIRMED"


def test_accept_is_not_found_in_email_mode(api: AccountApi) -> None:
    answer = api.post(
        "/invitations/accept", {"email": "invitee@example.com", "token": "x" * 32, "password": CHOSEN}
    )

    assert answer.status == 404


def test_a_password_the_pool_refuses_is_400_and_the_user_keeps_no_password(make_api: MakeApi) -> None:
    api = make_api(**PASSWORD_MODE)
    username, token = invite_in_password_mode(api)

    answer = api.post(
        "/invitations/accept", {"email": "invitee@example.com", "token": token, "password": "short"}
    )

    assert answer.status == 400
    assert answer.body == {
        "message": "That password does not meet the password rules. Ask for a new invitation."
    }
    assert api.user(username)["status"] == "FORCE_CHANGE_PASSWORD"


# --- behind the REST API (the web ACL's front) ---------------------------------------------------

PAGE_ORIGIN = "https://page1234.execute-api.us-east-1.amazonaws.com"


@pytest.fixture
def rest(make_api: MakeApi) -> AccountApi:
    return make_api(ACCOUNT_API_PAYLOAD="rest", ACCOUNT_API_ALLOWED_ORIGIN=PAGE_ORIGIN)


def test_behind_the_rest_api_sign_ups_count_against_the_callers_address(rest: AccountApi) -> None:
    per_source = rest.settings.stranger_emails_per_source_per_hour

    answers = [
        rest.send(rest_api_event("/sign-up", {"email": f"person{n}@example.com"}, source_ip="198.51.100.9"))
        for n in range(per_source + 1)
    ]
    other = rest.send(rest_api_event("/sign-up", {"email": "other@example.com"}, source_ip="198.51.100.10"))

    assert {answer.status for answer in [*answers, other]} == {202}
    emails = {a["Value"] for user in rest.users() for a in user["Attributes"] if a["Name"] == "email"}
    # The address over its budget made no account; another address still could.
    assert emails == {f"person{n}@example.com" for n in range(per_source)} | {"other@example.com"}


def test_behind_the_rest_api_an_admin_invites_with_the_cognito_authorizers_claims(rest: AccountApi) -> None:
    admin = rest.add_user("admin@example.com")

    answer = rest.send(
        rest_api_event("/invitations", {"email": "invitee@example.com"}, rest.claims(admin, "admins"))
    )

    assert answer.status == 201
    assert [mail["to"] for mail in rest.mail()] == ["invitee@example.com"]


@pytest.mark.parametrize("front", ["http", "rest"])
def test_a_token_of_another_app_client_is_401_behind_either_front(make_api: MakeApi, front: str) -> None:
    api = make_api(ACCOUNT_API_PAYLOAD=front, ACCOUNT_API_ALLOWED_ORIGIN=PAGE_ORIGIN)
    admin = api.add_user("admin@example.com")
    # The REST API's Cognito authorizer would pass this token: the pool issued it, to another client.
    claims = {**api.claims(admin, "admins"), "client_id": "0ther5c1ient7id"}
    event = (rest_api_event if front == "rest" else api_event)(
        "/invitations", {"email": "invitee@example.com"}, claims
    )

    answer = api.send(event)

    assert answer.status == 401
    assert [u["Username"] for u in api.users()] == [admin]
    assert api.mail() == []


def test_behind_the_rest_api_the_pages_origin_gets_cors_headers_and_no_other_does(rest: AccountApi) -> None:
    preflight = rest.send(rest_api_event("/sign-up", method="OPTIONS", origin=PAGE_ORIGIN))
    answer = rest.send(rest_api_event("/sign-up", {"email": "new@example.com"}, origin=PAGE_ORIGIN))
    elsewhere = rest.send(
        rest_api_event("/sign-up", {"email": "new@example.com"}, origin="https://evil.example")
    )

    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert answer.status == 202
    assert answer.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in elsewhere.headers


@pytest.mark.parametrize("key_store", ["kms"])
def test_with_the_key_in_kms_an_invitation_works_and_a_kms_outage_leaves_nobody_behind(
    api: AccountApi,
) -> None:
    admin = api.add_user("admin@example.com")
    invited = api.post("/invitations", {"email": "first@example.com"}, api.claims(admin, ADMIN))
    assert invited.status == 201
    assert [mail["to"] for mail in api.mail()] == ["first@example.com"]

    kms = boto3.client("kms", region_name=REGION)
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].endswith("hmac-key")]
    kms.disable_key(KeyId=alias["TargetKeyId"])
    refused = api.post("/invitations", {"email": "second@example.com"}, api.claims(admin, ADMIN))
    changed = api.post("/account/email", {"email": "admin.new@example.com"}, api.claims(admin))

    assert (refused.status, refused.body) == (
        503,
        {"message": "The service is temporarily unavailable. Please try again."},
    )
    assert changed.status == 503
    assert [mail["to"] for mail in api.mail()] == ["first@example.com"]
    assert "second@example.com" not in {user["email"] for user in map(api.user, _usernames(api))}


def _usernames(api: AccountApi) -> list[str]:
    return [user["Username"] for user in api.users()]
