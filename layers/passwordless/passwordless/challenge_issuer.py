"""CreateAuthChallenge: reuse the user's live secret or issue (and email) a new one.

    round           live secret for this client          -> plan
    -----------------------------------------------------------------------------------------
    any             stored, not yet sent, send in flight   -> REUSE   (another call is emailing it)
    any             stored, not sent (failed or stale)     -> REPLACE (retry: send a fresh one)
    first / retry   sent                                   -> REUSE   (no email)
    resend          sent in this very round                -> REUSE   (Cognito retried the call)
    resend          sent in an earlier round               -> ISSUE, unless throttled
    first           none                                   -> ISSUE, unless throttled
    retry           none (spent, expired, replaced)        -> NOTHING (nobody asked for an email)

Cognito retries a create call that fails or takes over 5 s, with the same event; this table is what
makes such a retry send at most one email for one request.

First and resend rounds, which mostly issue, write first: one conditional UpdateItem that stores the
new secret only where the table says ISSUE (write_first_guard), and otherwise hands back the item
for the table to decide on. Retry rounds never issue, so they read. Either way a known user's create
reads the item at most once, and a sign-in costs one issue write, one "sent" mark and verify's spend.
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from passwordless import round_metadata, secret_values
from passwordless.binding import Binding
from passwordless.email import EmailDeliveryError, EmailSender, SignInEmail
from passwordless.email.locales import app_name_for, resolve_locale
from passwordless.errors import SignInUnavailable, StorageUnavailable
from passwordless.events import CUSTOM_CHALLENGE, ChallengeRecord
from passwordless.keyed_hash import KeyedHasher
from passwordless.links import magic_link
from passwordless.masking import mask_email
from passwordless.private_parameters import PrivateParameters
from passwordless.response_pacer import ResponsePacer
from passwordless.round_metadata import RoundKind, RoundMetadata
from passwordless.secret_store import (
    HOUR_MS,
    EmailQuota,
    IssueGuard,
    ItemChanged,
    SecretStore,
    StoredSecret,
    UserRecord,
    item_key,
)
from passwordless.security_events import SecurityLog
from passwordless.settings import Settings
from passwordless.stranger_budget import StrangerBudget
from passwordless.trigger_requests import CreateRequest

IN_FLIGHT_MS = 5_000  # Cognito's trigger timeout: a send older than this belongs to a dead attempt.


def round_key_of(session: tuple[ChallengeRecord, ...]) -> str:
    """Identical for Cognito's retries of one create call, different for every other round (each
    session's metadata carries its own nonce). A digest, so it stores in fixed size."""
    history = json.dumps([[r.name, r.result, r.metadata] for r in session], separators=(",", ":"))
    return hashlib.sha256(history.encode()).hexdigest()


class Plan(enum.Enum):
    REUSE = "reuse"
    ISSUE = "issue"
    REPLACE = "replace"
    THROTTLED = "throttled"
    NOTHING = "nothing"


@dataclass(frozen=True)
class FreshSecret:
    """A just-stored secret with its raw values, which exist only in memory until the email is sent.

    A frozen dataclass, not a NamedTuple, like every record holding a raw code or link (the emails in
    passwordless.email.message): a tuple is serialized field by field by a JSON log formatter, past
    the redacting repr."""

    stored: StoredSecret
    code: str
    token: str

    def __repr__(self) -> str:
        return f"FreshSecret(secret_id={self.stored.secret_id!r}, <values redacted>)"


class IssuedChallenge(NamedTuple):
    public: dict[str, str]
    private: dict[str, str]
    metadata: str


def choose_plan(
    record: UserRecord | None,
    live: StoredSecret | None,
    *,
    kind: RoundKind,
    round_key: str,
    now_ms: int,
    settings: Settings,
) -> Plan:
    if live is not None and not live.sent:
        in_flight = not live.send_failed and now_ms - live.issued_ms < IN_FLIGHT_MS
        return Plan.REUSE if in_flight else Plan.REPLACE
    if live is not None and (kind != "resend" or live.round_key == round_key):
        return Plan.REUSE
    if kind == "retry":
        return Plan.NOTHING
    if record is not None and _throttled(record, now_ms, settings):
        return Plan.THROTTLED
    return Plan.ISSUE


def write_first_guard(kind: RoundKind, round_key: str, now_ms: int, settings: Settings) -> IssueGuard:
    """choose_plan's ISSUE for a first or resend round, as a condition DynamoDB checks on the item
    create has not read, for the likelier case: a first round usually comes when no email is inside
    the hour, a resend minutes after one with room under the cap. The condition may refuse where the
    plan would issue, never the reverse: then choose_plan decides on the item the refusal hands back,
    at the cost of one more write, never a wrong plan."""
    return IssueGuard(
        now_ms=now_ms,
        resend_round_key=round_key if kind == "resend" else None,
        last_email_by_ms=now_ms - settings.resend_min_seconds * 1000,
        hour_edge_ms=now_ms - HOUR_MS,
        max_emails_per_hour=settings.max_emails_per_hour,
    )


