"""Pictures on posts (services/media/attachments.py, services/posts.py): upload, alt text,
attach on create and edit, the cards, deletion of files with their post, orphans, search."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.models import MediaAttachment, Post, User
from microblog.services import posts, search
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.media import attachments as media
from microblog.services.media.store import LocalStore, use_store
from microblog.services.post_rows import cards_by_id

AddUser = Callable[..., User]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    yield made
    use_store(None)


def picture(
    color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (800, 600)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def upload(session: Session, user: User, color: tuple[int, int, int] = (200, 40, 40)) -> int:
    row = media.upload_media(session, user_id=user.id or 0, data=picture(color), filename="a.jpg")
    session.commit()
    return row.id or 0


def test_upload_stores_the_files_and_an_unattached_row(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    row = media.upload_media(session, user_id=ann.id or 0, data=picture(), filename="x.jpg")
    session.commit()
    assert row.post_id is None and (row.width, row.height) == (800, 600)
    assert store.exists(row.file_name) and store.exists(row.thumb_name)
    assert row.blurhash and row.content_type == "image/jpeg"


def test_a_post_with_pictures_shows_them_on_its_card_in_order(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    first, second = upload(session, ann, (200, 0, 0)), upload(session, ann, (0, 0, 200))
    media.describe_media(session, user_id=ann.id or 0, media_id=second, alt_text="A blue sky")
    post = posts.create_post(
        session, author_id=ann.id or 0, body="Two colours", media_ids=[second, first]
    )
    session.commit()
    card = cards_by_id(session, [post.id or 0], viewer_id=0)[post.id or 0]
    assert [m.id for m in card.media] == [second, first]
    assert card.media[0].description == "A blue sky"
    assert card.media[0].url.startswith("http://media.test/media/")
    assert card.media[0].preview_url != card.media[0].url
    assert (card.media[1].thumb_width, card.media[1].thumb_height) == (400, 300)


def test_a_post_of_pictures_alone_needs_no_text(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    post = posts.create_post(
        session, author_id=ann.id or 0, body="", media_ids=[upload(session, ann)]
    )
    session.commit()
    assert post.body == "" and post.media_json
    with pytest.raises(Invalid):
        posts.create_post(session, author_id=ann.id or 0, body="  ")


def test_only_your_own_unattached_uploads_and_at_most_four(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    bobs = upload(session, bob)
    with pytest.raises(Invalid, match="No such picture"):
        posts.create_post(session, author_id=ann.id or 0, body="mine?", media_ids=[bobs])
    session.rollback()
    five = [upload(session, ann, (i * 40, 0, 0)) for i in range(5)]
    with pytest.raises(Invalid, match="at most 4 pictures"):
        posts.create_post(session, author_id=ann.id or 0, body="many", media_ids=five)
    session.rollback()
    posts.create_post(session, author_id=ann.id or 0, body="one", media_ids=five[:1])
    session.commit()
    with pytest.raises(Invalid, match="already on another post"):
        posts.create_post(session, author_id=ann.id or 0, body="again", media_ids=five[:1])
    session.rollback()
    with pytest.raises(NotFound):
        media.describe_media(session, user_id=ann.id or 0, media_id=bobs, alt_text="hers now")


def test_deleting_a_post_deletes_its_files(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    media_id = upload(session, ann)
    row = session.get(MediaAttachment, media_id)
    assert row is not None
    names = (row.file_name, row.thumb_name)
    post = posts.create_post(session, author_id=ann.id or 0, body="bye", media_ids=[media_id])
    session.commit()
    posts.delete_post(session, post_id=post.id or 0, user_id=ann.id or 0)
    session.commit()
    media.wait_for_deletions()
    assert session.get(MediaAttachment, media_id) is None
    assert not any(store.exists(name) for name in names)


def test_a_file_shared_by_two_uploads_stays_while_one_still_names_it(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    first, second = upload(session, ann), upload(session, ann)  # the same picture twice
    rows = [session.get(MediaAttachment, i) for i in (first, second)]
    assert rows[0] and rows[1] and rows[0].file_name == rows[1].file_name
    media.discard_media(session, user_id=ann.id or 0, media_id=first)
    session.commit()
    media.wait_for_deletions()
    assert store.exists(rows[1].file_name)
    media.discard_media(session, user_id=ann.id or 0, media_id=second)
    session.commit()
    media.wait_for_deletions()
    assert not store.exists(rows[1].file_name)


def test_a_rolled_back_delete_keeps_the_files(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    media_id = upload(session, ann)
    row = session.get(MediaAttachment, media_id)
    assert row is not None
    media.discard_media(session, user_id=ann.id or 0, media_id=media_id)
    session.rollback()
    media.wait_for_deletions()
    assert store.exists(row.file_name)


def test_editing_a_post_replaces_its_pictures(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    old, new = upload(session, ann, (10, 10, 10)), upload(session, ann, (250, 250, 0))
    post = posts.create_post(session, author_id=ann.id or 0, body="v1", media_ids=[old])
    session.commit()
    old_file = session.get(MediaAttachment, old).file_name  # type: ignore[union-attr]
    posts.edit_post(session, post_id=post.id or 0, user_id=ann.id or 0, body="v1", media_ids=[new])
    session.commit()
    media.wait_for_deletions()
    card = cards_by_id(session, [post.id or 0], viewer_id=0)[post.id or 0]
    assert [m.id for m in card.media] == [new]
    assert session.get(MediaAttachment, old) is None and not store.exists(old_file)
    # Text only: the pictures stay.
    posts.edit_post(session, post_id=post.id or 0, user_id=ann.id or 0, body="v2")
    session.commit()
    assert [
        m.id for m in cards_by_id(session, [post.id or 0], viewer_id=0)[post.id or 0].media
    ] == [new]


def test_an_edit_reorders_adds_and_redescribes_its_pictures_in_one_step(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    """The edit box's save: kept pictures get their changed alt text (not only new uploads),
    the order is the list's, a picture left out goes, and search reads the new words."""
    search.use_external(None)
    try:
        ann = add_user(session, "ann")
        first, second = upload(session, ann, (10, 10, 10)), upload(session, ann, (20, 20, 20))
        post = posts.create_post(
            session,
            author_id=ann.id or 0,
            body="v1",
            media_ids=[first, second],
            alt_texts={first: "A heron", second: "A pond"},
        )
        session.commit()
        added = upload(session, ann, (250, 0, 0))
        posts.edit_post(
            session,
            post_id=post.id or 0,
            user_id=ann.id or 0,
            body="v1",
            media_ids=[added, second],
            alt_texts={added: "A red kite", second: "A frozen pond"},
        )
        session.commit()
        card = cards_by_id(session, [post.id or 0], viewer_id=0)[post.id or 0]
        assert [(m.id, m.description) for m in card.media] == [
            (added, "A red kite"),
            (second, "A frozen pond"),
        ]
        assert session.get(MediaAttachment, first) is None
        found = search.search_posts(session, q="frozen", page=1, per_page=10)
        assert [p.id for p in found.posts] == [post.id]
        assert search.search_posts(session, q="heron", page=1, per_page=10).posts == []
    finally:
        search.reset_external()


