"""A page of a feed, the one read behind the Home and Explore pages, the API's `/api/feed` and the
server's first paint of a feed (web/first_paint.py).

Home is the reader's own posts and those of everyone they follow (services/timeline.py), Explore
is everyone's (services/posts.py). A live page also keeps where the feed stood when it was read,
so that its "N new posts" bar counts only what came after (services/new_posts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from microblog.schemas import Page, PostRow
from microblog.services import new_posts, posts, timeline

Feed = Literal["home", "explore"]


@dataclass(frozen=True)
class OpenedFeed:
    posts: Page[PostRow]
    since_id: int  # the newest post anywhere when the page was read (the bar counts after it)


def feed_page(
    session: Session, *, feed: Feed, reader_id: int, page: int, per_page: int
) -> Page[PostRow]:
    """One page of `feed`, newest first, for `reader_id` (0 for a visitor): whose home feed,
    and whose likes and boosts the cards show."""
    if feed == "home":
        return timeline.home_timeline(session, user_id=reader_id, page=page, per_page=per_page)
    return posts.explore_posts(session, page=page, per_page=per_page, viewer_id=reader_id)


def open_feed(
    session: Session, *, feed: Feed, reader_id: int, page: int, per_page: int
) -> OpenedFeed:
    """A page of `feed` for a live page: the page and the mark its "N new posts" bar counts
    from. The mark is read first, so a post written meanwhile is counted rather than missed."""
    since = new_posts.latest_post_id(session)
    return OpenedFeed(
        posts=feed_page(session, feed=feed, reader_id=reader_id, page=page, per_page=per_page),
        since_id=since,
    )
