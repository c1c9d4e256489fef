"""SECURITY.md names the tests that show each claim; these checks keep those names true.

A reference is written `tests/<path>.py::<name>` (or `::<Class>::<method>`). Every one must resolve to a
test pytest would collect, and every numbered requirement in the requirement map must cite at least one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECURITY_MD = ROOT / "SECURITY.md"
README_MD = ROOT / "README.md"
REQUIREMENT_COUNT = 23
REQUIREMENT_MAP_HEADING = "## Requirement-to-test map"

REFERENCE = re.compile(r"(tests/[\w/]+\.py)((?:::\w+)+)")
REQUIREMENT_ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*)$")


def references(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(path, tuple(names.split("::")[1:])) for path, names in REFERENCE.findall(text)]


def collectable_tests(module: ast.Module) -> dict[str, set[str]]:
    """Top-level test names of a module, each with the test methods it holds (empty for a function).

    Hypothesis state machines are collected through an assignment such as `TestX = Machine.TestCase`,
    so an assigned `Test*` name counts as a test class whose methods pytest finds at run time.
    """
    found: dict[str, set[str]] = {}
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            found[node.name] = set()
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test_")
            }
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.startswith("Test"):
                    found[target.id] = set()
    return found


def unresolved(root: Path, refs: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    missing: list[str] = []
    parsed: dict[str, dict[str, set[str]]] = {}
    for path, names in refs:
        label = "::".join((path, *names))
        file = root / path
        if not file.is_file():
            missing.append(f"{label} (no such file)")
            continue
        if path not in parsed:
            parsed[path] = collectable_tests(ast.parse(file.read_text(encoding="utf-8")))
        tests = parsed[path]
        head, *rest = names
        if head not in tests:
            missing.append(f"{label} (no test named {head})")
        elif len(rest) > 1 or (rest and rest[0] not in tests[head]):
            missing.append(f"{label} (no test method {'::'.join(rest)})")
    return missing


def requirement_rows(text: str) -> dict[int, str]:
    _, found, after = text.partition(REQUIREMENT_MAP_HEADING)
    assert found, f"SECURITY.md has no '{REQUIREMENT_MAP_HEADING}' section"
    section = after.split("\n## ", 1)[0]
    rows: dict[int, str] = {}
    for line in section.splitlines():
        match = REQUIREMENT_ROW.match(line.strip())
        if match:
            number = int(match.group(1))
            assert number not in rows, f"requirement {number} appears twice in the map"
            rows[number] = match.group(2)
    return rows


@pytest.fixture(scope="module")
def security_md() -> str:
    return SECURITY_MD.read_text(encoding="utf-8")


def test_every_test_security_md_names_exists(security_md: str) -> None:
    refs = references(security_md)
    # A document that cites almost nothing would pass the resolution check vacuously.
    assert len(refs) >= 100
    assert unresolved(ROOT, refs) == []


def test_each_numbered_requirement_cites_at_least_one_existing_test(security_md: str) -> None:
    rows = requirement_rows(security_md)
    assert sorted(rows) == list(range(1, REQUIREMENT_COUNT + 1))
    for number, row in rows.items():
        cited = references(row)
        assert cited, f"requirement {number} cites no test"
        assert unresolved(ROOT, cited) == [], f"requirement {number}"


def test_the_check_reports_a_missing_file_function_and_method(tmp_path: Path) -> None:
    module = tmp_path / "tests" / "unit" / "test_sample.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def test_real(): ...\n"
        "def helper(): ...\n"
        "class TestGroup:\n    def test_member(self): ...\n"
        "TestMachine = object()\n",
        encoding="utf-8",
    )
    text = (
        "`tests/unit/test_sample.py::test_real` `tests/unit/test_sample.py::TestGroup::test_member` "
        "`tests/unit/test_sample.py::TestMachine` `tests/unit/test_sample.py::helper` "
        "`tests/unit/test_sample.py::test_gone` `tests/unit/test_sample.py::TestGroup::test_gone` "
        "`tests/unit/test_absent.py::test_real`"
    )
    assert unresolved(tmp_path, references(text)) == [
        "tests/unit/test_sample.py::helper (no test named helper)",
        "tests/unit/test_sample.py::test_gone (no test named test_gone)",
        "tests/unit/test_sample.py::TestGroup::test_gone (no test method test_gone)",
        "tests/unit/test_absent.py::test_real (no such file)",
    ]


def test_the_map_parser_finds_each_row_and_refuses_a_duplicate() -> None:
    table = ["| # | rule | tests |", "|---|---|---|", "| 1 | a | x |", "| 2 | b | y |"]
    lines = [REQUIREMENT_MAP_HEADING, "", *table]
    text = "\n".join([*lines, "", "## Next", "| 3 | c | z |", ""])
    assert requirement_rows(text) == {1: " a | x |", 2: " b | y |"}
    with pytest.raises(AssertionError, match="appears twice"):
        requirement_rows(f"{REQUIREMENT_MAP_HEADING}\n| 1 | a | x |\n| 1 | b | y |\n")


def test_the_assurance_statement_says_single_factor_and_recommends_step_up(security_md: str) -> None:
    # SECURITY.md #23: both the README and SECURITY.md must say it, in words a deployer cannot miss.
    for name, text in (("SECURITY.md", security_md), ("README.md", README_MD.read_text(encoding="utf-8"))):
        flat = " ".join(text.split())
        assert "single-factor" in flat, name
        assert "AAL2" in flat, name
        assert "step-up" in flat, name
        assert "NIST SP 800-63B" in flat, name


def test_vulnerabilities_are_reported_privately_through_github(security_md: str) -> None:
    flat = " ".join(security_md.split())
    assert "Report a vulnerability" in flat
    assert "Security Advisories" in flat or "private vulnerability reporting" in flat
    # A placeholder address nobody reads is worse than no channel at all.
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", security_md)
