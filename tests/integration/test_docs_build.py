"""`make docs` is a gate: the real target, run on a copy of the site's configuration with stand-in
pages, builds a sound site and fails on a broken link, a missing anchor, a page outside the navigation
or a configuration page without its generated tables. (The screenshots are left out: -o.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from laptop.handlers import ROOT
from tests.support.make_runner import make

NAV_PAGE = re.compile(r"^\s*-\s+(?:[^:\n]+:\s+)?([\w/-]+\.md)\s*$", re.MULTILINE)
MARKER = "<!-- template-parameters -->"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """mkdocs.yml, its hook and template.yaml, with a one-line page for every page in the nav."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copy(ROOT / "template.yaml", tmp_path / "template.yaml")
    shutil.copytree(
        ROOT / "docs" / "hooks", tmp_path / "docs" / "hooks", ignore=shutil.ignore_patterns("__pycache__")
    )
    pages = NAV_PAGE.findall(config)
    assert "index.md" in pages
    assert "configuration.md" in pages
    for name in pages:
        page = tmp_path / "docs" / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {name}\n\n## Section\n", encoding="utf-8")
    (tmp_path / "docs" / "configuration.md").write_text(f"# Configuration\n\n{MARKER}\n", encoding="utf-8")
    return tmp_path


def build(site: Path) -> tuple[int, str]:
    done = make(
        "docs", "-o", "screenshots", "-o", ".venv-docs/.installed", f"MKDOCS_CONFIG={site / 'mkdocs.yml'}"
    )
    return done.returncode, done.stdout + done.stderr


def test_a_sound_site_builds_with_the_generated_tables(site: Path) -> None:
    status, output = build(site)
    assert status == 0, output
    built = (site / "site" / "configuration" / "index.html").read_text(encoding="utf-8")
    assert "<code>EmailProvider</code>" in built
    assert MARKER not in built


@pytest.mark.parametrize(
    ("page", "text", "complaint"),
    [
        ("index.md", "[Deploy](missing.md)", "'missing.md', but the target is not found"),
        ("index.md", "[Deploy](deploy.md#no-such-heading)", "does not contain an anchor '#no-such-heading'"),
        ("index.md", "![The page](screens/none.png)", "'screens/none.png', but the target is not found"),
        ("orphan.md", "# A page no menu leads to", 'not included in the "nav" configuration'),
    ],
)
def test_a_broken_link_or_an_orphan_page_fails_the_build(
    site: Path, page: str, text: str, complaint: str
) -> None:
    with (site / "docs" / page).open("a", encoding="utf-8") as file:
        file.write(f"\n{text}\n")
    status, output = build(site)
    assert status != 0
    assert complaint in output


def test_a_configuration_page_without_its_tables_fails_the_build(site: Path) -> None:
    (site / "docs" / "configuration.md").write_text("# Configuration\n", encoding="utf-8")
    status, output = build(site)
    assert status != 0
    assert "must hold the line" in output
