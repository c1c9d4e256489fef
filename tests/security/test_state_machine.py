"""docs/security/requirements.md #2-#4, #6-#9 as a state machine: Hypothesis drives the real triggers (define,
create, verify through tests.support.cognito, over moto and a frozen clock) with every move a person or an
attacker can make, predicts each step with tests.support.sign_in_model, and after every step checks the
invariants against what DynamoDB stored and what the outbox holds.

Moves: new session (InitiateAuth), resend (also carrying the right code or link, which must spend
nothing), wrong code or link, right code or link, replay of a spent or replaced secret, clock advance.
The caps come from Settings, drawn per example. The hourly email cap is checked over every rolling
hour of the emails sent, as docs/security/requirements.md #9 and MAX_EMAILS_PER_HOUR promise."""

from __future__ import annotations

import collections
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from laptop.aws import LOCAL_HMAC_KEY, REGION, embedded_aws, local_environment
from passwordless.binding import Binding
from passwordless.email.outbox import OutboxSender, read_outbox
from passwordless.keyed_hash import KeyedHasher
from passwordless.secret_store import SecretStore, item_key
from passwordless.settings import Settings
from tests.support.cognito import CLIENT_ID, POOL_ID
from tests.support.fakes import FakeClock
from tests.support.flow import JANE, Flow, build_flow
from tests.support.local_stack import Mail
from tests.support.sign_in_model import HOUR_MS, AnswerKind, RoundKind, Secret, Session, UserModel

START = 1_800_000_000
BINDING = Binding(POOL_ID, CLIENT_ID, JANE.username)
KEY = {"pk": {"S": item_key(BINDING)}}
WRONG_TOKEN = "wrong-link-token-000000000000"  # well formed, so it is compared (and counted)
RESEND = {"resend": "true"}
# Within and past the resend gap, the 10-minute lifetime and the hourly email window.
STEPS = st.sampled_from([1, 59, 60, 61, 599, 600, 601, 3599, 3600, 3601]) | st.integers(1, 4000)
LIMITS = st.fixed_dictionaries(
    {
        "max_answers_per_session": st.integers(1, 4),
        "max_resends_per_session": st.integers(0, 3),
        "max_code_failures": st.integers(1, 4),
        "resend_min_seconds": st.sampled_from([0, 60]),
        "max_emails_per_hour": st.integers(1, 6),
    }
)
# What the runs reached, tallied across examples: the test asserts the interesting situations came up.
REACHED: collections.Counter[str] = collections.Counter()
RUN = settings(max_examples=50, stateful_step_count=30, deadline=None)


@dataclass(frozen=True)
class World:
    """One moto for the whole module: each example only deletes Jane's item and takes a new outbox."""

    settings: Settings
    store: SecretStore
    hasher: KeyedHasher
    dynamodb: Any
    root: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("state-machine")
    with embedded_aws(local_environment(root / "unused")) as aws:
        client = boto3.client("dynamodb", region_name=REGION)
        yield World(
            aws, SecretStore(client, aws.table_name), KeyedHasher(LOCAL_HMAC_KEY.encode()), client, root
        )