def test_an_edit_takes_only_the_authors_own_uploads_and_only_on_their_own_post(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    mine = upload(session, ann, (1, 1, 1))
    post = posts.create_post(session, author_id=ann.id or 0, body="v1", media_ids=[mine])
    bobs_post = posts.create_post(session, author_id=bob.id or 0, body="bob's")
    session.commit()
    bobs_upload = upload(session, bob, (2, 2, 2))
    with pytest.raises(Invalid, match="No such picture"):
        posts.edit_post(
            session,
            post_id=post.id or 0,
            user_id=ann.id or 0,
            body="v1",
            media_ids=[mine, bobs_upload],
            alt_texts={bobs_upload: "mine now"},
        )
    session.rollback()
    with pytest.raises(Forbidden):
        posts.edit_post(
            session, post_id=bobs_post.id or 0, user_id=ann.id or 0, body="x", media_ids=[mine]
        )
    session.rollback()
    bobs_row = session.get(MediaAttachment, bobs_upload)
    assert bobs_row is not None and bobs_row.post_id is None and bobs_row.alt_text == ""
    card = cards_by_id(session, [post.id or 0], viewer_id=0)[post.id or 0]
    assert [m.id for m in card.media] == [mine]
    assert cards_by_id(session, [bobs_post.id or 0], viewer_id=0)[bobs_post.id or 0].media == ()


def test_discarding_a_draft_takes_only_your_own_unattached_uploads(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    on_post = upload(session, ann, (1, 2, 3))
    posts.create_post(session, author_id=ann.id or 0, body="kept", media_ids=[on_post])
    draft, bobs = upload(session, ann, (4, 5, 6)), upload(session, bob, (7, 8, 9))
    session.commit()
    draft_file = session.get(MediaAttachment, draft).file_name  # type: ignore[union-attr]
    gone = media.discard_uploads(
        session, user_id=ann.id or 0, media_ids=[on_post, draft, bobs, 999_999]
    )
    session.commit()
    media.wait_for_deletions()
    assert gone == 1 and session.get(MediaAttachment, draft) is None
    assert not store.exists(draft_file)
    assert session.get(MediaAttachment, on_post) is not None
    assert session.get(MediaAttachment, bobs) is not None


def test_orphans_older_than_the_cutoff_are_deleted_with_their_files(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    kept_on_post = upload(session, ann, (1, 2, 3))
    posts.create_post(session, author_id=ann.id or 0, body="kept", media_ids=[kept_on_post])
    orphan = upload(session, ann, (9, 9, 9))
    fresh = upload(session, ann, (90, 90, 90))
    orphan_row = session.get(MediaAttachment, orphan)
    assert orphan_row is not None
    orphan_row.created_at = datetime.now(UTC) - timedelta(days=2)
    session.add(orphan_row)
    session.commit()
    deleted = media.delete_orphaned_media(session, older_than=datetime.now(UTC) - timedelta(days=1))
    session.commit()
    media.wait_for_deletions()
    assert deleted == 1
    assert session.get(MediaAttachment, orphan) is None
    assert not store.exists(orphan_row.file_name)
    assert session.get(MediaAttachment, fresh) is not None
    assert session.get(MediaAttachment, kept_on_post) is not None


def test_alt_text_is_searchable_and_its_changes_too(
    session: Session, add_user: AddUser, store: LocalStore, engine: Engine
) -> None:
    search.use_external(None)
    try:
        ann = add_user(session, "ann")
        media_id = upload(session, ann)
        media.describe_media(
            session, user_id=ann.id or 0, media_id=media_id, alt_text="A heron fishing"
        )
        post = posts.create_post(
            session, author_id=ann.id or 0, body="Morning", media_ids=[media_id]
        )
        session.commit()
        found = search.search_posts(session, q="heron", page=1, per_page=10)
        assert [p.id for p in found.posts] == [post.id]
        media.describe_media(session, user_id=ann.id or 0, media_id=media_id, alt_text="An egret")
        session.commit()
        assert search.search_posts(session, q="heron", page=1, per_page=10).posts == []
        assert [
            p.id for p in search.search_posts(session, q="egret", page=1, per_page=10).posts
        ] == [post.id]
    finally:
        search.reset_external()


def test_alt_text_rules(session: Session, add_user: AddUser, store: LocalStore) -> None:
    ann = add_user(session, "ann")
    media_id = upload(session, ann)
    with pytest.raises(Invalid, match="at most 1500"):
        media.describe_media(session, user_id=ann.id or 0, media_id=media_id, alt_text="x" * 1501)
    with pytest.raises(Invalid):
        media.describe_media(session, user_id=ann.id or 0, media_id=media_id, alt_text="a\x00b")
    row = media.describe_media(session, user_id=ann.id or 0, media_id=media_id, alt_text="  ok ")
    assert row.alt_text == "ok"


def test_too_many_pending_uploads_are_refused(
    session: Session, add_user: AddUser, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "PENDING_PER_USER", 2)
    ann = add_user(session, "ann")
    upload(session, ann)
    upload(session, ann)
    with pytest.raises(Invalid, match="too many pictures waiting"):
        upload(session, ann)


def test_a_deleted_authors_posts_leave_orphans_for_the_sweep(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    bob = add_user(session, "bob")
    media_id = upload(session, ann)
    post = posts.create_post(session, author_id=ann.id or 0, body="x", media_ids=[media_id])
    session.commit()
    session.delete(session.get(Post, post.id))
    session.commit()
    row = session.get(MediaAttachment, media_id)
    session.refresh(row)
    assert row is not None and row.post_id is None  # SET NULL: an orphan now
    assert bob.id
