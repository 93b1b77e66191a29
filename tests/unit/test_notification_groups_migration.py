"""Migration 0021 (notification groups), up, down and up again, on a database that already has
likes, boosts and other notifications: each group's newest row becomes its line counting the
others, a person's older rows in a group go, and everything else is a line of its own."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services.notifications import list_notifications, unread_count
from tests.conftest import downgrade, migrate

BEFORE = "0020"


def _add_user(conn: Connection, name: str) -> int:
    conn.execute(
        text(
            'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
            "VALUES (:u, :e, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"u": name, "e": f"{name}@example.com"},
    )
    return int(
        conn.execute(text('SELECT id FROM "user" WHERE username = :u'), {"u": name}).scalar_one()
    )


def _add_post(conn: Connection, author: int) -> int:
    conn.execute(
        text("INSERT INTO post (body, timestamp, user_id) VALUES ('x', CURRENT_TIMESTAMP, :u)"),
        {"u": author},
    )
    return int(conn.execute(text("SELECT MAX(id) FROM post")).scalar_one())


def _notify(conn: Connection, user: int, kind: str, actor: int, post: int | None = None) -> int:
    conn.execute(
        text(
            "INSERT INTO notification (user_id, kind, actor_id, post_id, created) "
            "VALUES (:u, :k, :a, :p, CURRENT_TIMESTAMP)"
        ),
        {"u": user, "k": kind, "a": actor, "p": post},
    )
    return int(conn.execute(text("SELECT MAX(id) FROM notification")).scalar_one())


def _indexes(conn: Connection) -> set[str]:
    return {index["name"] or "" for index in inspect(conn).get_indexes("notification")}


def test_groups_are_backfilled_and_undone(database_url: str) -> None:
    migrate(database_url, BEFORE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            owner, ann, bob, cy = (_add_user(conn, n) for n in ("owner", "ann", "bob", "cy"))
            first, second = _add_post(conn, owner), _add_post(conn, owner)
            _notify(conn, owner, "like", ann, first)
            _notify(conn, owner, "follower", bob)
            _notify(conn, owner, "like", bob, first)
            _notify(conn, owner, "boost", ann, first)
            _notify(conn, owner, "like", cy, second)
            read_up_to = _notify(conn, owner, "reply", cy, second)
            _notify(conn, owner, "like", ann, first)  # ann liked again: she counts once
            conn.execute(
                text('UPDATE "user" SET last_notification_read_id = :m WHERE id = :u'),
                {"m": read_up_to, "u": owner},
            )

        migrate(database_url, "0021")
        with engine.connect() as conn:
            assert {
                "ix_notification_lines",
                "uq_notification_group_actor",
                "uq_notification_group_line",
            } <= _indexes(conn)
            stored = conn.execute(
                text("SELECT kind, actor_id, post_id, others FROM notification ORDER BY id")
            ).all()
        assert [tuple(row) for row in stored] == [
            ("follower", bob, None, 0),
            ("like", bob, first, None),
            ("boost", ann, first, 0),
            ("like", cy, second, 0),
            ("reply", cy, second, 0),
            ("like", ann, first, 1),
        ]
        with Session(engine) as db:
            listing = list_notifications(db, user_id=owner, page=1, per_page=10)
            assert [(r.text, r.unread) for r in listing.items] == [
                ("ann and 1 other liked your post.", True),
                ("cy replied to your post.", False),
                ("cy liked your post.", False),
                ("ann boosted your post.", False),
                ("bob started following you.", False),
            ]
            assert unread_count(db, user_id=owner) == 1

        downgrade(database_url, BEFORE)
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("notification")}
            assert "others" not in columns
            assert "ix_notification_lines" not in _indexes(conn)
            count = conn.execute(text("SELECT COUNT(*) FROM notification")).scalar_one()
            assert count == 6

        migrate(database_url, "head")
        with Session(engine) as db:
            listing = list_notifications(db, user_id=owner, page=1, per_page=10)
            assert listing.items[0].text == "ann and 1 other liked your post."
            assert len(listing.items) == 5
    finally:
        engine.dispose()