class SignInMachine(RuleBasedStateMachine):
    world: ClassVar[World]
    flow: Flow
    model: UserModel
    outbox: Path
    sessions: list[Session]
    sign_ins: int
    checked: tuple[int, int]  # (code_failures, sign_ins) at the previous invariant check
    # What the item and the outbox held after the last move: each is read once per step, not once per
    # invariant, because every moto call costs milliseconds.
    read_back: tuple[dict[str, Any] | None, list[Mail]] | None

    @initialize(limits=LIMITS)
    def start(self, limits: dict[str, Any]) -> None:
        self.world.dynamodb.delete_item(TableName=self.world.settings.table_name, Key=KEY)
        self.outbox = Path(tempfile.mkdtemp(dir=self.world.root))
        self.flow = build_flow(
            self.world.settings,
            self.world.store,
            self.world.hasher,
            clock=FakeClock(START),
            delivery=OutboxSender(self.outbox),
            **limits,
        )
        self.model = UserModel(self.flow.settings, now_ms=START * 1000)
        self.sessions, self.sign_ins, self.checked, self.read_back = [], 0, (0, 0), None

    # ---- moves ----------------------------------------------------------------------------------

    @precondition(lambda self: self._open())
    @rule(data=st.data(), kind=st.sampled_from(["code", "token"]))
    def right_answer(self, data: st.DataObject, kind: AnswerKind) -> None:
        """The value from the session's own email (a decoy session's user types the latest one)."""
        session = data.draw(st.sampled_from(self._open()))
        secret = self._own_or_latest(session)
        locked = self.model.code_locked()
        outcome = self._answer(session, secret.code if kind == "code" else secret.token, kind, secret)
        if locked:
            reached(f"{kind} while code entry locked: {outcome}")
            assert kind == "token" or outcome != "tokens", "a locked code never signs in"

    @precondition(lambda self: self._open())
    @rule(data=st.data(), carrying=st.sampled_from(["resend", "code", "token"]))
    def resend(self, data: st.DataObject, carrying: str) -> None:
        session = data.draw(st.sampled_from(self._open()))
        secret = self._own_or_latest(session)
        value = "resend" if carrying == "resend" else secret.code if carrying == "code" else secret.token
        self._answer(session, value, "code", secret, resend=True)

    @precondition(lambda self: self._open())
    @rule(data=st.data(), kind=st.sampled_from(["code", "token"]))
    def wrong_answer(self, data: st.DataObject, kind: AnswerKind) -> None:
        session = data.draw(st.sampled_from(self._open()))
        own = self.model.secret(session.secret_id)
        code = f"{(int(own.code) + 1) % 1_000_000:06d}" if own else "000000"
        self._answer(session, code if kind == "code" else WRONG_TOKEN, kind, None, resend=False)

    @precondition(lambda self: self._open() and self._old())
    @rule(data=st.data(), kind=st.sampled_from(["code", "token"]))
    def replay_old_secret(self, data: st.DataObject, kind: AnswerKind) -> None:
        """A value from an email whose secret was spent or replaced since."""
        session = data.draw(st.sampled_from(self._open()))
        secret = data.draw(st.sampled_from(self._old()))
        outcome = self._answer(session, secret.code if kind == "code" else secret.token, kind, secret)
        reached(f"replayed {'spent' if secret.successes else 'replaced'} secret: {outcome}")
        assert outcome != "tokens"

    @precondition(lambda self: self.model.code_locked() and self._open_with_live_secret())
    @rule(data=st.data())
    def right_code_then_link_while_locked(self, data: st.DataObject) -> None:
        """Once code entry is locked the right code fails, and the link from the same email still works
        (while its secret is live: an expired, spent or replaced one fails anyway, as other rules check)."""
        session = data.draw(st.sampled_from(self._open_with_live_secret()))
        secret = self._own_or_latest(session)
        outcome = self._answer(session, secret.code, "code", secret)
        assert outcome != "tokens", "a locked code never signs in"
        if outcome == "challenge":
            reached(f"link after the locked code: {self._answer(session, secret.token, 'token', secret)}")

    @rule()
    def new_session(self) -> None:
        outcome = self.flow.cognito.initiate_auth(JANE.email)
        self.read_back = None
        assert outcome.kind == "challenge"
        session = Session(outcome, secret_id=None, expires_ms=0)
        self.sessions.append(session)
        self._after_create(session, "first")

    @rule(seconds=STEPS)
    def advance_clock(self, seconds: int) -> None:
        self.flow.clock.advance(seconds)
        self.model.now_ms += seconds * 1000

    # ---- invariants, against stored state ---------------------------------------------------------

    @invariant()
    def stored_item_is_what_the_model_says(self) -> None:
        item = self._item()
        model = self.model
        if not model.has_item:
            assert item is None, "nothing is stored before the first email"
            return
        assert item is not None
        stored = model.secret(model.stored_id)
        assert stored is not None
        assert item["secret_id"]["S"] == stored.secret_id, "one live secret: the newest issued"
        assert ("consumed_ms" in item) == (stored.consumed_at_ms is not None)
        assert _number(item, "code_failures") == model.code_failures
        assert _number(item, "last_email_ms") == model.last_email_ms
        # The send log: newest first, never longer than the cap, and inside the hour exactly the
        # emails that went out in it (older entries may linger until the next issue prunes them).
        log = [int(entry["N"]) for entry in item["email_times_ms"]["L"]]
        assert log == sorted(log, reverse=True)
        assert len(log) <= model.settings.max_emails_per_hour
        assert set(log) <= {s.issued_ms for s in model.secrets}, "only times an email went out"
        inside = [t for t in log if model.now_ms - t < HOUR_MS]
        assert sorted(inside) == sorted(model.emails_in_the_hour())

    @invariant()
    def one_email_per_issued_secret(self) -> None:
        mail = self._mail()
        assert len(mail) == len(self.model.secrets)
        assert len({m.link_token for m in mail}) == len(mail)
        assert all(m.to == JANE.email for m in mail)

    @invariant()
    def never_more_than_one_sign_in_per_secret(self) -> None:
        assert all(secret.successes <= 1 for secret in self.model.secrets)
        assert sum(secret.successes for secret in self.model.secrets) == self.sign_ins
        assert sum(session.state == "tokens" for session in self.sessions) == self.sign_ins

    @invariant()
    def failures_reset_only_by_a_sign_in(self) -> None:
        item = self._item()
        failures = _number(item, "code_failures") if item else 0
        previous, sign_ins_then = self.checked
        assert failures >= previous or self.sign_ins > sign_ins_then, "resend or new session reset it"
        self.checked = (failures, self.sign_ins)

    @invariant()
    def sessions_stay_within_their_caps(self) -> None:
        limits = self.model.settings
        for session in self.sessions:
            results = [entry["challengeResult"] for entry in session.outcome.session.entries]
            assert len(results) == len(session.requests)
            wrong = sum(not ok and not resend for ok, resend in zip(results, session.requests, strict=True))
            resends = sum(session.requests)
            assert wrong <= limits.max_answers_per_session
            assert resends <= limits.max_resends_per_session + 1
            if session.state == "challenge":
                assert wrong < limits.max_answers_per_session
                assert resends <= limits.max_resends_per_session

    @invariant()
    def emails_respect_the_throttle(self) -> None:
        """The gap between two emails unless a sign-in came between; no rolling hour holds more than
        the hourly cap (the send times of the outbox's emails, one per issued secret)."""
        limits = self.model.settings
        sent = [s.issued_ms for s in self.model.secrets]
        sign_ins = [s.consumed_at_ms for s in self.model.secrets if s.consumed_at_ms is not None]
        for earlier, later in itertools.pairwise(sent):
            signed_in_between = any(earlier <= t <= later for t in sign_ins)
            assert later - earlier >= limits.resend_min_seconds * 1000 or signed_in_between
        # The busiest rolling hour starts with one of its emails.
        for start in sent:
            in_hour = sum(start <= t < start + HOUR_MS for t in sent)
            assert in_hour <= limits.max_emails_per_hour, "no rolling hour holds more than the cap"

    # ---- helpers ----------------------------------------------------------------------------------

    def _answer(
        self, session: Session, value: str, kind: AnswerKind, used: Secret | None, *, resend: bool = False
    ) -> str:
        correct = self.model.verify(session, kind, used, resend=resend)
        expected = self.model.define(session, correct=correct, resend=resend)
        outcome = self.flow.cognito.respond(session.outcome, value, RESEND if resend else None)
        self.read_back = None
        assert outcome.kind == expected
        session.state = expected
        if expected == "tokens":
            assert used is not None
            assert self.model.now_ms < used.expires_ms, "no sign-in after expiry"
            used.successes += 1
            self.sign_ins += 1
            reached(f"signed in with the {kind}")
        elif expected == "challenge":
            self._after_create(session, "resend" if resend else "retry")
        else:
            reached("session failed at its cap")
        return expected

    def _after_create(self, session: Session, kind: RoundKind) -> None:
        """Check what create did for this round (one email or none, which secret the session got)."""
        plan = self.model.plan_create(kind)
        reached(f"create {kind}: {plan}")
        mail = self._mail()
        known = {s.secret_id for s in self.model.secrets}
        if plan == "issue":
            assert len(mail) == len(self.model.secrets) + 1, "an issued secret is emailed once"
            item = self._item()
            assert item is not None
            newest = mail[-1]
            secret = Secret(
                item["secret_id"]["S"],
                newest.code,
                newest.link_token,
                self.model.now_ms,
                _number(item, "expires_ms"),
            )
            assert secret.secret_id not in known
            assert secret.expires_ms == self.model.now_ms + self.model.settings.secret_lifetime_seconds * 1000
            hasher = self.world.hasher
            assert item["code_hash"]["S"] == hasher.digest("code", BINDING, secret.secret_id, secret.code)
            assert item["token_hash"]["S"] == hasher.digest("token", BINDING, secret.secret_id, secret.token)
            self.model.record_issue(secret)
            target: Secret | None = secret
        else:
            assert len(mail) == len(self.model.secrets), "no email without a new secret"
            target = self.model.live() if plan == "reuse" else None
        private = session.outcome.session.private
        if target is not None:
            assert private["secretId"] == target.secret_id
        else:
            assert private["secretId"] not in known, "a decoy matches no issued secret"
        session.secret_id = None if target is None else target.secret_id
        session.expires_ms = int(private["expiresMs"])
        lifetime_ms = self.model.settings.secret_lifetime_seconds * 1000
        assert session.expires_ms == (target.expires_ms if target else self.model.now_ms + lifetime_ms)

    def _open(self) -> list[Session]:
        return [s for s in self.sessions if s.state == "challenge"]

    def _open_with_live_secret(self) -> list[Session]:
        """Open sessions whose own (or the latest) secret is the stored one, unspent and unexpired."""
        return [
            session
            for session in self._open()
            if (secret := self._own_or_latest(session)).secret_id == self.model.stored_id
            and not secret.successes
            and self.model.now_ms < secret.expires_ms
        ]

    def _old(self) -> list[Secret]:
        return [s for s in self.model.secrets if s.successes or s.secret_id != self.model.stored_id]

    def _own_or_latest(self, session: Session) -> Secret:
        return self.model.secret(session.secret_id) or self.model.secrets[-1]

    def _item(self) -> dict[str, Any] | None:
        return self._stored()[0]

    def _mail(self) -> list[Mail]:
        return self._stored()[1]

    def _stored(self) -> tuple[dict[str, Any] | None, list[Mail]]:
        if self.read_back is None:
            response = self.world.dynamodb.get_item(
                TableName=self.world.settings.table_name, Key=KEY, ConsistentRead=True
            )
            mail = [Mail(m["to"], m["subject"], m["text"], m["html"]) for m in read_outbox(self.outbox)]
            self.read_back = (response.get("Item"), mail)
        return self.read_back


