"""Looking at a page as people see it: in each language, colour scheme and window size we
check, nothing sticks out sideways, axe finds nothing, and a screenshot is kept to look at.

One page is switched between looks (the language switcher, `emulate_media`, the viewport) rather
than opening a browser context per look: a signed-in reader's language comes from their profile,
which only the switcher changes, and a switch costs no page load.

Screenshots go to `SCREENSHOT_DIR/<topic>` when SCREENSHOT_DIR is set, else to the temp folder.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

LANGS = ("en", "zh")
SCHEMES = ("light", "dark")
SIZES = ((1280, 800), (390, 844))


@dataclass(frozen=True)
class Look:
    lang: str
    scheme: str
    width: int
    height: int

    def name(self, what: str) -> str:
        return f"{what}-{self.lang}-{self.scheme}-{self.width}"


def screenshot_dir(topic: str) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / topic
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def switch_language(page: Page, lang: str) -> None:
    page.locator("#language-switcher").select_option(lang)
    expect(page.locator("#language-switcher")).to_have_value(lang)


def every_look(page: Page, langs: tuple[str, ...] = LANGS) -> Iterator[Look]:
    """Put `page` in each look in turn (language, then scheme, then size) and yield it; the page
    is back in English, light, 1280x800 afterwards, even when a check failed."""
    try:
        for lang in langs:
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            switch_language(page, lang)  # at a desktop's size, where the switcher shows
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
                for width, height in SIZES:
                    page.set_viewport_size({"width": width, "height": height})
                    yield Look(lang, scheme, width, height)
    finally:
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1280, "height": 800})
        if page.locator("#language-switcher").count():
            switch_language(page, "en")


def assert_no_overflow(page: Page, where: str = "") -> None:
    """Nothing wider than the window (a phone would scroll the page sideways)."""
    wide, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert wide <= inner, f"{where or page.url}: {wide}px of content in {inner}px"


# True once no animation that ends is still running: a card fading in is a shade of its final
# colours until it settles, and axe would judge the contrast of that shade. Animations that never
# end (a spinner) are left out, or the wait would never end.
_SETTLED = """() => document.getAnimations().every((animation) => {
    const timing = animation.effect ? animation.effect.getComputedTiming() : null;
    return !timing || timing.iterations === Infinity || animation.playState !== "running";
})"""


def wait_for_animations(page: Page) -> None:
    page.wait_for_function(_SETTLED)


def assert_no_axe_violations(page: Page, *include: str) -> None:
    """axe-core on the page, or only on the parts named by CSS selectors, once what is fading or
    sliding in has arrived."""
    wait_for_animations(page)
    context = {"include": [[part] for part in include]} if include else None
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def check_look(
    page: Page, folder: Path, name: str, *include: str, keep_pointer: bool = False
) -> None:
    """No overflow, a screenshot (`folder/name.png`) and no axe violations (on `include` only,
    when given). The pointer goes to a corner first: a hovered button is a shade off its rest.
    `keep_pointer` leaves it where it is, for a look that a hover holds open (a user card
    starts to fade out 300 ms after the pointer leaves, and axe would judge a shade of it).
    The screenshot waits, as axe does, for what is fading or sliding in: a picture of a menu
    half faded in shows colours no reader sees for long."""
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    if not keep_pointer:
        page.mouse.move(0, viewport["height"] - 1)
    assert_no_overflow(page, name)
    wait_for_animations(page)
    page.screenshot(path=str(folder / f"{name}.png"))
    assert_no_axe_violations(page, *include)
