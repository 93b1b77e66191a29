"""The demo and benchmark seeds produce what they promise, through the real schema."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import Follow, Like, MediaAttachment, Mention, Post, PostTag, Tag, User
from microblog.seed import DEMO_PASSWORD, HEAVY_FOLLOWER, PICTURE_COUNT, seed_demo, seed_scale
from microblog.services import notifications, posts
from microblog.services.conversations import list_conversations
from microblog.services.follows import follow_counts
from microblog.services.media import attachments as media
from microblog.services.media.store import LocalStore, use_store
from microblog.services.post_rows import cards_by_id
from microblog.services.timeline import home_timeline
from microblog.services.users import authenticate
from tests.conftest import PG_URL, migrate, pg_database


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_scale_small(engine: Engine) -> None:
    """The benchmark numbers rest on these counts: users, posts, follows per user, the heavy
    follower."""
    messages: list[str] = []
    counts = seed_scale(
        engine, users=50, posts=500, follows_each=5, heavy_follows=20, progress=messages.append
    )
    assert {k: counts[k] for k in ("users", "posts", "follows")} == {
        "users": 50,
        "posts": 500,
        "follows": 20 + 49 * 5,
    }
    assert messages  # progress is reported
    with Session(engine) as session:
        assert _count(session, User) == 50
        assert _count(session, Post) == 500
        assert _count(session, Follow) == counts["follows"]
        heavy = session.get(User, 1)
        assert heavy.username == HEAVY_FOLLOWER
        assert follow_counts(session, user_id=1)[1] == 20
        per_user = session.exec(
            select(Follow.follower_id, func.count()).group_by(Follow.follower_id)
        ).all()
        assert {n for uid, n in per_user if uid != 1} == {5}
        self_follows = session.exec(
            select(func.count()).select_from(Follow).where(Follow.follower_id == Follow.followed_id)
        ).one()
        assert self_follows == 0
        assert home_timeline(session, user_id=1, page=1, per_page=10).items


def test_seed_demo_users_can_log_in(engine: Engine, make_user: Callable[..., User]) -> None:
    """Newcomers are told the demo password; it must work. Seeding again replaces the data, and
    new registrations still get fresh ids afterwards (PostgreSQL sequences)."""
    seed_scale(engine, users=20, posts=30, follows_each=2, heavy_follows=5, progress=lambda _: None)
    counts = seed_demo(engine)
    assert counts["users"] == 12
    with Session(engine, expire_on_commit=False) as session:
        assert _count(session, User) == 12
        assert _count(session, Post) == counts["posts"] == 360
        assert _count(session, Follow) == counts["follows"]
        # Messages and Notifications have something on them: susan's conversations, and a
        # line for each follower and each message she was sent.
        susan_id = session.exec(select(User.id).where(User.username == "susan")).one()
        listing = list_conversations(session, user_id=susan_id, page=1, per_page=25)
        assert counts["messages"] > 0 and len(listing.items) == 4
        assert [row.username for row in listing.items][-1] == "john"  # the oldest conversation
        followers = session.exec(
            select(func.count()).select_from(Follow).where(Follow.followed_id == susan_id)
        ).one()
        sent_to_her = sum(1 for row in listing.items for _ in range(row.unread))
        assert notifications.unread_count(session, user_id=susan_id) == followers + sent_to_her
        susan = authenticate(session, login="susan", password=DEMO_PASSWORD)
        assert susan is not None and susan.email == "susan@example.com"
        assert authenticate(session, login="susan", password="wrong-password") is None
        newcomer = make_user(session, "newcomer")
        session.commit()
        assert newcomer.id == 13


def test_seed_scale_again_replaces_everything(engine: Engine) -> None:
    """A second scale seed starts from empty tables with fresh ids (PostgreSQL: TRUNCATE ...
    RESTART IDENTITY)."""
    quiet = {"progress": lambda _: None, "follows_each": 3, "heavy_follows": 6}
    seed_scale(engine, users=30, posts=200, **quiet)
    seed_scale(engine, users=30, posts=200, **quiet)
    with Session(engine) as session:
        assert _count(session, User) == 30
        assert _count(session, Post) == 200
        assert session.exec(select(func.min(Post.id))).one() == 1
        assert _count(session, Follow) == 6 + 29 * 3


@pytest.mark.postgresql
@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
def test_seed_scale_leaves_postgresql_vacuumed() -> None:
    """PostgreSQL's tables are vacuumed after a scale seed: index-only scans then skip the table
    pages (a VACUUM marks them all-visible; ANALYZE alone does not). In a database of its own:
    another test's open transaction in a shared one would keep the pages from all-visible."""
    with pg_database("mbseed") as url:
        migrate(url)
        engine = make_engine(url)
        try:
            seed_scale(engine, users=30, posts=200, progress=lambda _: None)
            with engine.connect() as conn:
                pages, visible = conn.exec_driver_sql(
                    "SELECT relpages, relallvisible FROM pg_class WHERE oid = 'post'::regclass"
                ).one()
        finally:
            engine.dispose()
    assert pages > 0 and visible == pages


