"""The two WebAuthn ceremonies, spoken by py_webauthn: options for the browser, and verification of
what it sends back. Nothing here parses CBOR or COSE or checks a signature itself.

py_webauthn (and the cryptography and OpenSSL code under it) is imported by the functions below, on
first use: the email sign-in's triggers never load it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from passwordless.passkeys.config import PasskeySettings
from passwordless.passkeys.credentials import Passkey, b64url

MAX_CREDENTIAL_JSON = 16_384
"""A browser's registration response is 1-2 KB with attestation "none"; a few KB with certificates."""
MAX_ASSERTION_JSON = 4_096
"""An assertion is well under 2 KB: client data, authenticator data, one signature, a user handle."""
TRANSPORTS = frozenset({"usb", "nfc", "ble", "internal", "hybrid", "cable", "smart-card"})
MIN_CREDENTIAL_ID_BYTES = 16
"""WebAuthn: a credential id holds at least 16 bytes (100 bits of entropy) and at most 1023."""
MAX_CREDENTIAL_ID_BYTES = 1023


class CeremonyRefused(ValueError):
    """The browser's answer does not verify; the text is for the log only, never for the caller."""


class VerifiedAssertion(NamedTuple):
    new_sign_count: int
    user_verified: bool
    backed_up: bool


def decode_b64url(value: object) -> bytes | None:
    if not isinstance(value, str) or not value.isascii() or len(value) > MAX_CREDENTIAL_JSON:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def client_challenge(credential: Mapping[str, Any]) -> bytes | None:
    """The challenge the browser signed over, read from clientDataJSON (verification re-checks it)."""
    response = credential.get("response")
    raw = decode_b64url(response.get("clientDataJSON") if isinstance(response, Mapping) else None)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return decode_b64url(data.get("challenge")) if isinstance(data, dict) else None


def registration_options(
    settings: PasskeySettings, *, username: str, email: str, challenge: bytes, existing: Sequence[Passkey]
) -> dict[str, Any]:
    from webauthn import generate_registration_options  # noqa: PLC0415 - see the module docstring
    from webauthn.helpers import options_to_json_dict  # noqa: PLC0415
    from webauthn.helpers.structs import (  # noqa: PLC0415
        AttestationConveyancePreference,
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=settings.rp_id,
        rp_name=settings.rp_name,
        # The user handle is the username: a usernameless sign-in reads it back and starts the
        # Cognito session with it.
        user_id=username.encode(),
        user_name=email or username,
        user_display_name=email or username,
        challenge=challenge,
        timeout=settings.timeout_seconds * 1000,
        attestation=AttestationConveyancePreference(settings.attestation),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement(settings.resident_key),
            user_verification=UserVerificationRequirement(settings.user_verification),
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=raw) for raw in _raw_ids(p.credential_id for p in existing)
        ],
    )
    created = options_to_json_dict(options)
    # The browser says whether the credential is discoverable: one that is not could never sign in,
    # because a challenge never names a user's credentials (that would tell who has an account).
    created["extensions"] = {"credProps": True}
    return created


def authentication_options(settings: PasskeySettings, *, challenge: bytes) -> dict[str, Any]:
    from webauthn import generate_authentication_options  # noqa: PLC0415
    from webauthn.helpers import options_to_json_dict  # noqa: PLC0415
    from webauthn.helpers.structs import UserVerificationRequirement  # noqa: PLC0415

    options = generate_authentication_options(
        rp_id=settings.rp_id,
        challenge=challenge,
        timeout=settings.timeout_seconds * 1000,
        user_verification=UserVerificationRequirement(settings.user_verification),
    )
    return options_to_json_dict(options)


def verify_registration(
    settings: PasskeySettings, credential: Mapping[str, Any], *, challenge: bytes, name: str, now_ms: int
) -> Passkey:
    from webauthn import verify_registration_response  # noqa: PLC0415
    from webauthn.helpers import decode_credential_public_key, decoded_public_key_to_cryptography  # noqa: PLC0415

    if _not_discoverable(credential):
        raise CeremonyRefused("not_discoverable")
    try:
        verified = verify_registration_response(**_expected(settings, credential, challenge))
        # A key that cannot verify anything is refused now rather than stored.
        decoded_public_key_to_cryptography(decode_credential_public_key(verified.credential_public_key))
    except Exception as error:  # py_webauthn parses the caller's bytes: any failure is a refusal
        raise CeremonyRefused(type(error).__name__) from None
    if not MIN_CREDENTIAL_ID_BYTES <= len(verified.credential_id) <= MAX_CREDENTIAL_ID_BYTES:
        raise CeremonyRefused("credential_id_length")
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, Mapping) else None
    return Passkey(
        credential_id=b64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=tuple(t for t in transports if t in TRANSPORTS)[:8]
        if isinstance(transports, list)
        else (),
        aaguid=verified.aaguid,
        created_ms=now_ms,
        last_used_ms=0,
        name=name,
        backed_up=verified.credential_backed_up,
    )


def verify_assertion(
    settings: PasskeySettings, credential: Mapping[str, Any], *, challenge: bytes, passkey: Passkey
) -> VerifiedAssertion:
    """Origin, RP ID, challenge, user presence (and verification as configured), the signature over
    them by the stored public key, and a sign count that moved on (or stays 0 on authenticators that
    keep none)."""
    from webauthn import verify_authentication_response  # noqa: PLC0415

    try:
        verified = verify_authentication_response(
            **_expected(settings, credential, challenge),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except Exception as error:  # py_webauthn parses the caller's bytes: any failure is a refusal
        raise CeremonyRefused(_reason(error)) from None
    return VerifiedAssertion(verified.new_sign_count, verified.user_verified, verified.credential_backed_up)


def _expected(settings: PasskeySettings, credential: Mapping[str, Any], challenge: bytes) -> dict[str, Any]:
    """What both ceremonies check the same way: the challenge, the RP ID, the exact origins, and
    user verification as configured."""
    return {
        "credential": dict(credential),
        "expected_challenge": challenge,
        "expected_rp_id": settings.rp_id,
        "expected_origin": list(settings.origins),
        "require_user_verification": settings.require_user_verification,
    }


def _not_discoverable(credential: Mapping[str, Any]) -> bool:
    """The browser reported (credProps) a credential that is not discoverable."""
    results = credential.get("clientExtensionResults")
    props = results.get("credProps") if isinstance(results, Mapping) else None
    return isinstance(props, Mapping) and props.get("rk") is False


def _reason(error: Exception) -> str:
    # py_webauthn says "sign count" in the one refusal a cloned authenticator causes.
    return "sign_count" if "sign count" in str(error) else type(error).__name__


def _raw_ids(ids: Any) -> list[bytes]:  # noqa: ANN401 - any iterable of ids
    return [raw for raw in (decode_b64url(i) for i in ids) if raw is not None]
