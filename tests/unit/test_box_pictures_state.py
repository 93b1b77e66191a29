"""Pictures in the reply box and in a card's edit box (state/compose_media.py
`ReplyMediaState`, `EditMediaState`; state/thread.py, state/post_cards.py), without a browser:
each box has its own pictures and its own ticket; a reply may be pictures alone; the edit box
opens with the post's pictures and alt texts, saves the box's order, removals, additions and
changed alt texts, and a cancelled edit leaves the post as it was and its new uploads gone."""

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
from microblog.services import follows, posts, reactions
from microblog.services.media import attachments
from microblog.services.media.store import LocalStore, use_store
from microblog.services.post_rows import cards_by_id
from microblog.state.compose_media import (
    ComposeMediaState,
    DraftPicture,
    DraftPictures,
    EditMediaState,
    ReplyMediaState,
)
from microblog.state.feed import FeedState
from microblog.state.thread import ThreadState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    yield made
    use_store(None)


def jpeg(colour: tuple[int, int, int]) -> UploadFile:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(out, "JPEG")
    return UploadFile(io.BytesIO(out.getvalue()), path=Path("photo.jpg"))


async def _upload(box: DraftPictures, *files: UploadFile) -> None:
    """What the box's picker sends: the files and the box's own ticket."""
    await type(box).upload_pictures.fn(box, list(files), box.upload_ticket)


def _uploads(session: Session, user: User, *colours: tuple[int, int, int]) -> list[int]:
    ids = []
    for colour in colours:
        row = attachments.upload_media(
            session, user_id=user.id or 0, data=jpeg(colour).file.read(), filename="a.jpg"
        )
        ids.append(row.id or 0)
    session.commit()
    return ids


async def _thread(session: Session, user: User, post_id: int) -> ThreadState:
    thread = await tab_state(
        ThreadState, token=session_token(session, user), path=f"/post/{post_id}"
    )
    await ThreadState.load.fn(thread)
    return thread


def test_each_box_is_a_state_of_its_own_with_its_own_upload_id() -> None:
    """Not substates of one another: each box's vars are its own (a substate would share)."""
    boxes = [ComposeMediaState, ReplyMediaState, EditMediaState]
    assert len({box.upload_id for box in boxes}) == 3
    for box in boxes:
        assert box.get_parent_state() is not None
        assert not any(issubclass(box, other) for other in boxes if other is not box)
        assert "pictures" in box.base_vars and "upload_ticket" in box.base_vars


