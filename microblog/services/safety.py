"""What every user can do to keep others away: block, mute (optionally for a time), mute a
conversation, report a post or an account, and choose who may message them.

The rules these rows make are enforced where they must hold, not here: the lists of posts
(services/visibility.py, on each entry of every feed, thread, tag and search page), the
notifications (`visibility.silenced`, in services/notifications.py `notify`), following
(services/follows.py), messages (services/messages.py), likes and boosts
(services/reactions.py), replies (services/posts.py). A blocked or muted person is not told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from microblog.i18n import _l
from microblog.live.events import LiveEvent, publish_after_commit
from microblog.models import (
    MESSAGE_POLICIES,
    REPORT_COMMENT_MAX,
    Block,
    ConversationMute,
    Follow,
    Mute,
    Post,
    Report,
    User,
    row_id,
    table_of,
    utcnow,
)
from microblog.schemas import BlockedUser, avatar_url, iso_utc
from microblog.services import notifications
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.text import require_storable
from microblog.services.users import get_user

_BLOCK = table_of(Block).c
_MUTE = table_of(Mute).c
_FOLLOW = table_of(Follow).c
_USER = table_of(User).c

REPORT_REASONS = ("spam", "abuse", "illegal", "other")
MUTE_MAX_SECONDS = 366 * 24 * 3600

# A live event for the blocker's and the blocked's open pages: their feeds drop each other.
SAFETY_CHANGED = "safety_changed"


def _other(session: Session, user_id: int, other_id: int) -> User:
    if user_id == other_id:
        raise Invalid({"user": _l("You cannot do that to yourself.")})
    return get_user(session, other_id)


def block_user(session: Session, *, blocker_id: int, blocked_id: int) -> bool:
    """Block `blocked_id`: the follows between the two end (both ways), and from now on neither
    sees the other's posts, and the blocked cannot follow, message, reply to, like or boost the
    blocker, nor notify them. True if this made the block (False: it already stood)."""
    _other(session, blocker_id, blocked_id)
    session.execute(
        delete(table_of(Follow)).where(
            or_(
                (_FOLLOW.follower_id == blocker_id) & (_FOLLOW.followed_id == blocked_id),
                (_FOLLOW.follower_id == blocked_id) & (_FOLLOW.followed_id == blocker_id),
            )
        )
    )
    if session.get(Block, (blocker_id, blocked_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Block(blocker_id=blocker_id, blocked_id=blocked_id))
    except IntegrityError:  # a second tab got there first
        return False
    publish_after_commit(session, LiveEvent(SAFETY_CHANGED, user_ids=(blocker_id, blocked_id)))
    return True


def unblock_user(session: Session, *, blocker_id: int, blocked_id: int) -> bool:
    """Lift a block (the follows it ended do not come back). True if there was one."""
    result = session.execute(
        delete(table_of(Block)).where(
            _BLOCK.blocker_id == blocker_id, _BLOCK.blocked_id == blocked_id
        ),
        execution_options={"preserve_rowcount": True},
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        publish_after_commit(session, LiveEvent(SAFETY_CHANGED, user_ids=(blocker_id, blocked_id)))
    return removed


_BLOCKED_EITHER_WAY = text(
    "SELECT 1 FROM user_block WHERE (blocker_id = :a AND blocked_id = :b) "
    "OR (blocker_id = :b AND blocked_id = :a)"
)


def blocked_either_way(session: Session, *, user_id: int, other_id: int) -> bool:
    """Whether one of the two blocks the other (two primary-key probes)."""
    found = session.execute(_BLOCKED_EITHER_WAY, {"a": user_id, "b": other_id}).first()
    return found is not None


_UNREACHABLE = text(
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM user_block WHERE (blocker_id = :a AND blocked_id = :b) "
    "OR (blocker_id = :b AND blocked_id = :a)) "
    "OR EXISTS (SELECT 1 FROM hidden_post WHERE post_id = :post AND author_id <> :a) "
    'OR EXISTS (SELECT 1 FROM "user" WHERE id = :b AND suspended)'
)


def check_may_interact(session: Session, *, user_id: int, post: Post) -> None:
    """NotFound (as for a post that is not there, since the user cannot see it) when `user_id`
    may not like, boost or reply to `post`: a block either way with its author, the post is
    hidden (and not theirs), or its author is suspended. One statement."""
    found = session.execute(
        _UNREACHABLE, {"a": user_id, "b": post.user_id, "post": row_id(post)}
    ).first()
    if found is not None:
        raise NotFound(_l("No such post."))


def is_blocking(session: Session, *, blocker_id: int, blocked_id: int) -> bool:
    return session.get(Block, (blocker_id, blocked_id)) is not None


def is_muting(
    session: Session, *, muter_id: int, muted_id: int, now: datetime | None = None
) -> bool:
    """Whether `muter_id` mutes `muted_id` now (an expired mute does not count)."""
    mute = session.get(Mute, (muter_id, muted_id))
    if mute is None:
        return False
    expires = mute.expires_at
    return expires is None or expires > (now or utcnow())


def mute_user(
    session: Session,
    *,
    muter_id: int,
    muted_id: int,
    seconds: int | None = None,
    hide_notifications: bool = True,
    now: datetime | None = None,
) -> Mute:
    """Mute `muted_id` for `seconds` (None: until unmuted): their posts and boosts leave the
    muter's lists, and (`hide_notifications`) what they do no longer notifies the muter.
    Muting again replaces the mute (a new end)."""
    _other(session, muter_id, muted_id)
    if seconds is not None and not 60 <= seconds <= MUTE_MAX_SECONDS:
        raise Invalid({"duration": _l("A mute lasts from one minute to one year.")})
    now = now or utcnow()
    mute = session.get(Mute, (muter_id, muted_id)) or Mute(muter_id=muter_id, muted_id=muted_id)
    mute.expires_at = now + timedelta(seconds=seconds) if seconds is not None else None
    mute.hide_notifications = hide_notifications
    mute.created = now
    session.add(mute)
    session.flush()
    publish_after_commit(session, LiveEvent(SAFETY_CHANGED, user_ids=(muter_id,)))
    return mute


def unmute_user(session: Session, *, muter_id: int, muted_id: int) -> bool:
    result = session.execute(
        delete(table_of(Mute)).where(_MUTE.muter_id == muter_id, _MUTE.muted_id == muted_id),
        execution_options={"preserve_rowcount": True},
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        publish_after_commit(session, LiveEvent(SAFETY_CHANGED, user_ids=(muter_id,)))
    return removed


def list_blocks(session: Session, *, user_id: int) -> list[BlockedUser]:
    """Whom `user_id` blocks, newest first."""
    rows = session.execute(
        select(_USER.id, _USER.username, _USER.email, _USER.avatar, _BLOCK.created)
        .join(table_of(Block), _BLOCK.blocked_id == _USER.id)
        .where(_BLOCK.blocker_id == user_id)
        .order_by(_BLOCK.created.desc())
    )
    return [
        BlockedUser(
            id=uid,
            username=name,
            avatar_small=avatar_url(email, 36, picture=picture),
            since=iso_utc(created),
        )
        for uid, name, email, picture, created in rows
    ]


def list_mutes(session: Session, *, user_id: int, now: datetime | None = None) -> list[BlockedUser]:
    """Whom `user_id` mutes (expired mutes left out), newest first."""
    now = now or utcnow()
    rows = session.execute(
        select(
            _USER.id,
            _USER.username,
            _USER.email,
            _USER.avatar,
            _MUTE.created,
            _MUTE.expires_at,
            _MUTE.hide_notifications,
        )
        .join(table_of(Mute), _MUTE.muted_id == _USER.id)
        .where(_MUTE.muter_id == user_id)
        .where(or_(_MUTE.expires_at.is_(None), _MUTE.expires_at > now))
        .order_by(_MUTE.created.desc())
    )
    return [
        BlockedUser(
            id=uid,
            username=name,
            avatar_small=avatar_url(email, 36, picture=picture),
            since=iso_utc(created),
            expires_at=iso_utc(expires) if expires else "",
            hide_notifications=bool(hide),
        )
        for uid, name, email, picture, created, expires, hide in rows
    ]


_ROOT = text(
    "WITH RECURSIVE chain(id, parent, depth) AS ("
    "SELECT id, reply_to_id, 0 FROM post WHERE id = :post_id "
    "UNION ALL SELECT up.id, up.reply_to_id, chain.depth + 1 FROM post AS up "
    "JOIN chain ON up.id = chain.parent WHERE chain.depth < 200) "
    "SELECT id FROM chain ORDER BY depth DESC LIMIT 1"
)


def thread_root(session: Session, *, post_id: int) -> int | None:
    """The first post of the conversation `post_id` is in (itself when it answers nothing);
    a boost's conversation is the boosted post's. None when there is no such post."""
    post = session.get(Post, post_id)
    if post is None:
        return None
    start = post.boost_of_id or post_id
    found = session.execute(_ROOT, {"post_id": start}).scalar()
    return int(found) if found is not None else None


def mute_conversation(session: Session, *, user_id: int, post_id: int) -> int:
    """Mute the conversation `post_id` belongs to: replies and mentions in it no longer notify
    `user_id`. Returns the conversation's first post id."""
    root = thread_root(session, post_id=post_id)
    if root is None:
        raise NotFound(_l("No such post."))
    if session.get(ConversationMute, (user_id, root)) is None:
        try:
            with session.begin_nested():
                session.add(ConversationMute(user_id=user_id, root_id=root))
        except IntegrityError:
            pass
    return root


