"""The one Jinja environment every message shares, and loading a set of templates per locale.

A template set is the folder templates/<locale>/<name>/ holding one file per part (subject, HTML body,
text or SMS body). Sets are parsed when the module that needs them is imported: a broken template fails
the import (and the tests), not a sign-in, and a warm container never compiles a template again.
Autoescaping is on for .html files only: the text parts are not HTML, and escaping them would show
`&amp;` to the reader. StrictUndefined turns a typo in a template into an error in the tests instead of
a blank in an inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

TEMPLATE_DIR = Path(__file__).parent / "templates"

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

TemplateSet = tuple[Template, ...]


def complete_locales(names: Iterable[str], parts: Iterable[str]) -> frozenset[str]:
    """The locale folders holding every part of every named set."""
    wanted = [(name, part) for name in names for part in parts]
    return frozenset(
        folder.name
        for folder in TEMPLATE_DIR.iterdir()
        if folder.is_dir() and all((folder / name / part).is_file() for name, part in wanted)
    )


def load_sets(
    locales: Iterable[str], names: Iterable[str], parts: Iterable[str]
) -> dict[tuple[str, str], TemplateSet]:
    """(locale, name) -> that set's parsed templates, in the order of `parts`."""
    name_list, part_list = tuple(names), tuple(parts)
    return {
        (locale, name): tuple(ENVIRONMENT.get_template(f"{locale}/{name}/{part}") for part in part_list)
        for locale in locales
        for name in name_list
    }


def one_line(text: str) -> str:
    """Headers are one line: a newline in APP_NAME (or anything else) must not start a second header."""
    return " ".join(text.split())
