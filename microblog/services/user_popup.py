"""The user card shown when hovering a username or avatar: loaded on demand, one small query
set per hover, as the reader sees it (Follow or Unfollow; Block or Unblock, Mute or Unmute in
its menu), and that button."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from microblog.schemas import UserCard, avatar_url, iso_utc
from microblog.services.follows import follow_counts, is_following, set_following
from microblog.services.safety import is_blocking, is_muting
from microblog.services.users import get_user_by_username


def user_card(session: Session, *, username: str, viewer_id: int | None) -> UserCard:
    user = get_user_by_username(session, username)
    user_id = user.id or 0
    followers, following = follow_counts(session, user_id=user_id)
    other = bool(viewer_id) and viewer_id != user_id
    return UserCard(
        id=user_id,
        username=user.username,
        about_me=user.about_me or "",
        last_seen=iso_utc(user.last_seen),
        avatar=avatar_url(user.email, 64, picture=user.avatar),
        followers=followers,
        following=following,
        is_following=bool(viewer_id)
        and is_following(session, follower_id=viewer_id or 0, followed_id=user_id),
        is_self=viewer_id == user_id,
        # Two primary-key probes, for the menu (as the profile's).
        blocked=other and is_blocking(session, blocker_id=viewer_id or 0, blocked_id=user_id),
        muted=other and is_muting(session, muter_id=viewer_id or 0, muted_id=user_id),
    )


@dataclass(frozen=True)
class CardAfterFollow:
    card: UserCard  # the card read again: its counts include the change
    viewer_counts: tuple[int, int]  # the reader's own (followers, following)


def follow_from_card(
    session: Session, *, viewer_id: int, user_id: int, username: str, following: bool
) -> CardAfterFollow:
    """The card's Follow/Unfollow button: follow or unfollow, then the card and the reader's own
    counts (their profile page may be open, showing them) read in the same transaction."""
    set_following(session, follower_id=viewer_id, followed_id=user_id, following=following)
    return CardAfterFollow(
        card=user_card(session, username=username, viewer_id=viewer_id),
        viewer_counts=follow_counts(session, user_id=viewer_id),
    )
