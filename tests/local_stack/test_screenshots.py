"""The documentation site's screenshots, taken by a person signing in with a real browser against the
local stack, so the pictures always show the page and the email as they are today.

The build runs this alone, right before `mkdocs build`:

    .venv/bin/python -m pytest -q -p no:xdist -m screenshots tests/local_stack/test_screenshots.py

It writes docs/screens/*.png (build output, not committed), or into $SCREENSHOT_DIR when that is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.support.local_stack import JANE_EMAIL, RunningStack
from tests.support.visitor import MASKED, Visitor, outbox_links

pytestmark = pytest.mark.screenshots

REPO_ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ViewportSize(width=900, height=700)
PHONE_WIDTH = 390
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MOST_BYTES = 200_000


def screens_folder() -> Path:
    """docs/screens under the repo root, unless SCREENSHOT_DIR names another folder."""
    return Path(os.environ.get("SCREENSHOT_DIR") or REPO_ROOT / "docs" / "screens")


def png_width(picture: bytes) -> int:
    """The width in an intact PNG's IHDR chunk (the first chunk, right after the signature)."""
    assert picture[:8] == PNG_SIGNATURE, "a PNG file"
    assert picture[12:16] == b"IHDR", "a PNG starts with its header chunk"
    return int.from_bytes(picture[16:20], "big")


class Camera:
    """Browser contexts in the docs' sizes (scale 1 keeps files small, light as most readers see it),
    and the pictures taken of their pages, each checked as it is written."""

    def __init__(self, browser: Browser, folder: Path) -> None:
        self.browser = browser
        self.folder = folder
        self.people: list[Visitor] = []

    def open(self, viewport: ViewportSize = DESKTOP) -> Page:
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, color_scheme="light")
        self.people.append(Visitor(context))
        return self.people[-1].page

    def take(self, page: Page, name: str) -> int:
        """Saves the whole page as `name`.png; the picture's width."""
        path = self.folder / f"{name}.png"
        path.unlink(missing_ok=True)
        page.screenshot(path=path, full_page=True, animations="disabled")
        picture = path.read_bytes()
        assert 0 < len(picture) < MOST_BYTES, f"{path.name} is {len(picture)} bytes"
        return png_width(picture)

    def close(self) -> list[list[str]]:
        """Closes every context; what each page reported as an error (console, CSP, script)."""
        for person in self.people:
            person.page.context.close()
        return [person.problems for person in self.people]


@pytest.fixture
def camera(browser: Browser) -> Iterator[Camera]:
    folder = screens_folder()
    folder.mkdir(parents=True, exist_ok=True)
    taking = Camera(browser, folder)
    yield taking
    assert not any(taking.close()), "no console errors or CSP violations on any page pictured"


def test_the_screens_folder_is_docs_screens_unless_screenshot_dir_names_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SCREENSHOT_DIR", raising=False)
    assert screens_folder() == REPO_ROOT / "docs" / "screens"
    monkeypatch.setenv("SCREENSHOT_DIR", str(tmp_path / "shots"))
    assert screens_folder() == tmp_path / "shots"


def test_the_png_check_reads_the_width_and_refuses_other_files() -> None:
    header = PNG_SIGNATURE + (13).to_bytes(4, "big") + b"IHDR" + (390).to_bytes(4, "big")
    assert png_width(header + (1234).to_bytes(4, "big")) == 390
    with pytest.raises(AssertionError, match="a PNG file"):
        png_width(b"GIF89a" + bytes(20))


@pytest.mark.browser
def test_each_sign_in_view_and_the_email_at_phone_width_are_pictured(
    local_stack: RunningStack, camera: Camera
) -> None:
    # The page asks for the address
    asking = camera.open()
    asking.goto(local_stack.stack.url)
    expect(asking.locator("#email")).to_be_visible()
    expect(asking.locator("#email")).to_be_focused()
    expect(asking.locator("#ask-submit")).to_have_text(re.compile(r"\bemail\b", re.IGNORECASE))
    assert camera.take(asking, "ask") == DESKTOP["width"]

    # After asking: check your email, with the box for the code
    asking.fill("#email", JANE_EMAIL)
    asking.click("#ask-submit")
    expect(asking.locator("#code-title")).to_have_text(re.compile(r"email", re.IGNORECASE))
    expect(asking.locator("#code-email")).to_have_text(MASKED)
    expect(asking.locator("#code")).to_be_editable()
    assert camera.take(asking, "check-email") == DESKTOP["width"]

    # The emailed link, opened in another browser, asks before it signs in
    [link] = outbox_links(local_stack)
    other_device = camera.open()
    other_device.goto(link)
    expect(other_device.locator("#continue")).to_have_text(f"Continue as {MASKED}")
    assert camera.take(other_device, "continue") == DESKTOP["width"]

    # Continuing signs in
    other_device.click("#continue")
    expect(other_device.locator("#signed-in-title")).to_be_visible()
    expect(other_device.locator('#claims [data-claim="email"]')).to_have_text(JANE_EMAIL)
    expect(other_device.locator("#sign-out")).to_be_visible()
    assert camera.take(other_device, "signed-in") == DESKTOP["width"]

    # The same link again, afterwards: it says it was used (and a new email went out)
    again = camera.open()
    again.goto(link)
    again.click("#continue")
    expect(again.locator("#status")).to_contain_text(re.compile(r"expired or was already used"))
    assert camera.take(again, "used-link") == DESKTOP["width"]
    assert len(local_stack.mail()) == 2

    # The sign-in email as a phone shows it: its HTML body, as the outbox stored it
    mail = local_stack.mail()[0]
    phone = camera.open(ViewportSize(width=PHONE_WIDTH, height=640))
    phone.set_content(mail.html)
    expect(phone.locator("body")).to_contain_text(mail.code)
    expect(phone.locator(f'a[href="{mail.link}"]').first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, "no sideways scroll"
    assert camera.take(phone, "email-phone") == PHONE_WIDTH
