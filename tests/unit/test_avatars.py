"""Uploaded avatars (services/avatars.py, images.process_square): the square crop, what is
stripped, what is refused, the files kept and deleted in the media store, the one URL rule, and
every list of faces reading the picture in its own statement."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session

from microblog.live import events as ev
from microblog.models import User
from microblog.schemas import UserFace, UserPublic, avatar_url, gravatar_url
from microblog.services import avatars
from microblog.services.conversations import list_conversations
from microblog.services.errors import Invalid, Unavailable
from microblog.services.feeds import feed_page
from microblog.services.follows import follow, list_followers
from microblog.services.media.attachments import wait_for_deletions
from microblog.services.media.images import ImageLimits, process_square
from microblog.services.media.store import LocalStore, MediaStoreError, use_store
from microblog.services.messages import send_message
from microblog.services.notifications import list_notifications
from microblog.services.post_rows import cards_by_id
from microblog.services.posts import create_post
from microblog.services.search import search_users
from microblog.services.user_popup import user_card
from microblog.services.users import list_users
from tests.recording_hub import RecordingHub

AddUser = Callable[..., User]
LIMITS = ImageLimits(max_bytes=2_000_000, max_pixels=20_000_000)
GPS_IFD = 0x8825


def photo(size: tuple[int, int], *, exif: bool = False, fmt: str = "JPEG") -> bytes:
    """Left third red, middle green, right third blue: a crop shows which part it kept."""
    width, height = size
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 200, 20), (width // 3, 0, 2 * width // 3, height))
    image.paste((20, 20, 220), (2 * width // 3, 0, width, height))
    out = io.BytesIO()
    extra: dict[str, object] = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Spy Camera Co"
        tags.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
        extra["exif"] = tags.tobytes()
    image.save(out, fmt, **extra)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# -- the square --------------------------------------------------------------------------------


def test_a_wide_picture_is_cropped_to_its_centre_square_in_each_size() -> None:
    large, small = process_square(photo((900, 300)), sizes=(256, 96), limits=LIMITS)
    for picture, size in ((large, 256), (small, 96)):
        image = opened(picture.data)
        assert (image.format, image.size) == ("WEBP", (size, size))
        assert (picture.size, picture.content_type, picture.extension) == (
            size,
            "image/webp",
            "webp",
        )
        # The centre square of a 900 x 300 picture is its middle third: green, edge to edge.
        rgb = image.convert("RGB")
        for x in (2, size // 2, size - 3):
            red, green, blue = rgb.getpixel((x, size // 2))
            assert green > 150 and red < 80 and blue < 80


def test_a_tall_picture_keeps_its_middle() -> None:
    tall = opened(photo((300, 900))).rotate(90, expand=True)  # thirds now run top to bottom
    out = io.BytesIO()
    tall.save(out, "PNG")
    (square,) = process_square(out.getvalue(), sizes=(96,), limits=LIMITS)
    red, green, blue = opened(square.data).convert("RGB").getpixel((48, 48))
    assert green > 150 and red < 80 and blue < 80


def test_a_small_picture_is_not_enlarged() -> None:
    large, small = process_square(photo((50, 80), fmt="PNG"), sizes=(256, 96), limits=LIMITS)
    assert opened(large.data).size == opened(small.data).size == (50, 50)


def test_metadata_is_stripped() -> None:
    original = photo((640, 480), exif=True)
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    for picture in process_square(original, sizes=(256, 96), limits=LIMITS):
        image = opened(picture.data)
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert b"Spy Camera" not in picture.data


def test_transparency_is_kept() -> None:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    image.paste((200, 10, 10, 255), (40, 40, 80, 80))
    out = io.BytesIO()
    image.save(out, "PNG")
    (square,) = process_square(out.getvalue(), sizes=(96,), limits=LIMITS)
    result = opened(square.data)
    assert result.mode == "RGBA" and result.getpixel((2, 2))[3] == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><script>alert(1)</script></html>", "not a picture"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a picture",
        ),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "could not be read"),
        (b"", "empty"),
    ],
    ids=["html", "svg", "fake jpeg", "empty"],
)
def test_what_is_not_a_picture_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(Invalid) as problem:
        process_square(data, sizes=(96,), limits=LIMITS)
    assert set(problem.value.errors) == {"file"} and words in str(problem.value.message)


def test_too_large_and_too_many_pixels_are_refused() -> None:
    with pytest.raises(Invalid, match="too big"):
        process_square(photo((64, 64)), sizes=(96,), limits=ImageLimits(100, 20_000_000))
    with pytest.raises(Invalid, match="too many pixels"):
        process_square(photo((400, 400)), sizes=(96,), limits=ImageLimits(2_000_000, 10_000))


# -- the service ---------------------------------------------------------------------------------


class FailingStore(LocalStore):
    def put(self, name: str, data: bytes, content_type: str) -> None:
        raise MediaStoreError("the bucket is down")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    try:
        yield made
    finally:
        use_store(None)


def _files(store: LocalStore) -> set[str]:
    """The files in the store once the deletions queued by commits so far have run."""
    wait_for_deletions()
    return set(store.names())


def test_set_avatar_stores_two_squares_and_every_face_uses_them(
    session: Session, add_user: AddUser, store: LocalStore, hub: RecordingHub
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    user = avatars.set_avatar(session, user_id=ann.id, data=photo((640, 480)))
    session.commit()
    large, small = (user.avatar or "").split()
    assert _files(store) == {large, small}
    assert opened(store.read(large)).size == (256, 256)
    assert opened(store.read(small)).size == (96, 96)
    # The rule: the small file up to a card's size, the large beyond.
    face = UserFace.of(user)
    assert face.card == face.small == f"http://media.test/media/{small}"
    assert face.large == f"http://media.test/media/{large}" and face.uploaded
    assert UserPublic.of(user).avatar == face.large
    assert [(e.kind, e.author_id) for e in hub.events] == [(ev.USER_CHANGED, ann.id)]


def test_without_a_picture_the_gravatar_shows() -> None:
    assert avatar_url("ann@example.com", 48, picture=None) == gravatar_url("ann@example.com", 48)
    assert avatar_url("ann@example.com", 48, picture="") == gravatar_url("ann@example.com", 48)


def test_a_new_picture_deletes_the_old_files_once_committed(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    first = avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300))).avatar or ""
    session.commit()
    avatars.set_avatar(session, user_id=ann.id, data=photo((400, 200)))
    assert set(first.split()) <= _files(store)  # not before the commit
    session.commit()
    second = session.get(User, ann.id)
    assert second is not None and second.avatar
    assert _files(store) == set(second.avatar.split())


def test_a_rolled_back_change_keeps_the_old_files(
    session: Session, add_user: AddUser, store: LocalStore, hub: RecordingHub
) -> None:
    ann = add_user(session, "ann")
    first = avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300))).avatar or ""
    session.commit()
    hub.events.clear()
    avatars.remove_avatar(session, user_id=ann.id)
    session.rollback()
    assert set(first.split()) <= _files(store)
    assert hub.events == []
    refreshed = session.get(User, ann.id)
    assert refreshed is not None and refreshed.avatar == first


def test_files_another_user_also_has_are_kept(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    """Names are content hashes: the same picture uploaded twice is one pair of files."""
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    picture = photo((320, 240))
    avatars.set_avatar(session, user_id=ann.id, data=picture)
    shared = avatars.set_avatar(session, user_id=bob.id, data=picture).avatar or ""
    session.commit()
    avatars.remove_avatar(session, user_id=ann.id)
    session.commit()
    assert set(shared.split()) <= _files(store)
    avatars.remove_avatar(session, user_id=bob.id)
    session.commit()
    assert _files(store) == set()


def test_remove_goes_back_to_gravatar(
    session: Session, add_user: AddUser, store: LocalStore, hub: RecordingHub
) -> None:
    ann = add_user(session, "ann")
    avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300)))
    session.commit()
    hub.events.clear()
    user = avatars.remove_avatar(session, user_id=ann.id)
    session.commit()
    assert user.avatar is None and _files(store) == set()
    assert UserFace.of(user).card == gravatar_url("ann@example.com", 48)
    assert [e.kind for e in hub.events] == [ev.USER_CHANGED]
    # Removing nothing changes nothing and tells nobody.
    hub.events.clear()
    avatars.remove_avatar(session, user_id=ann.id)
    session.commit()
    assert hub.events == []


def test_a_refused_file_changes_nothing(
    session: Session, add_user: AddUser, store: LocalStore, hub: RecordingHub
) -> None:
    ann = add_user(session, "ann")
    first = avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300))).avatar
    session.commit()
    hub.events.clear()
    with pytest.raises(Invalid):
        avatars.set_avatar(session, user_id=ann.id, data=b"<html>not me</html>")
    session.rollback()
    user = session.get(User, ann.id)
    assert user is not None and user.avatar == first
    assert _files(store) == set((first or "").split()) and hub.events == []


def test_a_failing_store_is_a_clear_error_and_changes_nothing(
    session: Session, add_user: AddUser, tmp_path: Path
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    use_store(FailingStore(tmp_path, "http://media.test/media"))
    try:
        with pytest.raises(Unavailable, match="cannot be stored right now"):
            avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300)))
    finally:
        use_store(None)
    session.rollback()
    user = session.get(User, ann.id)
    assert user is not None and user.avatar is None


# -- every list of faces reads the picture with the rest of its row ------------------------------


def test_every_list_of_faces_draws_the_uploaded_picture(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    user = avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300)))
    face = UserFace.of(user)
    post = create_post(session, author_id=ann.id, body="hello #faces")
    follow(session, follower_id=ann.id, followed_id=bob.id)
    send_message(session, sender_id=ann.id, recipient_username="bob", body="hi bob")
    session.commit()
    assert face.card.startswith("http://media.test/media/")

    (card,) = feed_page(session, feed="explore", reader_id=0, page=1, per_page=10).items
    assert card.author_avatar == face.card
    assert cards_by_id(session, [post.id or 0], viewer_id=bob.id)[post.id or 0].author_avatar == (
        face.card
    )
    people = {p.username: p for p in list_users(session, page=1, per_page=10).items}
    assert (people["ann"].avatar, people["ann"].avatar_small) == (face.large, face.small)
    assert people["bob"].avatar == gravatar_url("bob@example.com", 128)
    (follower,) = list_followers(session, user_id=bob.id, page=1, per_page=10).items
    assert follower.avatar_small == face.small
    assert user_card(session, username="ann", viewer_id=bob.id).avatar == face.large
    (conversation,) = list_conversations(session, user_id=bob.id, page=1, per_page=10).items
    assert conversation.avatar == face.card
    notices = list_notifications(session, user_id=bob.id, page=1, per_page=10).items
    assert notices and all(n.actor_avatar == face.small for n in notices)
    (hit,) = search_users(session, q="ann")
    assert hit.avatar == face.small


def test_a_feed_page_reads_its_faces_in_its_one_statement(
    session: Session, add_user: AddUser, store: LocalStore, engine: Engine
) -> None:
    """The avatar column rides in post_rows' card statement: no query per author."""
    from sqlalchemy import event

    authors = [add_user(session, f"writer{i}") for i in range(4)]
    for author in authors:
        avatars.set_avatar(session, user_id=author.id, data=photo((100 + author.id, 100)))
        create_post(session, author_id=author.id, body=f"post by {author.username}")
    session.commit()
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = feed_page(session, feed="explore", reader_id=0, page=1, per_page=10)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    for author in authors:
        session.refresh(author)
    assert {row.author_avatar for row in page.items} == {UserFace.of(a).card for a in authors}
    assert all(row.author_avatar.startswith("http://media.test/") for row in page.items)
    assert len(sent) == 1