def emails_in_the_hour(record: UserRecord, now_ms: int) -> list[int]:
    """The logged emails that count against the cap now: sent less than an hour ago (or, by another
    instance's clock, later than now)."""
    return [sent for sent in record.email_times_ms if now_ms - sent < HOUR_MS]


def _throttled(record: UserRecord, now_ms: int, settings: Settings) -> bool:
    too_soon = now_ms - record.last_email_ms < settings.resend_min_seconds * 1000
    return too_soon or len(emails_in_the_hour(record, now_ms)) >= settings.max_emails_per_hour


def _next_quota(record: UserRecord | None, now_ms: int) -> EmailQuota:
    # Only ever after _throttled said no, so the hour holds fewer than the cap: with this email the
    # log is at most the cap long.
    recent = emails_in_the_hour(record, now_ms) if record is not None else []
    return EmailQuota(now_ms, tuple(sorted([now_ms, *recent], reverse=True)))


class ChallengeIssuer:
    def __init__(
        self,
        settings: Settings,
        store: SecretStore,
        hasher: KeyedHasher,
        sender: EmailSender,
        audit: SecurityLog,
        *,
        budget: StrangerBudget | None,
        clock: Callable[[], float] = time.time,
        pacer: ResponsePacer | None = None,
    ) -> None:
        """`budget`: what emails to unverified addresses spend; None only where nothing is a stranger
        (tools that seed state)."""
        self._settings = settings
        self._store = store
        self._hasher = hasher
        self._sender = sender
        self._audit = audit
        self._budget = budget
        self._clock = clock
        self._pacer = pacer or ResponsePacer()

    def create(self, request: CreateRequest) -> IssuedChallenge:
        started = self._pacer.start()
        metadata = round_metadata_of(request)
        key = item_key(request.context.binding)
        address = request.email
        try:
            if request.context.user_not_found or not request.email:
                # Same storage read as a real user, same response shape, nothing written, no email.
                self._store.load(key)
                self._audit.event("unknown_user", client=request.context.binding.client_id)
                address = request.email or request.context.binding.username
                private, emailed = self._decoy_private(request.context.binding), False
            else:
                private, emailed = self._private_parameters(request, metadata.kind, key)
        except StorageUnavailable as error:
            self._audit.event("unavailable", dependency="dynamodb", error=str(error))
            raise SignInUnavailable from None
        if emailed:
            self._pacer.observe_sending_call(started)
        else:
            self._pacer.pad_quiet_call(started)
        return IssuedChallenge(self._public(address), private, metadata.encode())

    def _private_parameters(
        self, request: CreateRequest, kind: RoundKind, key: str
    ) -> tuple[dict[str, str], bool]:
        binding = request.context.binding
        pseudonym = self._hasher.pseudonym(binding.user_pool_id, binding.username)
        round_key = round_key_of(request.session)
        now_ms = self._now_ms()
        if kind == "retry":
            # A retry round never issues (the plan is REUSE, REPLACE or NOTHING): read what is there.
            record = self._store.load(key)
        else:
            # Most first and resend rounds issue, so write first; the write's condition is the plan
            # below restated for DynamoDB, and a refusal hands back the item the plan then reads.
            fresh = self._new_secret(binding, round_key=round_key, now_ms=now_ms)
            refused = self._store.issue_unread(
                key, fresh.stored, write_first_guard(kind, round_key, now_ms, self._settings)
            )
            if refused is None:
                return self._sent(request, key, fresh, pseudonym, replaced=False)
            record = refused.record
        for _ in range(2):  # a second write only after losing a race to a concurrent call
            secret = record.secret if record else None
            live = (
                secret
                if secret and secret.is_live(now_ms) and secret.client_id == binding.client_id
                else None
            )
            plan = choose_plan(
                record, live, kind=kind, round_key=round_key, now_ms=now_ms, settings=self._settings
            )
            if plan is Plan.REUSE and live is not None:
                self._audit.event("reused", user=pseudonym, client=binding.client_id)
                return _private(live), False
            if plan is Plan.THROTTLED or plan is Plan.NOTHING:
                self._audit.event(plan.value, user=pseudonym, client=binding.client_id)
                return (_private(live) if live else self._decoy_private(binding)), False
            quota = _next_quota(record, now_ms) if plan is Plan.ISSUE else None
            fresh = self._new_secret(binding, round_key=round_key, now_ms=now_ms)
            try:
                self._store.issue(
                    key, fresh.stored, expected_version=record.version if record else None, quota=quota
                )
            except ItemChanged as changed:
                record, now_ms = changed.record, self._now_ms()
                continue
            return self._sent(request, key, fresh, pseudonym, replaced=plan is Plan.REPLACE)
        raise StorageUnavailable("ConcurrentChange")

    def _sent(
        self, request: CreateRequest, key: str, fresh: FreshSecret, pseudonym: str, *, replaced: bool
    ) -> tuple[dict[str, str], bool]:
        """Email the stored secret, unless it is for an unverified address the hour's budget has no
        room for: then it stays unsent (the next round replaces it) and the answer is a throttled one."""
        client = request.context.binding.client_id
        self._audit.event("issued", user=pseudonym, client=client, replaced=replaced)
        if not request.address_verified and self._budget is not None and not self._budget.spend_overall():
            self._audit.event("stranger_budget", user=pseudonym, client=client, scope="overall")
            self._store.mark_send_failed(key, fresh.stored.secret_id)
            # Shaped as the unsent secret's parameters would be, but matching nothing that was made.
            return PrivateParameters.decoy(fresh.stored.expires_ms, fresh.stored.key_version).encode(), False
        self._send(request, key, fresh, pseudonym)
        return _private(fresh.stored), True

    def _new_secret(self, binding: Binding, *, round_key: str, now_ms: int) -> FreshSecret:
        return new_secret(
            self._hasher,
            binding,
            code_length=self._settings.code_length,
            lifetime_seconds=self._settings.secret_lifetime_seconds,
            round_key=round_key,
            now_ms=now_ms,
        )

    def _send(self, request: CreateRequest, key: str, fresh: FreshSecret, user: str) -> None:
        secret = fresh.stored
        settings = self._settings
        locale = resolve_locale(request.locale, settings.default_locale)
        email = SignInEmail(
            to=request.email,
            link=self._link(secret.client_id, request.email, fresh.token),
            code=fresh.code,
            minutes=settings.secret_lifetime_seconds // 60,
            locale=locale,
            app_name=app_name_for(settings, locale),
        )
        try:
            self._sender.send(email)
        except EmailDeliveryError:
            self._audit.event("send_failed", user=user, client=secret.client_id, reason="provider")
            self._store.mark_send_failed(key, secret.secret_id)
            raise SignInUnavailable from None
        self._store.mark_sent(key, secret.secret_id)
        self._audit.event("sent", user=user, client=secret.client_id)

    def _link(self, client_id: str, address: str, token: str) -> str:
        # Password mode: the code is a second step inside the session that asked for it; a link
        # opened anywhere else would have no password step to follow.
        if self._settings.sign_in_mode == "password-and-email-code":
            return ""
        return magic_link(self._settings.sign_in_url_for(client_id), address, token)

    def _decoy_private(self, binding: Binding) -> dict[str, str]:
        # The key version a real secret would name: with KMS, the same key request as a known user's.
        version = self._hasher.key_version(binding.user_pool_id, binding.username)
        expires_ms = self._now_ms() + self._settings.secret_lifetime_seconds * 1000
        return PrivateParameters.decoy(expires_ms, version).encode()

    def _public(self, address: str) -> dict[str, str]:
        return {"email": mask_email(address), "codeLength": str(self._settings.code_length)}

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def new_secret(
    hasher: KeyedHasher,
    binding: Binding,
    *,
    code_length: int,
    lifetime_seconds: int,
    round_key: str,
    now_ms: int,
) -> FreshSecret:
    """A fresh code and link token for `binding`, and the unsent secret that stores their digests
    (the account API's invitations issue theirs through this too, so verify checks both alike)."""
    secret_id = secret_values.new_secret_id()
    code = secret_values.new_code(code_length)
    token = secret_values.new_link_token()
    secret = StoredSecret(
        secret_id=secret_id,
        client_id=binding.client_id,
        token_hash=hasher.digest("token", binding, secret_id, token),
        code_hash=hasher.digest("code", binding, secret_id, code),
        issued_ms=now_ms,
        expires_ms=now_ms + lifetime_seconds * 1000,
        round_key=round_key,
        sent=False,
        send_failed=False,
        consumed=False,
        key_version=hasher.key_version(binding.user_pool_id, binding.username),
    )
    return FreshSecret(secret, code, token)


def _private(secret: StoredSecret) -> dict[str, str]:
    return PrivateParameters.of(secret).encode()


def round_metadata_of(request: CreateRequest) -> RoundMetadata:
    """This round's metadata: its kind, and the session's nonce (new in a first round)."""
    # Our rounds only: in password mode the session opens with SRP_A and PASSWORD_VERIFIER.
    ours = [entry for entry in request.session if entry.name == CUSTOM_CHALLENGE]
    earlier = [round_metadata.decode(entry.metadata) for entry in ours]
    nonce = next((m.nonce for m in earlier if m is not None), None) or secret_values.new_session_nonce()
    if not ours:
        return RoundMetadata("first", nonce)
    return RoundMetadata("resend" if request.context.resend_requested else "retry", nonce)
