"""docs/security/requirements.md #12: digests are compared with hmac.compare_digest, and `==` never touches a
secret."""

from __future__ import annotations

import ast
import hmac
from pathlib import Path

import pytest

from passwordless import keyed_hash
from passwordless.binding import Binding
from passwordless.keyed_hash import KeyedHasher, digests_match

ROOT = Path(__file__).resolve().parents[2]
SECRET_WORDS = ("hash", "digest", "token", "secret", "answer", "expected", "actual", "code", "key")
NOT_SECRET_SUFFIXES = (
    "_id",
    "_length",
    "_len",
    "_count",
    "_failures",
    "_ms",
    "_kind",
    "_name",
    "_key_id",
    "_round_key",  # which round issued a secret (a digest of the session history, or a marker)
    "_store",  # where the key lives (KEY_STORE), not the key
)
NOT_SECRET_NAMES = {"kind", "round_key", "key", "secret_id"}  # table key / identifiers, not secret values


def _secret_like(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    lowered = name.lower()
    if not lowered or lowered in NOT_SECRET_NAMES or lowered.endswith(NOT_SECRET_SUFFIXES):
        return False
    return any(word in lowered for word in SECRET_WORDS)


def equality_on_secrets(source: str) -> list[int]:
    """Line numbers where == or != has an operand named like a secret."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
            and any(_secret_like(operand) for operand in [node.left, *node.comparators])
        ):
            lines.append(node.lineno)
    return lines


def test_the_rule_catches_equality_on_a_digest() -> None:
    assert equality_on_secrets("ok = expected_hash == actual\n") == [1]
    assert equality_on_secrets("ok = params.token_hash != computed\n") == [1]
    assert equality_on_secrets("ok = hmac.compare_digest(a, b)\n") == []


def test_no_product_module_compares_secrets_with_equality() -> None:
    offenders = {}
    for path in ROOT.joinpath("layers", "passwordless", "passwordless").rglob("*.py"):
        found = equality_on_secrets(path.read_text())
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_digests_match_goes_through_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keyed_hash.hmac, "compare_digest", recording)
    assert digests_match("ab" * 32, "ab" * 32)
    assert not digests_match("ab" * 32, "ac" * 32)
    assert len(calls) == 2


def test_the_digest_binds_every_field() -> None:
    hasher = KeyedHasher(b"k" * 32)
    base = Binding("pool", "client", "user")
    reference = hasher.digest("code", base, "sid", "123456")
    variants = [
        hasher.digest("token", base, "sid", "123456"),
        hasher.digest("code", Binding("pool2", "client", "user"), "sid", "123456"),
        hasher.digest("code", Binding("pool", "client2", "user"), "sid", "123456"),
        hasher.digest("code", Binding("pool", "client", "user2"), "sid", "123456"),
        hasher.digest("code", base, "sid2", "123456"),
        hasher.digest("code", base, "sid", "123457"),
        KeyedHasher(b"j" * 32).digest("code", base, "sid", "123456"),
        # Field boundaries cannot be shifted to forge a collision.
        hasher.digest("code", Binding("poolc", "lient", "user"), "sid", "123456"),
    ]
    assert reference not in variants
    assert len(set(variants)) == len(variants)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        KeyedHasher(b"short")
    assert "k" * 8 not in repr(KeyedHasher(b"k" * 32))
