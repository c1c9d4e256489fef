"""The stack's clock, which a client's tests can move forward over HTTP (POST /local/clock) instead of
waiting: Cognito sessions, tokens and the account API read it, and the functions' stored times (the
one-time secrets' expiry, the resend and hourly-email windows) are moved back by the same amount.

The functions read the real time, as in Lambda; what they compare it with is what moves. Their
table keeps every time as milliseconds in an attribute named `*_ms` (a number or a list of numbers),
and DynamoDB's `ttl` in seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3

MAX_ADVANCE_SECONDS = 366 * 86400


class LocalClock:
    def __init__(self, base: Callable[[], float] = time.time) -> None:
        """`base`: what the clock adds its offset to (the real time, or a test's own clock)."""
        self._base = base
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._base() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


def move_stored_times_back(table_name: str, region: str, seconds: float, lock: threading.RLock) -> int:
    """Every stored time in the functions' table, `seconds` earlier; returns the items changed. Under
    the lock every request into the embedded AWS takes, so no function sees an item half-moved; each
    moved item's `version` goes up, so a function that read it before the move and writes back with
    the version it read is refused (and reads again) rather than writing back the times it read."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    changed = 0
    with lock:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
            for item in page["Items"]:
                moved = {name: _moved(name, dict(value), seconds) for name, value in item.items()}
                if moved == dict(item):
                    continue
                if "N" in moved.get("version", {}):
                    moved["version"] = {"N": str(int(moved["version"]["N"]) + 1)}
                dynamodb.put_item(TableName=table_name, Item=moved)
                changed += 1
    return changed


def _moved(name: str, value: dict[str, Any], seconds: float) -> dict[str, Any]:
    if value.get("N") == "0":
        return value  # "never" (a spent secret's last email, no wrong answer yet), not a time
    if name == "ttl" and "N" in value:
        return {"N": str(int(value["N"]) - int(seconds))}
    if not name.endswith("_ms"):
        return value
    if "N" in value:
        return {"N": str(int(value["N"]) - int(seconds * 1000))}
    if "L" in value and all("N" in entry for entry in value["L"]):
        return {"L": [{"N": str(int(entry["N"]) - int(seconds * 1000))} for entry in value["L"]]}
    return value
