"""Pictures in posts, in the browser: Alice adds a picture (with GPS in its EXIF) and its alt
text, and posts; Bob, who follows her, sees it arrive in his home feed and on the thread, reads
its alt text, and opens it in the viewer (Escape closes it, the focus comes back); the file
served has no EXIF; a disguised HTML file is refused with a message, and Alice's text stays."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser

GPS_IFD = 0x8825


def gps_photo(path: Path, size: tuple[int, int] = (1200, 800)) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Co"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    image = Image.new("RGB", size, (40, 110, 190))
    image.paste((230, 180, 40), (0, 0, size[0] // 3, size[1]))
    image.save(path, "JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif().get_ifd(GPS_IFD)
    return path


def follow(page: Page, username: str, text: str) -> None:
    """Follow `username` from the user card on their post in Explore."""
    page.goto("/explore")
    page.locator(".post", has_text=text).get_by_text(username).first.hover()
    popup = page.locator(".user-popup")
    popup.get_by_role("button", name="Follow", exact=True).click()
    expect(popup.get_by_role("button", name="Unfollow")).to_be_visible()


def add_picture(page: Page, path: Path) -> None:
    """Through the "Add pictures" button and the file chooser it opens."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add pictures").click()
    chooser.value.set_files(str(path))


def _no_axe_violations(page: Page, parts: list[str]) -> None:
    """axe-core's rules on these parts of the page (the navbar is not this feature's)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [[part] for part in parts]})
    assert results.violations_count == 0, results.generate_report()


def test_a_picture_with_alt_text_reaches_a_follower_live(new_page: NewPage, tmp_path: Path) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    hello = f"hello from {alice}"
    post(page_a, hello)
    page_b = signed_up(new_page(), bob)
    follow(page_b, alice, hello)
    page_b.goto("/")
    expect(page_b.locator(".post").first).to_contain_text(hello)

    # Alice writes, adds a picture: its thumbnail and an alt-text field appear; her text stays.
    text = f"A blue wall, says {alice}"
    page_a.get_by_label("Say something").fill(text)
    add_picture(page_a, gps_photo(tmp_path / "wall.jpg"))
    alt = page_a.get_by_label("Describe picture 1")
    expect(alt).to_be_visible()
    expect(page_a.locator(".compose-media-thumb")).to_have_count(1)
    expect(page_a.get_by_label("Say something")).to_have_value(text)
    alt.fill("A blue wall with a yellow stripe on the left")
    _no_axe_violations(page_a, [".compose-drop-zone"])
    page_a.get_by_role("button", name="Post", exact=True).click()
    card_a = page_a.locator(".post-list .post", has_text=text)
    expect(card_a.locator(".post-media img")).to_have_count(1)
    expect(page_a.locator(".compose-media-thumb")).to_have_count(0)  # the box is empty again

    # Bob's home feed tells him, and shows the post with its picture when he asks.
    page_b.get_by_role("button", name="Show 1 new post").click()
    card_b = page_b.locator(".post-list .post", has_text=text)
    thumb = card_b.locator(".post-media img")
    expect(thumb).to_have_attribute("alt", "A blue wall with a yellow stripe on the left")
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") == 400

    # axe finds nothing wrong with the pictures or the compose box with one in it.
    _no_axe_violations(page_b, [".post-list"])

    # The ALT badge shows the description, from the keyboard.
    badge = card_b.locator(".post-media-alt-badge")
    badge.focus()
    page_b.keyboard.press("Enter")
    expect(card_b.locator(".post-media-alt-text")).to_be_visible()
    expect(card_b.locator(".post-media-alt-text")).to_have_text(
        "A blue wall with a yellow stripe on the left"
    )

    # The thumbnail opens the full picture in a dialog; Escape closes it, focus comes back.
    opener = card_b.locator(".post-media-open")
    opener.focus()
    page_b.keyboard.press("Enter")
    viewer = page_b.get_by_role("dialog", name="A blue wall with a yellow stripe on the left")
    expect(viewer).to_be_visible()
    full = viewer.locator("img")
    expect(full).to_have_js_property("complete", True)
    assert full.evaluate("img => img.naturalWidth") == 1200
    full_url = full.get_attribute("src") or ""
    page_b.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert opener.evaluate("el => el === document.activeElement")

    # The file served: a JPEG, with no EXIF at all (no GPS, no camera).
    served = httpx.get(full_url, timeout=10)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    decoded = Image.open(io.BytesIO(served.content))
    assert not decoded.getexif() and b"Spy Camera" not in served.content

    # The thread page shows it too, and so does the server's drawing of Bob's feed.
    card_b.get_by_role("link", name=re.compile(r"^Reply")).click()
    expect(page_b).to_have_url(re.compile(r"/post/\d+$"))
    expect(page_b.locator(".post", has_text=text).locator(".post-media img")).to_have_attribute(
        "alt", "A blue wall with a yellow stripe on the left"
    )


def test_a_disguised_html_file_is_refused_and_the_text_stays(
    new_page: NewPage, tmp_path: Path
) -> None:
    page = signed_up(new_page(), new_name("mallory"))
    page.get_by_label("Say something").fill("my words stay")
    fake = tmp_path / "cat.jpg"
    fake.write_bytes(b"<!doctype html><script>alert(document.cookie)</script>")
    add_picture(page, fake)
    expect(page.get_by_role("alert")).to_have_text(
        "This file is not a picture we take: JPEG, PNG, WebP or GIF only."
    )
    expect(page.locator(".compose-media-thumb")).to_have_count(0)
    expect(page.get_by_label("Say something")).to_have_value("my words stay")


def test_a_picture_can_be_removed_before_posting(new_page: NewPage, tmp_path: Path) -> None:
    page = signed_up(new_page(), new_name("remy"))
    add_picture(page, gps_photo(tmp_path / "one.jpg", (300, 200)))
    expect(page.locator(".compose-media-thumb")).to_have_count(1)
    page.get_by_role("button", name="Remove picture 1").click()
    expect(page.locator(".compose-media-thumb")).to_have_count(0)
    post(page, "no pictures after all")
    expect(page.locator(".post-list .post").first.locator(".post-media")).to_have_count(0)


def _png_base64(colour: tuple[int, int, int]) -> str:
    import base64

    out = io.BytesIO()
    Image.new("RGB", (160, 90), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


# A file made in the page, then pasted into the text or dropped on the box, as the browser
# delivers a real paste or drop (the same events, with the file in their DataTransfer).
_DELIVER = """([kind, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], kind + ".png", { type: "image/png" }));
  if (kind === "paste") {
    const text = document.querySelector("#field-body");
    text.focus();
    text.dispatchEvent(new ClipboardEvent("paste", {
      clipboardData: transfer, bubbles: true, cancelable: true }));
    return;
  }
  const zone = document.querySelector(".compose-drop-zone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {
      dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def test_pictures_can_be_pasted_and_dropped(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("paula"))
    page.get_by_label("Say something").fill("pasted and dropped")
    # Reflex's uploadFiles ignores an upload for a box while that box's previous upload request
    # is open, and the request's response streams the new state first: the thumbnail shows a
    # moment before the request ends. A person cannot drop again within that moment; a script
    # can, so this one waits for the request to end.
    with page.expect_event("requestfinished", lambda request: "/_upload" in request.url):
        page.evaluate(_DELIVER, ["paste", _png_base64((200, 30, 30))])
    expect(page.locator(".compose-media-thumb")).to_have_count(1)
    page.evaluate(_DELIVER, ["drop", _png_base64((30, 200, 30))])
    expect(page.locator(".compose-media-thumb")).to_have_count(2)
    expect(page.get_by_label("Describe picture 2")).to_be_visible()
    expect(page.get_by_label("Say something")).to_have_value("pasted and dropped")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator(".post-list .post", has_text="pasted and dropped")
    expect(card.locator(".post-media img")).to_have_count(2)
    expect(card.locator(".post-media img").first).to_have_attribute(
        "alt", "A picture without a description"
    )
