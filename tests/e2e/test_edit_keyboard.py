"""Editing a post from the keyboard (assets/edit_box.js): Edit puts the focus in the text with the
caret at the end; Escape cancels and gives the focus back to Edit; Ctrl+Enter (Cmd+Enter on a
Mac) saves, unless the text is over the limit; after saving, the focus is on Edit again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser


def _caret(box: Locator) -> tuple[int, int, int]:
    """(selection start, selection end, length of the text) of the box."""
    start, end, length = box.evaluate("(t) => [t.selectionStart, t.selectionEnd, t.value.length]")
    return start, end, length


def _open(page: Page, card: Locator, *, keyboard: bool = False) -> Locator:
    edit = card.get_by_role("button", name="Edit this post")
    if keyboard:
        edit.focus()
        page.keyboard.press("Enter")
    else:
        edit.click()
    box = page.get_by_label("Edit your post")
    expect(box).to_be_focused()
    return box


def test_the_edit_box_takes_the_focus_and_answers_the_keyboard(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("alice"))
    text = "A post to edit"
    post(page, text)
    card = page.locator(".post-list .post").first
    edit = card.get_by_role("button", name="Edit this post")
    body = card.locator(".post-body")

    box = _open(page, card)
    assert _caret(box) == (len(text), len(text), len(text))  # the caret at the end
    page.keyboard.type(", typed at the end")
    expect(box).to_have_value(f"{text}, typed at the end")
    page.keyboard.press("Escape")  # cancelled: nothing saved, the focus back on Edit
    expect(box).to_have_count(0)
    expect(edit).to_be_focused()
    expect(body).to_have_text(text)

    box = _open(page, card, keyboard=True)  # Enter on the focused Edit button
    page.keyboard.type(", saved with Ctrl+Enter")
    page.keyboard.press("Control+Enter")
    expect(box).to_have_count(0)
    expect(body).to_have_text(f"{text}, saved with Ctrl+Enter")
    expect(edit).to_be_focused()

    box = _open(page, card, keyboard=True)
    assert _caret(box)[0] == len(f"{text}, saved with Ctrl+Enter")
    page.keyboard.type(" and Cmd+Enter")
    page.keyboard.press("Meta+Enter")
    expect(body).to_have_text(f"{text}, saved with Ctrl+Enter and Cmd+Enter")
    expect(edit).to_be_focused()


def test_ctrl_enter_does_not_save_what_save_would_refuse(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("bob"))
    post(page, "short")
    card = page.locator(".post-list .post").first
    box = _open(page, card)
    box.fill("x" * 600)  # over the 500 counted characters
    expect(card.get_by_role("button", name="Save")).to_be_disabled()
    box.press("Control+Enter")
    expect(box).to_have_value("x" * 600)  # still open, the text kept, nothing sent
    expect(card.get_by_role("alert")).to_have_count(0)  # no refusal came back: none was asked
    box.press("Escape")
    expect(box).to_have_count(0)
    expect(card.locator(".post-body")).to_have_text("short")
    expect(card.get_by_role("button", name="Edit this post")).to_be_focused()

    # Cancel with the mouse gives the focus back to Edit too.
    box = _open(page, card)
    card.get_by_role("button", name="Cancel").click()
    expect(box).to_have_count(0)
    expect(card.get_by_role("button", name="Edit this post")).to_be_focused()
