"""The load generator, run as a child so its threads do not share the stack's interpreter lock:
`python -m bench.load_client <endpoint> <client id> <outbox> <concurrency> <email>...`.

Each thread signs its share of the addresses in, one after another, with its own boto3 client over
HTTP. The clock starts once every thread has built its client (building one costs about 50 ms of this
process's CPU, which is the load generator's set-up, not the stack's work). Prints JSON: sign-ins,
errors, seconds.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

from bench.sign_ins import OutboxCodes, sign_in


def main(endpoint: str, client_id: str, outbox: str, concurrency: int, emails: list[str]) -> None:
    codes = OutboxCodes(Path(outbox))
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=concurrency)
    errors: list[str] = []
    done = 0
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)

    def work(share: list[str]) -> None:
        nonlocal done
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the local stack takes any credentials
            config=config,
        )
        ready.wait()
        for email in share:
            try:
                ok = sign_in(idp, client_id, email, codes)
            except Exception as error:  # counted, and the run goes on
                ok, reason = False, type(error).__name__
            else:
                reason = "no tokens"
            with lock:
                done += 1
                if not ok:
                    errors.append(reason)

    threads = [
        threading.Thread(target=work, args=(emails[index::concurrency],)) for index in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"sign_ins": done, "errors": len(errors), "kinds": sorted(set(errors)), "seconds": seconds}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
