"""The outbox page shows whatever an email holds as text, and links only to the sign-in page."""

from __future__ import annotations

from laptop.local_stack.outbox_page import magic_link_in, outbox_page

SIGN_IN = "http://127.0.0.1:8765/"


def test_markup_in_a_message_is_shown_as_text() -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    page = outbox_page(
        [
            {
                "to": hostile,
                "subject": hostile,
                "text": f"{hostile}\n{SIGN_IN}#u=a&t=b",
                "html": hostile,
                "time": "t",
            }
        ],
        SIGN_IN,
    )

    assert "<img" not in page
    assert "<script" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert f'href="{SIGN_IN}#u=a&amp;t=b"' in page


def test_only_a_link_to_the_sign_in_page_becomes_clickable() -> None:
    assert magic_link_in("go to https://evil.example/#t=x now", SIGN_IN) is None
    assert magic_link_in(f"open {SIGN_IN}#u=jane%40example.com&t=abc\nthanks", SIGN_IN) == (
        f"{SIGN_IN}#u=jane%40example.com&t=abc"
    )


def test_the_newest_message_comes_first_on_the_page() -> None:
    page = outbox_page(
        [
            {"to": "first@example.com", "subject": "a", "text": "", "html": "", "time": "1"},
            {"to": "second@example.com", "subject": "b", "text": "", "html": "", "time": "2"},
        ],
        SIGN_IN,
    )

    assert page.index("second@example.com") < page.index("first@example.com")
