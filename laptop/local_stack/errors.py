"""Errors as Cognito's JSON protocol returns them: HTTP 400, `__type` and `message`."""

from __future__ import annotations


class CognitoError(Exception):
    """A refusal the client sees exactly as Cognito would send it."""

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status

    def body(self) -> dict[str, str]:
        return {"__type": self.error_type, "message": self.message}


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def not_authorized(message: str) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def invalid_lambda_response() -> CognitoError:
    """A trigger answered, but not with what Cognito expects of it."""
    return CognitoError("InvalidLambdaResponseException", "Invalid lambda response received.")


# Cognito's own wording, which clients (Amplify among them) match on.
INCORRECT_CREDENTIALS = "Incorrect username or password."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
SESSION_USED = "Invalid session for the user, session can only be used once."
SESSION_INVALID = "Invalid session for the user."
