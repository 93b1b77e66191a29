"""The follow graph: follow, unfollow, counts and lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Integer, Row, Select, bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from microblog.config import get_settings
from microblog.emails import new_follower_email
from microblog.i18n import _l
from microblog.models import Block, Follow, FollowNotice, User, table_of, utcnow
from microblog.schemas import Page, UserPublic
from microblog.services import mail_outbox, notifications, spam_brakes
from microblog.services.errors import Forbidden, Invalid
from microblog.services.pagination import paginate
from microblog.services.users import get_user


def follow(session: Session, *, follower_id: int, followed_id: int) -> bool:
    """Follow a user; True if this created the link, False if it already existed. The user
    followed gets a notification and (if they allow it) an email, unless they were told of a
    follow by the same person less than FOLLOW_NOTICE_SECONDS ago."""
    if follower_id == followed_id:
        raise Invalid({"user": _l("You cannot follow yourself.")})
    followed = get_user(session, followed_id)
    if is_following(session, follower_id=follower_id, followed_id=followed_id):
        return False
    if session.get(Block, (followed_id, follower_id)) or session.get(
        Block, (follower_id, followed_id)
    ):
        # The same words either way: the blocked is not told that they are blocked.
        raise Forbidden(_l("You cannot follow %(username)s.", username=followed.username))
    spam_brakes.check_spam_brake(session, user_id=follower_id, action="follow")
    try:
        with session.begin_nested():
            session.add(Follow(follower_id=follower_id, followed_id=followed_id))
    except IntegrityError:  # a concurrent click got there first: same outcome
        return False
    if not _first_notice_in_a_while(session, follower_id=follower_id, followed_id=followed_id):
        return True
    notifications.notify(
        session, user_id=followed_id, kind=notifications.FOLLOWER, actor_id=follower_id
    )
    if followed.email_on_follow:
        follower = get_user(session, follower_id)
        mail_outbox.queue_email(
            session,
            new_follower_email(
                username=followed.username,
                email=followed.email,
                follower=follower.username,
                language=followed.language,
            ),
        )
    return True


def _first_notice_in_a_while(session: Session, *, follower_id: int, followed_id: int) -> bool:
    """Whether `followed` should be told of this follow: not when they were told of a follow by
    the same person within FOLLOW_NOTICE_SECONDS (a follow, unfollow, follow again), which
    would be the same news twice. Records the notice when it is to be given: one primary-key
    read and one write."""
    now = utcnow()
    window = timedelta(seconds=get_settings().follow_notice_seconds)
    notice = session.get(FollowNotice, (follower_id, followed_id), with_for_update=True)
    if notice is not None:
        if notice.notified_at > now - window:
            return False
        notice.notified_at = now
        return True
    try:
        with session.begin_nested():
            session.add(
                FollowNotice(follower_id=follower_id, followed_id=followed_id, notified_at=now)
            )
    except IntegrityError:  # a concurrent follow recorded its notice first: it tells them
        return False
    return True


def unfollow(session: Session, *, follower_id: int, followed_id: int) -> bool:
    """Stop following; True if a link was removed. An unknown user is `NotFound`, as for
    `follow` (looked for only when no link was removed: a link names an existing user)."""
    if follower_id == followed_id:
        raise Invalid({"user": _l("You cannot unfollow yourself.")})
    result = session.exec(
        delete(Follow)
        .where(col(Follow.follower_id) == follower_id)
        .where(col(Follow.followed_id) == followed_id)
    )
    if result.rowcount:
        return True
    get_user(session, followed_id)
    return False


def set_following(session: Session, *, follower_id: int, followed_id: int, following: bool) -> bool:
    """Follow (`following`) or unfollow, as a Follow/Unfollow button asks; True if this changed
    anything."""
    if following:
        return follow(session, follower_id=follower_id, followed_id=followed_id)
    return unfollow(session, follower_id=follower_id, followed_id=followed_id)


def is_following(session: Session, *, follower_id: int, followed_id: int) -> bool:
    return session.get(Follow, (follower_id, followed_id)) is not None


# Built once: the home timeline asks on every page view, and building a select cost about as
# much as running it.
_FOLLOWED_IDS = select(table_of(Follow).c.followed_id).where(
    table_of(Follow).c.follower_id == bindparam("user_id")
)
_SOME_FOLLOWED_IDS = _FOLLOWED_IDS.limit(bindparam("limit", type_=Integer))


def followed_ids(session: Session, *, user_id: int, limit: int | None = None) -> list[int]:
    """Whom `user_id` follows, in no particular order; at most `limit` of them if given (the
    home timeline needs all of them only when they are few)."""
    if limit is None:
        result = session.execute(_FOLLOWED_IDS, {"user_id": user_id})
    else:
        parameters = {"user_id": user_id, "limit": limit}
        result = session.execute(_SOME_FOLLOWED_IDS, parameters)
    # `.all()` fetches in one go; iterating `.scalars()` would fetch row by row.
    return list(result.scalars().all())


def follow_counts(session: Session, *, user_id: int) -> tuple[int, int]:
    """(followers, following): two index-only counts."""
    followers = session.exec(
        select(func.count()).select_from(Follow).where(Follow.followed_id == user_id)
    ).one()
    following = session.exec(
        select(func.count()).select_from(Follow).where(Follow.follower_id == user_id)
    ).one()
    return int(followers), int(following)


def _people(listed: Column[int], by: Column[int]) -> Select[*tuple[Any, ...]]:
    """Users joined on the follow column `listed`, where the other column `by` is `:user_id`,
    the most recent follow first: plain columns in `UserPublic.of_columns` order, not User
    objects (a page of rows needs no identity map). Built once per list."""
    users, follows = table_of(User).c, table_of(Follow).c
    return (
        sa_select(
            users.id,
            users.username,
            users.email,
            users.about_me,
            users.last_seen,
            users.created,
            users.avatar,
        )
        .join_from(table_of(User), table_of(Follow), listed == users.id)
        .where(by == bindparam("user_id"))
        .order_by(follows.created.desc(), users.id.desc())
    )


_FOLLOW = table_of(Follow).c
_FOLLOWERS = _people(_FOLLOW.follower_id, _FOLLOW.followed_id)
_FOLLOWING = _people(_FOLLOW.followed_id, _FOLLOW.follower_id)


def _public(row: Row[*tuple[Any, ...]]) -> UserPublic:
    return UserPublic.of_columns(*row)


def list_followers(
    session: Session, *, user_id: int, page: int, per_page: int, count: bool = False
) -> Page[UserPublic]:
    """Who follows `user_id`, the most recent first: one statement a page (two when counted)."""
    return paginate(
        session,
        _FOLLOWERS,
        page=page,
        per_page=per_page,
        to_item=_public,
        count=count,
        params={"user_id": user_id},
    )


def list_following(
    session: Session, *, user_id: int, page: int, per_page: int, count: bool = False
) -> Page[UserPublic]:
    """Whom `user_id` follows, the most recent first: one statement a page (two when counted)."""
    return paginate(
        session,
        _FOLLOWING,
        page=page,
        per_page=per_page,
        to_item=_public,
        count=count,
        params={"user_id": user_id},
    )
