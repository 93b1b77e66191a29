"""The first page of explore, home and a profile, written into the page's HTML by the server
(microblog/web/first_paint.py, profile_first_paint.py), over real HTTP with granian in
front of a build folder, as `reflex run --env prod` serves it; and the words of relative times,
which must match what the browser shows (assets/i18n/runtime.js) once the live page replaces
them."""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from microblog.components.feed_first_paint import FIRST_PAINT_CLASS, first_paint_placeholder
from microblog.components.navbar import NAV_FIRST_PAINT_CLASS, nav_first_paint
from microblog.config import get_settings
from microblog.db import make_engine
from microblog.i18n.relative_time import relative_time_text
from microblog.models import MediaAttachment, Post, User, utcnow
from microblog.schemas import PostRow
from microblog.services import posts, reactions, users
from microblog.services.auth_sessions import SessionUser
from microblog.services.follows import follow
from microblog.services.media.attachments import refresh_post_media
from microblog.services.rich_text import render_post
from microblog.services.safety import block_user
from microblog.web.first_paint import (
    NAV_PLACEHOLDER_CLASS,
    PERSONAL,
    PLACEHOLDER_CLASS,
    Asked,
    drawing_for,
    post_cards_html,
)
from tests.app_server import serve_asgi
from tests.tab_state import session_token

PLACEHOLDER = f'<div class="{PLACEHOLDER_CLASS}"></div>'


def test_the_page_and_the_server_agree_on_the_placeholder() -> None:
    placeholder = first_paint_placeholder()
    assert placeholder.render()["props"][0] == f'className:"{PLACEHOLDER_CLASS}"'
    assert FIRST_PAINT_CLASS in PLACEHOLDER_CLASS.split()


NAV_PLACEHOLDER = f'<div class="{NAV_PLACEHOLDER_CLASS}"></div>'
PAGE = (
    f"<!doctype html><title>Microblog</title><nav>{NAV_PLACEHOLDER}</nav>"
    f"<main><h1>Feed</h1>{PLACEHOLDER}</main>\n"
)


def test_the_navbar_and_the_server_agree_on_its_placeholder() -> None:
    assert nav_first_paint().render()["props"][0] == f'className:"{NAV_PLACEHOLDER_CLASS}"'
    assert NAV_FIRST_PAINT_CLASS in NAV_PLACEHOLDER_CLASS.split()


def _feed_part(page: str) -> str:
    """What the server wrote into the feed's placeholder."""
    start = page.index(PLACEHOLDER_CLASS) + len(PLACEHOLDER_CLASS) + 2
    return page[start : page.index("</main>") - len("</div>")]


def _nav_part(page: str) -> str:
    start = page.index(NAV_PLACEHOLDER_CLASS) + len(NAV_PLACEHOLDER_CLASS) + 2
    return page[start : page.index("</nav>") - len("</div>")]


def _row(**fields: object) -> PostRow:
    values = {
        "id": 7,
        "body": "hello",
        "timestamp": (utcnow() - timedelta(minutes=5)).isoformat(),
        "language": "en",
        "author_id": 1,
        "author_username": "susan",
        "author_avatar": "https://www.gravatar.com/avatar/abc?d=identicon&s=48",
    }
    return PostRow(**{**values, **fields})  # type: ignore[arg-type]


def test_cards_escape_what_users_wrote() -> None:
    """The body is drawn as rendered and sanitised when it was written (services/rich_text.py);
    every other value a user wrote is escaped here."""
    body = '<script>alert("x")</script> & bold'
    rendered = render_post(body, known_users=lambda _names: {}).html
    hostile = '<i>"x"</i>'
    row = _row(
        body=body,
        body_html=rendered,
        language='en"><x',
        boosted_by=hostile,
        reply_to_username=hostile,
        edited_at=utcnow().isoformat(),
    )
    html = post_cards_html([row], lang="en", reader_id=0)
    assert "<script>" not in html and "<i>" not in html and '"><x' not in html
    assert rendered in html and "&lt;script&gt;" in rendered
    assert "&lt;i&gt;&quot;x&quot;&lt;/i&gt;" in html
    assert 'href="/user/susan"' in html and ">S</span>" in html  # link and initial
    assert "gravatar" not in html  # the picture comes with the live list
    assert 'data-post-id="7"' in html