async def test_a_reply_may_be_pictures_alone_and_keeps_the_boxes_apart(
    session: Session, add_user: AddUser
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    session.commit()
    parent = posts.create_post(session, author_id=ann.id or 0, body="Look up").id or 0
    session.commit()
    thread = await _thread(session, bob, parent)
    reply_box = await thread.get_state(ReplyMediaState)
    compose_box = await thread.get_state(ComposeMediaState)
    assert reply_box.upload_ticket  # issued when the thread loaded

    # The compose box's ticket does not open the reply box.
    compose_box.issue_ticket()
    await ReplyMediaState.upload_pictures.fn(
        reply_box, [jpeg((0, 0, 0))], compose_box.upload_ticket
    )
    assert reply_box.pictures == []

    await _upload(reply_box, jpeg((200, 10, 10)))
    assert len(reply_box.pictures) == 1 and compose_box.pictures == []
    ReplyMediaState.set_description.fn(reply_box, reply_box.pictures[0].id, "A red kite")
    await ThreadState.submit_reply.fn(thread)
    assert thread.reply_error == "" and reply_box.pictures == []

    reply = session.exec(select(Post).where(Post.reply_to_id == parent)).one()
    assert reply.body == "" and reply.user_id == bob.id
    card = cards_by_id(session, [reply.id or 0], viewer_id=0)[reply.id or 0]
    assert [m.description for m in card.media] == ["A red kite"]
    assert any(row.id == reply.id and row.media for row in thread.replies)


async def test_a_refused_reply_keeps_its_pictures(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    session.commit()
    parent = posts.create_post(session, author_id=ann.id or 0, body="hi").id or 0
    session.commit()
    thread = await _thread(session, ann, parent)
    box = await thread.get_state(ReplyMediaState)
    await ThreadState.submit_reply.fn(thread)  # no text, no picture
    assert thread.reply_error
    await _upload(box, jpeg((1, 2, 3)))
    await ThreadState.set_draft.fn(thread, "x" * 501)
    await ThreadState.submit_reply.fn(thread)
    assert thread.reply_error and len(box.pictures) == 1
    assert session.exec(select(Post).where(Post.reply_to_id == parent)).all() == []


async def test_the_reply_box_opens_on_request_and_stays_open_while_a_reply_is_under_way(
    session: Session, add_user: AddUser
) -> None:
    """Closed when the thread loads, as the server draws it (widgets/thread.py's opener), unless
    the reader's reply (text or pictures) is in it: what they wrote stays in view."""
    ann = add_user(session, "ann")
    session.commit()
    parent = posts.create_post(session, author_id=ann.id or 0, body="hi").id or 0
    session.commit()
    thread = await _thread(session, ann, parent)
    assert not thread.reply_open
    ThreadState.open_reply.fn(thread)
    assert thread.reply_open
    await ThreadState.load.fn(thread)  # the same thread again, nothing written
    assert not thread.reply_open

    ThreadState.open_reply.fn(thread)
    await ThreadState.set_draft.fn(thread, "half a thought")
    await ThreadState.load.fn(thread)
    assert thread.reply_open and thread.draft == "half a thought"

    await ThreadState.set_draft.fn(thread, "  ")
    await _upload(await thread.get_state(ReplyMediaState), jpeg((9, 9, 9)))
    await ThreadState.load.fn(thread)
    assert thread.reply_open  # a picture alone is a reply under way


async def test_the_edit_box_opens_with_the_pictures_and_saves_removals_additions_and_alt_text(
    session: Session, add_user: AddUser
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    first, second = _uploads(session, ann, (10, 10, 10), (20, 20, 20))
    post_id = (
        posts.create_post(
            session,
            author_id=ann.id or 0,
            body="two pictures",
            media_ids=[first, second],
            alt_texts={first: "A heron", second: "A pond"},
        ).id
        or 0
    )
    session.commit()
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/explore")
    await FeedState.load_explore.fn(feed)
    box = await feed.get_state(EditMediaState)

    await FeedState.start_edit.fn(feed, post_id, post_id)  # the post's own card
    assert (feed.editing_id, feed.editing_entry) == (post_id, post_id) and box.upload_ticket
    assert [(p.id, p.description) for p in box.pictures] == [(first, "A heron"), (second, "A pond")]
    assert box.pictures[0].preview_url.startswith("http://media.test/media/")

    await EditMediaState.remove_picture.fn(box, first)
    assert session.get(MediaAttachment, first) is not None  # on the post until it is saved
    await _upload(box, jpeg((250, 0, 0)))
    added = box.pictures[1].id
    EditMediaState.set_description.fn(box, second, "A frozen pond")
    EditMediaState.set_description.fn(box, added, "A red kite")
    await FeedState.save_edit.fn(feed)

    assert (feed.editing_id, feed.edit_error, box.pictures) == (0, "", [])
    card = next(row for row in feed.posts if row.id == post_id)
    assert [(m.id, m.description) for m in card.media] == [
        (second, "A frozen pond"),
        (added, "A red kite"),
    ]
    assert session.get(MediaAttachment, first) is None


async def test_a_cancelled_edit_leaves_the_post_and_discards_its_new_uploads(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    (kept,) = _uploads(session, ann, (10, 10, 10))
    post_id = (
        posts.create_post(
            session, author_id=ann.id or 0, body="one", media_ids=[kept], alt_texts={kept: "Old"}
        ).id
        or 0
    )
    session.commit()
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/explore")
    await FeedState.load_explore.fn(feed)
    box = await feed.get_state(EditMediaState)
    await FeedState.start_edit.fn(feed, post_id)
    first_ticket = box.upload_ticket
    await EditMediaState.remove_picture.fn(box, kept)
    await _upload(box, jpeg((0, 250, 0)))
    new = box.pictures[0].id
    new_file = session.get(MediaAttachment, new).file_name  # type: ignore[union-attr]
    await FeedState.cancel_edit.fn(feed)
    attachments.wait_for_deletions()

    assert feed.editing_id == 0 and box.pictures == []
    session.expire_all()
    assert session.get(MediaAttachment, new) is None and not store.exists(new_file)
    card = cards_by_id(session, [post_id], viewer_id=0)[post_id]
    assert [(m.id, m.description) for m in card.media] == [(kept, "Old")]
    # Opening it again: the pictures as they are, and a new ticket.
    await FeedState.start_edit.fn(feed, post_id)
    assert [p.id for p in box.pictures] == [kept] and box.upload_ticket != first_ticket


async def test_an_edit_box_cannot_take_someone_elses_upload(
    session: Session, add_user: AddUser
) -> None:
    """Even if a tab's box held another person's picture id, the service refuses it and the
    post stays as it was; the edit box never opens on someone else's post."""
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    session.commit()
    post_id = posts.create_post(session, author_id=ann.id or 0, body="mine").id or 0
    bobs_post = posts.create_post(session, author_id=bob.id or 0, body="bob's").id or 0
    session.commit()
    (bobs_upload,) = _uploads(session, bob, (5, 5, 5))
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/explore")
    await FeedState.load_explore.fn(feed)
    box = await feed.get_state(EditMediaState)
    await FeedState.start_edit.fn(feed, bobs_post)
    assert feed.editing_id == 0
    await FeedState.start_edit.fn(feed, post_id)
    box.pictures = [*box.pictures, DraftPicture(id=bobs_upload, preview_url="", placeholder="")]
    await FeedState.save_edit.fn(feed)
    assert feed.edit_error == "No such picture." and feed.editing_id == post_id
    session.expire_all()
    row = session.get(MediaAttachment, bobs_upload)
    assert row is not None and row.post_id is None
    assert cards_by_id(session, [post_id], viewer_id=0)[post_id].media == ()


async def test_the_edit_box_opens_on_the_card_it_was_asked_from(
    session: Session, add_user: AddUser
) -> None:
    """One's own post shown as someone's boost (its card's entry is the boost): the box opens
    on that card, the one whose Edit was pressed; with no entry given, on the post's own."""
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    session.commit()
    post_id = posts.create_post(session, author_id=ann.id or 0, body="boost me").id or 0
    follows.follow(session, follower_id=ann.id or 0, followed_id=bob.id or 0)
    reactions.boost_post(session, user_id=bob.id or 0, post_id=post_id)
    session.commit()
    feed = await tab_state(FeedState, token=session_token(session, ann), path="/")
    await FeedState.load_home.fn(feed)
    (card,) = [row for row in feed.posts if row.id == post_id]
    assert card.entry_id != post_id  # drawn as bob's boost
    await FeedState.start_edit.fn(feed, post_id, card.entry_id)
    assert (feed.editing_id, feed.editing_entry) == (post_id, card.entry_id)
    await FeedState.cancel_edit.fn(feed)
    assert (feed.editing_id, feed.editing_entry) == (0, 0)
    await FeedState.start_edit.fn(feed, post_id)
    assert (feed.editing_id, feed.editing_entry) == (post_id, post_id)
