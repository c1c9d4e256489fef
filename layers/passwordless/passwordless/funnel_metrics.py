"""The sign-in funnel as CloudWatch metrics (Powertools' EMF provider), derived from the security events.

One table, FUNNEL, says which security event counts as which metric; template.yaml's dashboard and
alarms name the same metrics in the same NAMESPACE (tests/template hold them to it). Each metric is
written twice in one EMF record: per app client (ClientId, the Cognito clientId of the event) and
summed over the service, which is what the alarms watch. Nothing else rides along: no user, no
address, no secret, only the event's client id, which Cognito itself sets.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from passwordless.handler import Handler
from passwordless.security_events import EventName

if TYPE_CHECKING:
    # Annotations only: importing it at run time would add to every cold start.
    from aws_lambda_powertools.utilities.typing import LambdaContext

NAMESPACE = "PasswordlessSignIn"
CLIENT_DIMENSION = "ClientId"
SERVICE_DIMENSION = "service"  # Powertools adds it from POWERTOOLS_SERVICE_NAME
COLD_START = "ColdStart"  # Powertools' own name and dimensions (function_name, service) for it
COLD_START_DIMENSION = "function_name"

FUNNEL: Mapping[EventName, str] = {
    "issued": "SecretIssued",
    "sent": "EmailSent",
    "throttled": "EmailThrottled",
    "stranger_budget": "StrangerBudgetSpent",
    "consumed": "AnswerRight",
    "failed": "AnswerWrong",
    "locked": "CodeLocked",
    "send_failed": "ProviderError",
    "passkey_signed_in": "PasskeySignIn",
    "passkey_failed": "PasskeyFailure",
}
"""Security event -> the metric it counts (one each time the event is raised)."""


class _PerThread(threading.local):
    # Lambda runs one invocation per container at a time; the local stack runs each on its own
    # thread, so each thread buffers its own invocation's metrics.
    provider: AmazonCloudWatchEMFProvider | None = None


class FunnelMetrics:
    """Counts funnel events as they are raised and writes them as EMF once per invocation.

    Created once per container, next to the Logger. POWERTOOLS_METRICS_DISABLED (or POWERTOOLS_DEV)
    turns it off at that point: nothing is buffered or written, which is what the laptop uses.
    """

    def __init__(self) -> None:
        self.enabled = not is_metrics_disabled()
        # Provisioned concurrency initialises ahead of traffic: its first invocation is not a cold start.
        self._cold = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"
        self._local = _PerThread()

    def observe(self, name: EventName, fields: Mapping[str, str | int | bool]) -> None:
        """Called by SecurityLog for every event; counts the ones FUNNEL names."""
        metric = FUNNEL.get(name)
        if metric is None or not self.enabled:
            return
        provider = self._provider()
        client = str(fields.get("client", "")) or "unknown"
        recorded = provider.dimension_sets[0].get(CLIENT_DIMENSION) if provider.dimension_sets else None
        if recorded != client:
            if recorded is not None:  # one invocation serves one client, but never mix two in a record
                provider.flush_metrics()
            self._dimension_by_client(provider, client)
        provider.add_metric(name=metric, unit="Count", value=1)

    def flush_per_invocation(self, handler: Handler) -> Handler:
        """Decorate a handler: the cold start is counted first, the funnel written when it returns or
        raises (a provider error raises), so each invocation's metrics leave with it."""

        @functools.wraps(handler)
        def invoke(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            if self.enabled and self._cold:
                self._count_cold_start(context)
            self._cold = False
            try:
                return handler(event, context)
            finally:
                if self.enabled:
                    self._flush()

        return invoke  # type: ignore[return-value]

    def _provider(self) -> AmazonCloudWatchEMFProvider:
        if self._local.provider is None:
            self._local.provider = AmazonCloudWatchEMFProvider(namespace=NAMESPACE)
        return self._local.provider

    def _dimension_by_client(self, provider: AmazonCloudWatchEMFProvider, client: str) -> None:
        # The record's first dimension set is {service} (the total the alarms read); this adds
        # {service, ClientId} beside it, so the same count is also kept per app client.
        if provider.service:
            provider.add_dimensions(**{SERVICE_DIMENSION: str(provider.service), CLIENT_DIMENSION: client})
        else:
            provider.add_dimensions(**{CLIENT_DIMENSION: client})

    def _count_cold_start(self, context: LambdaContext) -> None:
        # Through the same provider rather than Powertools' single_metric, which writes even when
        # metrics are disabled; a record of its own, as Powertools does, so it carries no client.
        provider = self._provider()
        provider.add_dimension(COLD_START_DIMENSION, context.function_name)
        provider.add_metric(name=COLD_START, unit="Count", value=1)
        provider.flush_metrics()

    def _flush(self) -> None:
        provider = self._provider()
        if provider.metric_set:  # flush_metrics warns on an empty set; most define calls have none
            provider.flush_metrics()
        else:
            provider.clear_metrics()
