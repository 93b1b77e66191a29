"""Link cards no post uses are deleted (services/link_cards.py `delete_unused_link_cards`, run
hourly by jobs.py): only once unused for the grace period, never one a post still names or took
again, with their picture; and migration 0023 (`link_card.used_at`) up and down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text, update
from sqlmodel import Session

from microblog.db import make_engine
from microblog.models import LinkCard, Post, User, table_of, utcnow
from microblog.services import link_cards, posts
from microblog.services.media import attachments as media
from microblog.services.media.store import LocalStore, content_name
from tests.conftest import downgrade, migrate
from tests.page_server import PageServer
from tests.unit.test_link_cards import ARTICLE, pages, previews, store  # noqa: F401 (fixtures)

_CARD = table_of(LinkCard).c
DAY = timedelta(hours=24)


def _post(session: Session, author: User, body: str) -> Post:
    post = posts.create_post(session, author_id=author.id or 0, body=body, language="en")
    session.commit()
    return post


def _cards(session: Session) -> dict[str, LinkCard]:
    session.expire_all()
    return {card.url.rsplit("/", 1)[1]: card for card in session.exec(select(LinkCard)).scalars()}


@pytest.mark.usefixtures("previews")
def test_cards_no_post_uses_go_after_the_grace_period_with_their_picture(
    session: Session,
    make_user: Callable[..., User],
    pages: PageServer,  # noqa: F811
    store: LocalStore,  # noqa: F811
) -> None:
    ann = make_user(session, "ann")
    deleted = _post(session, ann, f"Read {pages.route('/gone', body=ARTICLE)}")
    edited = _post(session, ann, f"Read {pages.route('/edited', body=ARTICLE)}")
    kept = _post(session, ann, f"Read {pages.route('/kept', body=ARTICLE)}")
    link_cards.settle()
    picture = b"\x89PNG\r\n\x1a\n" + b"a card's own picture"
    name = content_name(picture, "png")
    store.put(name, picture, "image/png")
    session.execute(
        update(table_of(LinkCard)).where(_CARD.url.endswith("/gone")).values(image=name)
    )
    session.commit()

    posts.delete_post(session, post_id=deleted.id or 0, user_id=ann.id or 0)
    posts.edit_post(session, post_id=edited.id or 0, user_id=ann.id or 0, body="No link now")
    session.commit()
    assert set(_cards(session)) == {"gone", "edited", "kept"}

    # Within the grace period nothing goes: a post may take the card again.
    assert link_cards.delete_unused_link_cards(session, now=utcnow() + timedelta(minutes=5)) == 0
    session.commit()
    assert set(_cards(session)) == {"gone", "edited", "kept"}

    later = utcnow() + DAY + timedelta(hours=1)
    assert link_cards.delete_unused_link_cards(session, now=later) == 2
    session.commit()
    media.wait_for_deletions()
    assert set(_cards(session)) == {"kept"}
    assert not store.exists(name)
    assert posts.get_post_row(session, post_id=kept.id or 0).card_title == "Tides & moons"
    # Nothing left to do the next hour.
    assert link_cards.delete_unused_link_cards(session, now=later) == 0


@pytest.mark.usefixtures("previews")
def test_a_card_taken_again_counts_as_used(
    session: Session,
    make_user: Callable[..., User],
    pages: PageServer,  # noqa: F811
) -> None:
    """A card whose posts are all gone, unused for days, is taken by a new post: it is marked
    used and is not deleted while that post names it, nor for the grace period after."""
    ann = make_user(session, "ann")
    url = pages.route("/again", body=ARTICLE)
    first = _post(session, ann, f"Read {url}")
    link_cards.settle()
    posts.delete_post(session, post_id=first.id or 0, user_id=ann.id or 0)
    old = utcnow() - 3 * DAY
    session.execute(update(table_of(LinkCard)).values(used_at=old))
    session.commit()

    second = _post(session, ann, f"Again {url}")
    link_cards.settle()
    card = _cards(session)["again"]
    assert card.used_at is not None and card.used_at > old + DAY
    assert link_cards.delete_unused_link_cards(session) == 0
    posts.delete_post(session, post_id=second.id or 0, user_id=ann.id or 0)
    session.commit()
    assert link_cards.delete_unused_link_cards(session) == 0  # used an instant ago
    assert link_cards.delete_unused_link_cards(session, now=utcnow() + 2 * DAY) == 1


def test_the_clean_up_reads_the_used_at_index(session: Session) -> None:
    """The statement stays cheap at scale: the unused cards come from `ix_link_card_used_at`
    and each one's posts from `ix_post_link_card`, not from a scan of `post`."""
    engine = session.get_bind()
    statement = (
        "DELETE FROM link_card WHERE used_at < :cut AND NOT EXISTS "
        "(SELECT 1 FROM post WHERE post.link_card_id = link_card.id)"
    )
    if engine.dialect.name == "sqlite":
        plan = " ".join(
            str(row[-1])
            for row in session.execute(text(f"EXPLAIN QUERY PLAN {statement}"), {"cut": utcnow()})
        )
        assert "ix_link_card_used_at" in plan and "ix_post_link_card" in plan
        assert "SCAN post" not in plan
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: ask for plans
        plan = " ".join(
            row[0] for row in session.execute(text(f"EXPLAIN {statement}"), {"cut": utcnow()})
        )
        assert "ix_link_card_used_at" in plan and "ix_post_link_card" in plan
    session.rollback()


def test_used_at_up_down_up(database_url: str) -> None:
    migrate(database_url, "0022")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO link_card (url, status, title, description, site_name, "
                    "canonical_url, image, created) VALUES ('https://example.com/', 'ok', 'T', "
                    "'D', '', '', '', :created)"
                ),
                {"created": "2026-01-02 03:04:05.000000"},
            )
        migrate(database_url, "0023")
        inspector = inspect(engine)
        assert "used_at" in {c["name"] for c in inspector.get_columns("link_card")}
        assert "ix_link_card_used_at" in {i["name"] for i in inspector.get_indexes("link_card")}
        with Session(engine) as session:
            card = session.exec(select(LinkCard)).scalar_one()
            assert card.used_at == card.created  # existing cards start at their creation
        downgrade(database_url, "0022")
        inspector = inspect(engine)
        assert "used_at" not in {c["name"] for c in inspector.get_columns("link_card")}
        with engine.begin() as conn:
            assert conn.execute(text("SELECT title FROM link_card")).scalar_one() == "T"
        migrate(database_url, "head")
    finally:
        engine.dispose()
