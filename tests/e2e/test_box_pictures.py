"""Pictures in the reply box and in a card's edit box, in Chromium: Bob replies to Alice's post
with a picture and its alt text, and the reply shows it on his thread page and, live, on
Alice's open one; Carol edits a post of two pictures (removes one, drops a new one on the edit
box while the compose box on the same page stays empty, changes an alt text), and the card
shows the result, on another reader's open Explore too and after a reload; Cancel leaves the
post as it was. Screenshots of both boxes (1280x800 and 390x844, English and Chinese, light
and dark; tests/e2e/looks.py) show nothing wider than the window, and axe-core finds nothing
on either box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import new_name, open_reply_box, post, signed_up
from tests.e2e.conftest import NewPage
from tests.e2e.looks import assert_no_axe_violations, check_look, every_look, screenshot_dir
from tests.e2e.test_media import _DELIVER, _png_base64, gps_photo

pytestmark = pytest.mark.browser


def add_picture_in(page: Page, box: Locator, path: Path) -> None:
    """Through the box's own "Add pictures" button and the file chooser it opens."""
    with page.expect_file_chooser() as chooser:
        box.locator(".compose-media-add").click()
    chooser.value.set_files(str(path))


def drop_on(page: Page, zone_selector: str, colour: tuple[int, int, int]) -> None:
    """A PNG dropped on one box's drop zone, as the browser delivers a real drop."""
    script = _DELIVER.replace(
        'document.querySelector(".compose-drop-zone")', "document.querySelector(sel)"
    )
    script = script.replace("([kind, b64]) =>", "([kind, b64, sel]) =>")
    page.evaluate(script, ["drop", _png_base64(colour), zone_selector])


def alts(card: Locator) -> list[str]:
    return [img.get_attribute("alt") or "" for img in card.locator(".post-media img").all()]


