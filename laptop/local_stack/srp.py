"""The server side of Amazon Cognito's SRP-6a (USER_SRP_AUTH and its PASSWORD_VERIFIER challenge), so the
local stack answers the clients apps ship (Amplify, amazon-cognito-identity-js, pycognito) as Cognito does.

Cognito's variant is not RFC 5054's, and a client notices every difference: numbers are hashed as "padded
hex" (even length, one leading zero byte when the high bit is set; never padded to N's length), x hashes the
pool name (the pool id after its "_") with the user id, and the session key is HKDF-SHA256 of S salted with
u under the info "Caldera Derived Key", cut to 16 bytes. The embedded Cognito keeps plaintext passwords, so
the verifier v is derived afresh for each challenge, with a fresh salt.

This is the local stack's stand-in for Cognito's server, never shipped in the layer. The primitives
are the standard library's (SHA-256, HMAC) and `cryptography`'s (HKDF); what is written here is the
protocol's arithmetic over them, which no maintained Python library serves in Cognito's variant, and
it is proven against the clients' own code (pycognito in tests/unit/test_srp_server.py, Amplify and
amazon-cognito-identity-js in tests/clients/).

The module is pure: it draws randomness from `secrets` and keeps no state. What a later
RespondToAuthChallenge needs is the derived key, which the caller holds in its session.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

N_HEX: Final = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
"""The 3072-bit MODP prime of RFC 3526 group 15, the N every Cognito client carries."""
N: Final = int(N_HEX, 16)
G: Final = 2
KEY_LENGTH: Final = 16
"""Bytes in the key that signs PASSWORD_CLAIM_SIGNATURE, as Cognito clients derive it."""
_HKDF_INFO: Final = b"Caldera Derived Key"
_SALT_BYTES: Final = 16
_EPHEMERAL_BITS: Final = 1024
_SECRET_BLOCK_BYTES: Final = 64
_MAX_SRP_A_DIGITS: Final = 2 * len(N_HEX)
"""Any honest A is below N; one far longer is refused before it is parsed or exponentiated."""
_HEX: Final = re.compile(r"[0-9a-fA-F]+")


class SrpRefused(ValueError):
    """The client's SRP_A cannot start an exchange (not hex, or A % N == 0, which would let a client
    that knows no password fix S), or the draw produced a u of zero, which would take v out of S."""


def _pad(value: int) -> bytes:
    """The bytes Cognito's clients hash for a number: their padHex (even-length hex, "00" prefixed when
    the top bit is set), which is the shortest big-endian two's-complement form of a non-negative int."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _hash_int(data: bytes) -> int:
    return int.from_bytes(_hash(data), "big")


K: Final = _hash_int(_pad(N) + _pad(G))
"""SRP-6a's multiplier, k = H(PAD(N) | PAD(g)) with the clients' padding (a 00 before N, g as 02)."""


def _scrambler(big_a: int, big_b: int) -> int:
    """u = H(PAD(A) | PAD(B)), with A as the client sent it, since that is the A the client hashed."""
    return _hash_int(_pad(big_a) + _pad(big_b))


def _private_key(pool_name: str, user_id: str, password: str, salt: int) -> int:
    """x = H(PAD(salt) | H(pool name | user id | ":" | password)), as the clients derive it."""
    identity = _hash(f"{pool_name}{user_id}:{password}".encode())
    return _hash_int(_pad(salt) + identity)


def _ephemeral() -> int:
    """b, and a decoy's exponent: 1024 random bits (clients draw a from 128 random bytes), never zero."""
    return 1 + secrets.randbelow(2**_EPHEMERAL_BITS - 1)


def _new_secret_block() -> str:
    """Standard base64, which pycognito (standard alphabet) and Amplify (URL-safe or standard) both decode."""
    return base64.b64encode(secrets.token_bytes(_SECRET_BLOCK_BYTES)).decode("ascii")


def pool_name_of(pool_id: str) -> str:
    """The part of a pool id ("eu-west-1_AbCd" -> "AbCd") that Cognito's clients put in x and sign over,
    taken as they take it (the second "_"-separated field)."""
    parts = pool_id.split("_")
    if len(parts) < 2 or not parts[1]:
        raise ValueError(f"not a user pool id: {pool_id!r}")
    return parts[1]


