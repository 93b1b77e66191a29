"""Where a feed's first page of posts is painted before the page's own data arrives.

A full load of a feed shows the prerendered page, then waits for JavaScript to load, React to
hydrate, the websocket to connect and the tab's data to arrive before the posts can render.
Most of that wait is what any Reflex page spends before it can show data, so no change to our
own page could shorten it enough (docs/performance.md, "What a page load spends"). The server
therefore writes the posts into the page's HTML (microblog/web/first_paint.py), inside this
element, so they are on screen with the first paint.

React does not look inside an element whose content is `dangerouslySetInnerHTML`: hydration
keeps what the server wrote there. When the tab's data arrives, the page renders its own list
in place of this element, which goes with everything in it. Without server content (the dev
server, a failed read) the element stays empty and the spinner beside it shows, as before.
"""

from __future__ import annotations

import reflex as rx

from microblog.components.layout import loading

FIRST_PAINT_CLASS = "feed-first-paint"


def feed_first_paint() -> rx.Component:
    """The placeholder a feed page shows until its data is loaded (CSS hides the spinner when
    the server filled the element)."""
    return rx.fragment(rx.html("", class_name=FIRST_PAINT_CLASS), loading())
