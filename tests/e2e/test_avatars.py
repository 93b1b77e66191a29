"""Uploaded avatars in the browser: chosen on Edit profile (with the keyboard too), shown in the
uploader's navbar and on their post card, and on another user's open page without a reload;
refusals said beside the field; Remove goes back to the Gravatar (unreachable here, so the
initial shows in its colour). Then the pages as people see them: screenshots of Edit profile and
a feed at a desktop's and a phone's size, in English and Chinese, light and dark, each checked
by axe (tests/e2e/looks.py).
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage
from tests.e2e.looks import check_look, every_look, screenshot_dir

pytestmark = pytest.mark.browser

MEDIA = re.compile(r"/media/[0-9a-f]{64}\.webp")
GRAVATAR = re.compile(r"https://www\.gravatar\.com/avatar/")
GPS_IFD = 0x8825


def photo(size: tuple[int, int] = (900, 600), *, noise: bool = False) -> bytes:
    """A JPEG carrying a GPS position; `noise` makes it large (slow to send)."""
    image = Image.new("RGB", size, (200, 60, 40))
    image.paste((40, 90, 200), (size[0] // 3, 0, 2 * size[0] // 3, size[1]))
    if noise:
        image = Image.blend(image, Image.effect_noise(size, 120).convert("RGB"), 0.5)
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def picture_of(face: Locator) -> str:
    """The picture an avatar draws over its initial (its `--avatar`, inline or a class's)."""
    return str(face.evaluate("el => getComputedStyle(el).getPropertyValue('--avatar')"))


def expect_picture(face: Locator, pattern: re.Pattern[str]) -> None:
    expect(face).to_be_visible()
    face.page.wait_for_function(
        "([el, source]) => new RegExp(source).test(getComputedStyle(el)"
        ".getPropertyValue('--avatar'))",
        arg=[face.element_handle(), pattern.pattern],
    )


def loaded_width(page: Page, face: Locator) -> int:
    """Load the avatar's picture as the browser does; its width, 0 when it does not load."""
    url = re.search(r'url\("?([^")]+)"?\)', picture_of(face))
    assert url is not None
    return int(
        page.evaluate(
            """url => new Promise(done => {
                const image = new Image();
                image.onload = () => done(image.naturalWidth);
                image.onerror = () => done(0);
                image.src = url;
            })""",
            url.group(1),
        )
    )


def choose(page: Page, data: bytes, name: str = "me.jpg", mime: str = "image/jpeg") -> None:
    page.locator(".avatar-drop input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def card_face(page: Page, text: str) -> Locator:
    return page.locator(".post", has_text=text).locator(".post-avatar")


def test_an_uploaded_avatar_shows_everywhere_live(new_page: NewPage) -> None:
    ann, bob = new_name("ann"), new_name("bob")
    mine = signed_up(new_page(), ann)
    said = f"a face for {ann}"
    post(mine, said)
    theirs = signed_up(new_page(), bob)
    theirs.goto("/explore")
    # No picture uploaded and Gravatar unreachable: the initial, in the name's colour.
    expect_picture(card_face(theirs, said), GRAVATAR)
    expect(card_face(theirs, said)).to_have_text(ann[0].upper())
    expect(card_face(theirs, said)).to_have_attribute("data-hue", re.compile(r"^[0-7]$"))
    assert loaded_width(theirs, card_face(theirs, said)) == 0

    mine.goto("/edit_profile")
    chooser = mine.get_by_role("button", name="Choose a picture")
    expect(chooser).to_be_visible()
    expect(mine.get_by_role("button", name="Remove picture")).to_have_count(0)
    # The keyboard reaches the button, and Enter opens the file chooser.
    expect(chooser).to_be_enabled()
    with mine.expect_file_chooser() as opened:
        chooser.press("Enter")
    opened.value.set_files(files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    expect(mine.get_by_role("status")).to_have_text("Your new picture is saved.")
    expect(mine.get_by_role("button", name="Remove picture")).to_be_visible()

    # The uploader's navbar and their own card, the small file; the profile, the large one.
    navbar_face = mine.locator(".nav-avatar")
    expect_picture(navbar_face, MEDIA)
    assert loaded_width(mine, navbar_face) == 96
    mine.get_by_role("link", name="Profile").click()
    expect_picture(card_face(mine, said), MEDIA)
    assert picture_of(card_face(mine, said)) == picture_of(navbar_face)
    profile_face = mine.locator(".profile-avatar")
    expect_picture(profile_face, MEDIA)
    assert loaded_width(mine, profile_face) == 256

    # Bob's Explore, open all along, draws the new picture without a reload.
    expect_picture(card_face(theirs, said), MEDIA)
    assert picture_of(card_face(theirs, said)) == picture_of(navbar_face)
    assert loaded_width(theirs, card_face(theirs, said)) == 96
    # The hover card too.
    theirs.locator(".post", has_text=said).locator(".user-link").hover()
    expect_picture(theirs.locator(".user-popup .popup-avatar"), MEDIA)

    # Remove: back to the Gravatar, here and there.
    mine.goto("/edit_profile")
    mine.get_by_role("button", name="Remove picture").click()
    expect(mine.get_by_role("status")).to_have_text("Your picture is removed.")
    expect_picture(mine.locator(".nav-avatar"), GRAVATAR)
    expect_picture(card_face(theirs, said), GRAVATAR)


def test_refusals_are_said_beside_the_field(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("cat"))
    page.goto("/edit_profile")
    expect(page.get_by_role("button", name="Choose a picture")).to_be_visible()
    # A page dressed up as a picture: the server refuses it.
    choose(page, b"<html><script>alert(1)</script></html>", "cat.png", "image/png")
    expect(page.get_by_role("alert")).to_contain_text("not a picture we take")
    # Too big: the browser refuses it before sending anything.
    choose(page, b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1))
    expect(page.get_by_role("alert")).to_have_text(
        "Choose a JPEG, PNG, WebP or GIF picture of at most 10 MB."
    )
    expect(page.get_by_role("button", name="Remove picture")).to_have_count(0)
    expect_picture(page.locator(".nav-avatar"), GRAVATAR)


def test_a_slow_upload_shows_its_progress(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("dan"))
    page.goto("/edit_profile")
    expect(page.get_by_role("button", name="Choose a picture")).to_be_visible()
    big = photo((1800, 1400), noise=True)
    assert len(big) > 1_000_000
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 250_000},
    )
    choose(page, big)
    bar = page.get_by_role("progressbar", name="Uploading your picture")
    expect(bar).to_be_visible()
    expect(page.get_by_role("button", name="Choose a picture")).to_be_disabled()
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.get_by_role("status")).to_have_text("Your new picture is saved.", timeout=60_000)
    expect(bar).to_have_count(0)


def test_edit_profile_and_a_feed_as_people_see_them(new_page: NewPage) -> None:
    writer = new_name("zoe")
    page = signed_up(new_page(), writer)
    post(page, f"pictures and initials, by {writer}")
    for other in (new_name("wei"), new_name("nadia")):
        post(signed_up(new_page(), other), f"no picture here, by {other}")
    page.goto("/edit_profile")
    expect(page.get_by_role("button", name="Choose a picture")).to_be_visible()
    choose(page, photo())
    expect(page.get_by_role("status")).to_have_text("Your new picture is saved.")
    folder = screenshot_dir("avatars")
    shots = 0
    for look in every_look(page):
        page.goto("/edit_profile")
        heading = "Edit Profile" if look.lang == "en" else "编辑个人资料"
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect_picture(page.locator(".avatar-field .profile-avatar"), MEDIA)
        check_look(page, folder, look.name("edit-profile"))
        page.goto("/explore")
        expect(page.locator(".post").first).to_be_visible()
        expect_picture(card_face(page, f"by {writer}").first, MEDIA)
        check_look(page, folder, look.name("explore"), "main")
        shots += 2
    assert shots == 16
