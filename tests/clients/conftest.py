"""pytest rewrites the asserts of client_support.py as it does a test module's, so that a failing check
of a refresh's tokens shows the values it compared."""

import pytest

pytest.register_assert_rewrite("tests.clients.client_support")
