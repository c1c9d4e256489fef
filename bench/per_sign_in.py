"""Per sign-in, through the local stack: the AWS requests the trigger handlers send, the emails, and
the warm trigger CPU (bench.aws_meter: thread CPU of each invocation minus moto's share)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.aws_meter import AwsMeter
from bench.sign_ins import ses_code, sign_in

if TYPE_CHECKING:
    from laptop.local_stack.stack import LocalCognito

WARM_UP = 5


@dataclass(frozen=True)
class PerSignIn:
    sign_ins: int
    issued_secrets: int
    requests: dict[str, dict[str, int]]
    """function -> "service Operation" -> requests over all measured sign-ins."""
    invocations: dict[str, int]
    trigger_cpu_seconds: float
    """All trigger invocations' CPU over all measured sign-ins."""

    def count(self, service: str, function: str | None = None) -> int:
        return sum(
            count
            for name, requests in self.requests.items()
            if function in (None, name)
            for operation, count in requests.items()
            if operation.split()[0] == service
        )

    def per_secret(self, service: str, function: str | None = None) -> float:
        return self.count(service, function) / max(self.issued_secrets, 1)

    def per_sign_in(self, service: str) -> float:
        return self.count(service) / max(self.sign_ins, 1)

    @property
    def cpu_per_sign_in(self) -> float:
        return self.trigger_cpu_seconds / max(self.sign_ins, 1)


def measure(idp: Any, client_id: str, meter: AwsMeter, emails: list[str], warm_up: int) -> PerSignIn:  # noqa: ANN401
    """Sign in each address once; the first `warm_up` only warm the containers (HMAC key, sender)."""
    for email in emails[:warm_up]:
        if not sign_in(idp, client_id, email, ses_code):
            raise RuntimeError("a warm-up sign-in did not end with tokens")
    meter.take()
    for email in emails[warm_up:]:
        if not sign_in(idp, client_id, email, ses_code):
            raise RuntimeError("a measured sign-in did not end with tokens")
    calls = meter.take()
    requests: dict[str, Counter[str]] = {}
    for call in calls:
        for (service, operation), count in call.requests.items():
            requests.setdefault(call.function, Counter())[f"{service} {operation}"] += count
    # An issued secret is a distinct set of private parameters create handed Cognito.
    issued = {
        tuple(sorted(call.returned["response"]["privateChallengeParameters"].items()))
        for call in calls
        if call.function == "create_auth_challenge" and call.returned is not None
    }
    return PerSignIn(
        sign_ins=len(emails) - warm_up,
        issued_secrets=len(issued),
        requests={function: dict(sorted(counts.items())) for function, counts in sorted(requests.items())},
        invocations=dict(Counter(call.function for call in calls)),
        trigger_cpu_seconds=sum(call.cpu_seconds for call in calls),
    )


def measure_rounds(stack: LocalCognito, meter: AwsMeter, rounds: int, sign_ins: int) -> list[PerSignIn]:
    """`rounds` rounds of `sign_ins` new users each (after WARM_UP more) on one warm stack: one round's
    CPU can catch a collector pass or the machine's other work, the median round rarely does."""
    client_id, idp = stack.running_config.client_id, stack.client()
    measured = []
    for number in range(rounds):
        emails = [f"r{number}-{index}@example.com" for index in range(sign_ins + WARM_UP)]
        for email in emails:
            stack.add_user(email)
        with meter.installed():
            measured.append(measure(idp, client_id, meter, emails, warm_up=WARM_UP))
    return measured


def median_round(rounds: list[PerSignIn]) -> PerSignIn:
    """The round whose CPU per sign-in is the median (the upper one of an even count)."""
    return sorted(rounds, key=lambda r: r.cpu_per_sign_in)[len(rounds) // 2]
