"""Every file in events/, built from laptop.sample_state so none of them is edited by hand.

    python -m laptop.sample_events --write events    # (re)write the files
    python -m laptop.sample_events --check events    # exit 1 if any file differs from what is built here

Each event is shaped as Cognito shapes it: InitiateAuth's ClientMetadata reaches no challenge trigger,
so `clientMetadata` appears only in rounds that answer RespondToAuthChallenge with some; a user that does
not exist (PreventUserExistenceErrors) arrives with `userNotFound: true` and no attributes.

The define_password_* and create_password_* events are sessions of password-and-email-code mode (SRP_A,
PASSWORD_VERIFIER, then our rounds); an event does not carry the mode, so they decide as that mode only
with SIGN_IN_MODE=password-and-email-code set for the function (in email mode define fails them).
The pre_sign_up_* events meet laptop.invoke's SIGN_UP_ALLOWED_DOMAINS (example.com unless set).
The attach_triggers_* files are CloudFormation's Create, Update and Delete requests to the setup
function (laptop.sample_pool builds them, for the existing pools the sample state holds).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from laptop.aws import LOCAL_HMAC_KEY, REGION
from laptop.sample_api_events import build_api_events
from laptop.sample_message_events import build_message_events
from laptop.sample_pool import build_setup_events
from laptop.sample_state import (
    JANE,
    JOHN,
    SAM,
    SAMPLE_CLIENT_ID,
    SAMPLE_CODE,
    SAMPLE_POOL_ID,
    SAMPLE_TOKEN,
    SampleUser,
    sample_private_parameters,
)
from passwordless.events import CUSTOM_CHALLENGE, RESEND_KEY
from passwordless.keyed_hash import KeyedHasher
from passwordless.round_metadata import RoundKind, RoundMetadata

Event = dict[str, Any]

POST_AUTHENTICATION = "PostAuthentication_Authentication"
NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE"  # Cognito's clientId for an administrator's API call
NEW_USERNAME = "4f1d8b2a-6c3e-4a5f-9b70-e1d2c3b4a596"  # the sub Cognito gives a new user
DEFINE = "DefineAuthChallenge_Authentication"
CREATE = "CreateAuthChallenge_Authentication"
VERIFY = "VerifyAuthChallengeResponse_Authentication"
SESSION_NONCE = "5e55101a0a11ce00"
SDK_VERSION = "aws-sdk-unknown-unknown"  # what Cognito reports for a caller it cannot name
UNKNOWN_USERNAME = "nobody@example.com"  # PreventUserExistenceErrors passes on what was typed
EXPIRED_MS = 1_767_226_200_000  # 2026-01-01T00:10:00Z: the sample secret's ten minutes, long gone
RESEND = {RESEND_KEY: "true"}
DESCRIPTION = "Write or check the sample trigger events (events/*.json)."


def build_events() -> dict[str, Event]:
    """File stem -> event, one per state worth seeing."""
    hasher = KeyedHasher(LOCAL_HMAC_KEY.encode())
    live = sample_private_parameters(hasher)
    return {
        **_define_events(),
        **_password_mode_events(),
        **_create_events(),
        "verify_right_code": _verify(JANE, live, SAMPLE_CODE),
        "verify_right_link_token": _verify(JANE, live, SAMPLE_TOKEN),
        "verify_wrong_code": _verify(JANE, live, "654321"),
        "verify_expired": _verify(
            JANE, sample_private_parameters(hasher, expires_ms=EXPIRED_MS), SAMPLE_CODE
        ),
        # A naive custom-auth flow keeps the answer itself in the private parameters; ours must not
        # take such a map (or any other it did not write) as a challenge, even when the answer fits it.
        "verify_foreign_parameters": _verify(JANE, {"answer": SAMPLE_CODE}, SAMPLE_CODE),
        "verify_unknown_user": _verify(None, _decoy_parameters(), SAMPLE_CODE),
        **_pre_sign_up_events(),
        "post_authentication_unverified": _post_authentication(SAM),
        "post_authentication_verified": _post_authentication(JANE),
        **build_message_events(),
        **build_api_events(),
        **build_setup_events(),
    }


def _define_events() -> dict[str, Event]:
    first_wrong = _round("first", result=False)
    retry_wrong = _round("retry", result=False)
    return {
        "define_new_session": _define(JANE, []),
        "define_after_wrong_answer": _define(JANE, [first_wrong]),
        "define_after_right_answer": _define(JANE, [first_wrong, _round("retry", result=True)]),
        "define_at_wrong_answer_cap": _define(JANE, [first_wrong, retry_wrong, retry_wrong]),
        "define_resend": _define(JANE, [first_wrong], client_metadata=RESEND),
        # Password first, then this flow: outside the optional password-first mode, never tokens.
        "define_foreign_challenge": _define(
            JANE, [_foreign_round("SRP_A"), _foreign_round("PASSWORD_VERIFIER")]
        ),
        "define_unknown_user": _define(None, [_round("first", result=True)]),
    }


def _password_mode_events() -> dict[str, Event]:
    srp_a, verified = _foreign_round("SRP_A"), _foreign_round("PASSWORD_VERIFIER")
    wrong_password = {**verified, "challengeResult": False}
    return {
        "define_password_srp_a": _define(JANE, [srp_a]),
        "define_password_verified": _define(JANE, [srp_a, verified]),
        "define_password_wrong_password": _define(JANE, [srp_a, wrong_password]),
        "define_password_code_right": _define(JANE, [srp_a, verified, _round("first", result=True)]),
        "define_password_code_wrong": _define(JANE, [srp_a, verified, _round("first", result=False)]),
        "define_password_skipped": _define(JANE, [_round("first", result=True)]),
        "create_password_first_round": _create(JOHN, [srp_a, verified]),
    }


def _pre_sign_up_events() -> dict[str, Event]:
    self_service = {"signUp": "self"}
    return {
        "pre_sign_up_self_sign_up": _pre_sign_up("SignUp", "new.person@example.com"),
        "pre_sign_up_via_account_api": _pre_sign_up(
            "AdminCreateUser", "new.person@example.com", client_metadata=self_service
        ),
        "pre_sign_up_via_account_api_disallowed_domain": _pre_sign_up(
            "AdminCreateUser", "someone@elsewhere.example", client_metadata=self_service
        ),
        "pre_sign_up_admin_invite": _pre_sign_up("AdminCreateUser", "guest@elsewhere.example", name="Guest"),
        "pre_sign_up_disallowed_domain": _pre_sign_up("SignUp", "someone@elsewhere.example"),
        "pre_sign_up_malformed_email": _pre_sign_up("SignUp", "new.person@@example.com"),
        "pre_sign_up_oversized_name": _pre_sign_up("SignUp", "new.person@example.com", name="N" * 257),
        "pre_sign_up_external_provider": _pre_sign_up("ExternalProvider", "new.person@example.com"),
    }


def _pre_sign_up(
    source: str, email: str, *, name: str = "", client_metadata: Mapping[str, str] | None = None
) -> Event:
    attributes = {"email": email, **({"name": name} if name else {})}
    request: Event = {"userAttributes": attributes, "validationData": None}
    if client_metadata is not None:
        request["clientMetadata"] = dict(client_metadata)
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": SAMPLE_POOL_ID,
        "userName": NEW_USERNAME,
        "callerContext": {
            "awsSdkVersion": SDK_VERSION,
            "clientId": NOT_APPLICABLE if source == "AdminCreateUser" else SAMPLE_CLIENT_ID,
        },
        "triggerSource": f"PreSignUp_{source}",
        "request": request,
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


def _post_authentication(user: SampleUser) -> Event:
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": SAMPLE_POOL_ID,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": SAMPLE_CLIENT_ID},
        "triggerSource": POST_AUTHENTICATION,
        "request": {"userAttributes": user.attributes(), "newDeviceUsed": False},
        "response": {},
    }


def _create_events() -> dict[str, Event]:
    return {
        "create_first_round_live_secret": _create(JANE, []),
        "create_first_round_no_secret": _create(JOHN, []),
        "create_resend": _create(JANE, [_round("first", result=False)], client_metadata=RESEND),
        "create_unknown_user": _create(None, []),
    }


def _define(
    user: SampleUser | None, session: list[Event], *, client_metadata: Mapping[str, str] | None = None
) -> Event:
    return _event(DEFINE, user, {"session": session}, client_metadata)


def _create(
    user: SampleUser | None, session: list[Event], *, client_metadata: Mapping[str, str] | None = None
) -> Event:
    request = {"challengeName": CUSTOM_CHALLENGE, "session": session}
    return _event(CREATE, user, request, client_metadata)


def _verify(user: SampleUser | None, private: Mapping[str, str], answer: str) -> Event:
    request = {"privateChallengeParameters": dict(private), "challengeAnswer": answer}
    return _event(VERIFY, user, request, None)


def _event(
    trigger: str,
    user: SampleUser | None,
    request: Event,
    client_metadata: Mapping[str, str] | None,
) -> Event:
    extra: Event = {} if client_metadata is None else {"clientMetadata": dict(client_metadata)}
    return {
        "version": "1",
        "region": REGION,
        "userPoolId": SAMPLE_POOL_ID,
        "userName": user.username if user else UNKNOWN_USERNAME,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": SAMPLE_CLIENT_ID},
        "triggerSource": trigger,
        "request": {
            "userAttributes": user.attributes() if user else {},
            **request,
            **extra,
            "userNotFound": user is None,
        },
        "response": {},
    }


def _round(kind: RoundKind, *, result: bool) -> Event:
    metadata = RoundMetadata(kind, SESSION_NONCE).encode()
    return {"challengeName": CUSTOM_CHALLENGE, "challengeResult": result, "challengeMetadata": metadata}


def _foreign_round(name: str) -> Event:
    return {"challengeName": name, "challengeResult": True, "challengeMetadata": None}


def _decoy_parameters() -> dict[str, str]:
    # The shape create returns for a user that does not exist: well formed, matching nothing.
    return {
        "v": "1",
        "secretId": "0d0c0e0f" * 4,
        "tokenHash": "7e57" * 16,
        "codeHash": "c0de" * 16,
        "expiresMs": "4102444800000",
    }


def render(event: Event) -> str:
    return json.dumps(event, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[str]:
    """Write every event; return the names of other .json files found there (left alone)."""
    folder.mkdir(parents=True, exist_ok=True)
    events = build_events()
    for stem, event in events.items():
        (folder / f"{stem}.json").write_text(render(event), encoding="utf-8")
    return sorted(path.name for path in folder.glob("*.json") if path.stem not in events)


def drift(folder: Path) -> list[str]:
    """One line per file that is missing, different or not built here; empty when the folder matches."""
    events = build_events()
    problems = []
    for stem, event in events.items():
        path = folder / f"{stem}.json"
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != render(event):
            problems.append(f"{path}: differs from laptop/sample_events.py")
    problems += [
        f"{path}: not built by laptop/sample_events.py"
        for path in sorted(folder.glob("*.json"))
        if path.stem not in events
    ]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m laptop.sample_events", description=DESCRIPTION)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="DIR", type=Path, help="(re)write the sample events into DIR")
    action.add_argument("--check", metavar="DIR", type=Path, help="exit 1 if DIR differs from the samples")
    args = parser.parse_args(argv)
    if args.write is not None:
        for name in write(args.write):
            print(f"note: {args.write / name} is not built here; remove it or add it", file=sys.stderr)
        return 0
    problems = drift(args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run: python -m laptop.sample_events --write events", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