def test_the_readers_own_cards_have_edit_and_delete_waiting_for_the_live_page() -> None:
    """Drawn disabled, so the card does not grow when the live list replaces it."""
    mine, theirs = _row(id=7, author_id=1), _row(id=8, author_id=3, author_username="tom")
    html = post_cards_html([mine, theirs], lang="en", reader_id=1)
    own_card, other_card = html.split('data-post-id="8"')
    assert own_card.count('class="post-own-action ') == 2  # Edit and Delete
    assert 'class="post-own-action edit-post" type="button" aria-disabled="true"' in own_card
    assert "post-own-action" not in other_card
    assert "post-own-action" not in post_cards_html([mine, theirs], lang="en", reader_id=0)


@pytest.mark.parametrize(
    ("seconds", "lang", "words"),
    [
        (44, "en", "just now"),
        (-30, "en", "just now"),  # a clock a little ahead
        (89, "en", "1 minute ago"),
        (150, "en", "3 minutes ago"),  # 2.5 rounds up, as Math.round does (not to even)
        (5 * 3600, "es", "hace 5 horas"),
        (3 * 86_400, "zh", "3天前"),
        (400 * 86_400, "en", "1 year ago"),
    ],
)
def test_relative_time_words_match_the_browsers(seconds: int, lang: str, words: str) -> None:
    now = utcnow()
    assert (
        relative_time_text((now - timedelta(seconds=seconds)).isoformat(), lang=lang, now=now)
        == words
    )


def test_relative_time_of_a_naive_or_broken_stamp() -> None:
    now = utcnow()
    naive = (now - timedelta(hours=2)).replace(tzinfo=None).isoformat()
    assert relative_time_text(naive, lang="en", now=now) == "2 hours ago"  # read as UTC
    assert relative_time_text("not a time", lang="en", now=now) == ""


# --- over HTTP ---------------------------------------------------------------------------------


@dataclass
class Site:
    base: str
    explore: list[int]  # post ids, newest first, both pages
    susans_home: list[int]  # her own posts and Tom's (whom she follows), not Zed's
    cookie: str  # Susan, signed in, whose language is Spanish
    posts_of: dict[str, list[int]]  # each author's, newest first


def _build(root: Path, page: str) -> Path:
    build = root / "build"
    (build / "explore").mkdir(parents=True)
    (build / "explore" / "index.html").write_text(page)
    (build / "index.html").write_text(page)
    (build / "user" / "_").mkdir(parents=True)  # the prerendered profile (profile_skeleton.py)
    (build / "user" / "_" / "index.html").write_text(page)
    return build


def _serve(build: Path, database_url: str) -> Iterator[str]:
    env = {**os.environ, "PROD_FRONTEND_DIR": str(build), "DATABASE_URL": database_url}
    env["POSTS_PER_PAGE"] = "2"
    with serve_asgi(
        "tests.prod_frontend_app:create", env=env, log_path=build.parent / "granian.log"
    ) as server:
        yield server.base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("first-paint")
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    with Session(engine) as session:
        susan, tom, zed = (
            User(username=name, email=f"{name}@example.com", password_hash="x")
            for name in ("susan", "tom", "zed")
        )
        zed.about_me = '<b>"zed"</b> & co'
        session.add_all([susan, tom, zed])
        session.flush()
        follow(session, follower_id=susan.id or 0, followed_id=tom.id or 0)
        now = utcnow()
        ago = [(susan, 0), (susan, 120), (susan, 180), (tom, 60), (zed, 30)]  # minutes
        made = {
            (author.username, minutes): Post(
                body=f"{author.username} {minutes}",
                user_id=author.id,
                timestamp=now - timedelta(minutes=minutes),
                language="en",
            )
            for author, minutes in ago
        }
        session.add_all(made.values())
        session.commit()
        ids = {key: post.id or 0 for key, post in made.items()}
        newest = ids[("susan", 0)]
        reactions.like_post(session, user_id=tom.id or 0, post_id=newest)
        posts.edit_post(session, post_id=newest, user_id=susan.id or 0, body="susan 0, *edited*")
        session.add(
            MediaAttachment(
                user_id=susan.id or 0,
                post_id=newest,
                file_name="a" * 64 + ".jpg",
                thumb_name="b" * 64 + ".jpg",
                content_type="image/jpeg",
                width=1600,
                height=900,
                thumb_width=400,
                thumb_height=225,
                blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                alt_text='A heron <i>"fishing"</i>',
            )
        )
        session.flush()
        refresh_post_media(session, post_id=newest)
        session.commit()
        users.set_language(session, user_id=susan.id or 0, language="es")
        session.commit()
        token = session_token(session, susan)
    engine.dispose()
    explore = [ids[k] for k in sorted(ids, key=lambda key: key[1])]
    home = [ids[k] for k in sorted(ids, key=lambda key: key[1]) if k[0] != "zed"]
    cookie = f"{get_settings().session_cookie_name}={token}"
    for base in _serve(_build(root, PAGE), url):
        posts_of = {
            name: [ids[k] for k in sorted(ids, key=lambda key: key[1]) if k[0] == name]
            for name in ("susan", "tom", "zed")
        }
        yield Site(base=base, explore=explore, susans_home=home, cookie=cookie, posts_of=posts_of)


