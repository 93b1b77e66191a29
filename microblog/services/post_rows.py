"""Cards from ids: every list of posts (home, explore, a profile, a tag, a thread, search) picks
the ids of one page in its own way and then reads the cards here, with one statement.

A feed entry is a post or a boost (a post row whose `boost_of_id` names the post it shares). A
card shows the shared post, its author (the picture they uploaded is a column of theirs, read
with their name: no look-up per face) and counters, "boosted by" the entry's author for a boost,
"replying to" for a reply, its link preview, and whether the reader liked or boosted it: each an
index probe per card inside the same statement, never a COUNT (the counters are columns, kept by
the services that add and remove the rows they count).

The statements are SQL text built once per shape (`lru_cache`), so SQLAlchemy's compiled cache
and the driver's prepared statements see the same text; every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import Row, bindparam, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session

from microblog.models import Post, table_of
from microblog.schemas import PostRow
from microblog.services import visibility
from microblog.services.pagination import SINCE_TIME

Order = Literal["newest", "oldest"]

# Our column names `timestamp` and `user` are SQL keywords: quoted everywhere.
_CARD_COLUMNS = (
    'entry.id, shown.id, shown.body, shown.body_html, shown."timestamp", shown.edited_at, '
    "shown.language, author.id, author.username, author.email, author.avatar, "
    "shown.reply_to_id, replied.username, shown.reply_count, shown.like_count, shown.boost_count, "
    "CASE WHEN entry.boost_of_id IS NULL THEN NULL ELSE booster.username END, "
    "EXISTS (SELECT 1 FROM post_like AS mine WHERE mine.post_id = shown.id "
    "AND mine.user_id = :viewer), "
    "EXISTS (SELECT 1 FROM post AS my_boost WHERE my_boost.boost_of_id = shown.id "
    "AND my_boost.user_id = :viewer), "
    # The post's pictures: its own copy, kept by services/media/attachments.py, so a card
    # with pictures costs one more column, not one more query.
    "shown.media_json, "
    "card.url, card.canonical_url, card.title, card.description, card.site_name, card.image, "
    # Why a moderator hid the post (NULL: it is not hidden). Only its author is shown a hidden
    # post (the rules below), so only they read a reason: a primary-key probe per card.
    "hidden.post_id IS NOT NULL, hidden.reason"
)
_CARD_JOINS = (
    "JOIN post AS entry ON entry.id = picked.id "
    "JOIN post AS shown ON shown.id = COALESCE(entry.boost_of_id, entry.id) "
    'JOIN "user" AS author ON author.id = shown.user_id '
    'JOIN "user" AS booster ON booster.id = entry.user_id '
    'LEFT JOIN "user" AS replied ON replied.id = shown.reply_to_user_id '
    # The first link's preview, when it was fetched (services/link_cards.py): a primary-key
    # probe per card.
    "LEFT JOIN link_card AS card ON card.id = shown.link_card_id AND card.status = 'ok' "
    "LEFT JOIN hidden_post AS hidden ON hidden.post_id = shown.id"
)
_TIMESTAMP = table_of(Post).c.timestamp.type
_ORDER = {
    "newest": 'ORDER BY entry."timestamp" DESC, entry.id DESC',
    "oldest": 'ORDER BY entry."timestamp", entry.id',
}


# The safety rules (services/visibility.py) around every card: a list that picks its ids
# with the rules already applied (the feeds, a profile, a tag) loses nothing here, and one that
# cannot (a thread's ancestors, search hits, one post by id) loses what the reader may not see.
_SHOWN = visibility.shown_to_viewer("entry")
_LISTED = visibility.listed_to_viewer("shown.user_id", "shown")


@lru_cache(maxsize=256)
def cards_statement(
    picked_sql: str, order: Order = "newest", *, listed: bool = False
) -> TextualSelect:
    """The cards of the entries whose ids `picked_sql` selects (one column, `id`), in `order`,
    without those the reader may not see (and, when `listed`, a limited account's posts the
    reader does not follow).

    `picked_sql` is SQL text made of constants by the caller, never of values; its parameters
    are bound when the statement runs, beside `:viewer` (the reader's user id, 0 for nobody)
    and `:now`; it may use both."""
    where = f"WHERE {_SHOWN}" + (f" AND {_LISTED}" if listed else "")
    # The picked ids are a materialised CTE, planned on their own. As a subquery joined to the
    # cards, PostgreSQL priced the walk under the safety rules at millions (it cannot know how
    # few rows they remove), and beside that figure a scan of all posts per card looked no
    # dearer than a primary-key probe: Explore took 130-240 ms instead of a few on the scale
    # data set. SQLite plans it the same either way.
    sql = (
        f"WITH picked AS MATERIALIZED ({picked_sql}) "  # noqa: S608
        f"SELECT {_CARD_COLUMNS} FROM picked {_CARD_JOINS} {where} {_ORDER[order]}"
    )
    # A `min_id` page's walk starts at a time (services/pagination.py `walk_sql`).
    binds = [visibility.NOW, *([SINCE_TIME] if ":since_time" in picked_sql else [])]
    return text(sql).bindparams(*binds).columns(timestamp=_TIMESTAMP, edited_at=_TIMESTAMP)


def _by_ids(*, listed: bool) -> TextualSelect:
    where = f"picked.id IN :ids AND {_SHOWN}" + (f" AND {_LISTED}" if listed else "")
    return (
        text(
            f"SELECT {_CARD_COLUMNS} FROM post AS picked {_CARD_JOINS} "  # noqa: S608
            f"WHERE {where}"
        )
        .bindparams(bindparam("ids", expanding=True), visibility.NOW)
        .columns(timestamp=_TIMESTAMP, edited_at=_TIMESTAMP)
    )


_BY_IDS = {False: _by_ids(listed=False), True: _by_ids(listed=True)}


def card_rows(
    session: Session,
    statement: TextualSelect,
    parameters: Mapping[str, object],
    *,
    viewer_id: int,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Run a `cards_statement`; `to_card` makes each row a card (after pagination has cut the
    extra row it reads to know whether there is a next page)."""
    return session.execute(statement, {**parameters, **visibility.parameters(viewer_id)}).all()


def cards_by_id(
    session: Session, ids: list[int], *, viewer_id: int, listed: bool = False
) -> dict[int, PostRow]:
    """The cards of these entries, by entry id (search results keep their engine's order),
    without those `viewer_id` may not see (`listed`: search's rule for limited accounts)."""
    if not ids:
        return {}
    rows = session.execute(_BY_IDS[listed], {"ids": ids, **visibility.parameters(viewer_id)})
    return {row[0]: to_card(row) for row in rows}


def to_card(row: Row[*tuple[Any, ...]]) -> PostRow:
    """A row of `_CARD_COLUMNS`."""
    return PostRow.of_card(*row)
