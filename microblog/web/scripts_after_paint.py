"""Every prerendered page asks for its JavaScript only once the browser has painted it.

The pages are drawn whole without JavaScript: the prerender writes their layout and the server
writes the feed, profile or conversation into them (web/first_paint.py). The build's HTML
nonetheless asked for all of its JavaScript in the `<head>` (about 300 KB in 25 modules:
`<link rel="modulepreload">` and the inline `<script type="module">` that imports the entry),
so on a slow network that JavaScript shared the connection with the stylesheet the first paint
waits for, and Lighthouse's simulated phone (which replays the order it saw on a fast machine)
counted every module before the largest paint: LCP 3.4 s on the feeds, where HTML and
stylesheet alone come to 1.5-1.8 s (docs/performance.md, "Scripts after the first paint").

`ScriptsAfterPaintPlugin` rewrites each built page once, after the build (before Reflex
compresses the output): the modulepreload links leave the `<head>`, the module script gets a
type no browser runs (`INERT_TYPE`), and a small inline script at the end of `<body>` adds the
preloads back and runs the module script's own text once the first contentful paint is on the
screen, or once the first frame is painted when the browser's cache already holds the build
(at once in a tab in the background, which paints nothing; within a second whatever happens).
The module script's element stays where React expects it: hydration would fail on a missing one
(React's error 418, and the whole document drawn again), while it does not compare a type or a
script's text. The preloads are React resources, which it adds again where missing. The dev
server serves its own pages and is not affected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reflex_base.plugins.base import Plugin

_PRELOAD = re.compile(r'<link rel="modulepreload" href="(/[^"]+)"/>')
_MODULE = '<script type="module" async="">'
INERT_TYPE = "microblog/after-paint"
_INERT = f'<script type="{INERT_TYPE}" async="">'
_BODY_END = "</body>"

# The preloads go in first, so that the module script's imports find their fetches under way.
# When this browser's cache holds the build (the page's stylesheets came from it, which the
# resource timing entries say: nothing transferred, something decoded; the build's hashed files
# are kept together, `immutable`), the modules cost the first paint no bandwidth and start as
# soon as the main thread has painted the first frame (a timer set in a requestAnimationFrame
# callback): a reader opening a link in a new tab. Otherwise, after the first contentful paint
# has reached the screen: the paint timing entry is delivered once the frame is presented,
# which comes after the main thread has painted it (by 10-50 ms in headless Chromium). Started
# after the main thread's paint on a cold cache, the modules could arrive from a fast server
# before the frame was presented, and Lighthouse's simulation (which clears the cache) then
# counted all of them before the largest paint (LCP 2.7-3.5 s instead of 1.35 s, in one run of
# three or four; docs/performance.md). The modules are not asked for before the first frame
# either way: fetched and parsed while the page is drawn, even from the cache, they delayed the
# posts by 26-48 ms (p50, new tabs; docs/performance.md, "A new tab from the cache"). A page
# whose first frame shows nothing (the not-found page, drawn by its scripts) starts after that
# frame, as does a browser that cannot observe paints.
LOADER = """<script>(function () {
  var preloads = %(preloads)s, started = false;
  function start() {
    if (started) return;
    started = true;
    var added = document.createDocumentFragment();
    for (var i = 0; i < preloads.length; i++) {
      var link = document.createElement("link");
      link.rel = "modulepreload";
      link.href = preloads[i];
      added.appendChild(link);
    }
    var script = document.createElement("script");
    script.type = "module";
    script.textContent = document.querySelector('script[type="%(inert)s"]').textContent;
    added.appendChild(script);
    document.head.appendChild(added);
  }
  function afterFrame() { requestAnimationFrame(function () { setTimeout(start, 0); }); }
  function buildInCache() {
    try {
      var sheets = performance.getEntriesByType("resource").filter(function (entry) {
        return entry.initiatorType === "link" && /\\.css(\\?|$)/.test(entry.name);
      });
      return sheets.length > 0 && sheets.every(function (entry) {
        return entry.transferSize === 0 && entry.decodedBodySize > 0;
      });
    } catch (e) {
      return false;
    }
  }
  if (document.hidden) start();
  else if (buildInCache()) afterFrame();
  else {
    try {
      new PerformanceObserver(function (list, observer) {
        var names = list.getEntries().map(function (entry) { return entry.name; });
        if (names.indexOf("first-contentful-paint") >= 0) {
          observer.disconnect();
          start();
        } else if (names.indexOf("first-paint") >= 0) {
          afterFrame();  // a page with nothing to show until its scripts draw it
        }
      }).observe({ type: "paint", buffered: true });
    } catch (e) {
      afterFrame();
    }
  }
  setTimeout(start, 1000);
})();</script>"""


def _script_string(value: object) -> str:
    """`value` as a JavaScript literal that cannot end the inline script it is written in."""
    return json.dumps(value).replace("</", "<\\/")


def scripts_after_paint(html: str) -> str:
    """The page with its module preloads and module script started after the first paint; a
    page without them (or already rewritten) is returned as it is."""
    if html.count(_MODULE) != 1 or _BODY_END not in html:
        return html
    loader = LOADER % {"preloads": _script_string(_PRELOAD.findall(html)), "inert": INERT_TYPE}
    html = _PRELOAD.sub("", html.replace(_MODULE, _INERT))
    end = html.rindex(_BODY_END)
    return html[:end] + loader + html[end:]


def with_preload(html: str, href: str) -> str:
    """A rewritten page whose loader also preloads the module at `href` (first, so it is asked
    for before the entry's imports); a page without the loader is returned as it is."""
    marker = "var preloads = ["
    if marker not in html:
        return html
    return html.replace(marker, marker + _script_string(href) + ", ", 1)


def rewrite_pages(static_dir: Path) -> int:
    """Rewrites every page of a build in place; how many changed."""
    changed = 0
    for page in static_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        rewritten = scripts_after_paint(html)
        if rewritten != html:
            page.write_text(rewritten, encoding="utf-8")
            changed += 1
    return changed


class ScriptsAfterPaintPlugin(Plugin):
    """Rewrites the production build's pages (`scripts_after_paint`) after Vite has built them
    and before Reflex compresses them."""

    def post_build(self, **context: Any) -> None:
        rewrite_pages(Path(context["static_dir"]))