def _cards(page: str) -> list[int]:
    start = page.index(FIRST_PAINT_CLASS)
    return [int(chunk.split('"', 1)[0]) for chunk in page[start:].split('data-post-id="')[1:]]


def test_explore_is_sent_with_its_first_page_of_posts(site: Site) -> None:
    response = httpx.get(f"{site.base}/explore", headers={"Accept-Language": "zh"})
    assert response.status_code == 200
    assert _cards(response.text) == site.explore[:2]
    assert "说" in response.text  # the visitor's browser language
    assert response.text.startswith("<!doctype html><title>Microblog</title>")
    assert response.headers["cache-control"] == PERSONAL
    assert "etag" not in response.headers and "last-modified" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)


def test_cards_are_sent_with_their_pictures(site: Site) -> None:
    """The thumbnail with its size and placeholder, the alt text escaped, the ALT badge."""
    page = _feed_part(httpx.get(f"{site.base}/explore").text)
    newest = page[: page.index("</article>")]
    assert '<div class="post-media" role="group" aria-label="Pictures">' in newest
    assert f'src="http://localhost:8000/media/{"b" * 64}.jpg"' in newest
    assert f'data-full="http://localhost:8000/media/{"a" * 64}.jpg"' in newest
    assert 'width="400" height="225" loading="lazy"' in newest
    assert 'alt="A heron &lt;i&gt;&quot;fishing&quot;&lt;/i&gt;"' in newest
    assert "--placeholder:url(&quot;data:image/png;base64," in newest
    assert '<summary class="post-media-alt-badge"' in newest and "<i>" not in newest
    older = page[page.index("</article>") :]
    assert "post-media" not in older.split("</article>")[0]


def test_cards_are_sent_with_their_counts_and_markers(site: Site) -> None:
    """The first paint draws the card the live page draws: the rendered text, "edited", and the
    action bar with its counts, its buttons disabled until the page is live."""
    page = _feed_part(httpx.get(f"{site.base}/explore").text)
    newest = page[: page.index("</article>")]
    assert "susan 0, " in newest and 'class="rx-Html post-body rich"' in newest
    assert 'class="post-meta post-edited"' in newest and ">edited <time" in newest
    like = newest[newest.index('class="post-action post-like"') :]
    assert like.startswith('class="post-action post-like" type="button" aria-disabled="true"')
    assert 'aria-pressed="false"' in like[:200]
    assert '<span class="post-action-count">1</span>' in like[:300]
    assert f'href="/post/{site.explore[0]}"' in newest  # Reply: the conversation
    spanish = _feed_part(httpx.get(f"{site.base}/explore", headers={"Cookie": site.cookie}).text)
    assert ">editado <time" in spanish and ">Me gusta<" in spanish


def test_the_requested_page_and_the_readers_own_language(site: Site) -> None:
    response = httpx.get(
        f"{site.base}/explore?page=2",
        headers={"Cookie": site.cookie, "Accept-Language": "zh"},
    )
    assert _cards(response.text) == site.explore[2:4]
    assert "dijo" in response.text and "hace 1 hora" in response.text  # her profile's language


def _pager_links(page: str) -> list[str]:
    """The addresses the drawn pager links to, Newer first."""
    part = _feed_part(page)
    pager = part[part.index('<div class="pager">') :]
    return [html.unescape(chunk.split('"', 1)[0]) for chunk in pager.split('href="')[1:]]


