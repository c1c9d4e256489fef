"""The one way a trigger hands its answer back to Cognito.

The response object is always rebuilt from scratch, so nothing a caller pre-filled (an
`issueTokens: true`, say) can survive into what Cognito reads back.
"""

from __future__ import annotations

from typing import Any

Event = dict[str, Any]


def with_response(event: object, response: dict[str, Any]) -> Event:
    if not isinstance(event, dict):
        return {"response": response}
    event["response"] = response
    return event
