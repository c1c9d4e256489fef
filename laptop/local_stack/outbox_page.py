"""The local outbox as a page a person opens beside the sign-in page: newest message first, each with
its magic link as something to click."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from jinja2 import Environment

_ENVIRONMENT = Environment(autoescape=True)  # autoescape is on  # nosec B701
_TEMPLATE = _ENVIRONMENT.from_string(
    """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local outbox ({{ messages|length }})</title></head>
<body>
<h1>Local outbox</h1>
<p>Every email the local stack sent, newest first. Reload to see new ones.
The same list as JSON: <code>GET /local/outbox</code> with <code>Accept: application/json</code>.</p>
{% for message in messages %}
<article>
  <h2>{{ message.subject }}</h2>
  <p>To <strong>{{ message.to }}</strong> at <time>{{ message.time }}</time></p>
  {% if message.link -%}
  <p><a class="magic-link" href="{{ message.link }}" rel="noreferrer">Open the magic link</a></p>
  {%- endif %}
  <pre>{{ message.text }}</pre>
</article>
{% else %}
<p id="empty">No email yet. Ask for a sign-in on <a href="/">the sign-in page</a>.</p>
{% endfor %}
</body>
</html>
"""
)


_CODE = re.compile(r"\b(\d{6,10})\b")


def magic_link_in(text: str, sign_in_url: str) -> str | None:
    """The first link in a message's text that opens the sign-in page with a secret in its fragment."""
    match = re.search(re.escape(sign_in_url) + r"#\S+", text)
    return match.group(0) if match else None


def code_in(text: str) -> str | None:
    """The code in a message's text: its digits, as many as CodeLength allows (6 to 10)."""
    match = _CODE.search(text)
    return match.group(1) if match else None


def outbox_page(messages: Sequence[Mapping[str, str]], sign_in_url: str) -> str:
    shown = [
        {**message, "link": magic_link_in(message.get("text", ""), sign_in_url)}
        for message in reversed(messages)
    ]
    return _TEMPLATE.render(messages=shown)
