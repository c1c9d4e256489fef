"""docs/security/requirements.md #1: secrets from `secrets` only; tokens >= 128 bits; code digits uniform."""

from __future__ import annotations

import ast
import base64
import collections
import subprocess
import sys
from pathlib import Path

from passwordless import secret_values

ROOT = Path(__file__).resolve().parents[2]
URLSAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_link_tokens_carry_at_least_128_bits_and_never_repeat() -> None:
    tokens = [secret_values.new_link_token() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert set(token) <= URLSAFE
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128


def test_codes_have_the_configured_length_and_only_digits() -> None:
    for length in (6, 8, 10):
        code = secret_values.new_code(length)
        assert len(code) == length
        assert code.isdigit()


def test_code_digits_are_uniform_in_every_position() -> None:
    # Chi-square over 20,000 codes, per position, 9 degrees of freedom. 45 is far beyond the
    # 1e-5 tail (~37.9 is p=1e-5), so a fair generator fails this about never, while a modulo-biased
    # or constant one fails it every time.
    codes = [secret_values.new_code(6) for _ in range(20_000)]
    for position in range(6):
        counts = collections.Counter(code[position] for code in codes)
        expected = len(codes) / 10
        chi_square = sum((counts.get(d, 0) - expected) ** 2 / expected for d in "0123456789")
        assert chi_square < 45, (position, counts)
    assert any(code.startswith("0") for code in codes), "leading zeros must be possible"


def test_no_module_of_the_product_imports_random() -> None:
    sources = [*ROOT.joinpath("layers").rglob("*.py"), *ROOT.joinpath("functions").rglob("*.py")]
    assert sources
    for path in sources:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] != "random" for alias in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "random", path


def test_the_lint_rule_that_bans_random_fires(tmp_path: Path) -> None:
    # The ruff rule in pyproject.toml is what stops `random` in review; prove it can fail.
    offender = ROOT / "layers" / "passwordless" / "passwordless" / "_lint_probe_random.py"
    offender.write_text("import random\n\nVALUE = random.random()\n")
    try:
        result = subprocess.run(
            [str(Path(sys.executable).with_name("ruff")), "check", "--no-cache", str(offender)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        offender.unlink()
    assert result.returncode != 0
    assert "TID251" in result.stdout