def unmute_conversation(session: Session, *, user_id: int, post_id: int) -> bool:
    root = thread_root(session, post_id=post_id)
    if root is None:
        raise NotFound(_l("No such post."))
    mute = session.get(ConversationMute, (user_id, root))
    if mute is None:
        return False
    session.delete(mute)
    return True


def conversation_muted(session: Session, *, user_id: int, post_id: int) -> bool:
    """Whether `user_id` muted the conversation `post_id` is in."""
    root = thread_root(session, post_id=post_id)
    return root is not None and session.get(ConversationMute, (user_id, root)) is not None


def set_message_policy(session: Session, *, user_id: int, policy: str) -> User:
    """Who may message `user_id`: "everyone", "following" (people they follow) or "nobody"."""
    if policy not in MESSAGE_POLICIES:
        raise Invalid({"message_policy": _l("Choose everyone, people you follow, or nobody.")})
    user = get_user(session, user_id)
    user.message_policy = policy
    session.add(user)
    return user


def check_may_message(session: Session, *, sender_id: int, recipient: User) -> None:
    """Forbidden when `recipient` does not take messages from `sender_id`: a block either way,
    or their setting (nobody, or only people they follow). The same message for a block as for
    the setting, so the sender does not learn that they are blocked."""
    recipient_id = row_id(recipient)
    refused = _l("%(username)s does not accept messages from you.", username=recipient.username)
    if blocked_either_way(session, user_id=sender_id, other_id=recipient_id):
        raise Forbidden(refused)
    if recipient.message_policy == "nobody":
        raise Forbidden(refused)
    if recipient.message_policy == "following" and (
        session.get(Follow, (recipient_id, sender_id)) is None
    ):
        raise Forbidden(refused)


