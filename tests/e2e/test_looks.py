"""The looks helpers (tests/e2e/looks.py) on pages made for them: axe judges what a person sees
once the page has settled, not a frame of a fade-in, and a spinner that turns for ever does not
hold the check up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.looks import assert_no_axe_violations, wait_for_animations

pytestmark = pytest.mark.browser

# The text stays nearly the colour of its background for the first 1.5 s of its entrance (one
# step at the end), then turns dark; beside it, a spinner that never stops.
FADING_IN = """<!doctype html><html lang="en"><head><title>Fading in</title><style>
@keyframes enter { from { color: #eeeeee; } to { color: #111111; } }
@keyframes turn { to { transform: rotate(360deg); } }
main p { color: #111111; background: #ffffff; animation: enter 1.5s steps(1, end); }
.spinner { width: 1rem; height: 1rem; border: 2px solid #111; animation: turn 1s linear infinite; }
</style></head><body><main><h1>Fading in</h1><p>A card that is still arriving</p>
<div class="spinner" aria-hidden="true"></div></main></body></html>"""

RUNNING_FINITE = """() => document.getAnimations().filter((animation) =>
    animation.playState === "running"
    && animation.effect.getComputedTiming().iterations !== Infinity).length"""


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    try:
        opened = context.new_page()
        opened.set_content(FADING_IN)
        yield opened
    finally:
        context.close()


def test_the_wait_ends_when_the_entrance_has_and_not_before(page: Page) -> None:
    assert page.evaluate(RUNNING_FINITE) == 1  # the entrance is still playing
    wait_for_animations(page)
    assert page.evaluate(RUNNING_FINITE) == 0
    assert page.locator("main p").evaluate("p => getComputedStyle(p).color") == "rgb(17, 17, 17)"
    assert page.evaluate("document.getAnimations().length") == 1  # the spinner turns on


def test_axe_judges_the_settled_colours(page: Page) -> None:
    # Without the wait, axe would read #eeeeee on white (contrast 1.16) mid-entrance.
    assert_no_axe_violations(page)
