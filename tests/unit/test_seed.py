"""The demo and benchmark seeds produce what they promise, through the real schema."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.models import Follow, Post, User
from microblog.seed import DEMO_PASSWORD, HEAVY_FOLLOWER, seed_demo, seed_scale
from microblog.services.follows import follow_counts
from microblog.services.timeline import home_timeline
from microblog.services.users import authenticate


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_scale_small(engine: Engine) -> None:
    """The benchmark numbers rest on these counts: users, posts, follows per user, the heavy
    follower."""
    messages: list[str] = []
    counts = seed_scale(
        engine, users=50, posts=500, follows_each=5, heavy_follows=20, progress=messages.append
    )
    assert counts == {"users": 50, "posts": 500, "follows": 20 + 49 * 5}
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
        susan = authenticate(session, login="susan", password=DEMO_PASSWORD)
        assert susan is not None and susan.email == "susan@example.com"
        assert authenticate(session, login="susan", password="wrong-password") is None
        newcomer = make_user(session, "newcomer")
        session.commit()
        assert newcomer.id == 13


def test_seed_scale_again_replaces_everything(engine: Engine) -> None:
    """A second scale seed starts from empty tables with fresh ids (PostgreSQL: TRUNCATE ...
    RESTART IDENTITY), and leaves PostgreSQL's tables vacuumed: index-only scans then skip the
    table pages (a VACUUM marks them all-visible; ANALYZE alone does not)."""
    quiet = {"progress": lambda _: None, "follows_each": 3, "heavy_follows": 6}
    seed_scale(engine, users=30, posts=200, **quiet)
    seed_scale(engine, users=30, posts=200, **quiet)
    with Session(engine) as session:
        assert _count(session, User) == 30
        assert _count(session, Post) == 200
        assert session.exec(select(func.min(Post.id))).one() == 1
        assert _count(session, Follow) == 6 + 29 * 3
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            pages, visible = conn.exec_driver_sql(
                "SELECT relpages, relallvisible FROM pg_class WHERE oid = 'post'::regclass"
            ).one()
        assert pages > 0 and visible == pages
