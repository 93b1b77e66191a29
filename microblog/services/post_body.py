"""A post's body as written and as shown: checked, rendered once to safe HTML, and its hashtags
and mentions stored, for a new post, an edit and the migration that renders existing posts.

The rendering itself (Markdown subset, links, sanitising, Mastodon's length rule) is
services/rich_text.py; this module is what it needs from the database (which mentioned users
exist) and what it leaves there (`post_tag`, `mention`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from microblog.config import get_settings
from microblog.i18n import _l
from microblog.models import POST_BODY_MAX, Mention, Post, PostTag, Tag, User, table_of
from microblog.services.errors import Invalid
from microblog.services.rich_text import RenderedPost, post_length, render_post
from microblog.services.text import require_storable

_USER = table_of(User).c
_TAG = table_of(Tag).c
_POST_TAG = table_of(PostTag).c
_MENTION = table_of(Mention).c


def validate_post_body(body: str, *, may_be_empty: bool = False) -> str:
    """The body to store, or `Invalid` saying what is wrong: empty (unless `may_be_empty`: a
    post of pictures alone), or longer than `POST_MAX_LENGTH` counted as Mastodon counts (each
    link is 23 characters)."""
    body = (body or "").strip()
    require_storable(body=body)
    if not body and not may_be_empty:
        raise Invalid({"body": _l("Write something first.")})
    most = get_settings().post_max_length
    length = post_length(body)
    if length > most or len(body) > POST_BODY_MAX:
        raise Invalid(
            {
                "body": _l(
                    "Posts can have at most %(max)d characters (%(count)d now).",
                    max=most,
                    count=length,
                )
            }
        )
    return body


def render_body(connection: Session | Connection, body: str) -> RenderedPost:
    """The body rendered, with only existing users' mentions as links."""
    return render_post(body, known_users=_known_users(connection))


def _known_users(connection: Session | Connection) -> Callable[[set[str]], dict[str, str]]:
    def known(names: set[str]) -> dict[str, str]:
        """Lower-cased name -> the username as registered, for the names that exist."""
        if not names:
            return {}
        lowered = sorted({name.lower() for name in names})
        rows = connection.execute(
            select(_USER.username).where(func.lower(_USER.username).in_(lowered))
        )
        return {username.lower(): username for (username,) in rows}

    return known


def save_links(
    connection: Session | Connection,
    *,
    post_id: int,
    timestamp: datetime,
    rendered: RenderedPost,
    replace: bool = False,
) -> list[int]:
    """Store the post's tags and mentions (replacing the old ones on an edit); the ids of the
    users mentioned for the first time, whom the caller notifies."""
    if replace:
        connection.execute(delete(PostTag).where(_POST_TAG.post_id == post_id))
    tag_ids = _tag_ids(connection, rendered.tags)
    if tag_ids:
        connection.execute(
            insert(PostTag),
            [{"post_id": post_id, "tag_id": tag, "timestamp": timestamp} for tag in tag_ids],
        )
    mentioned = _user_ids(connection, rendered.mentions)
    before: set[int] = set()
    if replace:
        before = set(
            connection.execute(select(_MENTION.user_id).where(_MENTION.post_id == post_id))
            .scalars()
            .all()
        )
        connection.execute(delete(Mention).where(_MENTION.post_id == post_id))
    if mentioned:
        connection.execute(
            insert(Mention), [{"post_id": post_id, "user_id": user} for user in mentioned]
        )
    return [user for user in mentioned if user not in before]


def _user_ids(connection: Session | Connection, usernames: tuple[str, ...]) -> list[int]:
    if not usernames:
        return []
    lowered = [name.lower() for name in usernames]
    rows = connection.execute(
        select(_USER.id, func.lower(_USER.username)).where(func.lower(_USER.username).in_(lowered))
    )
    by_name = {name: user_id for user_id, name in rows}
    return [by_name[name] for name in dict.fromkeys(lowered) if name in by_name]


def _tag_ids(connection: Session | Connection, names: tuple[str, ...]) -> list[int]:
    """The ids of these tags, creating the missing ones. Two posts may bring a new tag at once:
    the insert skips a name that exists (ON CONFLICT DO NOTHING) and the ids are read after."""
    if not names:
        return []
    dialect = (
        connection.get_bind().dialect.name
        if isinstance(connection, Session)
        else (connection.dialect.name)
    )
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    connection.execute(
        make(Tag).values([{"name": name} for name in names]).on_conflict_do_nothing()
    )
    rows = connection.execute(select(_TAG.name, _TAG.id).where(_TAG.name.in_(names)))
    by_name = {name: tag_id for name, tag_id in rows}
    return [by_name[name] for name in names if name in by_name]


def backfill_rendered_bodies(connection: Connection, *, batch: int) -> None:
    """Render every post that has no rendered body yet and store its tags and mentions (the
    migration that introduced them runs this once, in batches of `batch`)."""
    post = table_of(Post).c
    store_html = (
        update(table_of(Post))
        .where(post.id == bindparam("post_id"))
        .values(body_html=bindparam("html"))
    )
    last_id = 0
    while True:
        rows = connection.execute(
            select(post.id, post.body, post.timestamp)
            .where(post.id > last_id, post.body_html == "", post.boost_of_id.is_(None))
            .order_by(post.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        rendered_html = []
        for post_id, body, timestamp in rows:
            rendered = render_body(connection, body)
            rendered_html.append({"post_id": post_id, "html": rendered.html})
            if rendered.tags or rendered.mentions:
                save_links(connection, post_id=post_id, timestamp=timestamp, rendered=rendered)
        connection.execute(store_html, rendered_html)
        last_id = rows[-1][0]
