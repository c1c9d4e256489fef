"""The laptop and test outbox: each message becomes one JSON file a person can open and a test can read.

Files hold working codes and links, so they are created private (0600, in a 0700 folder when we make it).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from passwordless.email.message import EmailDeliveryError, OutgoingEmail

_SUFFIX = ".json"
_PARTIAL_SUFFIX = ".partial"


class OutboxSender:
    """An EmailSender that renders like the real ones and writes the result to `folder`."""

    def __init__(self, folder: Path) -> None:
        self._folder = Path(folder)
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._last_ns = 0

    def send(self, email: OutgoingEmail) -> None:
        from passwordless.email.render import render  # noqa: PLC0415 - see passwordless.email

        rendered = render(email)
        stamp = self._next_stamp()
        record = {
            "to": rendered.to,
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "time": datetime.fromtimestamp(stamp / 1e9, tz=UTC).isoformat(timespec="microseconds"),
        }
        # Nanoseconds, zero-padded, then a random tail: names sort by time and never collide, even
        # between processes sharing the folder.
        name = f"{stamp:020d}-{secrets.token_hex(4)}{_SUFFIX}"
        try:
            _write_atomically(self._folder / name, json.dumps(record, ensure_ascii=False, indent=2))
        except OSError:
            pass
        else:
            return
        # Raised outside the handler so the error carries no context, like the real senders' errors.
        raise EmailDeliveryError("could not write the email to the outbox") from None

    def _next_stamp(self) -> int:
        # Strictly increasing within the process, so two sends in one clock tick keep their order.
        with self._lock:
            self._last_ns = max(time.time_ns(), self._last_ns + 1)
            return self._last_ns


def _write_atomically(target: Path, content: str) -> None:
    """Readers see the whole file or none of it: write a temporary file, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=_PARTIAL_SUFFIX)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_outbox(folder: Path) -> list[dict[str, str]]:
    """Every message in `folder`, oldest first; an absent folder is an empty outbox."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    messages: list[dict[str, str]] = []
    for path in sorted(folder.glob(f"*{_SUFFIX}")):
        if path.name.startswith("."):
            continue
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            messages.append({str(key): str(value) for key, value in loaded.items()})
    return messages
