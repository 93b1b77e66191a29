"""What a crawler reads in a page's head: a shared link to a profile or to a post previews the
real thing, and a feed reader finds the feeds.

Crawlers (link previews in chats and other sites, search engines, feed readers) run no
JavaScript: they read the HTML the server sends. The prerendered pages know nothing of the
user or post in their address, so this middleware writes into the `<head>` of

- a profile, `/user/<name>`: OpenGraph (`og:type` profile, title, description = the "about
  me", image = the avatar, url) and Twitter card tags, the canonical address, a meta
  description, and `<link rel="alternate">` to the user's RSS and Atom feeds;
- a thread, `/post/<id>`: the same for the post (`og:type` article, description = an excerpt
  of its text, image = its first picture, else its author's avatar; a large card when it
  has a picture), with its time and author;
- a tag, `/tag/<name>`: its feeds and its canonical address.

Every address is absolute, from PUBLIC_URL; every value is escaped. The page's own
description and `og:image` (the site's, from microblog.py) are replaced, not repeated. An
unknown user or post gets nothing here (first_paint.py answers it 404), and a failed read sends
the page as it was. The live page keeps these tags: React leaves what it did not render in the
head alone.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog import routes
from microblog.db import run_read
from microblog.i18n import _l, negotiate_language, translate
from microblog.services import syndication
from microblog.services.errors import NotFound
from microblog.services.tags import normalise_tag
from microblog.web.syndication import (
    ATOM,
    FEED_TYPES,
    RSS,
    SITE_NAME,
    site,
    tag_feed_path,
    user_feed_path,
)

log = logging.getLogger(__name__)

# The site-wide tags the page already has, which a page's own replace.
# (React writes a meta's attributes in its own order: `content` first.)
_REPLACED = re.compile(
    r'<meta\b[^>]*\s(?:name="description"|property="og:image")[^>]*>'
    r'|<link\b[^>]*\srel="canonical"[^>]*>'
)
_HEAD_END = b"</head>"
_FILE_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopysend")


@dataclass(frozen=True)
class HeadTags:
    """What goes into one page's head."""

    path: str  # the page's canonical path
    title: str = ""
    description: str = ""
    image: str = ""
    kind: str = ""  # og:type; "" for a page without a preview (a tag)
    large_image: bool = False
    published: str = ""
    author: str = ""
    feeds: tuple[tuple[str, str, str], ...] = ()  # (type, title, path)

    def html(self) -> str:
        url = site() + self.path
        tags: list[tuple[str, str, str]] = []  # (attribute, key, value)
        if self.kind:
            tags += [
                ("property", "og:type", self.kind),
                ("property", "og:site_name", SITE_NAME),
                ("property", "og:title", self.title),
                ("property", "og:url", url),
                ("property", "og:image", self.image),
                ("name", "twitter:card", "summary_large_image" if self.large_image else "summary"),
                ("name", "twitter:title", self.title),
                ("name", "twitter:image", self.image),
            ]
            if self.description:
                tags += [
                    ("name", "description", self.description),
                    ("property", "og:description", self.description),
                    ("name", "twitter:description", self.description),
                ]
        if self.published:
            tags.append(("property", "article:published_time", self.published))
        if self.author and self.kind == "article":
            tags.append(("property", "article:author", site() + routes.user_url(self.author)))
        if self.kind == "profile":
            tags.append(("property", "profile:username", self.author))
        parts = [
            f'<meta {attr}="{key}" content="{html.escape(value)}"/>' for attr, key, value in tags
        ]
        parts.append(f'<link rel="canonical" href="{html.escape(url)}"/>')
        parts += [
            f'<link rel="alternate" type="{kind}" title="{html.escape(title)}" '
            f'href="{html.escape(site() + path)}"/>'
            for kind, title, path in self.feeds
        ]
        return "".join(parts)


def _feeds(title: str, path_of: Callable[[str], str]) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (FEED_TYPES[kind], f"{title} ({label})", path_of(kind))
        for kind, label in ((RSS, "RSS"), (ATOM, "Atom"))
    )


def _profile(db: Session, path: str, lang: str) -> HeadTags | None:
    username = routes.profile_username(path) or ""
    try:
        preview = syndication.profile_preview(db, username=username)
    except NotFound:
        return None
    name = preview.author
    return HeadTags(
        path=routes.user_url(name),
        title=f"{name} · {SITE_NAME}",
        description=preview.description
        or translate(_l("Posts by %(username)s", username=name), lang),
        image=preview.image,
        kind="profile",
        author=name,
        feeds=_feeds(f"{name} · {SITE_NAME}", lambda kind: user_feed_path(name, kind)),
    )


def _thread(db: Session, path: str, lang: str) -> HeadTags | None:
    post_id = routes.thread_post_id(path) or 0
    try:
        preview = syndication.post_preview(db, post_id=post_id)
    except NotFound:
        return None
    return HeadTags(
        path=routes.post_url(post_id),
        title=translate(_l("%(username)s on Microblog", username=preview.author), lang),
        description=preview.description,
        image=preview.image,
        kind="article",
        large_image=preview.has_picture,
        published=preview.published,
        author=preview.author,
    )


def _tag(db: Session, path: str, lang: str) -> HeadTags | None:
    key = normalise_tag(routes.tag_name(path) or "")
    if not key:
        return None
    title = f"#{key} · {SITE_NAME}"
    return HeadTags(path=routes.tag_url(key), feeds=_feeds(title, lambda k: tag_feed_path(key, k)))


Reader = Callable[[Session, str, str], "HeadTags | None"]


def reader_for(path: str) -> Reader | None:
    if routes.profile_username(path) is not None:
        return _profile
    if routes.thread_post_id(path) is not None:
        return _thread
    if routes.tag_name(path) is not None:
        return _tag
    return None


async def head_tags(path: str, accept_language: str | None) -> HeadTags | None:
    """The tags for the page at `path`, or None (no such page's subject, or a failed read)."""
    read = reader_for(path)
    if read is None:
        return None
    lang = negotiate_language(accept_language)
    try:
        return await run_read(lambda db: read(db, path, lang))
    except Exception:
        log.warning("A page's head tags could not be read; sending the page", exc_info=True)
        return None


def with_head_tags(page: bytes, tags: HeadTags) -> bytes:
    """`page` with the site-wide description, image and canonical address taken out of its head
    and `tags` written at the head's end."""
    head, found, rest = page.partition(_HEAD_END)
    if not found:
        return page
    kept = _REPLACED.sub("", head.decode("utf-8"))
    return (kept + tags.html()).encode("utf-8") + _HEAD_END + rest


class PageMetaMiddleware:
    """Pure ASGI. GET of a profile, a thread or a tag page, answered as HTML: its
    head gets the page's own tags."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or reader_for(scope["path"]) is None:
            await self.app(scope, receive, send)
            return
        asked = {
            **scope,
            "extensions": {
                k: v for k, v in scope.get("extensions", {}).items() if k not in _FILE_EXTENSIONS
            },
        }
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(asked, receive, keep)
        body = b"".join(chunks)
        headers = Headers(raw=start.get("headers", []))
        if (
            start.get("status") == 200
            and headers.get("content-type", "").startswith("text/html")
            and "content-encoding" not in headers
            and _HEAD_END in body
        ):
            tags = await head_tags(scope["path"], Headers(scope=scope).get("accept-language"))
            if tags is not None:
                body = with_head_tags(body, tags)
                kept = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                start = {**start, "headers": [*kept, (b"content-length", str(len(body)).encode())]}
        await send(start)
        await send({"type": "http.response.body", "body": body})
