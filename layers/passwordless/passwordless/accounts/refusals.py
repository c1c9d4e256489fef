"""What the account API may tell a caller: a status and a short generic sentence, nothing else.

Every refusal is raised before or instead of a change, or after one that cannot be undone and is
said so; none carries request data, a Cognito message or a secret.
"""

from __future__ import annotations

from typing import ClassVar


class Refusal(Exception):
    status: ClassVar[int] = 400
    message: ClassVar[str] = "The request could not be completed."

    def __init__(self) -> None:
        super().__init__(self.message)


class BadRequest(Refusal):
    status = 400
    message = "The request is not valid."


class BadAddress(Refusal):
    status = 400
    message = "That is not a valid email address."


class NotAuthenticated(Refusal):
    status = 401
    message = "Sign in first."


class NotAllowed(Refusal):
    status = 403
    message = "This request is not allowed."


class DomainNotAllowed(Refusal):
    status = 403
    message = "Sign-up is not open to that address."


class NotFound(Refusal):
    status = 404
    message = "Not found."


class AlreadyExists(Refusal):
    status = 409
    message = "An account with that address already exists."


class AddressUnusable(Refusal):
    status = 409
    message = "That address cannot be used."


class TooLarge(Refusal):
    status = 413
    message = "The request is too large."


class TooSoon(Refusal):
    status = 429
    message = "Please wait a minute before asking again."


class TooManyNewAddresses(Refusal):
    status = 429
    message = "Too many emails to new addresses right now. Please try again later."


class WrongCode(Refusal):
    status = 400
    message = "That code is not valid. Request a new one if it has expired."


class Unavailable(Refusal):
    status = 503
    message = "The service is temporarily unavailable. Please try again."


class InvitationNotValid(Refusal):
    status = 400
    message = "That invitation is not valid. Ask for a new one."


class PasswordNotAccepted(Refusal):
    status = 400
    message = "That password does not meet the password rules. Ask for a new invitation."


class SignInAgain(Refusal):
    status = 403
    message = "Sign in again to add a passkey."


class PasskeyNotAccepted(Refusal):
    status = 400
    message = "That passkey could not be added. Please try again."


class PasskeyLimit(Refusal):
    status = 409
    message = "This passkey is already added, or the account has as many passkeys as it may."
