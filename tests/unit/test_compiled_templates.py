"""The compiled-template cache: every shipped template compiles (the layer build's check), a cached
template is run without compiling it again, and a cache that is stale, damaged or read-only changes
what the reader gets in no way (the template is compiled from its source, as with no cache)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError

from passwordless.email import locales, precompile, template_sets
from passwordless.email.template_sets import CompiledTemplates, TemplateSets

ROOT = Path(__file__).resolve().parents[2]


def environment(templates: Path, cache: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(templates),
        autoescape=True,
        bytecode_cache=CompiledTemplates(cache),
        auto_reload=False,
    )


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "hello.txt").write_text("Hello, {{ name }}!", encoding="utf-8")
    return folder


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiled from source."""
    names: list[str] = []
    real = Environment.compile

    def counting(self: Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        names.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return names


def test_a_cached_template_is_not_compiled_again(
    templates: Path, tmp_path: Path, compiles: list[str]
) -> None:
    cache = tmp_path / "cache"
    assert environment(templates, cache).get_template("en/hello.txt").render(name="Ada") == "Hello, Ada!"
    assert compiles == ["en/hello.txt"]
    # A new container (a fresh environment) finds the compiled code and only runs it
    assert environment(templates, cache).get_template("en/hello.txt").render(name="Bob") == "Hello, Bob!"
    assert compiles == ["en/hello.txt"]
    assert [path.suffix for path in cache.iterdir()] == [".jinja"]


def test_a_changed_template_is_compiled_from_its_new_source(
    templates: Path, tmp_path: Path, compiles: list[str]
) -> None:
    cache = tmp_path / "cache"
    environment(templates, cache).get_template("en/hello.txt")
    (templates / "en" / "hello.txt").write_text("Good morning, {{ name }}.", encoding="utf-8")

    rendered = environment(templates, cache).get_template("en/hello.txt").render(name="Ada")

    assert rendered == "Good morning, Ada."
    assert compiles == ["en/hello.txt", "en/hello.txt"]


def test_a_damaged_cache_file_is_ignored(templates: Path, tmp_path: Path, compiles: list[str]) -> None:
    cache = tmp_path / "cache"
    environment(templates, cache).get_template("en/hello.txt")
    for path in cache.iterdir():
        path.write_bytes(path.read_bytes()[:20])

    assert environment(templates, cache).get_template("en/hello.txt").render(name="Ada") == "Hello, Ada!"
    assert len(compiles) == 2


def test_an_unwritable_cache_location_costs_only_the_compile(templates: Path, tmp_path: Path) -> None:
    # Where the folder cannot even be made (a file stands in its way), as on Lambda's read-only /opt
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")

    rendered = environment(templates, blocker / "cache").get_template("en/hello.txt").render(name="Ada")

    assert rendered == "Hello, Ada!"
    assert blocker.is_file()


def test_the_cache_is_keyed_by_name_and_python_not_by_path(templates: Path, tmp_path: Path) -> None:
    cache = CompiledTemplates(tmp_path / "cache")
    # The layer is built in one folder and run from /opt: the same name must find the same file
    built, deployed = (
        cache.get_cache_key("en/hello.txt", f"{root}/en/hello.txt") for root in ("/build", "/opt")
    )
    assert built == deployed
    assert cache.path_of("k").name == f"k.{sys.implementation.cache_tag}.jinja"


def test_every_shipped_template_compiles_into_the_shipped_cache() -> None:
    names = precompile.compile_all()

    shipped = {
        str(path.relative_to(locales.TEMPLATE_DIR))
        for path in locales.TEMPLATE_DIR.rglob("*")
        if path.is_file() and path.name != locales.APP_NAME_FILE
    }
    assert set(names) == shipped
    cache = template_sets.ENVIRONMENT.bytecode_cache
    assert isinstance(cache, CompiledTemplates)
    assert cache.folder == template_sets.CACHE_DIR
    for name in names:
        assert cache.path_of(cache.get_cache_key(name)).is_file(), name


def test_a_broken_template_stops_the_precompile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "broken.html").write_text("{% if link %}never closed", encoding="utf-8")
    broken = Environment(
        loader=FileSystemLoader(tmp_path), autoescape=True, bytecode_cache=CompiledTemplates(tmp_path / "c")
    )
    monkeypatch.setattr(precompile, "ENVIRONMENT", broken)

    with pytest.raises(TemplateSyntaxError):
        precompile.compile_all()


def test_the_precompile_command_names_what_it_compiled() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "passwordless.email.precompile"],
        cwd=ROOT / "layers" / "passwordless",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.startswith(f"compiled {len(precompile.compile_all())} templates into ")


def test_a_set_loads_when_first_asked_for_and_is_kept() -> None:
    sets = TemplateSets(["en"], ["sign_in"], ["subject.txt", "body.txt"])

    first = sets[("en", "sign_in")]

    assert [template.name for template in first] == ["en/sign_in/subject.txt", "en/sign_in/body.txt"]
    assert sets[("en", "sign_in")] is first
    with pytest.raises(KeyError):
        sets[("xx", "sign_in")]
    assert list(sets) == [("en", "sign_in")]
