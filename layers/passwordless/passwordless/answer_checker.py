"""VerifyAuthChallengeResponse: is this answer the live secret, and can it be spent now?

Order matters: parse everything first (bad input changes nothing stored), compare keyed digests in
constant time, then let ONE conditional write decide; a wrong answer is counted atomically.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from passwordless.events import MAX_ANSWER_LENGTH
from passwordless.keyed_hash import KeyedHasher, SecretKind, UnknownKeyVersion, digests_match
from passwordless.private_parameters import PrivateParameters, parse_private
from passwordless.secret_store import SecretStore, item_key
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings
from passwordless.trigger_requests import VerifyRequest

_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,128}")
_CODE_SEPARATORS = str.maketrans("", "", " -")  # people type "123 456" or "123-456"


def classify_answer(answer: str, code_length: int) -> tuple[SecretKind, str] | None:
    """("code", digits) or ("token", token); None for anything else, without looking further."""
    if len(answer) > MAX_ANSWER_LENGTH or not answer.isascii():
        return None
    compact = answer.strip().translate(_CODE_SEPARATORS)
    if len(compact) == code_length and compact.isdigit():
        return "code", compact
    if _TOKEN.fullmatch(answer):
        return "token", answer
    return None


class AnswerChecker:
    def __init__(
        self,
        settings: Settings,
        store: SecretStore,
        hasher: KeyedHasher,
        audit: SecurityLog,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._store = store
        self._hasher = hasher
        self._audit = audit
        self._clock = clock

    def check(self, request: VerifyRequest) -> bool:
        context = request.context
        if context.resend_requested:
            return False  # a resend request is not an answer: nothing is compared or counted
        parameters = parse_private(request.private_parameters)
        answer = classify_answer(request.answer, self._settings.code_length)
        if parameters is None or answer is None:
            reason = "foreign_parameters" if parameters is None else "malformed_answer"
            self._audit.event("rejected", client=context.binding.client_id, reason=reason)
            return False
        return self._check(request, parameters, answer)

    def _check(
        self, request: VerifyRequest, parameters: PrivateParameters, answer: tuple[SecretKind, str]
    ) -> bool:
        context = request.context
        key = item_key(context.binding)
        try:
            # Under the key the digests were made with, whatever the current key is now. Asked for
            # an unknown user too, so that both make the same key request.
            hasher = self._hasher.at_version(parameters.key_version)
            user = hasher.pseudonym(context.binding.user_pool_id, context.binding.username)
        except UnknownKeyVersion:
            self._audit.event("rejected", client=context.binding.client_id, reason="unknown_key")
            return False
        if context.user_not_found:
            # The same conditional write a wrong answer makes; with no item it changes nothing.
            self._store.record_failure(key)
            self._audit.event("unknown_user", client=context.binding.client_id)
            return False
        now_ms = int(self._clock() * 1000)
        if now_ms >= parameters.expires_ms:
            self._audit.event("failed", user=user, client=context.binding.client_id, reason="expired")
            return False
        kind, value = answer
        expected = parameters.token_hash if kind == "token" else parameters.code_hash
        actual = hasher.digest(kind, context.binding, parameters.secret_id, value)
        if digests_match(expected, actual):
            return self._spend(
                key, parameters, kind, now_ms=now_ms, user=user, client=context.binding.client_id
            )
        failures = self._store.record_failure(key)
        self._audit.event("failed", user=user, client=context.binding.client_id, reason=f"wrong_{kind}")
        if failures == self._settings.max_code_failures:
            self._audit.event("locked", user=user, client=context.binding.client_id)
        return False

    def _spend(
        self,
        key: str,
        parameters: PrivateParameters,
        kind: SecretKind,
        *,
        now_ms: int,
        user: str,
        client: str,
    ) -> bool:
        cap = self._settings.max_code_failures if kind == "code" else None
        if self._store.consume(key, parameters.secret_id, now_ms, max_code_failures=cap):
            self._audit.event("consumed", user=user, client=client, kind=kind)
            return True
        # Right digest, but already spent, replaced by a newer secret, expired, or code entry locked.
        self._audit.event("failed", user=user, client=client, reason=f"unusable_{kind}")
        return False
