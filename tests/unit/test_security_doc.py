"""SECURITY.md and the security pages of the documentation site (docs/security/) name the tests that
show each claim; these checks keep those names true.

A reference is written `tests/<path>.py::<name>` (or `::<Class>::<method>`). Every one must resolve to a
test pytest would collect, and every row of the requirement map in docs/security/requirements.md must
cite at least one. Rows 1 to 23, 25 and 30 are the product's rules (code and tests cite them as
"docs/security/requirements.md #N"); rows A1, A2, ... are further OWASP ASVS 5.0.0 requirements.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECURITY_MD = ROOT / "SECURITY.md"
README_MD = ROOT / "README.md"
SECURITY_PAGES = ROOT / "docs" / "security"
REQUIREMENTS_MD = SECURITY_PAGES / "requirements.md"
SITE_PAGES = ("docs/security/index.md", "docs/security/threat-model.md", "docs/security/requirements.md")
# The product's rules as numbered in the rule list (a rule enters the map with the tests that show it).
RULES = (*range(1, 24), 25, 27, 29, 30, 31)
ASVS_ROW_COUNT = 12
REQUIREMENT_MAP_HEADING = "## Requirement map"
# SECURITY.md is the short page GitHub shows; the detail lives on the site, in tables of short cells.
SECURITY_MD_MAX_LINES = 100
TABLE_CELL_MAX_CHARS = 1500

REFERENCE = re.compile(r"(tests/[\w/]+\.py)((?:::\w+)+)")
REQUIREMENT_ROW = re.compile(r"^\|\s*(A?\d+)\s*\|(.*)$")
LOCAL_LINK = re.compile(r"\]\((?!https?:)([^)#\s]+)[^)]*\)")


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


def requirement_rows(text: str) -> dict[str, str]:
    """The map's rows in page order, by label ("1" ... or "A1" ...), each with the rest of its line."""
    _, found, after = text.partition(REQUIREMENT_MAP_HEADING)
    assert found, f"the page has no '{REQUIREMENT_MAP_HEADING}' section"
    section = after.split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        match = REQUIREMENT_ROW.match(line.strip())
        if match:
            label = match.group(1)
            assert label not in rows, f"requirement {label} appears twice in the map"
            rows[label] = match.group(2)
    return rows


def table_cells(text: str) -> list[str]:
    return [
        cell.strip()
        for line in text.splitlines()
        if line.lstrip().startswith("|")
        for cell in line.split("|")
    ]


@pytest.fixture(scope="module")
def security_md() -> str:
    return SECURITY_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def security_pages() -> dict[str, str]:
    """SECURITY.md and each page of the site's security section, by path from the repository root."""
    pages = [SECURITY_MD, *sorted(SECURITY_PAGES.glob("*.md"))]
    return {str(page.relative_to(ROOT)): page.read_text(encoding="utf-8") for page in pages}


def test_every_test_the_security_pages_name_exists(security_pages: dict[str, str]) -> None:
    assert set(SITE_PAGES) <= set(security_pages)
    refs = [ref for text in security_pages.values() for ref in references(text)]
    # Pages that cite almost nothing would pass the resolution check vacuously.
    assert len(refs) >= 100
    missing = {name: unresolved(ROOT, references(text)) for name, text in security_pages.items()}
    assert {name: gone for name, gone in missing.items() if gone} == {}


def test_each_requirement_in_the_map_cites_at_least_one_existing_test() -> None:
    rows = requirement_rows(REQUIREMENTS_MD.read_text(encoding="utf-8"))
    rules = [str(number) for number in RULES]
    assert list(rows) == rules + [f"A{number}" for number in range(1, ASVS_ROW_COUNT + 1)]
    for label, row in rows.items():
        cited = references(row)
        assert cited, f"requirement {label} cites no test"
        assert unresolved(ROOT, cited) == [], f"requirement {label}"


def test_security_md_stays_short_and_links_to_pages_that_exist(security_md: str) -> None:
    assert len(security_md.splitlines()) <= SECURITY_MD_MAX_LINES
    targets = LOCAL_LINK.findall(security_md)
    assert set(SITE_PAGES) <= set(targets)
    assert [target for target in targets if not (ROOT / target).is_file()] == []


def test_no_table_cell_on_the_security_pages_is_a_wall_of_text(security_pages: dict[str, str]) -> None:
    long_cells = [
        f"{name}: {cell[:60]}... ({len(cell)} characters)"
        for name, text in security_pages.items()
        for cell in table_cells(text)
        if len(cell) > TABLE_CELL_MAX_CHARS
    ]
    assert long_cells == []


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
    table = ["| # | rule | tests |", "|---|---|---|", "| 1 | a | x |", "| 2 | b | y |", "| A1 | c | z |"]
    lines = [REQUIREMENT_MAP_HEADING, "", *table]
    text = "\n".join([*lines, "", "## Next", "| 3 | d | w |", ""])
    assert requirement_rows(text) == {"1": " a | x |", "2": " b | y |", "A1": " c | z |"}
    with pytest.raises(AssertionError, match="appears twice"):
        requirement_rows(f"{REQUIREMENT_MAP_HEADING}\n| 1 | a | x |\n| 1 | b | y |\n")
    with pytest.raises(AssertionError, match="no '## Requirement map' section"):
        requirement_rows("## Requirement-to-test map\n| 1 | a | x |\n")


def test_the_cell_and_link_readers_see_what_the_pages_hold() -> None:
    text = "| a | " + "b" * 5 + " |\nnot | a row\n[x](docs/x.md#y) [w](https://example.org/z.md)\n"
    assert [cell for cell in table_cells(text) if cell] == ["a", "bbbbb"]
    assert LOCAL_LINK.findall(text) == ["docs/x.md"]


def test_the_assurance_statement_says_single_factor_and_recommends_step_up(security_md: str) -> None:
    # docs/security/requirements.md #23: SECURITY.md, the README and the site's security overview must
    # say it, in words a deployer cannot miss.
    pages = {
        "SECURITY.md": security_md,
        "README.md": README_MD.read_text(encoding="utf-8"),
        "docs/security/index.md": (SECURITY_PAGES / "index.md").read_text(encoding="utf-8"),
    }
    for name, text in pages.items():
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
