"""Block, mute and report from the web UI, live (issue 23, "for every user"): three people in
three browser contexts. A block hides both ways on the open pages at once, a mute one way, a
report gets a confirmation, the settings list whom you block and mute with Undo, and "nobody
may message me" gives the sender a clear message. Screenshots of the menus, the report dialog
and the settings (en and zh, light and dark, both widths) and axe on the settings page and on a
profile with its menu open.

Every wait is for a condition on the page; no reload happens (a marker set on `window`
survives), since the point is that open pages change by themselves.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import new_name, post, signed_up, went_live
from tests.e2e.conftest import NewPage
from tests.e2e.test_live import assert_not_reloaded, mark_no_reload

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "h23-safety"
SIZES = ((1280, 800), (390, 844))


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The machine is shared and slow: generous waits for conditions (never sleeps)."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def card(page: Page, text: str) -> Locator:
    return page.locator(".post", has_text=text)


def open_post_menu(page: Page, text: str) -> Locator:
    """Open a card's "more" menu from the keyboard (Enter on its button): its items."""
    button = card(page, text).get_by_role("button", name="More actions for this post")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def explore(page: Page, *texts: str) -> None:
    page.goto("/explore")
    for text in texts:
        expect(card(page, text)).to_be_visible()
    mark_no_reload(page)