def _report(
    session: Session,
    *,
    reporter_id: int,
    target_user_id: int,
    post_id: int | None,
    reason: str,
    comment: str,
) -> Report:
    require_storable(reason=reason, comment=comment or "")
    if reason not in REPORT_REASONS:
        raise Invalid({"reason": _l("Choose a reason: spam, abuse, illegal or other.")})
    comment = (comment or "").strip()
    if len(comment) > REPORT_COMMENT_MAX:
        raise Invalid(
            {
                "comment": _l(
                    "A comment can have at most %(max)d characters.", max=REPORT_COMMENT_MAX
                )
            }
        )
    report = Report(
        reporter_id=reporter_id,
        target_user_id=target_user_id,
        post_id=post_id,
        reason=reason,
        comment=comment,
    )
    session.add(report)
    session.flush()
    notifications.notify(session, user_id=reporter_id, kind=notifications.REPORT_RECEIVED)
    publish_after_commit(session, LiveEvent(REPORTS_CHANGED, ref_id=row_id(report)))
    return report


REPORTS_CHANGED = "reports_changed"


def report_post(
    session: Session, *, reporter_id: int, post_id: int, reason: str, comment: str = ""
) -> Report:
    """Report a post (a boost's id reports the boosted post) to the moderators; the reporter
    gets a notification that it was received, and later one of the outcome."""
    post = session.get(Post, post_id)
    if post is not None and post.boost_of_id is not None:
        post = session.get(Post, post.boost_of_id)
    if post is None:
        raise NotFound(_l("No such post."))
    if post.user_id == reporter_id:
        raise Invalid({"post": _l("You cannot report your own post.")})
    return _report(
        session,
        reporter_id=reporter_id,
        target_user_id=post.user_id,
        post_id=row_id(post),
        reason=reason,
        comment=comment,
    )


def report_account(
    session: Session, *, reporter_id: int, user_id: int, reason: str, comment: str = ""
) -> Report:
    """Report an account to the moderators."""
    _other(session, reporter_id, user_id)
    return _report(
        session,
        reporter_id=reporter_id,
        target_user_id=user_id,
        post_id=None,
        reason=reason,
        comment=comment,
    )


@dataclass(frozen=True)
class Relationship:
    """How `user_id` stands with another user (the Mastodon API's `Relationship`)."""

    other_id: int
    following: bool
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool


def relationships(
    session: Session, *, user_id: int, other_ids: list[int], now: datetime | None = None
) -> list[Relationship]:
    """The relationship with each of `other_ids`, in their order: four reads for any number."""
    if not other_ids:
        return []
    others = list(dict.fromkeys(other_ids))
    f, b, m = table_of(Follow).c, table_of(Block).c, table_of(Mute).c
    following = set(
        session.execute(
            select(f.followed_id).where(f.follower_id == user_id, f.followed_id.in_(others))
        ).scalars()
    )
    followed_by = set(
        session.execute(
            select(f.follower_id).where(f.followed_id == user_id, f.follower_id.in_(others))
        ).scalars()
    )
    blocks = session.execute(
        select(b.blocker_id, b.blocked_id).where(
            or_(
                (b.blocker_id == user_id) & b.blocked_id.in_(others),
                (b.blocked_id == user_id) & b.blocker_id.in_(others),
            )
        )
    ).all()
    now = now or utcnow()
    mutes = dict(
        session.execute(
            select(m.muted_id, m.hide_notifications).where(
                m.muter_id == user_id,
                m.muted_id.in_(others),
                or_(m.expires_at.is_(None), m.expires_at > now),
            )
        ).all()
    )
    blocking = {blocked for blocker, blocked in blocks if blocker == user_id}
    blocked_by = {blocker for blocker, blocked in blocks if blocked == user_id}
    return [
        Relationship(
            other_id=other,
            following=other in following,
            followed_by=other in followed_by,
            blocking=other in blocking,
            blocked_by=other in blocked_by,
            muting=other in mutes,
            muting_notifications=bool(mutes.get(other, False)),
        )
        for other in other_ids
    ]