@dataclass(frozen=True)
class PasswordVerifierChallenge:
    """One PASSWORD_VERIFIER challenge: the public values the client is sent, and the key that later
    checks its signature. Neither b nor the password is kept: the caller holds only what verifying needs."""

    salt: str
    """SALT: lowercase hex without leading zeros, the one spelling every client hashes alike (pycognito
    pads the string it receives, Amplify re-spells the number)."""
    srp_b: str
    """SRP_B: B = (k*v + g^b) % N, lowercase hex without leading zeros."""
    secret_block: str
    """SECRET_BLOCK: opaque random bytes in standard base64, which the client signs over and echoes as
    PASSWORD_CLAIM_SECRET_BLOCK."""
    key: bytes = field(repr=False)
    """The derived 16-byte key for verify_password_claim; empty for a decoy, which it never accepts. It stays
    server-side and out of repr: with it, whoever chose the client's a could test password guesses offline."""

    def challenge_parameters(self, *, username: str, user_id_for_srp: str) -> dict[str, str]:
        """InitiateAuth's ChallengeParameters for PASSWORD_VERIFIER, named as Cognito names them. Clients
        sign over USER_ID_FOR_SRP, so the verifying call must be given that same id."""
        return {
            "SALT": self.salt,
            "SECRET_BLOCK": self.secret_block,
            "SRP_B": self.srp_b,
            "USERNAME": username,
            "USER_ID_FOR_SRP": user_id_for_srp,
        }


def _parse_srp_a(srp_a: str) -> int:
    if len(srp_a) > _MAX_SRP_A_DIGITS or not _HEX.fullmatch(srp_a):
        raise SrpRefused("SRP_A is not a hex number")
    big_a = int(srp_a, 16)
    if big_a % N == 0:
        raise SrpRefused("SRP_A % N is zero")
    return big_a


def start_password_verifier(
    *, pool_id: str, user_id: str, password: str, srp_a: str
) -> PasswordVerifierChallenge:
    """Answers USER_SRP_AUTH's SRP_A for a user whose plaintext password is at hand. `user_id` is the
    pool's username (what is sent as USER_ID_FOR_SRP), not the alias the client may have signed in with.
    Raises SrpRefused for an SRP_A no honest client sends."""
    big_a = _parse_srp_a(srp_a)
    salt = int.from_bytes(secrets.token_bytes(_SALT_BYTES), "big")
    verifier = pow(G, _private_key(pool_name_of(pool_id), user_id, password, salt), N)
    ephemeral = _ephemeral()
    big_b = (K * verifier + pow(G, ephemeral, N)) % N
    scrambler = _scrambler(big_a, big_b)
    if scrambler == 0:
        raise SrpRefused("u is zero")
    premaster = pow(big_a * pow(verifier, scrambler, N), ephemeral, N)
    key = HKDF(algorithm=SHA256(), length=KEY_LENGTH, salt=_pad(scrambler), info=_HKDF_INFO).derive(
        _pad(premaster)
    )
    return PasswordVerifierChallenge(f"{salt:x}", f"{big_b:x}", _new_secret_block(), key)


def decoy_password_verifier(*, pool_id: str, user_id: str, srp_a: str) -> PasswordVerifierChallenge:
    """What PreventUserExistenceErrors answers an unknown user with: a challenge made exactly as a real
    one (the same checks of SRP_A, the same work, a fresh salt) for a password nobody holds, with its key
    thrown away, so verify_password_claim refuses every signature. Neither a refusal of SRP_A nor the
    time taken tells a known user from an unknown one."""
    challenge = start_password_verifier(
        pool_id=pool_id, user_id=user_id, password=secrets.token_urlsafe(32), srp_a=srp_a
    )
    return dataclasses.replace(challenge, key=b"")


def verify_password_claim(
    key: bytes, *, pool_name: str, user_id: str, secret_block: str, timestamp: str, signature: str
) -> bool:
    """Whether PASSWORD_CLAIM_SIGNATURE is HMAC-SHA256(key, pool name | user id | secret block bytes |
    TIMESTAMP), compared in constant time. `pool_name` is pool_name_of(pool id), `user_id` the
    USER_ID_FOR_SRP the challenge was sent with, and `secret_block` the SECRET_BLOCK as handed out.
    Anything a client could send malformed (bad base64, text UTF-8 cannot encode) is just not verified.
    The timestamp is taken as signed; whether it is recent is the caller's rule."""
    try:
        claimed = base64.b64decode(signature, validate=True)
        message = b"".join(
            (
                f"{pool_name}{user_id}".encode(),
                base64.b64decode(secret_block, validate=True),
                timestamp.encode(),
            )
        )
    except ValueError:
        return False
    expected = hmac.digest(key, message, "sha256")
    return hmac.compare_digest(expected, claimed) and len(key) == KEY_LENGTH
