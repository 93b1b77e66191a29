"""The Notifications page (`/notifications`) is sent with the reader's lines in its HTML, over
real HTTP with granian in front of a build folder: the newest first, in the reader's language,
what people wrote escaped, unread ones flagged "new"; only the reader's own, what will show
up there for a reader without any, nothing for a visitor. Drawing them marks nothing read."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import make_engine
from microblog.i18n import _l, translate
from microblog.models import User
from microblog.services import notifications, users
from microblog.services.follows import follow
from microblog.services.posts import create_post
from microblog.services.reactions import like_post
from microblog.web.first_paint import PERSONAL
from tests.tab_state import session_token
from tests.unit.test_conversation_first_paint import Site
from tests.unit.test_feed_first_paint import PAGE, _feed_part, _nav_part, _serve

FAN = '<b>fan</b>"x'  # a username is checked at registration; written straight in to test escaping


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("notifications-first-paint")
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    cookies = {}
    with Session(engine) as session:
        people = {
            name: User(
                username=name, email=f"{name.strip('<>b/')}{n}@example.com", password_hash="x"
            )
            for n, name in enumerate(("alice", "bob", "carol", FAN))
        }
        session.add_all(people.values())
        session.commit()
        ids = {name: person.id or 0 for name, person in people.items()}
        # Oldest first: bob follows alice, then likes her post; the fan follows her last.
        post = create_post(session, author_id=ids["alice"], body="a post to like")
        session.commit()
        follow(session, follower_id=ids["bob"], followed_id=ids["alice"])
        session.commit()
        like_post(session, user_id=ids["bob"], post_id=post.id or 0)
        session.commit()
        follow(session, follower_id=ids[FAN], followed_id=ids["alice"])
        session.commit()
        users.set_language(session, user_id=ids["alice"], language="es")
        session.commit()
        name = get_settings().session_cookie_name
        for person in people.values():
            cookies[person.username] = f"{name}={session_token(session, person)}"
    engine.dispose()
    build = root / "build"
    (build / "notifications").mkdir(parents=True)
    (build / "notifications" / "index.html").write_text(PAGE)
    for base in _serve(build, url):  # POSTS_PER_PAGE=2: the newest two
        yield Site(base=base, cookies=cookies, database_url=url)


def _lines(drawn: str) -> list[tuple[str, str, str]]:
    """(kind, link, text) of each line drawn, in order ("" when the line is no link)."""
    return re.findall(
        r'data-kind="(\w+)"><div class="notification-line"><svg .*?</svg>'
        r'(?:<a class="[^"]*" href="([^"]*)">)?<p class="rt-Text notification-text">([^<]*)</p>',
        drawn,
    )


def test_the_readers_newest_lines_are_drawn_in_their_language(site: Site) -> None:
    response = httpx.get(f"{site.base}/notifications", headers={"Cookie": site.cookies["alice"]})
    assert response.status_code == 200
    assert response.headers["cache-control"] == PERSONAL
    drawn = _feed_part(response.text)
    assert drawn.startswith('<div class="notification-list">')
    followed = translate(_l("%(username)s started following you.", username=FAN), "es")
    liked = translate(_l("%(username)s liked your post.", username="bob"), "es")
    assert "started" not in followed and "bob" in liked and "liked" not in liked  # Spanish
    post_link = re.search(r'href="(/post/\d+)"', drawn)
    assert post_link is not None
    # The newest two (POSTS_PER_PAGE): the fan's follow, then bob's like, both unread.
    assert _lines(drawn) == [
        ("follower", html.escape(f"/user/{FAN}"), html.escape(followed)),
        ("like", post_link.group(1), html.escape(liked)),
    ]
    assert "<b>" not in drawn
    new = translate(_l("new"), "es")
    assert new != "new" and drawn.count(f'data-accent-color="indigo">{new}</span>') == 2
    assert translate(_l("Log out"), "es") in _nav_part(response.text)


def test_drawing_them_marks_nothing_read(site: Site) -> None:
    engine = make_engine(site.database_url)
    try:
        with Session(engine) as db:
            alice = users.get_user_by_username(db, "alice")
            before = notifications.unread_count(db, user_id=alice.id or 0)
            httpx.get(f"{site.base}/notifications", headers={"Cookie": site.cookies["alice"]})
            db.expire_all()
            assert notifications.unread_count(db, user_id=alice.id or 0) == before == 3
    finally:
        engine.dispose()


def test_only_the_readers_own_lines_and_a_note_without_any(site: Site) -> None:
    """carol has none: the note says what will show up there; a visitor or a forged session
    gets the bare page, which sends them to log in; bob's lines are not alice's."""
    name = get_settings().session_cookie_name
    for headers in ({"Cookie": site.cookies["carol"]}, {}, {"Cookie": f"{name}=forged"}):
        response = httpx.get(f"{site.base}/notifications", headers=headers)
        drawn = _feed_part(response.text)
        assert response.status_code == 200
        if headers.get("Cookie") == site.cookies["carol"]:
            assert "Nothing yet. Replies, mentions" in drawn
        else:
            assert drawn == ""
        assert "liked your post" not in response.text and "fan" not in response.text
    response = httpx.get(f"{site.base}/notifications", headers={"Cookie": site.cookies["bob"]})
    drawn = _feed_part(response.text)  # bob was notified of nothing
    assert "Nothing yet. Replies, mentions" in drawn and "notification-line" not in drawn
