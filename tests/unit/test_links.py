"""The magic link's fragment: whose account, which secret, and whether it is an invitation's."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from passwordless.links import magic_link

BASE = "https://app.example.com/sign-in"


def test_a_sign_in_link_carries_the_address_and_token_in_its_fragment_only() -> None:
    link = magic_link(BASE, "jane+x@example.com", "tok_en-1")
    parts = urlsplit(link)
    assert (parts.query, f"{parts.scheme}://{parts.netloc}{parts.path}") == ("", BASE)
    assert parse_qsl(parts.fragment) == [("u", "jane+x@example.com"), ("t", "tok_en-1")]


def test_an_invitation_link_says_so_and_keeps_the_token_last() -> None:
    link = magic_link(BASE, "pia@example.org", "tok", invitation=True)
    assert parse_qsl(urlsplit(link).fragment) == [("u", "pia@example.org"), ("p", "invitation"), ("t", "tok")]
    assert link.split("&t=", 1)[1] == "tok"
