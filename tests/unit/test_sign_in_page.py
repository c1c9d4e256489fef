"""The sign-in page's Python side: configuration it refuses, config embedded as inert data, the policy
it sends, and assets found by name only."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from passwordless.web.sign_in_page import PageConfig, PageConfigError, sign_in_page, static_asset

GOOD = {
    "region": "eu-west-1",
    "client_id": "4lq7sp1ptbvl9smtv1j2h8se0r",
    "endpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
}


def embedded_config(html: str) -> Any:
    (text,) = re.findall(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    return json.loads(text)


def csp_directives(policy: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in policy.split("; "))


@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://cognito-idp.eu-west-1.amazonaws.com/", "https://cognito-idp.eu-west-1.amazonaws.com"),
        (
            "https://cognito-idp-fips.us-east-1.amazonaws.com",
            "https://cognito-idp-fips.us-east-1.amazonaws.com",
        ),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("http://localhost:9229/cognito/", "http://localhost:9229"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        (
            "HTTPS://Cognito-IDP.EU-West-1.amazonaws.com:443/",
            "https://cognito-idp.eu-west-1.amazonaws.com:443",
        ),
    ],
)
def test_the_page_may_connect_to_its_endpoints_origin_and_nowhere_else(endpoint: str, origin: str) -> None:
    response = sign_in_page(PageConfig(**{**GOOD, "endpoint": endpoint}))
    directives = csp_directives(response.headers["Content-Security-Policy"])
    assert directives["connect-src"] == f"'self' {origin}"
    assert directives["default-src"] == directives["base-uri"] == directives["form-action"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert embedded_config(response.body.decode())["endpoint"] == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://cognito-idp.eu-west-1.amazonaws.com/",  # plain http off loopback
        "http://10.0.0.5:8000/",
        "ftp://127.0.0.1/",
        "https://user:pass@cognito-idp.eu-west-1.amazonaws.com/",
        "https://cognito-idp.eu-west-1.amazonaws.com/?x=1",
        "https://cognito-idp.eu-west-1.amazonaws.com/#frag",
        "https://cognito idp.example.com/",
        "https://cognito-idp.example.com;script-src *",
        "https://evil.example'/",
        "https://cognito-idp.example.com:99999/",
        "https://\u00e9xample.com/",
        "//cognito-idp.eu-west-1.amazonaws.com/",
        "",
    ],
)
def test_an_endpoint_that_is_not_plain_https_is_refused(endpoint: str) -> None:
    with pytest.raises(PageConfigError, match="endpoint"):
        PageConfig(**{**GOOD, "endpoint": endpoint})


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.com/invitations/accept",
        "https://api.example.com/invitations/accept?next=x",
        "https://api.example.com/invitations/accept#x",
        "https://u:p@api.example.com/invitations/accept",
        "https://api.example.com;script-src */",
        "javascript:alert(1)",
    ],
)
def test_an_accept_invitation_url_that_is_not_plain_https_is_refused(url: str) -> None:
    with pytest.raises(PageConfigError, match="accept_invitation_url"):
        PageConfig(**GOOD, accept_invitation_url=url)


def test_the_accept_invitation_url_is_embedded_and_its_origin_joins_connect_src_only_when_set() -> None:
    url = "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com/invitations/accept"
    with_it = sign_in_page(PageConfig(**GOOD, accept_invitation_url=url))
    without = sign_in_page(PageConfig(**GOOD))

    assert embedded_config(with_it.body.decode())["accept_invitation_url"] == url
    assert "accept_invitation_url" not in embedded_config(without.body.decode())
    assert csp_directives(with_it.headers["Content-Security-Policy"])["connect-src"] == (
        "'self' https://cognito-idp.eu-west-1.amazonaws.com https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com"
    )
    assert csp_directives(without.headers["Content-Security-Policy"])["connect-src"] == (
        "'self' https://cognito-idp.eu-west-1.amazonaws.com"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "eu-west"),
        ("region", "EU-WEST-1"),
        ("region", "eu-west-1</script>"),
        ("client_id", ""),
        ("client_id", "a" * 129),
        ("client_id", "client id"),
        ("client_id", 'x"y'),
        ("resend_after_seconds", -1),
        ("resend_after_seconds", 3601),
        ("resend_after_seconds", True),
        ("resend_after_seconds", "60"),
        ("app_name", ""),
        ("app_name", "<b>Shop</b>"),
        ("app_name", "Shop\r\n"),
        ("app_name", "S" * 65),
        ("app_name", 42),
    ],
)
def test_bad_configuration_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(PageConfigError, match=field):
        PageConfig(**{**GOOD, field: value})  # type: ignore[arg-type]


def test_configuration_is_embedded_as_data_that_cannot_end_its_element() -> None:
    # Given an endpoint path that tries to close the script element and open another
    hostile = "https://cognito-idp.eu-west-1.amazonaws.com/</script><script>alert(1)</script>&amp;"
    html = sign_in_page(PageConfig(**{**GOOD, "endpoint": hostile}, resend_after_seconds=5)).body.decode()
    # Then the document still has exactly its two script elements, and the value survives intact
    assert html.count("<script") == 2
    assert "alert(1)</script>" not in html
    assert embedded_config(html) == {**GOOD, "endpoint": hostile, "resend_after_seconds": 5}


def test_the_app_name_is_text_in_the_title_and_heading_and_never_embedded_for_the_script() -> None:
    html = sign_in_page(PageConfig(**GOOD, app_name='Tom & Jerry\'s "{{config}}"')).body.decode()

    escaped = "Sign in to Tom &amp; Jerry&#x27;s &quot;{{config}}&quot;"
    assert f"<title>{escaped}</title>" in html
    assert re.search(rf'<h1 id="ask-title"[^>]*>{re.escape(escaped)}<span', html)
    # One pass fills each slot: a name that spells another slot stays text, and the config stays one
    assert html.count('<script type="application/json"') == 1
    assert "app_name" not in embedded_config(html)


def test_page_and_assets_carry_the_same_protective_headers() -> None:
    page = sign_in_page(PageConfig(**GOOD))
    for response, kind in [
        (page, "text/html"),
        (static_asset("sign-in.js"), "text/javascript"),
        (static_asset("sign-in.css"), "text/css"),
    ]:
        assert response is not None
        assert response.status == 200
        assert response.headers["Content-Type"] == f"{kind}; charset=utf-8"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_page_runs_no_inline_script_or_style_and_loads_its_assets_relatively() -> None:
    html = sign_in_page(PageConfig(**GOOD)).body.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [' type="application/json" id="config"', ' src="sign-in.js" defer']
    assert "<style" not in html
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["sign-in.css", "sign-in.js"]


@pytest.mark.parametrize(
    "name",
    ["sign-in.html", "sign_in_page.py", "../settings.py", "./sign-in.js", "/sign-in.js", "SIGN-IN.JS", ""],
)
def test_only_the_two_assets_are_served_by_name(name: str) -> None:
    assert static_asset(name) is None