# -- the initial's colour ------------------------------------------------------------------------

NAMES = ["susan", "Susan", "ann", "bob", "李明", "Ωmega", "😀smile", "a" * 64]


def test_the_initials_colour_is_the_same_on_the_server_and_in_the_browser() -> None:
    """widgets/tree.py's hue_of in Python, and the expression the live page runs, in Node."""
    import json
    import shutil
    import subprocess

    import reflex as rx

    from microblog.components.widget import ComponentRenderer
    from microblog.widgets.tree import HUES, Field, Hue, hue_of

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed")
    expression = ComponentRenderer(lambda _name: rx.Var("name", _var_type=str)).value(
        Hue(Field("username"))
    )
    script = f"for (const name of {json.dumps(NAMES)}) console.log({expression!s});"
    printed = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    assert [int(line) for line in printed.stdout.split()] == [hue_of(n) for n in NAMES]
    assert len({hue_of(n) for n in NAMES}) > 3 and all(0 <= hue_of(n) < HUES for n in NAMES)


def test_a_file_an_avatar_names_is_never_deleted_as_unreferenced(
    session: Session, add_user: AddUser, store: LocalStore, engine: Engine
) -> None:
    """services/media/attachments.py decides for every file, a post's or an avatar's: what a
    user's avatar still names stays."""
    from microblog.services.media.attachments import delete_unreferenced_files

    ann = add_user(session, "ann")
    names = (
        avatars.set_avatar(session, user_id=ann.id, data=photo((300, 300))).avatar or ""
    ).split()
    session.commit()
    assert delete_unreferenced_files(engine, names) == [] and _files(store) == set(names)
    session.get(User, ann.id).avatar = None  # type: ignore[union-attr]
    session.commit()
    assert sorted(delete_unreferenced_files(engine, names)) == sorted(names)
    assert _files(store) == set()