def _conversation_consistent(session: Session) -> dict[str, int]:
    """Check every counter against the rows it counts and every link against the body; return
    how many replies, boosts, likes, tagged posts and mentions there are."""
    posts = session.exec(select(Post)).all()
    by_id = {p.id: p for p in posts}
    replies: dict[int, int] = {}
    boosts: dict[int, int] = {}
    for p in posts:
        if p.reply_to_id is not None:
            replies[p.reply_to_id] = replies.get(p.reply_to_id, 0) + 1
            parent = by_id[p.reply_to_id]
            assert p.reply_to_user_id == parent.user_id
            assert parent.boost_of_id is None and p.timestamp >= parent.timestamp
        if p.boost_of_id is not None:
            boosts[p.boost_of_id] = boosts.get(p.boost_of_id, 0) + 1
            original = by_id[p.boost_of_id]
            assert original.boost_of_id is None and original.user_id != p.user_id
            assert p.body == p.body_html == "" and p.timestamp >= original.timestamp
        else:
            assert p.body and p.body_html.startswith("<")
    likes: dict[int, int] = {}
    for like in session.exec(select(Like)).all():
        likes[like.post_id] = likes.get(like.post_id, 0) + 1
        assert by_id[like.post_id].boost_of_id is None
    for p in posts:
        assert (p.reply_count, p.boost_count, p.like_count) == (
            replies.get(p.id, 0),
            boosts.get(p.id, 0),
            likes.get(p.id, 0),
        ), p.id
    tags = {t.id: t.name for t in session.exec(select(Tag)).all()}
    tagged = session.exec(select(PostTag)).all()
    for link in tagged:
        assert f"#{tags[link.tag_id]}" in by_id[link.post_id].body
        assert link.timestamp == by_id[link.post_id].timestamp
    users = {u.id: u.username for u in session.exec(select(User)).all()}
    mentions = session.exec(select(Mention)).all()
    for mention in mentions:
        assert f"@{users[mention.user_id]} " in by_id[mention.post_id].body
    return {
        "replies": len([p for p in posts if p.reply_to_id is not None]),
        "boosts": len([p for p in posts if p.boost_of_id is not None]),
        "likes": sum(likes.values()),
        "tagged": len(tagged),
        "mentions": len(mentions),
    }


def test_seed_scale_has_conversations_with_exact_counters(engine: Engine) -> None:
    """Replies, boosts, likes, tags and mentions in about the promised proportions, each
    counter equal to its rows, each body rendered, and the counts it reports true."""
    counts = seed_scale(
        engine, users=200, posts=5000, follows_each=5, heavy_follows=20, progress=lambda _: None
    )
    with Session(engine) as session:
        found = _conversation_consistent(session)
    assert {k: counts[k] for k in found} == found
    assert 0.15 * 5000 < found["replies"] < 0.25 * 5000
    assert 0.02 * 5000 < found["boosts"] < 0.07 * 5000
    assert 1.5 * 5000 < found["likes"] < 5 * 5000
    assert 0.07 * 5000 < found["tagged"] < 0.13 * 5000
    assert 0.03 * 5000 < found["mentions"] < 0.07 * 5000


