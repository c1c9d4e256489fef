"""The magic link: configured base URL + a fragment that browsers never send to a server."""

from __future__ import annotations

from urllib.parse import urlencode


def magic_link(base_url: str, username: str, token: str) -> str:
    # The fragment keeps the token out of server logs, proxies and Referer headers (SECURITY.md #16).
    return f"{base_url}#{urlencode({'u': username, 't': token})}"
