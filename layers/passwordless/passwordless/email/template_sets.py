"""The one Jinja environment every message shares, and the sets of templates per locale.

A template set is the folder templates/<locale>/<name>/ holding one file per part (subject, HTML body,
text or SMS body). A set is loaded when a message first needs it and kept for the container's life.
Autoescaping is on for .html files only: the text parts are not HTML, and escaping them would show
`&amp;` to the reader. StrictUndefined turns a typo in a template into an error in the tests instead of
a blank in an inbox.

Compiling a template (lexing, parsing, generating and compiling Python) costs far more than running
it, so the compiled code is kept next to the templates, in __pycache__/templates/, as Python keeps a
module's: the layer build writes it for the runtime's Python (`python -m passwordless.email.precompile`,
which also fails the build on a broken template) and a Lambda container, whose /opt is read-only,
only reads it. Each file carries its template's checksum and the Python version, so a stale or foreign
file is never used: that template is compiled again, as if there were no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle  # nosec B403 - only to name the error Jinja's own cache reader may raise
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from passwordless.email.locales import TEMPLATE_DIR

if TYPE_CHECKING:
    from jinja2.bccache import Bucket

CACHE_DIR = Path(__file__).parent / "__pycache__" / "templates"


class CompiledTemplates(BytecodeCache):
    """Compiled templates in a folder, keyed by template name (not by path, which differs between the
    build and /opt) and by the Python that compiled them. Writing is best effort, like Python's own
    bytecode: a read-only folder only means the next container compiles again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()

    def path_of(self, key: str) -> Path:
        return self.folder / f"{key}.{sys.implementation.cache_tag}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        # A missing, unreadable or damaged file is no cache: the template is compiled from its source.
        try:
            with self.path_of(bucket.key).open("rb") as file:
                bucket.load_bytecode(file)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        target = self.path_of(bucket.key)
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so a concurrent reader sees the old file or the new, never half.
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=target.name, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    bucket.write_bytecode(file)
                Path(temporary).replace(target)
            finally:
                Path(temporary).unlink(missing_ok=True)


ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
    bytecode_cache=CompiledTemplates(CACHE_DIR),
)

TemplateSet = tuple[Template, ...]


class TemplateSets:
    """(locale, name) -> that set's templates, in the order of `parts`, loaded on first use."""

    def __init__(self, locales: Iterable[str], names: Iterable[str], parts: Iterable[str]) -> None:
        name_list = tuple(names)
        self.keys = frozenset((locale, name) for locale in locales for name in name_list)
        self._parts = tuple(parts)
        self._loaded: dict[tuple[str, str], TemplateSet] = {}

    def __getitem__(self, key: tuple[str, str]) -> TemplateSet:
        loaded = self._loaded.get(key)
        if loaded is None:
            if key not in self.keys:
                raise KeyError(key)
            locale, name = key
            loaded = tuple(ENVIRONMENT.get_template(f"{locale}/{name}/{part}") for part in self._parts)
            self._loaded[key] = loaded
        return loaded

    @property
    def loaded(self) -> frozenset[tuple[str, str]]:
        """The sets loaded so far in this container."""
        return frozenset(self._loaded)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self.keys))


def one_line(text: str) -> str:
    """Headers are one line: a newline in APP_NAME (or anything else) must not start a second header."""
    return " ".join(text.split())
