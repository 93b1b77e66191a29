"""Light and dark (microblog/web/theme_root.py): the page follows the reader's preferred scheme
and the navbar's toggle, and so do its dialogs (drawn in a portal, outside the page's root; they
pass axe in both); the class that says which is written on `<html>` only, never on Radix's root
element, where writing it made the browser restyle the whole page right after the hydration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import actions
from tests.e2e.conftest import RunningApp
from tests.e2e.looks import assert_no_axe_violations, screenshot_dir

pytestmark = pytest.mark.browser

# Installed before the page's scripts: every change of the root theme element's class.
WATCH_THE_ROOT = """
window.__rootClassWrites = [];
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target.matches && record.target.matches('[data-is-root-theme="true"]')) {
      window.__rootClassWrites.push(record.target.getAttribute("class"));
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
"""

# The relative luminance (WCAG) of an element's computed background colour.
LUMINANCE = """(selector) => {
  const colour = getComputedStyle(document.querySelector(selector)).backgroundColor;
  const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number).map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""
ROOT = '.radix-themes[data-is-root-theme="true"]'
DARK, LIGHT = 0.05, 0.8


@pytest.fixture
def reader_page(browser: Browser, live_app: RunningApp) -> Iterator[Page]:
    """A signed-in reader whose system prefers dark, on their home page, live."""
    context = browser.new_context(base_url=live_app.frontend, color_scheme="dark")
    actions.opened_on(context, live_app)
    context.add_init_script(WATCH_THE_ROOT)
    page = context.new_page()
    actions.signed_up(page, actions.new_name("dusk"))
    actions.went_live(page)
    yield page
    context.close()


def _luminance(page: Page, selector: str) -> float:
    return float(page.evaluate(LUMINANCE, selector))


def _becomes(page: Page, selector: str, scheme: str) -> None:
    test = f"< {DARK}" if scheme == "dark" else f"> {LIGHT}"
    page.wait_for_function(f"(selector) => ({LUMINANCE})(selector) {test}", arg=selector)


def test_the_preferred_scheme_and_the_toggle_reach_the_page_and_its_dialogs(
    reader_page: Page,
) -> None:
    page = reader_page
    assert _luminance(page, ROOT) < DARK
    assert page.evaluate("document.documentElement.className") == "dark"

    # A dialog is drawn in a portal, outside the root element: it is dark as well.
    actions.post(page, "dark or light")
    page.get_by_label("Delete this post").first.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    assert _luminance(page, "[role=alertdialog]") < DARK
    assert_no_axe_violations(page, "[role=alertdialog]")  # after its entrance
    page.screenshot(path=screenshot_dir("colour-mode") / "dialog-dark.png")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_label("Toggle dark mode").click()
    _becomes(page, ROOT, "light")
    assert page.evaluate("document.documentElement.className") == "light"
    page.get_by_label("Delete this post").first.click()
    expect(dialog).to_be_visible()
    assert _luminance(page, "[role=alertdialog]") > LIGHT
    assert_no_axe_violations(page, "[role=alertdialog]")  # after its entrance
    page.screenshot(path=screenshot_dir("colour-mode") / "dialog-light.png")
    page.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # The choice is kept: a new load is light though the system prefers dark.
    page.reload()
    actions.went_live(page)
    assert _luminance(page, ROOT) > LIGHT
    page.get_by_label("Toggle dark mode").click()
    _becomes(page, ROOT, "dark")


def test_the_class_is_never_written_on_the_root_element(reader_page: Page) -> None:
    """Its class stays as the page was drawn, through the hydration and both toggles."""
    page = reader_page
    page.get_by_label("Toggle dark mode").click()
    _becomes(page, ROOT, "light")
    page.get_by_label("Toggle dark mode").click()
    _becomes(page, ROOT, "dark")
    assert page.evaluate("window.__rootClassWrites") == []
    assert "dark" not in (page.locator(ROOT).get_attribute("class") or "").split()
