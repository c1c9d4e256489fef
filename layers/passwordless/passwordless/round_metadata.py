"""The challengeMetadata each round carries: which kind of round it was, and the Cognito session's nonce.

Cognito shows every trigger the session's earlier (challengeName, challengeResult, challengeMetadata)
entries and nothing else, so this string is how define tells a resend round from a wrong answer, and how
create tells Cognito's retry of a call from a new call in another session.
"""

# No `from __future__ import annotations` here: typing.NamedTuple turns each string annotation
# into a compiled ForwardRef when the module is imported, a cost define's cold start would pay.

from typing import Literal, NamedTuple

RoundKind = Literal["first", "retry", "resend"]
PREFIX = "EMAIL_SIGN_IN"
_KINDS: tuple[RoundKind, ...] = ("first", "retry", "resend")


class RoundMetadata(NamedTuple):
    kind: RoundKind
    nonce: str

    def encode(self) -> str:
        return f"{PREFIX}:{self.kind}:{self.nonce}"


def decode(metadata: str) -> RoundMetadata | None:
    """Our own metadata, or None for anything another flow (or a forger) put there."""
    prefix, _, rest = metadata.partition(":")
    kind, _, nonce = rest.partition(":")
    if prefix != PREFIX or not nonce.isalnum():
        return None
    for known in _KINDS:
        if kind == known:
            return RoundMetadata(known, nonce)
    return None
