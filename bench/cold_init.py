"""Cold init: a fresh interpreter that imports a handler module (which builds its clients), against
two floors measured in the same run, interleaved so that machine noise lands on all of them alike.

Two figures per run: `import` is the wall time of the import alone, timed inside the child with
perf_counter; `total` is the child process from spawn to exit, timed by the parent. The ratios use
`import`: interpreter start-up and exit are the same for every child (and in Lambda belong to the
runtime, not to our init code), so adding them to both sides would only dilute the ratio towards 1.
"""

from __future__ import annotations

import json
import statistics
import subprocess  # nosec B404 - runs this venv's own Python on a fixed script
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.environment import FUNCTIONS, SHORT_NAMES, child_environment, function_dir

FLOORS = {"logger": "floor: Logger only", "boto3": "floor: boto3 + DynamoDB client"}
# Which floor each function is held to, and the most above it a target allows.
TARGETS = {"define": ("logger", 1.08), "create": ("boto3", 1.08), "verify": ("boto3", 1.08)}
# PostAuthentication (boto3 and a Cognito client) is shown against the boto3 floor, without a target.
FLOOR_OF = {**{name: floor for name, (floor, _) in TARGETS.items()}, "post_auth": "boto3"}

# The child refuses any network use (an audit hook costs nothing to import) so an import that would
# call AWS fails the benchmark instead of timing a connection attempt.
_CHILD = r"""
import json, sys, time
def _no_network(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        raise RuntimeError("network use during cold init: " + event)
sys.addaudithook(_no_network)
kind, where = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if kind == "logger":
    from aws_lambda_powertools import Logger
    Logger()
elif kind == "boto3":
    import boto3
    boto3.client("dynamodb")
else:
    sys.path.insert(0, where)
    import app
print(json.dumps({"import_seconds": time.perf_counter() - start}))
"""


@dataclass(frozen=True)
class ColdInit:
    name: str
    import_seconds: list[float]
    total_seconds: list[float]

    @property
    def import_median(self) -> float:
        return statistics.median(self.import_seconds)

    @property
    def import_min(self) -> float:
        """The least disturbed run: on a shared machine the median still carries other work's noise."""
        return min(self.import_seconds)

    @property
    def total_median(self) -> float:
        return statistics.median(self.total_seconds)


def _kinds() -> dict[str, tuple[str, str]]:
    """name -> (child kind, folder to import app from)."""
    kinds = {name: (name, "") for name in FLOORS}
    kinds.update({SHORT_NAMES[f]: ("app", str(function_dir(f))) for f in FUNCTIONS})
    return kinds


def _run_child(kind: str, where: str, env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", _CHILD, kind, where], env=env, capture_output=True, text=True, check=False
    )
    total = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"cold init of {kind} {where} failed:\n{done.stderr.strip()}")
    return float(json.loads(done.stdout.splitlines()[-1])["import_seconds"]), total


def measure(runs: int) -> dict[str, ColdInit]:
    """`runs` rounds; each round runs every child once, starting one later each round."""
    kinds = _kinds()
    names = list(kinds)
    imports: dict[str, list[float]] = {name: [] for name in names}
    totals: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as outbox:
        env = child_environment(Path(outbox))
        for name in names:  # one discarded round: compiles .pyc files, warms the page cache
            _run_child(*kinds[name], env)
        for round_ in range(runs):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                seconds, total = _run_child(*kinds[name], env)
                imports[name].append(seconds)
                totals[name].append(total)
    return {name: ColdInit(name, imports[name], totals[name]) for name in names}
