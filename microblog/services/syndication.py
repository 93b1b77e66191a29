"""What the site tells the rest of the web about its public pages: the entries of a user's or
a tag's feed (RSS and Atom, web/syndication.py), the public profiles a sitemap lists, and the
preview (title, description, picture) of a profile or a post that crawlers read from the
page's OpenGraph and Twitter tags (web/page_meta.py).

A public profile is one whose account works: not disabled by the operator, its address
confirmed. Its feed, its sitemap entry and its preview exist; anyone else's feed answers
NotFound, as an unknown name does, so a feed reader cannot tell the two apart.

Every read is bounded and indexed: a feed is one statement for its newest `FEED_SIZE` entries
(on the (user_id, timestamp, id) or the tag's (tag_id, timestamp, post_id) index, the cards
around them as every list reads them, services/post_rows.py); a sitemap page is one range of
the user table's primary key, so 10k or 10M users cost the same per page and nothing counts
rows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import text
from sqlmodel import Session

from microblog.i18n import _l
from microblog.models import User, table_of
from microblog.schemas import PostRow, avatar_url
from microblog.services.errors import NotFound
from microblog.services.opengraph import plain_text
from microblog.services.post_rows import card_rows, cards_by_id, cards_statement, to_card
from microblog.services.tags import normalise_tag, tag_posts
from microblog.services.users import find_user_by_username

FEED_SIZE = 30  # entries in a feed: a feed reader polls, it does not page
SITEMAP_PAGE_SIZE = 10_000  # user ids per sitemap file (the format's limit is 50,000 URLs)
EXCERPT_MAX = 200  # characters of a post in a preview's description or an entry's title
TITLE_MAX = 80
PREVIEW_AVATAR_SIZE = 256

_USER_FEED = cards_statement(
    "SELECT id FROM post WHERE user_id = :user_id AND boost_of_id IS NULL "
    'ORDER BY "timestamp" DESC, id DESC LIMIT :limit'
)
_PUBLIC_PROFILES = text(
    'SELECT username, last_seen FROM "user" WHERE id > :low AND id <= :high '
    "AND disabled = :no AND email_confirmed = :yes ORDER BY id"
).columns(last_seen=table_of(User).c.last_seen.type)
_LAST_USER_ID = text('SELECT MAX(id) FROM "user"')
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class UserFeed:
    username: str  # as the user spells it
    about_me: str
    avatar: str  # an absolute URL
    entries: list[PostRow]


@dataclass(frozen=True)
class TagFeed:
    name: str  # the tag as stored (normalised)
    entries: list[PostRow]


@dataclass(frozen=True)
class PublicProfile:
    username: str
    last_seen: datetime  # the sitemap's lastmod


@dataclass(frozen=True)
class Preview:
    """What a shared link to a page shows: plain text (escaped by whoever writes it into HTML)
    and an absolute picture URL."""

    title: str
    description: str
    image: str
    author: str  # the username the page is about or by
    kind: str  # OpenGraph's og:type: "profile" or "article"
    published: str = ""  # an article's ISO 8601 time
    has_picture: bool = False  # the image is the post's own picture (a large card)


def is_public(user: User) -> bool:
    return not user.disabled and user.email_confirmed


def public_user(db: Session, *, username: str) -> User:
    """The user named `username` (any case), if their profile is public; NotFound otherwise."""
    user = find_user_by_username(db, username)
    if user is None or not is_public(user):
        raise NotFound(_l("User %(username)s not found.", username=username))
    return user


def excerpt(body_html: str, limit: int = EXCERPT_MAX) -> str:
    """A post's text on one line, from its rendered HTML (tags dropped, entities decoded)."""
    return plain_text(html.unescape(_TAGS.sub(" ", body_html)), limit)


def user_feed(db: Session, *, username: str, limit: int = FEED_SIZE) -> UserFeed:
    """A public user's newest posts and replies (not boosts: they are someone else's words)."""
    user = public_user(db, username=username)
    rows = card_rows(db, _USER_FEED, {"user_id": user.id, "limit": limit}, viewer_id=0)
    return UserFeed(
        username=user.username,
        about_me=user.about_me or "",
        avatar=avatar_url(user.email, PREVIEW_AVATAR_SIZE, picture=user.avatar),
        entries=[to_card(row) for row in rows],
    )


def tag_feed(db: Session, *, name: str, limit: int = FEED_SIZE) -> TagFeed:
    """The newest posts carrying a tag (none yet for a tag nobody used: an empty feed one can
    already subscribe to); NotFound for a name no tag can have."""
    key = normalise_tag(name)
    if not key:
        raise NotFound(_l("No such tag."))
    page = tag_posts(db, name=key, viewer_id=0, page=1, per_page=limit)
    return TagFeed(name=key, entries=list(page.items))


def sitemap_page_count(db: Session) -> int:
    """How many sitemap files the profiles take: by ranges of user ids, from the highest id
    (the primary key's last entry), so no COUNT; at least one."""
    last = db.execute(_LAST_USER_ID).scalar() or 0
    return max(1, ceil(int(last) / SITEMAP_PAGE_SIZE))


def public_profiles(db: Session, *, page: int) -> list[PublicProfile]:
    """The public profiles of one sitemap file (1-based): one range of the primary key."""
    low = (page - 1) * SITEMAP_PAGE_SIZE
    parameters = {"low": low, "high": low + SITEMAP_PAGE_SIZE, "no": False, "yes": True}
    rows = db.execute(_PUBLIC_PROFILES, parameters).all()
    return [PublicProfile(username=row[0], last_seen=row[1]) for row in rows]


def profile_preview(db: Session, *, username: str) -> Preview:
    user = public_user(db, username=username)
    about = plain_text(user.about_me or "", EXCERPT_MAX)
    return Preview(
        title=user.username,
        description=about,
        image=avatar_url(user.email, PREVIEW_AVATAR_SIZE, picture=user.avatar),
        author=user.username,
        kind="profile",
    )


def post_preview(db: Session, *, post_id: int) -> Preview:
    """A post's preview: its text, its first picture or else its author's avatar. NotFound for
    no such post, or a post of an account that is not public."""
    post = cards_by_id(db, [post_id], viewer_id=0).get(post_id)
    author = db.get(User, post.author_id) if post else None
    if post is None or author is None or not is_public(author):
        raise NotFound(_l("No such post."))
    image = (
        post.media[0].url
        if post.media
        else avatar_url(author.email, PREVIEW_AVATAR_SIZE, picture=author.avatar)
    )
    return Preview(
        title=excerpt(post.body_html, TITLE_MAX),
        description=excerpt(post.body_html),
        image=image,
        author=author.username,
        kind="article",
        published=post.timestamp,
        has_picture=bool(post.media),
    )