def test_the_pager_is_drawn_under_the_posts_with_the_neighbouring_pages(site: Site) -> None:
    """Newer and Older work before the page is live (and without scripts): plain links to the
    pages the live pager links to, only where such a page exists."""
    first, middle, last = (httpx.get(f"{site.base}/explore?page={n}").text for n in ("1", "2", "3"))
    assert _pager_links(first) == ["/explore?page=2"]
    assert _pager_links(middle) == ["/explore?page=1", "/explore?page=3"]
    assert _pager_links(last) == ["/explore?page=2"]
    assert ">Older posts<" in _feed_part(first) and ">Newer posts<" in _feed_part(last)
    assert _feed_part(middle).index("</article>") < _feed_part(middle).index('class="pager"')
    own = httpx.get(f"{site.base}/user/susan", headers={"Cookie": site.cookie}).text
    assert _pager_links(own) == ["/user/susan?tab=posts&page=2"]


def test_home_is_the_signed_in_readers_own_feed(site: Site) -> None:
    response = httpx.get(f"{site.base}/", headers={"Cookie": site.cookie})
    nav = _nav_part(response.text)  # her links, in her language, before the page is live
    assert 'href="/messages">Mensajes</a>' in nav and "<span>Perfil</span></a>" in nav
    # Profile leads to the reader's page, with their initial where the live page draws their
    # picture (the picture itself comes with the live page).
    assert 'nav-profile" href="/user/susan"><span class="post-avatar nav-avatar"' in nav
    assert 'aria-hidden="true" data-hue="' in nav and '">S</span>' in nav
    assert 'href="/auth/logout">Cerrar sesión</a>' in nav and "Log in" not in nav
    assert _cards(response.text) == site.susans_home[:2]
    page_2 = httpx.get(f"{site.base}/?page=2", headers={"Cookie": site.cookie})
    assert _cards(page_2.text) == site.susans_home[2:4]
    assert "cookie" in response.headers["vary"].lower()


@pytest.mark.parametrize("cookie", ["", "microblog_session=forged"])
def test_home_for_a_visitor_is_the_bare_page(site: Site, cookie: str) -> None:
    """Nobody's feed for a visitor or a made-up token: the page sends them to log in."""
    name = get_settings().session_cookie_name
    headers = {"Cookie": cookie.replace("microblog_session", name)} if cookie else {}
    response = httpx.get(f"{site.base}/", headers=headers)
    assert response.status_code == 200 and _feed_part(response.text) == ""
    nav = _nav_part(response.text)
    assert 'href="/login">Log in</a>' in nav and 'href="/register">Register</a>' in nav
    assert "Messages" not in nav and "/auth/logout" not in nav


def test_a_page_past_the_end_says_it_has_no_posts_and_leads_back(site: Site) -> None:
    response = httpx.get(f"{site.base}/explore?page=9")
    drawn = _feed_part(response.text)
    assert ">No posts yet.</p>" in drawn and "data-post-id" not in drawn
    assert _pager_links(response.text) == ["/explore?page=8"]
    assert "Log in" in _nav_part(response.text)


def test_a_revalidation_gets_the_posts_not_a_stale_copy(site: Site) -> None:
    """The bare file's validators must not turn a full load into a 304 of what the browser
    kept: that copy holds the posts of an earlier moment."""
    head = httpx.head(f"{site.base}/explore")
    assert head.status_code == 200 and "etag" in head.headers  # HEAD: the file as it is
    again = httpx.get(f"{site.base}/explore", headers={"If-None-Match": head.headers["etag"]})
    assert again.status_code == 200 and _cards(again.text) == site.explore[:2]


def test_a_failed_read_sends_the_bare_page(tmp_path: Path) -> None:
    build = _build(tmp_path, PAGE)
    for base in _serve(build, f"sqlite:///{tmp_path / 'missing' / 'no.db'}"):
        response = httpx.get(f"{base}/explore")
        assert response.status_code == 200
        assert response.text == PAGE  # the live page loads its posts itself


# --- the profile (web/profile_first_paint.py) --------------------------------------------------


def _profile(page: str) -> str:
    start = page.index(FIRST_PAINT_CLASS)
    return page[start : page.index("</main>")]


