"""A profile page's data, read the same way by the live page (state/profile.py) and by the
server that draws its first paint (web/first_paint.py), and its Follow/Unfollow button."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from microblog.schemas import Page, PostRow, UserPublic
from microblog.services import follows, posts, safety, users, visibility

TABS = ("posts", "followers", "following")


@dataclass(frozen=True)
class ProfileView:
    user: UserPublic
    tab: str
    listing: Page[PostRow] | Page[UserPublic]  # posts on the posts tab, users on the other two
    followers_count: int
    following_count: int
    is_following: bool  # the viewer follows this user
    is_self: bool  # the viewer is this user
    # The safety rules between the two (services/safety.py): this user blocks the viewer (the
    # profile says the account exists, and shows none of its posts or people), the viewer
    # blocks or mutes this user (the "more" menu offers to undo it).
    blocks_viewer: bool = False
    blocked: bool = False
    muted: bool = False

    @property
    def posts(self) -> list[PostRow]:
        """The posts tab's rows; none on the other tabs."""
        return [row for row in self.listing.items if isinstance(row, PostRow)]

    @property
    def people(self) -> list[UserPublic]:
        """The followers or following tab's rows; none on the posts tab."""
        return [row for row in self.listing.items if isinstance(row, UserPublic)]


def tab_of(asked: str | None) -> str:
    """The tab asked for in `?tab=`, or the posts tab for anything else."""
    return asked if asked in TABS else "posts"


def read_profile(
    db: Session, *, username: str, viewer_id: int | None, tab: str, page: int, per_page: int
) -> ProfileView:
    """Raises NotFound for an unknown user. Five indexed reads, no COUNT over the posts."""
    user = users.get_user_by_username(db, username)
    user_id = user.id or 0
    viewer = viewer_id or 0
    listing: Page[PostRow] | Page[UserPublic]
    blocks_viewer = visibility.blocks_viewer(db, owner_id=user_id, viewer_id=viewer)
    if blocks_viewer:
        listing = Page(items=[], page=page, per_page=per_page, has_next=False, has_prev=page > 1)
    elif tab == "posts":
        listing = posts.user_posts(
            db, user_id=user_id, page=page, per_page=per_page, viewer_id=viewer
        )
    elif tab == "followers":
        listing = follows.list_followers(db, user_id=user_id, page=page, per_page=per_page)
    else:
        listing = follows.list_following(db, user_id=user_id, page=page, per_page=per_page)
    followers_count, following_count = follows.follow_counts(db, user_id=user_id)
    following = bool(viewer_id) and follows.is_following(
        db, follower_id=viewer_id or 0, followed_id=user_id
    )
    return ProfileView(
        user=UserPublic.of(user),
        tab=tab,
        listing=listing,
        followers_count=followers_count,
        following_count=following_count,
        is_following=following,
        is_self=viewer_id == user_id,
        blocks_viewer=blocks_viewer,
        blocked=bool(viewer) and safety.is_blocking(db, blocker_id=viewer, blocked_id=user_id),
        muted=bool(viewer) and safety.is_muting(db, muter_id=viewer, muted_id=user_id),
    )


def follow_from_profile(
    db: Session, *, viewer_id: int, user_id: int, following: bool
) -> tuple[int, int]:
    """The profile's Follow/Unfollow button: follow or unfollow the profile's user, then their
    new (followers, following), read in the same transaction so they include the change."""
    follows.set_following(db, follower_id=viewer_id, followed_id=user_id, following=following)
    return follows.follow_counts(db, user_id=user_id)
