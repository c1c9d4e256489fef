"""docs/security/requirements.md #27 with KeyStore kms: the real handlers sign people in while the HMAC key
stays in (embedded) KMS; each sign-in asks KMS at most three times; a KMS failure fails closed like an
unreadable secret; a rotation between issue and redemption signs in, and an unknown key version is a
generic refusal."""

from __future__ import annotations

import hashlib
import hmac
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.kms.models import kms_backends

from laptop.aws import REGION, new_hmac_key
from passwordless.errors import SignInUnavailable
from passwordless.keyed_hash import KeyedHasher, length_prefixed
from passwordless.settings import Settings
from tests.support.aws_calls import on_every_session, operation_name
from tests.support.flow import JANE, JOHN
from tests.support.lambda_handlers import Deployed, deploy

GENERIC = "Sign-in is temporarily unavailable. Please try again."
MAX_KMS_REQUESTS_PER_SIGN_IN = 3


@pytest.fixture
def requests() -> Iterator[Counter[str]]:
    """Every AWS request the handlers make, as "service:Operation", counted (ask for it before the
    stack, so the functions' sessions are made under watch)."""
    seen: Counter[str] = Counter()

    def record(model: Any, **_: Any) -> None:
        seen[operation_name(model)] += 1

    with on_every_session(record):
        yield seen


