"""`make soak`: many sign-ins at once on the local stack, each a real InitiateAuth -> email ->
RespondToAuthChallenge over HTTP with the emailed code or link, then the checks that matter:

- lost:        a sign-in that did not end with tokens;
- double-used: a secret that signed in twice, by the triggers' verdicts, by the stored items, or by
               replaying a sample of spent codes and links;
- emails:      one email per issued secret, no more and no fewer.

    python -m laptop.soak [--sign-ins 1000] [--threads 16] [--replays 20]

Defaults come from SOAK_SIGN_INS, SOAK_THREADS and SOAK_REPLAYS. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import parse_qs

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from laptop.handlers import Handler
from laptop.local_stack.outbox_page import code_in, magic_link_in
from laptop.local_stack.stack import LocalCognito

Kind = Literal["code", "link"]
SUMMARY = "Many concurrent sign-ins on the local stack: none lost, no secret used twice."
SIGN_INS_PER_USER = 20  # well under the hourly email cap the soak sets, so no sign-in is throttled
SOAK_ENVIRONMENT = {
    "RESEND_MIN_SECONDS": "0",  # a user signs in again as soon as the last sign-in ends
    "MAX_EMAILS_PER_HOUR": "100",
    "POWERTOOLS_LOG_LEVEL": "WARNING",  # thousands of security events would drown the figures
}


class TriggerRecord:
    """What the real create and verify handlers answered: the secrets create handed out and, per
    secret, how often verify said "correct". Wrapped around the handlers the stack loads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.issued: set[str] = set()
        self.correct: Counter[str] = Counter()

    def wrap(self, function: str, handler: Handler) -> Handler:
        def recorded(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
            result = handler(event, context)
            response = result.get("response", {})
            with self._lock:
                if function == "create_auth_challenge":
                    self.issued.add(response["privateChallengeParameters"]["secretId"])
                elif function == "verify_auth_challenge" and response.get("answerCorrect") is True:
                    self.correct[event["request"]["privateChallengeParameters"]["secretId"]] += 1
            return result

        return recorded


@dataclass(frozen=True)
class SpentSecret:
    address: str
    username: str
    kind: Kind
    value: str
    secret_id: str


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    spent: list[SpentSecret] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    not_consumed: int = 0  # signed in, yet the stored secret is not marked spent
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class SoakReport:
    sign_ins: int
    threads: int
    by_kind: Counter[str]
    signed_in: int
    errors: Counter[str]
    double_used: int
    not_consumed: int
    emails: int
    issued: int
    replays: int
    replays_accepted: int
    seconds: float
    latencies: list[float]

    @property
    def lost(self) -> int:
        return self.sign_ins - self.signed_in

    @property
    def passed(self) -> bool:
        return (
            self.lost == 0
            and not self.errors
            and self.double_used == 0
            and self.not_consumed == 0
            and self.replays_accepted == 0
            and self.emails == self.issued
        )

    def table(self) -> str:
        p50, p95 = _percentile(self.latencies, 50), _percentile(self.latencies, 95)
        rows = [
            ("sign-ins (code / link)", f"{self.sign_ins} ({self.by_kind['code']} / {self.by_kind['link']})"),
            ("threads", str(self.threads)),
            ("signed in", str(self.signed_in)),
            ("lost", str(self.lost)),
            ("errors", ", ".join(f"{k} x{n}" for k, n in self.errors.items()) or "0"),
            ("double-used", str(self.double_used)),
            ("spent but not stored as spent", str(self.not_consumed)),
            ("emails / issued secrets", f"{self.emails} / {self.issued}"),
            ("replays refused", f"{self.replays - self.replays_accepted} / {self.replays}"),
            ("sign-ins/s", f"{self.signed_in / self.seconds:.1f}" if self.seconds else "-"),
            ("latency p50 / p95", f"{p50 * 1000:.0f} ms / {p95 * 1000:.0f} ms"),
            ("wall time", f"{self.seconds:.1f} s"),
            ("verdict", "PASS" if self.passed else "FAIL"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def _percentile(values: Sequence[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


class Outbox:
    """The outbox folder, read incrementally: each file is parsed once, then found by recipient."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._seen: set[str] = set()
        self._by_recipient: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def newest_text(self, address: str) -> str:
        with self._lock:
            self._refresh()
            mails = self._by_recipient.get(address, [])
            if not mails:
                raise LookupError(f"no email for {address}")
            return max(mails)[1]

    def count(self) -> int:
        with self._lock:
            self._refresh()
            return len(self._seen)

    def _refresh(self) -> None:
        for entry in os.scandir(self._folder):
            if entry.name.startswith(".") or not entry.name.endswith(".json") or entry.name in self._seen:
                continue
            message = json.loads(Path(entry.path).read_text(encoding="utf-8"))
            self._seen.add(entry.name)
            self._by_recipient.setdefault(message["to"], []).append((entry.name, message["text"]))


class Soak:
    def __init__(self, stack: LocalCognito, outbox: Outbox, threads: int) -> None:
        config = Config(max_pool_connections=threads + 4, retries={"total_max_attempts": 1})
        self._idp = stack.client("cognito-idp", config)
        self._db = stack.client("dynamodb", config)
        self._table = self._db.list_tables()["TableNames"][0]
        self._config = stack.running_config
        self._outbox = outbox

    def sign_in(self, address: str, kind: Kind) -> tuple[dict[str, Any], SpentSecret]:
        """One person's sign-in: ask, read the email, answer it (a link in a fresh session, as the
        sign-in page opened from the email does). Returns the tokens and the secret it spent."""
        challenge = self._initiate(address)
        text = self._outbox.newest_text(address)
        if kind == "code":
            value = _code_in(text)
        else:
            value = _link_token_in(text, self._config.endpoint)
            challenge = self._initiate(address)
        reply = self._answer(challenge, value)
        username = challenge["ChallengeParameters"]["USERNAME"]
        item = self._item(username)
        secret_id = item["secret_id"]["S"] if "consumed_ms" in item else ""
        return reply, SpentSecret(address, username, kind, value, secret_id)

    def replay(self, spent: SpentSecret) -> bool:
        """True if a spent code or link signs in again (it must not), in a fresh session."""
        challenge = self._initiate(spent.address)
        try:
            reply = self._answer(challenge, spent.value)
        except ClientError:
            return False
        return "AuthenticationResult" in reply

    def _answer(self, challenge: dict[str, Any], value: str) -> dict[str, Any]:
        return dict(
            self._idp.respond_to_auth_challenge(
                ClientId=self._config.client_id,
                ChallengeName="CUSTOM_CHALLENGE",
                Session=challenge["Session"],
                ChallengeResponses={
                    "USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                    "ANSWER": value,
                },
            )
        )

    def _initiate(self, address: str) -> dict[str, Any]:
        return dict(
            self._idp.initiate_auth(
                AuthFlow="CUSTOM_AUTH", ClientId=self._config.client_id, AuthParameters={"USERNAME": address}
            )
        )

    def _item(self, username: str) -> dict[str, Any]:
        key = {"pk": {"S": f"{self._config.user_pool_id}#{username}"}}
        return dict(self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item", {}))


def _code_in(text: str) -> str:
    code = code_in(text)
    if code is None:
        raise LookupError("the email carries no code")
    return code


def _link_token_in(text: str, sign_in_url: str) -> str:
    link = magic_link_in(text, sign_in_url)
    if link is None:
        raise LookupError("the email carries no magic link")
    return parse_qs(link.split("#", 1)[1])["t"][0]


def run_soak(sign_ins: int, threads: int, replays: int, outbox_dir: Path) -> SoakReport:
    record = TriggerRecord()
    with LocalCognito(
        port=0, outbox_dir=outbox_dir, environment=SOAK_ENVIRONMENT, wrap_handler=record.wrap
    ) as stack:
        addresses = [
            f"soak-{n:04d}@example.com" for n in range(max(threads, math.ceil(sign_ins / SIGN_INS_PER_USER)))
        ]
        for address in addresses:
            stack.add_user(address)
        outbox = Outbox(outbox_dir)
        soak = Soak(stack, outbox, threads)
        # Sign-in i is for user i mod U, and user u belongs to thread u mod T: one person never signs
        # in twice at once (that would race for one secret, which is the concurrency tests' job).
        plans: list[list[tuple[str, Kind]]] = [[] for _ in range(threads)]
        for i in range(sign_ins):
            user = i % len(addresses)
            plans[user % threads].append((addresses[user], "code" if i % 2 == 0 else "link"))
        tally = Tally()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda plan: _work(soak, plan, tally), plans))
        seconds = time.perf_counter() - started
        sample = secrets.SystemRandom().sample(tally.spent, min(replays, len(tally.spent)))
        accepted = sum(soak.replay(spent) for spent in sample)
        secret_ids = [spent.secret_id for spent in tally.spent]
        double_used = (len(secret_ids) - len(set(secret_ids))) + sum(
            n - 1 for n in record.correct.values() if n > 1
        )
        return SoakReport(
            sign_ins=sign_ins,
            threads=threads,
            by_kind=Counter(kind for plan in plans for _, kind in plan),
            signed_in=len(tally.spent),
            errors=tally.errors,
            double_used=double_used,
            not_consumed=tally.not_consumed,
            emails=outbox.count(),
            issued=len(record.issued),
            replays=len(sample),
            replays_accepted=accepted,
            seconds=seconds,
            latencies=tally.latencies,
        )


def _work(soak: Soak, plan: list[tuple[str, Kind]], tally: Tally) -> None:
    for address, kind in plan:
        started = time.perf_counter()
        try:
            reply, spent = soak.sign_in(address, kind)
        except ClientError as error:
            with tally.lock:
                tally.errors[str(error.response.get("Error", {}).get("Code", "ClientError"))] += 1
            continue
        except (BotoCoreError, LookupError) as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1
            continue
        elapsed = time.perf_counter() - started
        with tally.lock:
            if "AuthenticationResult" not in reply:
                tally.errors["NoTokens"] += 1
                continue
            tally.latencies.append(elapsed)
            tally.spent.append(spent)
            tally.not_consumed += not spent.secret_id


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    options = _arguments().parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the table
    if options.sign_ins < 1 or options.threads < 1 or options.replays < 0:
        print("--sign-ins and --threads must be at least 1, --replays at least 0", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="soak-outbox-") as folder:
        report = run_soak(options.sign_ins, options.threads, options.replays, Path(folder) / "outbox")
    print(f"soak: {options.sign_ins} sign-ins on the local stack, {options.threads} threads", file=out)
    print(report.table(), file=out)
    return 0 if report.passed else 1


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m laptop.soak", description=SUMMARY)
    parser.add_argument("--sign-ins", type=int, default=int(os.environ.get("SOAK_SIGN_INS", "1000")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SOAK_THREADS", "16")))
    parser.add_argument("--replays", type=int, default=int(os.environ.get("SOAK_REPLAYS", "20")))
    return parser


if __name__ == "__main__":
    sys.exit(main())
