"""Migrations 0015 (conversations, backfilled from the messages; the message read marker turned
into per-conversation unread counts) and 0016 (follow notices), up, down and up again, on a
database with messages in it."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services.conversations import list_conversations, unread_message_count
from tests.conftest import downgrade, migrate

BEFORE = "0014"  # the revision before 0015


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


def _send(conn: Connection, sender: int, recipient: int) -> int:
    conn.execute(
        text(
            "INSERT INTO message (sender_id, recipient_id, body, timestamp) "
            "VALUES (:s, :r, 'hi', CURRENT_TIMESTAMP)"
        ),
        {"s": sender, "r": recipient},
    )
    return int(conn.execute(text("SELECT MAX(id) FROM message")).scalar_one())


def _unread_by_old_rule(conn: Connection, user: int) -> int:
    """The badge as revision 0013 counted it: received messages above the user's marker."""
    return int(
        conn.execute(
            text(
                'SELECT COUNT(*) FROM message JOIN "user" ON "user".id = message.recipient_id '
                'WHERE "user".id = :u AND message.id > "user".last_message_read_id'
            ),
            {"u": user},
        ).scalar_one()
    )


def _indexes(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {index["name"] or "" for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def test_conversations_are_backfilled_and_the_marker_comes_back(database_url: str) -> None:
    migrate(database_url, BEFORE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            alice, bob, carol, dave = (
                _add_user(conn, n) for n in ("alice", "bob", "carol", "dave")
            )
            m1 = _send(conn, bob, alice)
            m2 = _send(conn, carol, alice)
            m3 = _send(conn, alice, bob)
            m4 = _send(conn, bob, alice)
            m5 = _send(conn, bob, alice)
            # Alice has read up to carol's message: bob's last two are unread. Bob read nothing.
            conn.execute(
                text('UPDATE "user" SET last_message_read_id = :m WHERE id = :u'),
                {"m": m2, "u": alice},
            )
            before = {user: _unread_by_old_rule(conn, user) for user in (alice, bob, carol)}
        assert before == {alice: 2, bob: 1, carol: 0}
        assert m1 < m2 < m3 < m4 < m5

        migrate(database_url, "0015")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT owner_id, other_id, last_message_id, unread FROM conversation")
            ).all()
        assert {(o, t): (last, unread) for o, t, last, unread in rows} == {
            (alice, bob): (m5, 2),
            (bob, alice): (m5, 1),
            (alice, carol): (m2, 0),
            (carol, alice): (m2, 0),
        }
        columns = {c["name"] for c in inspect(engine).get_columns("user")}
        assert "last_message_read_id" not in columns
        assert "ix_message_sender_recipient" in _indexes(database_url, "message")
        assert "ix_message_sender_id" not in _indexes(database_url, "message")
        assert {"ix_conversation_owner_last", "ix_conversation_owner_unread"} <= _indexes(
            database_url, "conversation"
        )

        migrate(database_url, "head")
        with Session(engine) as db:
            assert {u: unread_message_count(db, user_id=u) for u in (alice, bob, carol, dave)} == {
                alice: 2,
                bob: 1,
                carol: 0,
                dave: 0,
            }
            listing = list_conversations(db, user_id=alice, page=1, per_page=10)
            assert [(r.username, r.unread) for r in listing.items] == [("bob", 2), ("carol", 0)]

        downgrade(database_url, BEFORE)
        assert "conversation" not in inspect(engine).get_table_names()
        assert "follow_notice" not in inspect(engine).get_table_names()
        assert "ix_message_sender_id" in _indexes(database_url, "message")
        assert "ix_message_sender_recipient" not in _indexes(database_url, "message")
        with engine.connect() as conn:
            after = {user: _unread_by_old_rule(conn, user) for user in (alice, bob, carol, dave)}
            markers = dict(conn.execute(text('SELECT id, last_message_read_id FROM "user"')).all())
        # Every unread message is unread again; what was read stays read here.
        assert after == {alice: 2, bob: 1, carol: 0, dave: 0}
        assert markers == {alice: m4 - 1, bob: m3 - 1, carol: 0, dave: 0}

        migrate(database_url, "head")
        with Session(engine) as db:
            assert unread_message_count(db, user_id=alice) == 2
    finally:
        engine.dispose()


def test_follow_notices_up_down_up(database_url: str) -> None:
    migrate(database_url, "0015")
    engine = make_engine(database_url)
    try:
        assert "follow_notice" not in inspect(engine).get_table_names()
        migrate(database_url, "0016")
        inspector = inspect(engine)
        assert "follow_notice" in inspector.get_table_names()
        assert inspector.get_pk_constraint("follow_notice")["constrained_columns"] == [
            "follower_id",
            "followed_id",
        ]
        downgrade(database_url, "0015")
        assert "follow_notice" not in inspect(engine).get_table_names()
        migrate(database_url, "head")
        assert "follow_notice" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
