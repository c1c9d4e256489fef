"""The passkey client's create and verify: no email, ever; the answer is a WebAuthn assertion.

create asks nothing of AWS and names no credential: a challenge listing credential ids would tell
anyone who types an address whether it has an account and passkeys. The browser offers its
discoverable credentials instead, and verify checks the assertion:

    step                                          refused as      -> answerCorrect
    -----------------------------------------------------------------------------
    private parameters not ours                   foreign_parameters  false
    unknown user (same read as a known one)       unknown_user        false
    answer not a bounded JSON credential          malformed_answer    false
    credential not one of this user's             unknown_credential  false
    user handle names someone else                wrong_user          false
    origin, RP ID, challenge, presence,
      verification or signature wrong             <py_webauthn's>     false
    sign count not moved on (stored > 0)          possible_clone      false
    challenge not live, or spent already          challenge_spent     false
    sign count moved by another sign-in meanwhile possible_clone      false
    otherwise                                     -                   true

Only the last two write: the challenge's conditional delete, then the sign count's conditional update.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from passwordless.binding import Binding
from passwordless.challenge_issuer import IssuedChallenge, round_metadata_of
from passwordless.keyed_hash import KeyedHasher
from passwordless.passkeys.ceremonies import (
    MAX_ASSERTION_JSON,
    CeremonyRefused,
    client_challenge,
    decode_b64url,
    verify_assertion,
)
from passwordless.passkeys.challenges import ChallengeStore
from passwordless.passkeys.config import PasskeySettings
from passwordless.passkeys.credentials import PasskeyStore
from passwordless.security_events import SecurityLog
from passwordless.trigger_requests import CreateRequest, VerifyRequest

PUBLIC = {"passkey": "1"}
"""A passkey round's public parameters, the same for every user: the page asks the browser."""
PRIVATE = {"v": "passkey1"}
"""A passkey round's private parameters: nothing secret to carry (the challenge is in our table)."""


class PasskeySignIn:
    def __init__(
        self,
        settings: PasskeySettings,
        client_id: Callable[[], str],
        store: PasskeyStore,
        challenges: ChallengeStore,
        *,
        hasher: Callable[[], KeyedHasher],
        audit: SecurityLog,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`client_id` says the passkey app client's id ("" while not known: see passkeys.client_id)
        and may raise StorageUnavailable; `hasher` gives the keyed hash (its key is read on first use)."""
        self._settings = settings
        self._client_id = client_id
        self._store = store
        self._challenges = challenges
        self._hasher = hasher
        self._audit = audit
        self._clock = clock

    def serves(self, binding: Binding) -> bool:
        known = self._client_id()
        return bool(known) and binding.client_id == known

    def create(self, request: CreateRequest) -> IssuedChallenge:
        # The same for every user, known or not: nothing to read, so nothing to time.
        return IssuedChallenge(dict(PUBLIC), dict(PRIVATE), round_metadata_of(request).encode())

    def check(self, request: VerifyRequest) -> bool:  # noqa: PLR0911 - one return per row of the table above
        context = request.context
        binding = context.binding
        if context.resend_requested:
            return False
        # The same key request and read for a user who exists and one who does not.
        user = self._pseudonym(binding)
        if dict(request.private_parameters) != PRIVATE:
            return self._refused(binding, user, "foreign_parameters")
        held = self._store.load(binding.user_pool_id, binding.username)
        if context.user_not_found:
            self._audit.event("unknown_user", client=binding.client_id)
            return False
        credential = _credential(request.answer)
        if credential is None:
            return self._refused(binding, user, "malformed_answer")
        passkey = next((p for p in held if p.credential_id == credential.get("id")), None)
        if passkey is None:
            return self._refused(binding, user, "unknown_credential")
        response = credential.get("response")
        handle = response.get("userHandle") if isinstance(response, Mapping) else None
        if handle is not None and decode_b64url(handle) != binding.username.encode():
            return self._refused(binding, user, "wrong_user")
        challenge = client_challenge(credential)
        if challenge is None:
            return self._refused(binding, user, "malformed_answer")
        try:
            verified = verify_assertion(self._settings, credential, challenge=challenge, passkey=passkey)
        except CeremonyRefused as refusal:
            if str(refusal) == "sign_count":
                return self._refused(binding, user, "possible_clone", event="possible_clone")
            return self._refused(binding, user, str(refusal))
        # Spent before the count moves: a replayed assertion fails here, whatever its count says.
        if not self._challenges.spend(challenge, "sign-in"):
            return self._refused(binding, user, "challenge_spent")
        moved = self._store.record_use(
            binding.user_pool_id,
            binding.username,
            passkey.credential_id,
            verified_count=passkey.sign_count,
            new_count=verified.new_sign_count,
            backed_up=verified.backed_up,
            now_ms=int(self._clock() * 1000),
        )
        if not moved:
            return self._refused(binding, user, "possible_clone", event="possible_clone")
        self._audit.event(
            "passkey_signed_in",
            user=user,
            client=binding.client_id,
            user_verified=verified.user_verified,
        )
        return True

    def _refused(self, binding: Binding, user: str, reason: str, *, event: str = "passkey_failed") -> bool:
        if event == "possible_clone":
            self._audit.event("possible_clone", user=user, client=binding.client_id)
        self._audit.event("passkey_failed", user=user, client=binding.client_id, reason=reason)
        return False

    def _pseudonym(self, binding: Binding) -> str:
        return self._hasher().pseudonym(binding.user_pool_id, binding.username)


def _credential(answer: str) -> dict[str, Any] | None:
    """The assertion as a JSON object within bounds, or None."""
    if len(answer) > MAX_ASSERTION_JSON or not answer.isascii():
        return None
    try:
        parsed = json.loads(answer)
    except (ValueError, RecursionError):  # 4 KB of "[" nests deeper than the parser recurses
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("id"), str):
        return None
    return parsed


__all__ = ["PRIVATE", "PUBLIC", "PasskeySignIn"]
