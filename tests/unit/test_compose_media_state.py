"""The compose box's pictures (state/compose_media.py) without a browser: uploads become
pictures in the box or a message, never more than MEDIA_PER_POST; alt text typed in the box is
posted with them; removing discards the upload; a visitor uploads nothing."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from reflex_components_core.core._upload import UploadFile
from sqlmodel import Session, select

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.models import MediaAttachment, Post, User
from microblog.services.media import attachments
from microblog.services.media.store import LocalStore, use_store
from microblog.state.compose_media import ComposeMediaState
from microblog.state.feed import FeedState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    yield made
    use_store(None)


def upload(data: bytes, name: str = "photo.jpg") -> UploadFile:
    return UploadFile(io.BytesIO(data), path=Path(name))


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(out, "JPEG")
    return out.getvalue()


async def _box(session: Session, user: User | None) -> ComposeMediaState:
    token = session_token(session, user) if user else ""
    return await tab_state(ComposeMediaState, token=token, path="/")


async def test_pictures_are_added_described_and_posted(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    session.commit()
    box = await _box(session, ann)
    await ComposeMediaState.upload_pictures.fn(box, [upload(jpeg((200, 0, 0)))])
    await ComposeMediaState.upload_pictures.fn(box, [upload(jpeg((0, 0, 200)))])
    assert len(box.pictures) == 2 and box.media_error == ""
    assert box.pictures[0].preview_url.startswith("http://media.test/media/")
    assert box.pictures[0].placeholder.startswith("data:image/png;base64,")
    ComposeMediaState.set_description.fn(box, box.pictures[1].id, "A blue card")

    feed = await box.get_state(FeedState)
    await FeedState.set_draft.fn(feed, "two cards")
    await FeedState.submit_post.fn(feed)
    assert feed.post_error == "" and box.pictures == []
    post = session.exec(select(Post).where(Post.user_id == ann.id)).one()
    rows = session.exec(select(MediaAttachment).where(MediaAttachment.post_id == post.id)).all()
    assert sorted(r.alt_text for r in rows) == ["", "A blue card"]


async def test_a_refused_file_is_a_message_and_the_box_keeps_what_it_had(
    session: Session, add_user: AddUser
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    box = await _box(session, ann)
    await ComposeMediaState.upload_pictures.fn(box, [upload(jpeg((1, 2, 3)))])
    await ComposeMediaState.upload_pictures.fn(box, [upload(b"<html>no</html>", "x.jpg")])
    assert len(box.pictures) == 1
    assert box.media_error == "This file is not a picture we take: JPEG, PNG, WebP or GIF only."
    await ComposeMediaState.refused_files.fn(box, [{"errors": [{"code": "file-too-large"}]}])
    assert box.media_error == "The picture is too big (at most 10 MB)."


async def test_never_more_than_four(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    session.commit()
    box = await _box(session, ann)
    files = [upload(jpeg((i * 40, 10, 10))) for i in range(5)]
    await ComposeMediaState.upload_pictures.fn(box, files)
    assert len(box.pictures) == 4
    assert box.media_error == "A post can have at most 4 pictures."
    assert not box.can_add


async def test_remove_discards_the_upload(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    box = await _box(session, ann)
    await ComposeMediaState.upload_pictures.fn(box, [upload(jpeg((9, 9, 9)))])
    media_id = box.pictures[0].id
    await ComposeMediaState.remove_picture.fn(box, media_id)
    attachments.wait_for_deletions()
    assert box.pictures == []
    assert session.get(MediaAttachment, media_id) is None
    assert list(store.names()) == []


async def test_a_visitor_uploads_nothing(session: Session) -> None:
    box = await _box(session, None)
    await ComposeMediaState.upload_pictures.fn(box, [upload(jpeg((5, 5, 5)))])
    assert box.pictures == []
    assert session.exec(select(MediaAttachment)).all() == []