def test_block_mute_report_and_settings_live(new_page: NewPage) -> None:
    a, b, c = new_name("ann"), new_name("bob"), new_name("cat")
    page_a, page_b, page_c = (signed_up(new_page(), name) for name in (a, b, c))
    said_a, said_b, said_c = f"{a} says hi", f"{b} says hi", f"{c} says hi"
    post(page_a, said_a)
    post(page_b, said_b)
    post(page_c, said_c)
    for page in (page_a, page_b, page_c):
        explore(page, said_a, said_b, said_c)

    # A reports C's post: a dialog with a reason and a comment, then a confirmation.
    open_post_menu(page_a, said_c).get_by_role("menuitem", name="Report post").click()
    dialog = page_a.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Report a post by {c}")
    dialog.get_by_label("Abuse or harassment").check()
    dialog.get_by_label("Comment (optional)").fill("Not nice.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("status")).to_contain_text("Your report was sent to the moderators")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # A blocks B (confirmed): B's post leaves A's open page and A's leaves B's, at once.
    open_post_menu(page_a, said_b).get_by_role("menuitem", name="Block author").click()
    confirm = page_a.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Block {b}?")
    confirm.get_by_role("button", name="Block").click()
    expect(card(page_a, said_b)).to_have_count(0)
    expect(card(page_b, said_a)).to_have_count(0)
    expect(card(page_b, said_c)).to_be_visible()  # B still sees everyone else
    expect(page_a.get_by_text("Blocked. You will not see each other's posts.")).to_be_visible()

    # A mutes C: C's post leaves A's page; A's post stays on C's.
    menu = open_post_menu(page_a, said_c)
    menu.get_by_role("menuitem", name="Mute").click()
    page_a.get_by_role("menuitem", name="Until I unmute").click()
    expect(card(page_a, said_c)).to_have_count(0)
    expect(card(page_a, said_a)).to_be_visible()
    expect(card(page_c, said_a)).to_be_visible()
    expect(card(page_c, said_b)).to_be_visible()

    for page in (page_a, page_b, page_c):
        assert_not_reloaded(page)

    # A new post by the blocked B never reaches A's open page (nor its "new posts" bar), while
    # C's open Explore counts it.
    page_b.goto("/")
    post(page_b, f"{b} again")
    expect(page_c.get_by_role("button", name="Show 1 new post")).to_be_visible()
    expect(page_a.get_by_role("button", name="Show 1 new post")).to_have_count(0)
    assert_not_reloaded(page_a)

    # The settings list both, with when the mute ends; Undo brings C's posts back.
    page_a.goto("/edit_profile")
    page_a.get_by_role(
        "link", name="Privacy and safety: messages, blocked and muted people"
    ).click()
    expect(page_a.get_by_role("heading", name="Privacy and safety")).to_be_visible()
    blocked = page_a.locator(".blocked-list .safety-row")
    muted = page_a.locator(".muted-list .safety-row")
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text(b)
    expect(muted).to_have_count(1)
    expect(muted).to_contain_text(c)
    expect(muted).to_contain_text("Muted until you unmute")
    page_a.get_by_role("button", name=f"Unmute {c}").click()
    expect(page_a.locator(".muted-list-empty")).to_have_text("You mute nobody.")
    page_a.get_by_role("button", name=f"Unblock {b}").click()
    expect(page_a.locator(".blocked-list-empty")).to_have_text("You block nobody.")

    # "Nobody" may message A: B's attempt gets a clear message.
    nobody = page_a.get_by_label("Nobody")
    nobody.click()  # a controlled radio: checked once the server has saved it
    expect(page_a.get_by_text("Saved.")).to_be_visible()
    expect(nobody).to_be_checked()
    page_b.goto(f"/messages/{a}")
    page_b.get_by_label("Message").fill("hello?")
    page_b.get_by_role("button", name="Send").click()
    expect(page_b.get_by_text(f"{a} does not accept messages from you.")).to_be_visible()

    # Unblocked and unmuted: B and C are back on A's explore.
    explore(page_a, said_b, said_c)


def close_all(page: Page) -> None:
    """Escape closes the open menu or dialog (pressed again if a busy machine missed it)."""
    overlay = page.locator("[role=menu], [role=dialog], [role=alertdialog]")
    for _ in range(3):
        if overlay.count() == 0:
            break
        page.keyboard.press("Escape")
        try:
            expect(overlay).to_have_count(0, timeout=5_000)
        except AssertionError:
            continue
    expect(overlay).to_have_count(0)


def open_menu(page: Page, button: Locator) -> None:
    """Click a menu's button until its menu shows: the button toggles, so a click that landed
    while the last menu was still closing closes it again."""
    menu = page.get_by_role("menu")
    for _ in range(3):
        button.click()
        try:
            expect(menu).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    expect(menu).to_be_visible()


def _switch(page: Page, lang: str) -> None:
    page.locator("#language-switcher").select_option(lang)
    expect(page.locator("#language-switcher")).to_have_value(lang)


def _each_look(page: Page, name: str, show: object, axe_on: tuple[str, ...]) -> None:
    """`show()` brings the thing on screen; a screenshot at each size, language and scheme,
    nothing wider than the window, and axe on each part of `axe_on` ("page": all of it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        _switch(page, lang)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                show()  # type: ignore[operator]
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{scheme}-{width}.png"))
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, f"{name} {lang} {scheme} {width}: {wide} px wide"
                for part in axe_on:
                    context = {"include": [[part]]} if part != "page" else None
                    results = Axe().run(page, context=context)
                    where = f"{name} {lang} {scheme} {width} {part}"
                    assert results.violations_count == 0, f"{where}: {results.generate_report()}"
                close_all(page)
    _switch(page, "en")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_safety_screens_and_axe(new_page: NewPage) -> None:
    a, b = new_name("amy"), new_name("ben")
    page_a, page_b = signed_up(new_page(), a), signed_up(new_page(), b)
    said_b = f"{b} writes something"
    post(page_b, said_b)
    page_a.goto("/explore")
    expect(card(page_a, said_b)).to_be_visible()

    # By class: its name changes with the language.
    menu_button = card(page_a, said_b).locator(".post-menu-trigger")

    def post_menu() -> None:
        open_menu(page_a, menu_button)

    _each_look(page_a, "post-menu", post_menu, axe_on=("main", "[role=menu]"))

    def report_dialog() -> None:
        open_menu(page_a, menu_button)
        page_a.get_by_role("menuitem").first.click()
        expect(page_a.get_by_role("dialog")).to_be_visible()

    _each_look(page_a, "report-dialog", report_dialog, axe_on=("[role=dialog]",))

    # The profile with its menu open (axe on the whole page), then the block confirmation.
    page_a.goto(f"/user/{b}")
    profile_button = page_a.locator(".profile-menu-trigger")

    def profile_menu() -> None:
        open_menu(page_a, profile_button)

    # The open menu is a portal at the end of <body>, outside the landmarks (axe's "region"
    # best practice would flag it on a whole-page run): the page and the menu are checked apart.
    _each_look(page_a, "profile-menu", profile_menu, axe_on=("main", "nav", "[role=menu]"))
    open_menu(page_a, profile_button)
    page_a.get_by_role("menuitem", name="Block", exact=True).click()
    page_a.get_by_role("alertdialog").get_by_role("button", name="Block").click()
    expect(page_a.locator(".profile-blocked")).to_be_visible()

    # B sees A's profile as unavailable (the account exists, no posts).
    page_b.goto(f"/user/{a}")
    went_live(page_b)  # the server drew the same until then
    expect(page_b.locator(".profile-unavailable")).to_be_visible()
    expect(page_b.get_by_role("heading", name=a)).to_be_visible()

    # The settings page with both lists filled.
    page_a.goto(f"/user/{b}")
    open_menu(page_a, profile_button)
    page_a.get_by_role("menuitem", name="Unblock").click()
    expect(page_a.locator(".profile-blocked")).to_have_count(0)
    open_menu(page_a, profile_button)
    page_a.get_by_role("menuitem", name="Mute").click()
    page_a.get_by_role("menuitem", name="For 1 day").click()
    expect(page_a.get_by_role("menu")).to_have_count(0)
    open_menu(page_a, profile_button)
    expect(page_a.get_by_role("menuitem", name="Unmute")).to_be_visible()
    page_a.keyboard.press("Escape")
    page_a.goto("/settings/safety")
    expect(page_a.locator(".muted-list .safety-row")).to_contain_text(b)
    expect(page_a.locator(".muted-list .mute-expiry")).to_contain_text("Muted until")

    def settings() -> None:
        expect(page_a.locator(".muted-list .safety-row")).to_be_visible()

    _each_look(page_a, "settings", settings, axe_on=("page",))