def reached(label: str) -> None:
    REACHED[label] += 1


def _number(item: dict[str, Any], name: str) -> int:
    return int(item[name]["N"]) if name in item else 0


def test_sign_in_state_machine(world: World) -> None:
    class Bound(SignInMachine):
        pass

    Bound.world = world
    run_state_machine_as_test(Bound, settings=RUN)
    print(dict(sorted(REACHED.items())))  # the figures, for `pytest -s`
    # The run exercised what the invariants are about (a precondition gone wrong would skip it all).
    # "link after the locked code" is not required: random runs reach it only now and then (it needs
    # a locked code and then a session with two answers left and a live secret), and a fresh clone,
    # with no Hypothesis database to replay, can miss it altogether. test_brute_force and
    # test_failure_caps show that case on every run; here its checks run whenever it comes up.
    for situation in ("signed in with the code", "signed in with the token", "session failed at its cap"):
        assert REACHED[situation], situation
    assert any(label.startswith("replayed") for label in REACHED)


def test_no_rolling_hour_holds_more_than_the_cap(world: World) -> None:
    world.dynamodb.delete_item(TableName=world.settings.table_name, Key=KEY)
    flow = build_flow(world.settings, world.store, world.hasher, max_emails_per_hour=2, resend_min_seconds=0)
    asked = flow.cognito.initiate_auth(JANE.email)
    sent_at = [flow.clock.now] * len(flow.sender.sent)
    for wait in (3000, 601, 0):  # resends at t0+50 min, then twice just after the first email's hour
        flow.clock.advance(wait)
        before = len(flow.sender.sent)
        asked = flow.cognito.respond(asked, "resend", RESEND)
        sent_at += [flow.clock.now] * (len(flow.sender.sent) - before)
    busiest = max(sum(start <= t < start + 3600 for t in sent_at) for start in sent_at)
    assert busiest <= flow.settings.max_emails_per_hour
    # Each email went out once the hour had room: t0, t0+50 min, and one as t0's email left the hour.
    start = sent_at[0]
    assert sent_at == [start, start + 3000, start + 3601]
