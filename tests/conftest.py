"""Shared fixtures live in tests/support; each module there is a plugin so tests import nothing by path."""

pytest_plugins = [
    "tests.support.account_api",
    "tests.support.aws",
    "tests.support.browser",
    "tests.support.flow",
    "tests.support.fixtures",
    "tests.support.lambda_handlers",
    "tests.support.local_stack",
]
