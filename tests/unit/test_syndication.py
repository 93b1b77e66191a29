"""The feeds', sitemap's and previews' reads (services/syndication.py): what they return and
what they cost, in statements and in the query plan, on a real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from microblog.models import Post, User
from microblog.services import syndication
from microblog.services.errors import NotFound

AddUser = Callable[..., User]


def _posts(session: Session, user: User, count: int) -> list[Post]:
    made = [
        Post(body=f"post {n}", body_html=f"<p>post <strong>{n}</strong></p>", user_id=user.id or 0)
        for n in range(count)
    ]
    session.add_all(made)
    session.flush()
    return made


def test_a_feed_is_two_statements_whatever_its_length(
    session: Session, add_user: AddUser, sent_sql: list[str]
) -> None:
    ann = add_user(session, "ann")
    _posts(session, ann, syndication.FEED_SIZE + 5)
    session.commit()
    sent_sql.clear()
    feed = syndication.user_feed(session, username="ANN")
    assert feed.username == "ann" and len(feed.entries) == syndication.FEED_SIZE
    assert len(sent_sql) == 2  # the user, then the entries and their cards
    assert feed.entries[0].id > feed.entries[-1].id  # newest first


def test_disabled_and_unconfirmed_users_have_no_feed_preview_or_sitemap_entry(
    session: Session, add_user: AddUser
) -> None:
    _shown, disabled, unconfirmed = (add_user(session, n) for n in ("shown", "off", "unsure"))
    disabled.disabled = True
    unconfirmed.email_confirmed = False
    session.commit()
    for name in ("off", "unsure", "nobody"):
        with pytest.raises(NotFound):
            syndication.user_feed(session, username=name)
        with pytest.raises(NotFound):
            syndication.profile_preview(session, username=name)
    listed = [p.username for p in syndication.public_profiles(session, page=1)]
    assert listed == ["shown"]
    assert syndication.profile_preview(session, username="shown").kind == "profile"


def test_a_post_preview_is_its_text_and_first_picture_or_the_avatar(
    session: Session, add_user: AddUser
) -> None:
    ann = add_user(session, "ann")
    (post,) = _posts(session, ann, 1)
    session.commit()
    preview = syndication.post_preview(session, post_id=post.id or 0)
    assert preview.description == "post 0" and preview.author == "ann"
    assert preview.image.startswith("https://www.gravatar.com/") and not preview.has_picture
    with pytest.raises(NotFound):
        syndication.post_preview(session, post_id=(post.id or 0) + 1000)


def test_sitemap_pages_are_ranges_of_ids_read_on_the_primary_key(
    session: Session, add_user: AddUser, engine: Engine, sent_sql: list[str]
) -> None:
    add_user(session, "ann")
    session.commit()
    sent_sql.clear()
    assert syndication.sitemap_page_count(session) == 1
    assert [p.username for p in syndication.public_profiles(session, page=1)] == ["ann"]
    assert syndication.public_profiles(session, page=2) == []
    assert len(sent_sql) == 3  # MAX(id), then one range per page
    if engine.dialect.name == "sqlite":
        plan = session.execute(
            text('EXPLAIN QUERY PLAN SELECT username FROM "user" WHERE id > 0 AND id <= 10000')
        ).all()
        assert "INTEGER PRIMARY KEY" in " ".join(str(row[-1]) for row in plan)