def open_thread(page: Page, text: str) -> str:
    page.locator(".post", has_text=text).get_by_role(
        "link", name=re.compile(r"^Reply")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/post/\d+$"))
    return page.url


def test_a_reply_with_a_picture_reaches_the_open_thread(new_page: NewPage, tmp_path: Path) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    text = f"Look at the sky, says {alice}"
    post(page_a, text)
    url = open_thread(page_a, text)
    page_b = signed_up(new_page(), bob)
    page_b.goto(url)
    expect(page_b.locator(".thread-focus .post")).to_contain_text(text)

    open_reply_box(page_b)
    reply_box = page_b.locator("#reply-media")
    add_picture_in(page_b, reply_box, gps_photo(tmp_path / "kite.jpg", (600, 400)))
    expect(reply_box.locator(".compose-media-thumb")).to_have_count(1)
    reply_box.get_by_label("Describe picture 1").fill("A red kite over a field")
    assert_no_axe_violations(page_b, "#reply-media")
    # A reply of a picture alone: no text.
    page_b.get_by_role("button", name="Reply", exact=True).click()
    expect(reply_box.locator(".compose-media-thumb")).to_have_count(0)  # the box is empty again

    for page in (page_b, page_a):  # Bob's page, and Alice's open thread, live
        reply = page.locator(".thread-replies .post", has_text=bob)
        expect(reply.locator(".post-media img")).to_have_attribute("alt", "A red kite over a field")
    assert_no_axe_violations(page_a, ".thread-replies")


def test_an_edit_removes_adds_and_redescribes_pictures(new_page: NewPage, tmp_path: Path) -> None:
    carol = new_name("carol")
    page = signed_up(new_page(), carol)
    text = f"Two birds, by {carol}"
    compose = page.locator("#compose-media")
    page.get_by_label("Say something").fill(text)
    add_picture_in(page, compose, gps_photo(tmp_path / "one.jpg", (300, 200)))
    expect(compose.locator(".compose-media-thumb")).to_have_count(1)
    add_picture_in(page, compose, gps_photo(tmp_path / "two.jpg", (200, 300)))
    expect(compose.locator(".compose-media-thumb")).to_have_count(2)
    compose.get_by_label("Describe picture 1").fill("A heron")
    compose.get_by_label("Describe picture 2").fill("A pond")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator(".post-list .post", has_text=text)
    expect(card.locator(".post-media img")).to_have_count(2)
    assert alts(card) == ["A heron", "A pond"]

    reader = new_page()
    reader.goto("/explore")
    reader_card = reader.locator(".post", has_text=text)
    expect(reader_card.locator(".post-media img")).to_have_count(2)

    # Cancel first: the post stays as it was.
    card.get_by_role("button", name="Edit this post").click()
    edit = page.locator(".post-edit-box")
    expect(edit.locator(".compose-media-thumb")).to_have_count(2)
    edit.get_by_role("button", name="Remove picture 1").click()
    expect(edit.locator(".compose-media-thumb")).to_have_count(1)
    edit.get_by_role("button", name="Cancel").click()
    expect(edit).to_have_count(0)
    expect(card.locator(".post-media img")).to_have_count(2)

    # The edit box opens with the pictures and their alt texts; the card's own grid hides
    # while the box has them.
    card.get_by_role("button", name="Edit this post").click()
    expect(edit.get_by_label("Describe picture 1")).to_have_value("A heron")
    expect(card.locator(".post-media")).to_be_hidden()
    expect(edit.get_by_label("Describe picture 2")).to_have_value("A pond")
    edit.get_by_role("button", name="Remove picture 1").click()
    expect(edit.locator(".compose-media-thumb")).to_have_count(1)
    expect(edit.get_by_label("Describe picture 1")).to_have_value("A pond")
    # Dropped on the edit box: it goes there, not to the compose box on the same page.
    drop_on(page, "#edit-media", (30, 200, 30))
    expect(edit.locator(".compose-media-thumb")).to_have_count(2)
    expect(compose.locator(".compose-media-thumb")).to_have_count(0)
    edit.get_by_label("Describe picture 1").fill("A frozen pond")
    edit.get_by_label("Describe picture 2").fill("A green square")
    assert_no_axe_violations(page, ".post-edit-box")
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_have_count(0)

    expected = ["A frozen pond", "A green square"]
    for shown in (card, reader_card):  # the writer's card, and the reader's, live
        expect(shown.locator(".post-media img").first).to_have_attribute("alt", expected[0])
        expect(shown.locator(".post-media img")).to_have_count(2)
        assert alts(shown) == expected
    page.reload()
    expect(card.locator(".post-media img").first).to_have_attribute("alt", expected[0])
    assert alts(card) == expected


def test_the_boxes_as_people_see_them(new_page: NewPage, tmp_path: Path) -> None:
    writer = new_name("zoe")
    page = signed_up(new_page(), writer)
    text = f"A walk by the river, with two pictures, by {writer}"
    compose = page.locator("#compose-media")
    page.get_by_label("Say something").fill(text)
    add_picture_in(page, compose, gps_photo(tmp_path / "a.jpg", (1200, 800)))
    expect(compose.locator(".compose-media-thumb")).to_have_count(1)
    add_picture_in(page, compose, gps_photo(tmp_path / "b.jpg", (600, 900)))
    expect(compose.locator(".compose-media-thumb")).to_have_count(2)
    compose.get_by_label("Describe picture 1").fill("A river between blue hills")
    page.get_by_role("button", name="Post", exact=True).click()
    url = open_thread(page, text)
    folder = screenshot_dir("box-pictures")
    shots = 0
    for look in every_look(page):
        page.goto(url)
        heading = "Conversation" if look.lang == "en" else "对话"
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        open_reply_box(page)
        reply = page.locator("#reply-media")
        add_picture_in(page, reply, gps_photo(tmp_path / f"r-{look.lang}.jpg", (800, 600)))
        expect(reply.locator(".compose-media-thumb")).to_have_js_property("complete", True)
        reply.locator("textarea.compose-media-alt").fill(
            "A heron" if look.lang == "en" else "一只苍鹭"
        )
        reply.scroll_into_view_if_needed()
        check_look(page, folder, look.name("reply-box"), "#reply-media")
        page.locator(".thread-focus .edit-post").click()
        edit = page.locator(".post-edit-box")
        expect(edit.locator(".compose-media-thumb")).to_have_count(2)
        for thumb in edit.locator(".compose-media-thumb").all():
            expect(thumb).to_have_js_property("complete", True)
        edit.scroll_into_view_if_needed()
        check_look(page, folder, look.name("edit-box"), ".post-edit-box")
        edit.locator(".edit-cancel").click()
        expect(edit).to_have_count(0)
        # The reply box keeps its pictures while the tab stays on this thread.
        reply.locator(".compose-media-item button").click()
        expect(reply.locator(".compose-media-thumb")).to_have_count(0)
        shots += 2
    assert shots == 16
