"""The open-redirect payload list in tests/security/data, decoded."""

from __future__ import annotations

import re
from pathlib import Path

PAYLOADS_FILE = Path(__file__).resolve().parent.parent / "security" / "data" / "open_redirect_payloads.txt"
_ESCAPE = re.compile(r"\\(t|n|r|u[0-9a-fA-F]{4})")
_CONTROL = {"t": "\t", "n": "\n", "r": "\r"}


def _decode(line: str) -> str:
    return _ESCAPE.sub(lambda m: _CONTROL.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), line)


def open_redirect_payloads() -> list[str]:
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [_decode(line) for line in lines if line and not line.startswith("# ")]
