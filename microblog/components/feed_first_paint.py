"""Where a feed's first page of posts is painted before the page's own data arrives.

A full load of a feed shows the prerendered page, then waits for JavaScript to load, React to
hydrate, the websocket to connect and the tab's data to arrive before the posts can render.
Most of that wait is what any Reflex page spends before it can show data, so no change to our
own page could shorten it enough (docs/performance.md, "What a page load spends"). The server
therefore writes the posts into the page's HTML (microblog/web/first_paint.py), inside this
element, so they are on screen with the first paint.

React does not look inside an element whose content is `dangerouslySetInnerHTML`: hydration
keeps what the server wrote there. When the tab's data arrives, the page renders its own list
after this element, which `LiveFeed` (assets/feed_first_paint.js) hides and, once the browser
has drawn the next frame, empties: React never removes it, which made the page's longest task
(docs/performance.md, "The feed's takeover"). Without server content (the dev server, a failed
read) the element stays empty and the spinner beside it shows, as before.
"""

from __future__ import annotations

import reflex as rx

from microblog.components.layout import loading

FIRST_PAINT_CLASS = "feed-first-paint"


class LiveFeed(rx.Component):
    """The live content of a page with a first paint: hides the server's drawing when it
    mounts, empties it after the next frame, shows it (empty) again when it goes."""

    library = "$/public/feed_first_paint.js"
    tag = "LiveFeed"


def first_paint_placeholder() -> rx.Component:
    """The element the server writes the posts into (microblog/web/first_paint.py)."""
    return rx.html("", class_name=FIRST_PAINT_CLASS)


def feed_first_paint(loaded: rx.Var[bool], live: rx.Component) -> rx.Component:
    """The server's drawing until `loaded`, then `live`; the spinner while neither is there
    (CSS hides it while the element holds the server's drawing)."""
    return rx.fragment(
        first_paint_placeholder(),
        rx.cond(loaded, LiveFeed.create(live), loading()),
    )
