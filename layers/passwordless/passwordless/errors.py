"""The only errors a caller of a trigger can see. Their text reaches the Cognito client verbatim
(as `CreateAuthChallenge failed with error ...`), so it is generic and never carries a secret."""

from __future__ import annotations


class SignInUnavailable(RuntimeError):
    """A dependency (storage, key, email provider) failed; the sign-in fails closed and may be retried."""

    def __init__(self) -> None:
        super().__init__("Sign-in is temporarily unavailable. Please try again.")


class StorageUnavailable(RuntimeError):
    """DynamoDB did not answer as expected. Internal: triggers turn it into SignInUnavailable."""


class ConcurrentChange(RuntimeError):
    """Another request changed the user's item between our read and our conditional write."""


class SignInRefused(ValueError):
    """The trigger event is malformed; nothing was read or written."""

    def __init__(self) -> None:
        super().__init__("Sign-in could not be completed.")
