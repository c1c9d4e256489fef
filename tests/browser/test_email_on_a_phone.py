"""The sign-in email as a phone shows it: the real rendered HTML in Debian's Chromium at 390 px wide.
Nothing runs off to the side, no word of any sentence (the footer's among them) is broken across
lines, and the footer's long link still wraps, so a reader can see all of it."""

from __future__ import annotations

import pytest

from passwordless.email.render import LOCALES, render
from tests.support.browser import WatchedPage
from tests.support.emails import sign_in_email

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A magic link as passwordless.links writes it: an address and a 256-bit token in the fragment.
LINK = (
    "https://app.example.com/sign-in#u=jane.doe%40example.com"
    "&t=Qm9uam91ciBsZXMgYW1pcyEgQ2VjaSBlc3QgdW4gamV0b24gZGUgdGVzdA"
)

# For each visible text node: every word's Range must lie on one line (one client rect), and the
# node holding the link is measured by the lines its rects start on.
MEASURE = """
(link) => {
  const broken = [];
  let linkLines = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const whole = document.createRange();
    whole.selectNodeContents(node);
    const rects = [...whole.getClientRects()];
    if (rects.length === 0) continue;  // not displayed (the preheader)
    if (node.textContent.trim() === link) {
      linkLines = new Set(rects.map((rect) => Math.round(rect.top))).size;
      continue;
    }
    for (const word of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      if (range.getClientRects().length !== 1) broken.push(word[0]);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, broken, linkLines};
}
"""


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_on_a_phone_the_link_wraps_and_every_word_stays_whole(watched_page: WatchedPage, locale: str) -> None:
    # Given the sign-in email a reader of this language gets
    email = sign_in_email(to="jane.doe@example.com", link=LINK, code="582031", locale=locale)
    page = watched_page.page
    page.set_viewport_size(PHONE)

    # When a phone-sized browser shows it
    page.set_content(render(email).html)
    measured = page.evaluate(MEASURE, LINK)

    # Then nothing is wider than the screen, no word breaks mid-word, and the link wraps onto lines
    assert measured["scrollWidth"] <= PHONE["width"]
    assert measured["broken"] == []
    assert measured["linkLines"] >= 2
