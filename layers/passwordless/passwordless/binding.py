"""Who a sign-in secret belongs to: the user pool, app client and user named by the trigger event.

Its own module so that define, which reads it from every event but hashes nothing, does not load
hashlib's OpenSSL bindings (keyed_hash) at cold start.
"""

# No `from __future__ import annotations` here: typing.NamedTuple turns each string annotation
# into a compiled ForwardRef when the module is imported, a cost define's cold start would pay.

from typing import NamedTuple


class Binding(NamedTuple):
    user_pool_id: str
    client_id: str
    username: str
