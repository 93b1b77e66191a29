"""The user card shown when hovering a username or avatar: loaded on demand, one small query
set per hover, as the reader sees it (Follow or Unfollow)."""

from __future__ import annotations

from sqlmodel import Session

from microblog.schemas import UserCard, avatar_url, iso_utc
from microblog.services.follows import follow_counts, is_following
from microblog.services.users import get_user_by_username


def user_card(session: Session, *, username: str, viewer_id: int | None) -> UserCard:
    user = get_user_by_username(session, username)
    user_id = user.id or 0
    followers, following = follow_counts(session, user_id=user_id)
    return UserCard(
        id=user_id,
        username=user.username,
        about_me=user.about_me or "",
        last_seen=iso_utc(user.last_seen),
        avatar=avatar_url(user.email, 64),
        followers=followers,
        following=following,
        is_following=bool(viewer_id)
        and is_following(session, follower_id=viewer_id or 0, followed_id=user_id),
        is_self=viewer_id == user_id,
    )
