"""Small things that told a user the product was unfinished (issue 22), in the browser: search
says what it found (people only, posts only, both, neither) without a React error in the
console; a relative time opens its full local time by keyboard and by a tap; Delete on a post is
a real-sized control that asks first in an accessible dialog, in the reader's language, and a
confirmed delete reaches another open page; a sent message is confirmed once (it shows in the
conversation: no extra box or toast); links inside text are underlined. Then the pages as
people see them: screenshots at a desktop's and a phone's size, English and Chinese, light and
dark, each checked with axe.

Screenshots go to `SCREENSHOT_DIR` when it is set (to look at), else to the temp folder.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from microblog.i18n import translate
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp
from tests.e2e.looks import check_look, every_look, screenshot_dir, switch_language
from tests.e2e.test_live import send_message

pytestmark = pytest.mark.browser


def _made_up_word(prefix: str) -> str:
    return prefix + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(6))


def _console_errors(page: Page) -> list[str]:
    """Errors the page logs from now on (React's "<p> cannot be a descendant of <p>" is one),
    but pictures this offline machine cannot fetch (Gravatar)."""
    errors: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _full_time(page: Page, stamp: Locator, lang: str) -> str:
    """The date and time the browser writes for the stamp's moment, in its time zone."""
    return str(
        page.evaluate(
            "([iso, lang]) => new Date(iso).toLocaleString(lang, "
            "{dateStyle: 'long', timeStyle: 'short'})",
            [stamp.get_attribute("datetime"), lang],
        )
    )


def test_search_says_what_it_found_without_console_errors(new_page: NewPage) -> None:
    name = new_name("qzsu")
    page = signed_up(new_page(), name)
    errors = _console_errors(page)
    prefix = name[:7]  # a prefix of the name: finds the person, and no post has it as a word

    page.goto("/search")  # an empty search
    expect(page.get_by_text("Type words in the search box")).to_be_visible()

    # People only: the person, and no "0 results" above them.
    page.goto(f"/search?q={prefix}")
    expect(page.locator(".search-users")).to_contain_text(name)
    expect(page.locator(".search-empty")).to_contain_text(f"No posts match “{prefix}”")
    expect(page.locator(".search-summary")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\b0 results?\b"))).to_have_count(0)

    # Posts only.
    word = _made_up_word("zq")
    page.goto("/")
    post(page, f"A {word} in the garden, said {prefix}")
    page.goto(f"/search?q={word}")
    expect(page.locator(".search-summary")).to_have_text(f"1 post matches “{word}”")
    expect(page.locator(".post")).to_have_count(1)
    expect(page.locator(".search-users")).to_have_count(0)
    expect(page.locator(".search-empty")).to_have_count(0)

    # Both: the person above, then how many posts match, then the posts.
    page.goto(f"/search?q={prefix}")
    expect(page.locator(".search-users")).to_contain_text(name)
    expect(page.locator(".search-summary")).to_have_text(f"1 post matches “{prefix}”")
    expect(page.locator(".post")).to_have_count(1)
    expect(page.locator(".search-empty")).to_have_count(0)

    # Neither (the no-result search that nested a <p> in a <p>).
    nothing = _made_up_word("xq")
    page.goto(f"/search?q={nothing}")
    expect(page.locator(".search-empty")).to_contain_text(f"Nothing matches “{nothing}”")
    expect(page.locator(".search-summary")).to_have_count(0)
    expect(page.locator(".search-users")).to_have_count(0)
    assert page.locator(".search-empty p p").count() == 0
    switch_language(page, "zh")
    zh = translate(
        "Nothing matches “%(query)s”: no posts and no people. Every word must appear in a "
        "post: check the spelling or use fewer words.",
        "zh",
    ).replace("%(query)s", nothing)
    expect(page.locator(".search-empty")).to_have_text(zh)
    switch_language(page, "en")

    assert errors == [], errors


def test_a_time_shows_its_full_date_by_keyboard_and_by_a_tap(
    new_page: NewPage, browser: Browser, live_app: RunningApp
) -> None:
    name = new_name("clock")
    page = signed_up(new_page(), name)
    said = f"What time is it, {name}?"
    post(page, said)
    card = page.locator(".post", has_text=said)
    stamp = card.locator("time.relative-time")
    tip = page.get_by_role("tooltip")

    # Keyboard: Tab from the author's name reaches the time, which shows and announces its
    # full local date and time; Escape hides it.
    card.locator(".post-author").focus()
    page.keyboard.press("Tab")
    expect(stamp).to_be_focused()
    expected = _full_time(page, stamp, "en")
    expect(tip).to_be_visible()
    expect(tip).to_have_text(expected)
    expect(stamp).to_have_accessible_description(expected)
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.keyboard.press("Tab")  # leaving it keeps it hidden
    expect(tip).to_be_hidden()

    # In the reader's language.
    switch_language(page, "zh")
    card.locator(".post-author").focus()
    page.keyboard.press("Tab")
    expect(tip).to_have_text(_full_time(page, stamp, "zh"))
    switch_language(page, "en")

    # Touch: a phone has no hover; a tap shows it, a tap elsewhere hides it.
    phone = browser.new_context(
        base_url=live_app.frontend,
        has_touch=True,
        is_mobile=True,
        viewport={"width": 390, "height": 844},
    )
    try:
        touch = phone.new_page()
        touch.goto(f"/user/{name}")
        touched = touch.locator(".post", has_text=said).locator("time.relative-time")
        touched.tap()
        touch_tip = touch.get_by_role("tooltip")
        expect(touch_tip).to_be_visible()
        expect(touch_tip).to_have_text(_full_time(touch, touched, "en"))
        box = touch_tip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        touch.locator(".post-body", has_text=said).tap()
        expect(touch_tip).to_be_hidden()
    finally:
        phone.close()


def test_the_export_notification_is_in_the_readers_language_live(new_page: NewPage) -> None:
    name = new_name("exp")
    page = signed_up(new_page(), name)
    post(page, f"Something to export, says {name}")
    inbox = page.context.new_page()  # the Notifications page, open while the export runs
    inbox.goto("/notifications")
    switch_language(inbox, "es")
    expect(inbox.locator("main").get_by_role("heading").first).to_be_visible()

    page.goto(f"/user/{name}")
    page.get_by_role("button", name=re.compile("Export your posts|Exportar")).click()
    line = inbox.locator(".notification-text")
    message = "Your posts have been exported: download them from your profile."
    # Arrives on the open page without a reload, in Spanish...
    expect(line).to_have_text(translate(message, "es"), timeout=60_000)
    # ...and follows a switch of language in place.
    switch_language(inbox, "zh")
    expect(line).to_have_text(translate(message, "zh"))
    switch_language(inbox, "en")
    expect(line).to_have_text(message)
    _look(inbox, "notifications-export", lambda: expect(line).to_be_visible())


def _delete_button(card: Locator) -> Locator:
    return card.get_by_role("button", name="Delete this post")


def test_delete_asks_first_in_an_accessible_dialog_and_reaches_other_pages(
    new_page: NewPage,
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page = signed_up(new_page(), alice)
    keep, goes = f"Keep me, says {alice}", f"Delete me, says {alice}"
    post(page, keep)
    post(page, goes)
    other = signed_up(new_page(), bob)
    other.goto(f"/user/{alice}")
    expect(other.locator(".post", has_text=goes)).to_be_visible()

    card = page.locator(".post", has_text=goes)
    delete = _delete_button(card)
    # A real control: at least 24 px each way, text at least 14 px.
    box = delete.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24, box
    size = delete.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 14, size
    # At the card's right edge, where another's post has its "more" menu: no empty room kept
    # for a menu one's own post never has.
    header = card.locator(".post-header").bounding_box()
    menu = other.locator(".post", has_text=goes).locator(".post-menu-trigger").bounding_box()
    assert header is not None and menu is not None
    assert abs(box["x"] + box["width"] - (header["x"] + header["width"])) <= 1, (box, header)
    assert abs(box["x"] + box["width"] - (menu["x"] + menu["width"])) <= 1, (box, menu)

    # Escape cancels, and the focus goes back to Delete.
    delete.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_name("Delete this post?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    for _ in range(4):  # the focus stays inside the dialog
        page.keyboard.press("Tab")
        assert dialog.evaluate("el => el.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    expect(card).to_be_visible()

    # Cancel keeps the post; the dialog speaks the reader's language.
    switch_language(page, "zh")
    zh_delete = card.get_by_role("button", name=translate("Delete this post", "zh"))
    zh_delete.click()
    expect(dialog).to_have_accessible_name(translate("Delete this post?", "zh"))
    dialog.get_by_role("button", name=translate("Cancel", "zh")).click()
    expect(dialog).to_be_hidden()
    expect(zh_delete).to_be_focused()
    switch_language(page, "en")
    expect(card).to_be_visible()
    expect(other.locator(".post", has_text=goes)).to_be_visible()

    # Confirmed: gone here, and from the other open page without a reload.
    delete.click()
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator(".post", has_text=goes)).to_have_count(0)
    expect(other.locator(".post", has_text=goes)).to_have_count(0)
    expect(page.locator(".post", has_text=keep)).to_be_visible()
    expect(other.locator(".post", has_text=keep)).to_be_visible()


def test_a_sent_message_is_confirmed_once(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    signed_up(new_page(), bob)
    page = signed_up(new_page(), alice)
    send_message(page, bob, "Lunch at noon?")  # it shows in the conversation: the confirmation
    expect(page.locator(".message.mine")).to_have_count(1)
    # Nothing else says so: no toast, no box.
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    # (An announcement another test made may be showing: not a confirmation.)
    expect(page.locator("main .rt-CalloutRoot:not(.announcement)")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=re.compile("sent", re.I))).to_have_count(0)


def test_links_in_text_are_underlined(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/login")
    link = page.get_by_role("link", name="Click to Reset It")
    expect(link).to_be_visible()
    line = link.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert "underline" in line, line
    results = Axe().run(page, options={"runOnly": ["link-in-text-block"]})
    assert results.violations_count == 0, results.generate_report()


# -- the pages as people see them -------------------------------------------------------------


def _look(page: Page, name: str, ready: Callable[[], None]) -> None:
    """Every look of what is on screen (looks.every_look), `ready` first; axe on `main`."""
    folder = screenshot_dir("h22-polish")
    for look in every_look(page):
        ready()
        check_look(page, folder, look.name(name), "main")


def test_screenshots_and_axe(new_page: NewPage) -> None:
    name = new_name("sue")
    page = signed_up(new_page(), name)
    said = f"A post by {name} to look at"
    post(page, said)
    card = page.locator(".post", has_text=said)

    # Home: Delete as drawn on the card, then its dialog open.
    _look(page, "home", lambda: expect(card).to_be_visible())

    def dialog_open() -> None:
        if not page.get_by_role("alertdialog").is_visible():
            card.locator(".delete-post").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()

    folder = screenshot_dir("h22-polish")
    for look in every_look(page):
        dialog_open()
        check_look(page, folder, look.name("delete-dialog"), "[role=alertdialog]")
        page.keyboard.press("Escape")
        expect(page.get_by_role("alertdialog")).to_be_hidden()

    # The time's tooltip, opened by the keyboard.
    def tip_open() -> None:
        card.locator(".post-author").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("tooltip")).to_be_visible()

    _look(page, "time-tip", tip_open)

    # Search: people and posts (as the server draws them, then live), people only, neither.
    page.goto(f"/search?q={name}")
    _look(
        page,
        "search-found",
        lambda: expect(page.locator(".search-results .post mark.search-hit").first).to_be_visible(),
    )
    expect(page.locator(".search-results .search-users")).to_contain_text(name)
    prefix = name[:6]
    page.goto(f"/search?q={prefix}")
    _look(page, "search-people", lambda: expect(page.locator(".search-users")).to_be_visible())
    page.goto(f"/search?q={_made_up_word('xq')}")
    _look(page, "search-none", lambda: expect(page.locator(".search-empty")).to_be_visible())

    # Login, signed out (the underlined links).
    visitor = new_page()
    visitor.goto("/login")
    _look(
        visitor,
        "login",
        lambda: expect(visitor.locator("main a[href='/reset_password_request']")).to_be_visible(),
    )

    # A conversation after a message was sent (confirmed by the message itself).
    friend = new_name("amy")
    friend_page = signed_up(new_page(), friend)
    send_message(page, friend, "Lunch at noon?")
    _look(page, "conversation", lambda: expect(page.locator(".message.mine")).to_be_visible())

    # The friend's list of conversations: one, unread, with its count.
    friend_page.goto("/messages")
    _look(
        friend_page,
        "messages",
        lambda: expect(friend_page.locator(".conversation.unread .unread-count")).to_be_visible(),
    )
    # And their notifications: the message, new.
    friend_page.goto("/notifications")
    _look(
        friend_page,
        "notifications",
        lambda: expect(friend_page.locator(".notification .rt-Badge").first).to_be_visible(),
    )