def test_seed_demo_has_conversations(engine: Engine) -> None:
    counts = seed_demo(engine)
    with Session(engine) as session:
        found = _conversation_consistent(session)
    assert all(found[k] > 5 for k in found), found
    assert {k: counts[k] for k in found} == found


def test_seed_scale_pictures_are_the_apps_and_survive_one_posts_deletion(
    engine: Engine, tmp_path: Path
) -> None:
    """`pictures` puts real, stored pictures on that share of the posts, with attachment rows
    and the card's copy (`media_json`) as the app writes them. Posts share the few files, so
    deleting one post through the app must keep every file another post still names, and the
    last post naming a file takes it with it."""
    store = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(store)  # what the post service deletes from
    try:
        counts = seed_scale(
            engine,
            users=30,
            posts=400,
            follows_each=3,
            heavy_follows=5,
            pictures=0.5,
            media_store=store,
            progress=lambda _: None,
        )
        with Session(engine) as session:
            rows = list(session.exec(select(MediaAttachment)).all())
            pictured = session.exec(select(Post).where(Post.media_json.is_not(None))).all()
            originals = _count(session, Post) - counts["boosts"]
            # About half of the posts that are not boosts; boosts never carry their own.
            assert 0.35 * originals < len(pictured) < 0.65 * originals
            assert counts["posts_with_pictures"] == len(pictured)
            assert all(p.boost_of_id is None for p in pictured)
            by_post: dict[int, list[MediaAttachment]] = {}
            for row in sorted(rows, key=lambda r: (r.post_id or 0, r.position)):
                by_post.setdefault(row.post_id or 0, []).append(row)
            for post in pictured:
                attached = by_post[post.id or 0]
                assert [r.position for r in attached] == list(range(len(attached)))
                assert all(r.user_id == post.user_id for r in attached)
                # Exactly what the app writes when a post's pictures change.
                assert post.media_json == media.media_json(attached)
                assert post.media_alt_text == "\n".join(r.alt_text for r in attached if r.alt_text)
            files = {r.file_name for r in rows} | {r.thumb_name for r in rows}
            assert 2 <= len({r.file_name for r in rows}) <= PICTURE_COUNT
            assert all(store.exists(name) for name in files)
            # A real picture: it opens, in the size its row says.
            first = rows[0]
            with Image.open(io.BytesIO(store.read(first.file_name))) as image:
                assert image.size == (first.width, first.height)
            card = cards_by_id(session, [pictured[0].id or 0], viewer_id=0)[pictured[0].id or 0]
            assert card.media and card.media[0].url.endswith(
                by_post[pictured[0].id or 0][0].file_name
            )

            # Deleting one post keeps the files the other posts still show.
            shared = first.file_name
            users_of = [r.post_id for r in rows if shared in (r.file_name, r.thumb_name)]
            assert len(users_of) > 1
            victim = session.get(Post, users_of[0])
            posts.delete_post(session, post_id=victim.id, user_id=victim.user_id)
            session.commit()
            media.wait_for_deletions()
            assert store.exists(shared) and store.exists(first.thumb_name)

            # The last post that names it takes the file.
            for post_id in users_of[1:]:
                post = session.get(Post, post_id)
                posts.delete_post(session, post_id=post_id, user_id=post.user_id)
            session.commit()
            media.wait_for_deletions()
            assert not store.exists(shared)
            assert _count(session, MediaAttachment) == len(rows) - sum(
                len(by_post[p]) for p in users_of
            )
    finally:
        use_store(None)


def test_seed_scale_refuses_a_share_outside_0_to_1(engine: Engine) -> None:
    with pytest.raises(ValueError, match="from 0 to 1"):
        seed_scale(engine, users=5, posts=5, pictures=1.5, progress=lambda _: None)
