"""The site's public face for programs: RSS and Atom feeds of a user's and of a tag's posts,
`robots.txt`, a sitemap of the public profiles, and the web app manifest.

- `/feeds/user/<name>.rss|.atom`, `/feeds/tag/<name>.rss|.atom`: the newest entries
  (services/syndication.py), written by feedgenerator (the Pelican project's standalone
  django.utils.feedgenerator). Each entry carries the post's rendered, sanitised HTML (the
  same `body_html` every card shows, its relative links made absolute, since a feed reader
  has no page to resolve them against), its pictures (inline, and as enclosures: all of them in
  Atom, the first in RSS, which allows one), its thread page as link and id, its author and
  its dates. A user who does not exist or is not public: 404.
- `/robots.txt`: crawlers may read the public pages, not the API, the private pages or the
  app's own endpoints; it names the sitemap.
- `/sitemap.xml`: a sitemap index of `/sitemaps/site.xml` (Explore) and
  `/sitemaps/users-<n>.xml`, the public profiles by ranges of user ids (one indexed range read
  per file, no COUNT).
- `/manifest.webmanifest`: what makes the site installable (name, icons in assets/icons,
  colours), served here rather than as a file so it has its own content type under nginx.

Every address is absolute, from PUBLIC_URL. Under `make run` the frontend dev server passes
these paths to the backend (dev_api_proxy.py); under `make prod` nginx sends them to the
workers (none is a file of the build).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed

from microblog import routes
from microblog.config import public_addresses
from microblog.db import run_read
from microblog.i18n import _l, negotiate_language, translate
from microblog.schemas import PostRow
from microblog.services import syndication
from microblog.services.errors import NotFound

router = APIRouter(include_in_schema=False)

RSS, ATOM = "rss", "atom"
_KINDS: dict[str, type[SyndicationFeed]] = {RSS: Rss201rev2Feed, ATOM: Atom1Feed}
FEED_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
FEED_CACHE = "public, max-age=300"  # a feed reader polls; five minutes old is fresh enough
SITEMAP_CACHE = "public, max-age=3600"
SITE_NAME = "Microblog"
# Theme colours: the navbar's indigo (Radix indigo 9) and the page backgrounds of the light
# and dark themes; the pages' <meta name="theme-color"> use the same (microblog.py).
THEME_COLOR = "#3e63dd"
BACKGROUND_LIGHT = "#ffffff"
BACKGROUND_DARK = "#111113"
ICONS = (
    ("/icons/icon-192.png", "192x192", "any"),
    ("/icons/icon-512.png", "512x512", "any"),
    ("/icons/maskable-512.png", "512x512", "maskable"),
)
_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


@cache
def site() -> str:
    """PUBLIC_URL: every address a feed, a sitemap or a preview gives is absolute."""
    return public_addresses().site


def user_feed_path(username: str, kind: str) -> str:
    return f"/feeds/user/{routes.user_url(username).removeprefix('/user/')}.{kind}"


def tag_feed_path(name: str, kind: str) -> str:
    return f"/feeds/tag/{routes.tag_url(name).removeprefix('/tag/')}.{kind}"


def absolute_html(markup: str) -> str:
    """`markup` with its site-relative links (`/user/ann`, `/tag/x`) made absolute."""
    return _RELATIVE.sub(lambda found: f"{found.group(1)}{site()}/", markup)


def _pictures_html(post: PostRow) -> str:
    pictures = "".join(
        f'<a href="{html.escape(media.url)}"><img src="{html.escape(media.preview_url)}" '
        f'alt="{html.escape(media.description)}" width="{media.thumb_width}" '
        f'height="{media.thumb_height}"></a>'
        for media in post.media
    )
    return f"<p>{pictures}</p>" if pictures else ""


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _entry(feed: SyndicationFeed, post: PostRow, kind: str) -> None:
    link = f"{site()}{routes.post_url(post.id)}"
    content = absolute_html(post.body_html) + _pictures_html(post)
    pictures = [Enclosure(media.url, "0", media.content_type) for media in post.media]
    feed.add_item(
        title=syndication.excerpt(post.body_html, syndication.TITLE_MAX) or f"#{post.id}",
        link=link,
        # RSS has one field for the text: the whole post. Atom has a summary and a content.
        description=content if kind == RSS else None,
        content=content if kind == ATOM else None,
        author_name=post.author_username,
        author_link=f"{site()}{routes.user_url(post.author_username)}",
        pubdate=_when(post.timestamp),
        updateddate=_when(post.edited_at or post.timestamp),
        unique_id=link,
        unique_id_is_permalink=True,
        enclosures=pictures[:1] if kind == RSS else pictures,
    )


def _feed_response(
    kind: str, *, title: str, page: str, description: str, path: str, entries: Sequence[PostRow]
) -> Response:
    feed = _KINDS[kind](
        title=title,
        link=f"{site()}{page}",
        description=description,
        feed_url=f"{site()}{path}",
        feed_guid=f"{site()}{path}",
    )
    for post in entries:
        _entry(feed, post, kind)
    body = feed.writeString("utf-8")
    return Response(
        body,
        media_type=f"{FEED_TYPES[kind]}; charset=utf-8",
        headers={"Cache-Control": FEED_CACHE, "Vary": "Accept-Language"},
    )


async def _read(work: Any) -> Any:
    try:
        return await run_read(work)
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=missing.message) from None


async def _user_feed(request: Request, username: str, kind: str) -> Response:
    feed = await _read(lambda db: syndication.user_feed(db, username=username))
    lang = negotiate_language(request.headers.get("accept-language"))
    return _feed_response(
        kind,
        title=f"{feed.username} · {SITE_NAME}",
        page=routes.user_url(feed.username),
        description=feed.about_me
        or translate(_l("Posts by %(username)s", username=feed.username), lang),
        path=user_feed_path(feed.username, kind),
        entries=feed.entries,
    )


async def _tag_feed(request: Request, name: str, kind: str) -> Response:
    feed = await _read(lambda db: syndication.tag_feed(db, name=name))
    lang = negotiate_language(request.headers.get("accept-language"))
    return _feed_response(
        kind,
        title=f"#{feed.name} · {SITE_NAME}",
        page=routes.tag_url(feed.name),
        description=translate(_l("Posts tagged #%(tag)s", tag=feed.name), lang),
        path=tag_feed_path(feed.name, kind),
        entries=feed.entries,
    )


@router.get("/feeds/user/{username}.rss")
async def user_rss(request: Request, username: str) -> Response:
    return await _user_feed(request, username, RSS)


@router.get("/feeds/user/{username}.atom")
async def user_atom(request: Request, username: str) -> Response:
    return await _user_feed(request, username, ATOM)


@router.get("/feeds/tag/{name}.rss")
async def tag_rss(request: Request, name: str) -> Response:
    return await _tag_feed(request, name, RSS)


@router.get("/feeds/tag/{name}.atom")
async def tag_atom(request: Request, name: str) -> Response:
    return await _tag_feed(request, name, ATOM)


# Pages only a signed-in reader has, the links mailed to one person (`/reset_password/<token>`,
# `/confirm/<token>`), search results (endless combinations of the public pages), the API, and
# the app's own endpoints (`/_event`, `/_upload`, `/_dev`): nothing for a search engine there.
# The private pages also say `noindex` in their head (NOINDEX_META, microblog.py). The
# public forms (log in, register, ask for a reset) may be crawled: they are how a visitor from a
# search engine gets in, and a crawler kept off them flags them as blocked (docs/web.md).
_DISALLOWED = (
    "/api/",
    "/auth/",
    "/_",
    "/messages",
    "/notifications",
    "/announcements",
    "/edit_profile",
    "/search",
    "/send_message/",
    "/reset_password/",
    "/confirm/",
)


@router.get("/robots.txt")
async def robots_txt() -> PlainTextResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in _DISALLOWED)]
    lines += ["Allow: /", "", f"Sitemap: {site()}/sitemap.xml", ""]
    return PlainTextResponse("\n".join(lines), headers={"Cache-Control": SITEMAP_CACHE})


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(body: str) -> Response:
    return Response(
        body, media_type="application/xml; charset=utf-8", headers={"Cache-Control": SITEMAP_CACHE}
    )


@router.get("/sitemap.xml")
async def sitemap_index() -> Response:
    pages = await run_read(syndication.sitemap_page_count)
    files = ["/sitemaps/site.xml", *(f"/sitemaps/users-{n}.xml" for n in range(1, pages + 1))]
    entries = "".join(f"<sitemap><loc>{escape(site() + path)}</loc></sitemap>" for path in files)
    return _xml(f'{_XML_HEAD}<sitemapindex xmlns="{_SITEMAP_NS}">{entries}</sitemapindex>')


def _urlset(urls: Sequence[tuple[str, str]]) -> Response:
    entries = "".join(
        f"<url><loc>{escape(loc)}</loc>{f'<lastmod>{modified}</lastmod>' if modified else ''}</url>"
        for loc, modified in urls
    )
    return _xml(f'{_XML_HEAD}<urlset xmlns="{_SITEMAP_NS}">{entries}</urlset>')


@router.get("/sitemaps/site.xml")
async def sitemap_site() -> Response:
    return _urlset([(f"{site()}{routes.EXPLORE}", "")])


@router.get("/sitemaps/users-{page}.xml")
async def sitemap_users(page: int) -> Response:
    if page < 1 or page > await run_read(syndication.sitemap_page_count):
        raise HTTPException(status_code=404, detail="No such sitemap.")
    profiles = await run_read(lambda db: syndication.public_profiles(db, page=page))
    return _urlset(
        [
            (
                f"{site()}{routes.user_url(profile.username)}",
                profile.last_seen.date().isoformat(),
            )
            for profile in profiles
        ]
    )


def manifest() -> dict[str, Any]:
    """The web app manifest (W3C Web Application Manifest): installable, standalone, with
    icons for any use and one whose picture stays inside the safe zone (maskable)."""
    return {
        "id": "/",
        "name": SITE_NAME,
        "short_name": SITE_NAME,
        "description": "A microblog: short posts, followers, conversations.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_LIGHT,
        "icons": [
            {"src": src, "sizes": sizes, "type": "image/png", "purpose": purpose}
            for src, sizes, purpose in ICONS
        ],
    }


@router.get("/manifest.webmanifest")
async def web_app_manifest() -> Response:
    return Response(
        json.dumps(manifest()),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