def test_a_profile_is_sent_whole_for_a_follower(site: Site) -> None:
    """Susan follows Tom and reads in Spanish: his card with her Unfollow, the tabs, his post."""
    response = httpx.get(f"{site.base}/user/tom", headers={"Cookie": site.cookie})
    profile = _profile(response.text)
    assert '<h1 class="profile-username">tom</h1>' in profile
    assert '<strong class="followers-count">1</strong> seguidor<' in profile  # singular
    assert '<strong class="following-count">0</strong> siguiendo' in profile
    assert 'aria-disabled="true">Dejar de seguir</button>' in profile  # until the page is live
    assert 'href="/messages/tom">Enviar mensaje privado</a>' in profile
    assert "Edita tu perfil" not in profile
    assert 'rt-variant-solid rt-Button profile-tab" href="/user/tom?tab=posts"' in profile
    assert 'rt-variant-ghost rt-Button profile-tab" href="/user/tom?tab=followers"' in profile
    assert _cards(response.text) == site.posts_of["tom"]
    assert response.headers["cache-control"] == PERSONAL


def test_your_own_profile_offers_edit_and_export_and_pages(site: Site) -> None:
    first = _profile(httpx.get(f"{site.base}/user/susan", headers={"Cookie": site.cookie}).text)
    assert 'href="/edit_profile">Edita tu perfil</a>' in first
    assert ">Exportar tus publicaciones</button>" in first
    assert "Dejar de seguir" not in first and ">Seguir<" not in first
    assert _cards(first) == site.posts_of["susan"][:2]
    second = httpx.get(f"{site.base}/user/susan?page=2", headers={"Cookie": site.cookie})
    assert _cards(second.text) == site.posts_of["susan"][2:]


def test_a_visitor_sees_no_buttons_and_what_users_wrote_is_escaped(site: Site) -> None:
    response = httpx.get(f"{site.base}/user/zed", headers={"Accept-Language": "en"})
    profile = _profile(response.text)
    assert '<div class="profile-actions"></div>' in profile
    assert '<p class="about-me">&lt;b&gt;&quot;zed&quot;&lt;/b&gt; &amp; co</p>' in profile
    assert "<b>" not in profile
    assert "0</strong> followers" in profile
    assert '<p class="profile-meta last-seen">Last seen <time class="relative-time"' in profile


def test_a_profile_page_without_posts_says_so_under_the_card(site: Site) -> None:
    """Past the last page: the card and tabs, the note the live page shows, and Newer."""
    response = httpx.get(f"{site.base}/user/tom?page=5", headers={"Cookie": site.cookie})
    profile = _profile(response.text)
    assert '<h1 class="profile-username">tom</h1>' in profile
    assert ">Todavía no hay publicaciones.</p>" in profile and "data-post-id" not in profile
    assert _pager_links(response.text) == ["/user/tom?tab=posts&page=4"]


@pytest.mark.parametrize("address", ["/user/nobody", "/user/tom?tab=followers"])
def test_no_profile_is_drawn_for_an_unknown_user_or_another_tab(site: Site, address: str) -> None:
    """The live page says what there is to say (not found, the people); an unknown user's
    address answers 404, with the same page, which says so."""
    response = httpx.get(f"{site.base}{address}", headers={"Cookie": site.cookie})
    assert response.status_code == (404 if "nobody" in address else 200)
    assert _feed_part(response.text) == ""
    assert "Mensajes" in _nav_part(response.text)  # the navbar is still hers
    if "nobody" in address:
        assert response.headers["cache-control"] == "private, no-store"


def test_a_profile_that_shows_no_posts_says_why_as_the_live_page_does(
    session: Session, add_user: Callable[..., User]
) -> None:
    """Blocked either way, the profile's drawing says what the live page says in place of the
    posts (widgets/empty_note.py), not that there are none."""
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    session.add(Post(body="bob's post", user_id=bob.id, language="en"))
    block_user(session, blocker_id=bob.id or 0, blocked_id=ann.id or 0)
    session.commit()

    def drawn(reader: User, name: str) -> str:
        who = SessionUser(
            user_id=reader.id or 0, username=reader.username, email="", last_seen=utcnow()
        )
        asked = Asked(path=f"/user/{name}", query={}, page=1, reader=who, lang="en")
        draw = drawing_for(asked.path)
        assert draw is not None
        return draw(session, asked) or ""

    unavailable, blocked = drawn(ann, "bob"), drawn(bob, "ann")
    assert 'profile-unavailable"' in unavailable and "not available to you" in unavailable
    assert "bob&#x27;s post" not in unavailable and "No posts yet." not in unavailable
    assert 'profile-blocked"' in blocked and "You blocked this account." in blocked
    assert "No posts yet." not in blocked
