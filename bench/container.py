"""A Lambda container stand-in, run as a child: `python -m bench.container <function> <events.json>`.

Imports the handler (cold init), invokes it on each event in order and prints JSON: the first
invocation's CPU (it fetches the HMAC key and builds the email sender), the CPU per warm invocation
(time.process_time), the peak RSS (ru_maxrss) and what each invocation returned. AWS calls go over
HTTP to the local stack in the parent (AWS_ENDPOINT_URL), so moto's work is not in this process:
the CPU and memory here are the handler's, botocore's requests included, as in Lambda.

Imports nothing from laptop/ (which loads moto), so the RSS is the handler's alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Context:
    """What Powertools' inject_lambda_context reads from Lambda's context object."""

    function_name: str
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:111122223333:function:bench"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 5_000


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to this program alone; ru_maxrss
    also keeps the high-water mark of the parent's memory this child was forked from."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, bytes on macOS
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def main(function_dir: str, events_path: str) -> None:
    events: list[dict[str, Any]] = json.loads(Path(events_path).read_text(encoding="utf-8"))
    sys.path.insert(0, function_dir)
    import app  # type: ignore[import-not-found]  # noqa: PLC0415 - the cold init being measured

    name = Path(function_dir).name
    returned: list[Any] = []
    first_cpu = 0.0
    start = time.process_time()
    for index, event in enumerate(events):
        try:
            returned.append(app.lambda_handler(event, Context(name, aws_request_id=str(uuid.uuid4()))))
        except Exception as error:  # reported to the parent, which counts it as an error
            returned.append({"error": type(error).__name__})
        if index == 0:
            first_cpu = time.process_time() - start
            start = time.process_time()
    warm = max(len(events) - 1, 1)
    report = {
        "first_invocation_cpu_seconds": first_cpu,
        "warm_cpu_seconds": (time.process_time() - start) / warm,
        "peak_rss_mb": peak_rss_mb(),
        "returned": returned,
    }
    # Powertools logs to stdout; the report is the last line.
    sys.stdout.write("\n" + json.dumps(report) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