@pytest.fixture
def kms_deployed(kms_aws: Settings, outbox_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Deployed:
    monkeypatch.setenv("RESEND_MIN_SECONDS", "0")
    return deploy(outbox_dir, io.StringIO())


def code_in(mail: dict[str, str]) -> str:
    return next(word for word in mail["text"].split() if word.isdigit() and len(word) == 6)


def token_in(mail: dict[str, str]) -> str:
    return next(part for part in mail["text"].split() if "#" in part).split("t=", 1)[1].split("&")[0]


def key_material(arn: str) -> bytes:
    """The embedded key's bytes, which KMS would never hand out: only the test may read them."""
    backend = kms_backends[DEFAULT_ACCOUNT_ID][REGION]
    return bytes(backend.keys[backend.any_id_to_key_id(arn)].key_material)


def current_key_arn() -> str:
    kms = boto3.client("kms", region_name=REGION)
    alias = next(
        a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/passwordless-local-hmac-key"
    )
    return str(kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"])


def runtime_of(deployed: Deployed, trigger: str) -> Any:
    function = deployed.handlers[trigger]
    while "RUNTIME" not in function.__globals__:
        function = function.__wrapped__  # type: ignore[attr-defined]
    return function.__globals__["RUNTIME"]


def values_held(root: object) -> Iterator[object]:
    """Every value reachable from `root` through passwordless objects and plain containers."""
    pending, seen = [root], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            pending += [*node.keys(), *node.values()]
        elif isinstance(node, list | tuple | set | frozenset):
            pending += list(node)
        elif type(node).__module__.startswith("passwordless."):
            slots = [
                getattr(node, name) for name in getattr(type(node), "__slots__", ()) if hasattr(node, name)
            ]
            pending += [*getattr(node, "__dict__", {}).values(), *slots]


def test_a_code_sign_in_asks_kms_twice_and_never_reads_secrets_manager(
    requests: Counter[str], kms_deployed: Deployed
) -> None:
    # Given a stack whose HMAC key is in KMS
    # When Jane asks for a code and types it
    asked = kms_deployed.cognito.initiate_auth(JANE.email)
    done = kms_deployed.cognito.respond(asked, code_in(kms_deployed.mail()[-1]))
    # Then she is signed in, after one GenerateMac in create and one in verify
    assert done.kind == "tokens"
    assert requests["kms:GenerateMac"] == 2 <= MAX_KMS_REQUESTS_PER_SIGN_IN
    assert not [name for name in requests if name.startswith("secretsmanager:")]


def test_a_link_sign_in_stays_within_three_kms_requests(
    requests: Counter[str], kms_deployed: Deployed
) -> None:
    kms_deployed.cognito.initiate_auth(JANE.email)
    # The link page starts its own session, which reuses the live secret, then answers with the token
    fresh = kms_deployed.cognito.initiate_auth(JANE.email)
    done = kms_deployed.cognito.respond(fresh, token_in(kms_deployed.mail()[-1]))
    assert done.kind == "tokens"
    assert len(kms_deployed.mail()) == 1
    # One per create (the page's reuses the secret but derives the key for its log pseudonym) and one in
    # verify; here the page comes within the seconds the first create's key is kept, so it may take 2.
    assert requests["kms:GenerateMac"] in (2, MAX_KMS_REQUESTS_PER_SIGN_IN)


def test_the_functions_hold_no_key_material_and_hash_under_the_derived_user_key(
    kms_deployed: Deployed,
) -> None:
    asked = kms_deployed.cognito.initiate_auth(JANE.email)
    code = code_in(kms_deployed.mail()[-1])
    master = key_material(current_key_arn())
    # Nothing either trigger's runtime holds is, or contains, the KMS key's bytes
    for trigger in ("create", "verify"):
        held = [v for v in values_held(vars(runtime_of(kms_deployed, trigger))) if isinstance(v, bytes)]
        assert not [value for value in held if master in value], trigger
    # The stored digest is a local HMAC under K_user = KMS-HMAC(key, "user-key-v2", pool, username),
    # and the item names the key that made it
    (item,) = boto3.client("dynamodb", region_name=REGION).scan(TableName="passwordless-local")["Items"]
    pool, username = item["pk"]["S"].split("#", 1)
    user_key = hmac.new(master, length_prefixed("user-key-v2", pool, username), hashlib.sha256).digest()
    secret_id, client_id = item["secret_id"]["S"], item["client_id"]["S"]
    message = length_prefixed("v1", "code", pool, client_id, username, secret_id, code)
    assert item["code_hash"]["S"] == hmac.new(user_key, message, hashlib.sha256).hexdigest()
    assert item["key_version"]["S"] == current_key_arn() == asked.session.private["keyVersion"]
    assert kms_deployed.cognito.respond(asked, code).kind == "tokens"


def test_the_derived_key_is_never_shown(kms_deployed: Deployed) -> None:
    kms_deployed.cognito.initiate_auth(JANE.email)
    hasher: KeyedHasher = runtime_of(kms_deployed, "create").hasher
    derived = [v for v in values_held(hasher) if isinstance(v, bytes)]
    assert derived  # held for this invocation's user, for a few seconds
    shown = repr(hasher) + repr(vars(hasher)) + kms_deployed.logs.getvalue()
    for value in derived:
        assert value.hex() not in shown
        assert repr(value) not in shown


@pytest.mark.parametrize(
    "fault",
    ["disabled", "throttled"],
)
def test_a_kms_failure_fails_create_and_verify_cleanly(kms_deployed: Deployed, fault: str) -> None:
    # Given a code Jane was sent while KMS was answering
    asked = kms_deployed.cognito.initiate_auth(JANE.email)
    code = code_in(kms_deployed.mail()[-1])
    # When KMS stops answering (the key disabled, or every request throttled)
    kms = boto3.client("kms", region_name=REGION)
    if fault == "disabled":
        kms.disable_key(KeyId=kms.describe_key(KeyId=current_key_arn())["KeyMetadata"]["KeyId"])
    else:
        throttled = ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GenerateMac"
        )

        def throttle(**_: Any) -> None:
            raise throttled

        for trigger in ("create", "verify"):
            runtime_of(kms_deployed, trigger).client("kms").meta.events.register(
                "before-call.kms.GenerateMac", throttle
            )
    # Then both her answer and John's new sign-in fail closed with the generic, retryable error
    with pytest.raises(SignInUnavailable):
        kms_deployed.cognito.respond(asked, code)
    with pytest.raises(SignInUnavailable):
        kms_deployed.cognito.initiate_auth(JOHN.email)
    assert kms_deployed.errors == [f"SignInUnavailable: {GENERIC}"] * 2
    assert len(kms_deployed.mail()) == 1
    unavailable = [r for r in kms_deployed.log_records() if r.get("security_event") == "unavailable"]
    assert {r["dependency"] for r in unavailable} == {"kms"}


def test_a_rotation_between_issue_and_redemption_still_signs_in(
    kms_deployed: Deployed,
    outbox_dir: Path,
) -> None:
    # Given a code issued under the stack's first key
    asked = kms_deployed.cognito.initiate_auth(JANE.email)
    first = current_key_arn()
    # When the alias is pointed at a new HMAC key
    kms = boto3.client("kms", region_name=REGION)
    second = new_hmac_key(kms)
    kms.update_alias(AliasName="alias/passwordless-local-hmac-key", TargetKeyId=second)
    # Then the code, hashed under the first key, still signs her in
    assert kms_deployed.cognito.respond(asked, code_in(kms_deployed.mail()[-1])).kind == "tokens"
    # And the next secret (from a container started after the rotation) is hashed under the new key
    redeployed = deploy(outbox_dir, io.StringIO())
    again = redeployed.cognito.initiate_auth(JANE.email)
    (item,) = boto3.client("dynamodb", region_name=REGION).scan(TableName="passwordless-local")["Items"]
    assert item["key_version"]["S"] == again.session.private["keyVersion"] == second != first
    assert redeployed.cognito.respond(again, code_in(redeployed.mail()[-1])).kind == "tokens"


@pytest.mark.parametrize(
    "version",
    [
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000",  # no such key
        "arn:aws:kms:us-east-1:123456789012:key/../../alias",  # malformed
        "",  # present but empty
    ],
)
def test_an_unknown_key_version_is_a_refused_answer_not_an_error(
    kms_deployed: Deployed, version: str
) -> None:
    # Given a code whose challenge parameters name a key version that is not one of the stack's keys
    asked = kms_deployed.cognito.initiate_auth(JANE.email)
    asked.session.private["keyVersion"] = version
    # When Jane types the right code
    again = kms_deployed.cognito.respond(asked, code_in(kms_deployed.mail()[-1]))
    # Then the answer is refused like a wrong one: no tokens, no error, nothing spent
    assert again.kind == "challenge"
    assert kms_deployed.errors == []
    reasons = [r.get("reason") for r in kms_deployed.log_records() if r.get("security_event") == "rejected"]
    assert reasons == ["unknown_key" if version.count("/") == 1 else "foreign_parameters"]
