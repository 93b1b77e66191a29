"""Who may see what: the safety rules as SQL fragments that every list of posts adds to the
query that picks its ids (so a page is still `per_page` entries) and that the cards statement
repeats around any id it is given (services/post_rows.py: a thread's ancestors, search hits,
one post by id).

An entry (a post, or a boost of one) is left out for the reader `:viewer` when
- the post it shows is hidden by a moderator (`hidden_post`) and the reader is not its author;
- its author, or for a boost the boosted post's author, is blocked by the reader, blocks the
  reader, is muted by the reader (an unexpired mute) or is suspended.
Lists that show strangers' posts (Explore, tags, search) also leave out a limited account's
posts for readers who do not follow it (`LISTED`).

Each test is a probe of a primary key or a small partial index per entry (user_block's
(blocker, blocked), user_mute's (muter, muted), hidden_post's post_id, `ix_user_suspended`),
never a join that multiplies rows or a COUNT: the home timeline stays one statement
(docs/performance.md#safety). A visitor is `:viewer` 0, whom nobody blocks or mutes.

Every fragment is made of constants; `:viewer` and `:now` are bound parameters (`:now` for
mute expiry, bound by `parameters`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, text
from sqlmodel import Session

from microblog.models import Mute, table_of, utcnow

# `:now`, typed as the column it is compared with (so SQLite compares like with like).
NOW = bindparam("now", type_=table_of(Mute).c.expires_at.type)

# An author the reader must not see: a block either way, an unexpired mute, a suspension.
_EXCLUDED_AUTHOR = (
    "(EXISTS (SELECT 1 FROM user_block AS {a}_b1 "
    "WHERE {a}_b1.blocker_id = :viewer AND {a}_b1.blocked_id = {who}) "
    "OR EXISTS (SELECT 1 FROM user_block AS {a}_b2 "
    "WHERE {a}_b2.blocker_id = {who} AND {a}_b2.blocked_id = :viewer) "
    "OR EXISTS (SELECT 1 FROM user_mute AS {a}_m WHERE {a}_m.muter_id = :viewer "
    "AND {a}_m.muted_id = {who} AND ({a}_m.expires_at IS NULL OR {a}_m.expires_at > :now)) "
    'OR EXISTS (SELECT 1 FROM "user" AS {a}_s WHERE {a}_s.id = {who} AND {a}_s.suspended))'
)


def excluded_author(who: str, alias: str) -> str:
    """SQL true when the reader must not see posts by the user id `who` (an SQL expression)."""
    return _EXCLUDED_AUTHOR.format(who=who, a=alias)


def shown_to_viewer(entry: str) -> str:
    """SQL true when the entry row `entry` (a table alias of `post`) may be shown to `:viewer`.
    A boost's original is looked up only for boosts (5 % of the rows)."""
    return (
        f"(NOT EXISTS (SELECT 1 FROM hidden_post AS {entry}_h "  # noqa: S608 (constants only)
        f"WHERE {entry}_h.post_id = COALESCE({entry}.boost_of_id, {entry}.id) "
        f"AND {entry}_h.author_id <> :viewer) "
        f"AND NOT {excluded_author(f'{entry}.user_id', f'{entry}_e')} "
        f"AND ({entry}.boost_of_id IS NULL OR NOT EXISTS (SELECT 1 FROM post AS {entry}_o "
        f"WHERE {entry}_o.id = {entry}.boost_of_id AND "
        f"{excluded_author(f'{entry}_o.user_id', f'{entry}_oe')})))"
    )


def listed_to_viewer(author: str, alias: str) -> str:
    """SQL true unless `author` (a user id expression) is a limited account that `:viewer`
    neither is nor follows: for the lists of strangers' posts (Explore, tags, search)."""
    return (
        f'NOT EXISTS (SELECT 1 FROM "user" AS {alias}_l WHERE {alias}_l.id = {author} '  # noqa: S608
        f"AND {alias}_l.limited AND {alias}_l.id <> :viewer AND NOT EXISTS ("
        f"SELECT 1 FROM follow AS {alias}_lf WHERE {alias}_lf.follower_id = :viewer "
        f"AND {alias}_lf.followed_id = {alias}_l.id))"
    )


def parameters(viewer_id: int, now: datetime | None = None) -> dict[str, object]:
    """The values the fragments read."""
    return {"viewer": viewer_id, "now": now or utcnow()}


_SILENCED = text(
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM user_block WHERE blocker_id = :uid "
    "AND blocked_id = :actor) "
    "OR EXISTS (SELECT 1 FROM user_block WHERE blocker_id = :actor AND blocked_id = :uid) "
    "OR EXISTS (SELECT 1 FROM user_mute WHERE muter_id = :uid AND muted_id = :actor "
    "AND hide_notifications AND (expires_at IS NULL OR expires_at > :now)) "
    'OR EXISTS (SELECT 1 FROM "user" WHERE id = :actor AND suspended)'
)


def silenced(session: Session, *, user_id: int, actor_id: int) -> bool:
    """Whether what `actor_id` does must not notify `user_id`: a block either way, a mute of
    the actor that hides notifications, or the actor's suspension. One statement."""
    if user_id == actor_id:
        return False
    found = session.execute(
        _SILENCED.bindparams(NOW), {"uid": user_id, "actor": actor_id, "now": utcnow()}
    )
    return found.first() is not None


# A notification line whose actor the owner must not hear from any more (`silenced`, for the
# lines written before the block or mute): probes of primary keys per line, correlated with
# the `notification` row, so the list and the unread badge leave them out as they walk.
NOTIFICATION_SHOWN = text(
    "(notification.actor_id IS NULL OR NOT ("
    "EXISTS (SELECT 1 FROM user_block AS nb1 WHERE nb1.blocker_id = notification.user_id "
    "AND nb1.blocked_id = notification.actor_id) "
    "OR EXISTS (SELECT 1 FROM user_block AS nb2 WHERE nb2.blocker_id = notification.actor_id "
    "AND nb2.blocked_id = notification.user_id) "
    "OR EXISTS (SELECT 1 FROM user_mute AS nm WHERE nm.muter_id = notification.user_id "
    "AND nm.muted_id = notification.actor_id AND nm.hide_notifications "
    "AND (nm.expires_at IS NULL OR nm.expires_at > :now)) "
    'OR EXISTS (SELECT 1 FROM "user" AS ns WHERE ns.id = notification.actor_id AND ns.suspended)))'
).bindparams(NOW)


def notification_shown(now: datetime | None = None) -> object:
    """`NOTIFICATION_SHOWN` with `:now` bound (for statements that bind nothing else)."""
    return NOTIFICATION_SHOWN.bindparams(now=now or utcnow())


# Whether `:owner`'s account is out of `:viewer`'s reach: they block the viewer.
_BLOCKS_VIEWER = text("SELECT 1 FROM user_block WHERE blocker_id = :owner AND blocked_id = :viewer")


def blocks_viewer(session: Session, *, owner_id: int, viewer_id: int) -> bool:
    """Whether `owner_id` blocks `viewer_id` (a primary-key probe): their profile shows the
    viewer that the account exists, not its posts or people."""
    if not viewer_id or viewer_id == owner_id:
        return False
    found = session.execute(_BLOCKS_VIEWER, {"owner": owner_id, "viewer": viewer_id})
    return found.first() is not None
