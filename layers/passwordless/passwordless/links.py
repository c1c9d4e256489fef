"""The magic link: configured base URL + a fragment that browsers never send to a server."""

from __future__ import annotations

from urllib.parse import urlencode


def magic_link(base_url: str, username: str, token: str, *, invitation: bool = False) -> str:
    """`invitation` marks an invitation's link (p=invitation), so the page it opens says what the email
    said: accept the invitation, not "you opened a sign-in link". The token stays last."""
    # The fragment keeps the token out of server logs, proxies and Referer headers
    # (docs/security/requirements.md #16).
    fields = {"u": username, **({"p": "invitation"} if invitation else {}), "t": token}
    return f"{base_url}#{urlencode(fields)}"
