"""`python -m passwordless.email.precompile`: compile every template the product ships into
template_sets.CACHE_DIR, for the Python that runs this (the layer build runs the runtime's).

A template that does not compile stops this with Jinja's error: the layer build fails, instead of the
first email of that kind in that language.
"""

from __future__ import annotations

import sys

from passwordless.email.locales import APP_NAME_FILE
from passwordless.email.template_sets import CACHE_DIR, ENVIRONMENT


def compile_all() -> list[str]:
    """Compile (and cache) every template file; return their names."""
    names = ENVIRONMENT.list_templates(filter_func=lambda name: not name.endswith(f"/{APP_NAME_FILE}"))
    for name in names:
        ENVIRONMENT.get_template(name)
    return names


def main() -> None:
    names = compile_all()
    sys.stdout.write(f"compiled {len(names)} templates into {CACHE_DIR}\n")


if __name__ == "__main__":
    main()
