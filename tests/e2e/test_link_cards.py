"""Link previews in the browser: a page served on 127.0.0.1 by the test (reached through the
test-only allowance the app under test runs with, LINK_PREVIEW_TEST_LOOPBACK), its link posted
by one user, and the card arriving live on another user's open feed; then the card looked at,
at phone and desktop widths, in English and Chinese, light and dark, and checked with axe.

The page server holds its answer until the follower's feed shows the post, so the card can
only arrive live, after the post was already on screen.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage
from tests.e2e.looks import check_look, every_look, screenshot_dir
from tests.page_server import PageServer

pytestmark = pytest.mark.browser

TITLE = "Tides & moons: why the sea comes and goes"
DESCRIPTION = (
    "Twice a day the sea rises and falls along every coast. Here is what the moon and the sun "
    "have to do with it, and why some harbours see one tide a day while others see four."
)


def _picture() -> bytes:
    image = Image.new("RGB", (1200, 630), (20, 90, 160))
    for x in range(0, 1200, 40):
        for y in range(0, 630):
            image.putpixel((x, y), (240, 200, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _article(picture: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><title>Sea Notes</title>
      <meta property="og:title" content="{TITLE.replace("&", "&amp;")}">
      <meta property="og:description" content="{DESCRIPTION}">
      <meta property="og:site_name" content="Sea Notes">
      <meta property="og:image" content="{picture}">
      </head><body><h1>Tides</h1></body></html>""".encode()


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def _mark(page: Page) -> None:
    page.evaluate("window.__still_same_page = true")


def _not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__still_same_page === true"))


def test_a_link_card_arrives_live_on_a_followers_open_feed(
    new_page: NewPage, pages: PageServer
) -> None:
    gate = threading.Event()
    pages.route("/lead.png", body=_picture(), content_type="image/png")
    url = pages.route("/tides", body=_article("/lead.png"), gate=gate)

    ann, bob = new_name("ann"), new_name("bob")
    page_a = signed_up(new_page(), ann)
    page_b = signed_up(new_page(), bob)
    page_b.goto(f"/user/{ann}")
    page_b.get_by_role("button", name="Follow", exact=True).click()
    expect(page_b.get_by_role("button", name="Unfollow")).to_be_visible()
    page_b.get_by_role("link", name="Home").click()
    expect(page_b.get_by_role("heading", name=f"Hi, {bob}!")).to_be_visible()

    post(page_a, f"The sea, explained: {url} #tides")
    bar = page_b.get_by_role("button", name="Show 1 new post")
    expect(bar).to_be_visible()
    bar.click()
    card_b = page_b.locator(".post").filter(has_text="The sea, explained").first
    expect(card_b).to_be_visible()
    _mark(page_b)
    assert card_b.locator(".link-card").count() == 0  # the page has not answered yet
    assert pages.requests_for("/tides"), "the app did not ask for the page"

    gate.set()  # the page answers: the card is fetched, stored, and pushed to open pages
    link = card_b.locator("a.link-card")
    expect(link).to_be_visible(timeout=20_000)
    assert _not_reloaded(page_b)
    expect(link).to_have_attribute("href", url)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "nofollow noopener ugc")
    expect(link.locator(".link-card-title")).to_have_text(TITLE)
    expect(link.locator(".link-card-description")).to_have_text(DESCRIPTION)
    expect(link.locator(".link-card-domain")).to_have_text("127.0.0.1")
    image = link.locator("img.link-card-image")
    expect(image).to_have_attribute("src", re.compile(r"/media/[0-9a-f]{64}\.png$"))
    expect(image).to_have_attribute("loading", "lazy")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 320  # our small copy, not the original
    assert len(pages.requests_for("/lead.png")) == 1  # fetched once, by the server
    # The author's own open feed got it too.
    expect(page_a.locator(".post").first.locator("a.link-card")).to_be_visible()

    # Keyboard: the card is the next stop after the post's own links (the URL, the tag).
    card_b.locator(".post-body a").last.focus()
    page_b.keyboard.press("Tab")
    expect(link).to_be_focused()

    # A reload draws it too (the server's first paint and the live page: one widget).
    page_b.reload()
    expect(page_b.locator(".post").first.locator("a.link-card")).to_contain_text(TITLE)

    results = Axe().run(page_b)
    assert results.violations_count == 0, results.generate_report()

    folder = screenshot_dir("link-cards")
    hidden = {"en": "(opens in a new tab)", "zh": "\uff08在新标签页中打开\uff09"}
    for look in every_look(page_b):
        card = page_b.locator(".post").first
        expect(card.locator(".link-card .visually-hidden")).to_have_text(hidden[look.lang])
        card.scroll_into_view_if_needed()
        box = card.locator("a.link-card").bounding_box()
        assert box is not None and box["x"] + box["width"] <= look.width, "overflows"
        check_look(page_b, folder, look.name("feed"), "main")
