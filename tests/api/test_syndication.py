"""Feeds, robots.txt, the sitemap and the app manifest over real HTTP (web/syndication.py), on
the backend's HTTP app with a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set). The feeds are read by feedparser, the parser feed readers are built on."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import feedparser
import httpx
import pytest
from sqlmodel import Session

from microblog.services.accounts import disable_user
from tests.api.conftest import Account, ApiServer, unique_name
from tests.api.test_api_media import gps_jpeg, upload

SITE = "http://localhost:3000"  # PUBLIC_URL's default: the test server has none of its own
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _get(api_server: ApiServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(api_server.base + path, headers=headers, timeout=30)


def _post(api: httpx.Client, me: Account, body: str, **extra: object) -> dict:
    created = api.post("/posts", json={"body": body, **extra}, headers=me.headers)
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_users_feed_has_their_newest_posts_with_html_pictures_author_and_dates(
    api: httpx.Client, api_server: ApiServer, make_account, kind: str
) -> None:
    me: Account = make_account("feed")
    other: Account = make_account("other")
    tag = f"t{secrets.token_hex(3)}"
    first = _post(api, me, f"first **bold** post #{tag}")
    picture = upload(api, me, gps_jpeg(), description="A blue wall").json()
    second = _post(api, me, f"with a picture, hi @{other.username}", media_ids=[picture["id"]])
    boost = api.post(f"/posts/{_post(api, other, 'not mine')['id']}/boost", headers=me.headers)
    assert boost.status_code in (200, 201, 204), boost.text

    answer = _get(api_server, f"/feeds/user/{me.username}.{kind}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(f"application/{kind}+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.feed.title == f"{me.username} · Microblog"
    assert feed.feed.link == f"{SITE}/user/{me.username}"

    # Newest first, the boost left out (someone else's words).
    links = [entry.link for entry in feed.entries]
    assert links == [f"{SITE}/post/{second['id']}", f"{SITE}/post/{first['id']}"]
    newest, oldest = feed.entries
    body = newest.content[0].value if kind == "atom" else newest.summary
    # The rendered, sanitised HTML, links made absolute; the picture inline and as enclosure.
    assert f'href="{SITE}/user/{other.username}"' in body
    assert picture["preview_url"] in body and 'alt="A blue wall"' in body
    enclosures = [link.href for link in newest.links if link.rel == "enclosure"]
    assert enclosures == [picture["url"]]
    old_body = oldest.content[0].value if kind == "atom" else oldest.summary
    assert "<strong>bold</strong>" in old_body and f'href="{SITE}/tag/{tag}"' in old_body
    assert oldest.title == f"first bold post #{tag}"
    assert newest.author == me.username
    assert newest.published_parsed is not None and newest.updated_parsed is not None
    assert newest.id == f"{SITE}/post/{second['id']}"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_tags_feed_has_the_posts_carrying_it(
    api: httpx.Client, api_server: ApiServer, make_account, kind: str
) -> None:
    me: Account = make_account("tagger")
    tag = f"Feed{secrets.token_hex(3)}"
    tagged = _post(api, me, f"about #{tag}")
    _post(api, me, "not tagged")
    answer = _get(api_server, f"/feeds/tag/{tag}.{kind}")
    feed = feedparser.parse(answer.content)
    assert answer.status_code == 200 and not feed.bozo
    assert feed.feed.title == f"#{tag.lower()} · Microblog"
    assert [entry.link for entry in feed.entries] == [f"{SITE}/post/{tagged['id']}"]
    assert feed.entries[0].author == me.username
    # A tag nobody used yet: an empty feed to subscribe to.
    empty = feedparser.parse(
        _get(api_server, f"/feeds/tag/unused{secrets.token_hex(3)}.rss").content
    )
    assert empty.entries == [] and not empty.bozo


def test_feeds_of_unknown_and_disabled_users_are_not_found(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    assert _get(api_server, f"/feeds/user/{unique_name('nobody')}.rss").status_code == 404
    gone: Account = make_account("gone")
    _post(api, gone, "soon hidden")
    assert _get(api_server, f"/feeds/user/{gone.username}.atom").status_code == 200
    with Session(api_server.engine) as db:
        disable_user(db, user_id=gone.id)
        db.commit()
    for kind in ("rss", "atom"):
        assert _get(api_server, f"/feeds/user/{gone.username}.{kind}").status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_private_pages(
    api_server: ApiServer,
) -> None:
    answer = _get(api_server, "/robots.txt")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    for private in ("/api/", "/messages", "/notifications", "/_", "/reset_password/"):
        assert f"Disallow: {private}" in lines
    assert not any(line == "Disallow: /" for line in lines)
    # The public forms may be crawled (Lighthouse's is-crawlable): no Disallow line is a prefix
    # of their addresses.
    for public in ("/login", "/register", "/reset_password_request", "/explore", "/user/susan"):
        blocked = [line for line in lines if line.startswith("Disallow: ")]
        assert not any(public.startswith(line.removeprefix("Disallow: ")) for line in blocked), (
            public
        )


def test_the_sitemap_lists_public_profiles_by_pages_of_ids(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    shown: Account = make_account("shown")
    hidden: Account = make_account("hidden")
    with Session(api_server.engine) as db:
        disable_user(db, user_id=hidden.id)
        db.commit()
    index = _get(api_server, "/sitemap.xml")
    assert index.status_code == 200 and "xml" in index.headers["content-type"]
    tree = ET.fromstring(index.content)  # noqa: S314 (our own server's answer)
    files = [loc.text for loc in tree.findall("s:sitemap/s:loc", NS)]
    assert f"{SITE}/sitemaps/site.xml" in files
    users = [loc for loc in files if "/sitemaps/users-" in (loc or "")]
    assert users and users[0] == f"{SITE}/sitemaps/users-1.xml"

    listed: list[str] = []
    for loc in users:
        page = _get(api_server, str(loc).removeprefix(SITE))
        assert page.status_code == 200
        urls = ET.fromstring(page.content).findall("s:url", NS)  # noqa: S314
        listed += [str(url.findtext("s:loc", namespaces=NS)) for url in urls]
        assert all(url.findtext("s:lastmod", namespaces=NS) for url in urls)
    assert f"{SITE}/user/{shown.username}" in listed
    assert f"{SITE}/user/{hidden.username}" not in listed
    assert _get(api_server, f"/sitemaps/users-{len(users) + 1}.xml").status_code == 404
    assert _get(api_server, "/sitemaps/users-0.xml").status_code == 404


def test_the_web_app_manifest(api_server: ApiServer) -> None:
    answer = _get(api_server, "/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["name"] and manifest["short_name"]
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
