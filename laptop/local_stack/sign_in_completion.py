"""How every successful sign-in ends, whatever the flow: Cognito runs the PostAuthentication trigger
(when the pool has one) after authentication and before any token leaves, then issues the tokens.

The tokens carry the attributes as they were when authentication finished: what the trigger changes
(email_verified, say) shows from the next sign-in on, as in Cognito."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from laptop.local_stack.errors import CognitoError
from laptop.local_stack.tokens import Holder, TokenIssuer, TokenLifetimes
from laptop.local_stack.trigger_events import cognito_event
from laptop.local_stack.trigger_runner import TriggerRunner
from laptop.local_stack.user_directory import PoolUser

POST_AUTHENTICATION = "PostAuthentication"


class SignInCompletion:
    def __init__(self, triggers: TriggerRunner, tokens: TokenIssuer) -> None:
        self._triggers = triggers
        self._tokens = tokens

    def complete(
        self,
        pool_id: str,
        client: Mapping[str, Any],
        user: PoolUser,
        *,
        configured: Mapping[str, str],
        client_metadata: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The response of the call that finished the sign-in. `configured` is the pool's
        LambdaConfig; `client_metadata` only ever comes from (Admin)RespondToAuthChallenge: Cognito
        does not hand InitiateAuth's to this trigger."""
        arn = configured.get(POST_AUTHENTICATION)
        if arn:
            if arn not in self._triggers:
                raise CognitoError(
                    "UnexpectedLambdaException", f"{POST_AUTHENTICATION} invocation failed: no such function."
                )
            request: dict[str, Any] = {
                "userAttributes": {**user.attributes, "cognito:user_status": user.status},
            }
            if client_metadata is not None:
                request["clientMetadata"] = dict(client_metadata)
            event = cognito_event(
                pool_id=pool_id,
                client_id=client["ClientId"],
                user_name=user.username,
                trigger_source="PostAuthentication_Authentication",
                request=request,
            )
            # Raises UserLambdaValidationException ("PostAuthentication failed with error ...") when
            # the function raises: Cognito then fails the sign-in and no token is issued.
            self._triggers.invoke(POST_AUTHENTICATION, arn, event)
        result = self._tokens.issue(
            pool_id,
            client["ClientId"],
            Holder(user.username, user.attributes, user.groups),
            TokenLifetimes.of_client(client),
        )
        return {"ChallengeParameters": {}, "AuthenticationResult": result}
