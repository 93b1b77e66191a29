"""The benchmarks' page clock (benchmarks/page_clock.py) in Chromium, on a page that plays a
feed's load: the server's drawing of the posts, then the hydrate event and the socket's
connection through Reflex's instrumentation hooks, then the live list in place of the drawing.
The page notes when it did each; the recorder must report the frames that followed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from benchmarks.page_clock import recorded_load, recorder_script
from tests.page_server import PageServer

pytestmark = pytest.mark.browser

POSTS = (
    '<article class="post" data-post-id="11">one</article>'
    '<article class="post" data-post-id="12">two</article>'
)
FEED_PAGE = f"""<!doctype html><html><body>
<div class="feed-first-paint">{POSTS}</div><div id="live"></div>
<script>
const note = (name) => {{ window[name] = performance.now(); }};
requestAnimationFrame(() => requestAnimationFrame(() => {{
  note("sentBefore"); window.__reflex_otel.onEventSend({{}});
  setTimeout(() => {{
    note("connectedBefore"); window.__reflex_otel.onSocketConnect(); note("connectedAfter");
    setTimeout(() => {{
      document.querySelector(".feed-first-paint").style.display = "none";
      document.getElementById("live").innerHTML = {POSTS!r};
      note("liveAt");
    }}, 30);
  }}, 30);
}}));
</script></body></html>"""


@pytest.fixture
def site() -> Iterator[PageServer]:
    with PageServer() as pages:
        for path in ("/feed", "/other", "/plain"):
            pages.route(path, body=FEED_PAGE.encode())
        yield pages


@pytest.fixture
def context(chromium: Browser, site: PageServer) -> Iterator[BrowserContext]:
    opened = chromium.new_context(base_url=site.url(""))
    # /feed lists posts 11 and 12; /other is expected to list posts it never shows; /plain
    # has no posts expected.
    opened.add_init_script(recorder_script({"/feed": [11, 12], "/other": [98, 99]}, per_page=2))
    try:
        yield opened
    finally:
        opened.close()


def test_the_recorder_reports_the_frames_after_what_the_page_did(context: BrowserContext) -> None:
    page = context.new_page()
    times = recorded_load(page, "/feed")
    noted = page.evaluate(
        "() => ({sent: window.sentBefore, connected: window.connectedBefore,"
        " connectedAfter: window.connectedAfter, live: window.liveAt})"
    )
    assert times.shown is not None and times.live is not None and times.shown_seen is not None
    # The server's drawing shows from the first frame, before the page has hydrated.
    assert 0 < times.shown < noted["sent"]
    # Interactive is when the later of the two hooks was called; each is reported too.
    assert noted["connected"] <= times.interactive <= noted["connectedAfter"]
    assert times.sent is not None and noted["sent"] <= times.sent < noted["connected"]
    assert times.connected == times.interactive
    # Live: the frame after the page's own list took the drawing's place, not before.
    assert times.live >= noted["live"]


def test_posts_other_than_the_expected_ones_are_never_reported(context: BrowserContext) -> None:
    with pytest.raises(PlaywrightTimeoutError):
        recorded_load(context.new_page(), "/other", timeout=1_500)


def test_an_address_without_expected_posts_reports_at_interactive(
    context: BrowserContext,
) -> None:
    page = context.new_page()
    times = recorded_load(page, "/plain")
    connected = page.evaluate("() => [window.connectedBefore, window.connectedAfter]")
    assert times.shown is None and times.live is None and times.shown_seen is None
    assert connected[0] <= times.interactive <= connected[1]
