"""The Messages pages are sent with their content in the page's HTML, over real HTTP: the list of
the reader's conversations (`/messages`), and a conversation (`/messages/<name>`), from the one
prerendered conversation page (web/profile_skeleton.py) with its messages. Only the signed-in
reader's own conversations, never anyone else's, and nothing for a visitor. Reading them there
marks nothing read (the live page does, when it loads)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import make_engine
from microblog.i18n import Message, translate
from microblog.models import User
from microblog.services import users
from microblog.services.conversations import unread_message_count
from microblog.services.messages import send_message
from microblog.web.first_paint import PERSONAL
from microblog.web.profile_skeleton import CONVERSATION_SKELETON
from tests.tab_state import session_token
from tests.unit.test_feed_first_paint import PAGE, _feed_part, _nav_part, _serve

ALICE_TO_BOB = ["hello bob", "<b>still</b> there & awake?", "ping"]
BOB_TO_ALICE = ["yes, here"]
CAROL_TO_DAN = ["a secret between carol and dan"]


@dataclass
class Site:
    base: str
    cookies: dict[str, str]  # username -> a Cookie header signing them in
    database_url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("conversation-first-paint")
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    cookies = {}
    with Session(engine) as session:
        people = {
            name: User(username=name, email=f"{name}@example.com", password_hash="x")
            for name in ("alice", "bob", "carol", "dan", "erin")  # erin writes to nobody
        }
        session.add_all(people.values())
        session.commit()
        # Oldest first: alice, bob, alice, alice (the newest); and carol's, to dan.
        for sender, recipient, body in [
            ("alice", "bob", ALICE_TO_BOB[0]),
            ("bob", "alice", BOB_TO_ALICE[0]),
            ("alice", "bob", ALICE_TO_BOB[1]),
            ("carol", "dan", CAROL_TO_DAN[0]),
            ("alice", "bob", ALICE_TO_BOB[2]),
        ]:
            send_message(
                session,
                sender_id=people[sender].id or 0,
                recipient_username=recipient,
                body=body,
            )
            session.commit()
        users.set_language(session, user_id=people["bob"].id or 0, language="zh")
        session.commit()
        name = get_settings().session_cookie_name
        for person in people.values():
            cookies[person.username] = f"{name}={session_token(session, person)}"
    engine.dispose()
    build = root / "build"
    skeleton = build / CONVERSATION_SKELETON.strip("/")
    skeleton.mkdir(parents=True)
    (skeleton / "index.html").write_text(PAGE)
    (build / "messages").mkdir(exist_ok=True)  # the skeleton may be under it
    (build / "messages" / "index.html").write_text(PAGE)
    for base in _serve(build, url):  # POSTS_PER_PAGE=2: the newest two, "earlier" above
        yield Site(base=base, cookies=cookies, database_url=url)


def _messages(drawn: str) -> list[tuple[str, str]]:
    """(side, text) of each message drawn, in order."""
    found = re.findall(
        r'<div class="message (mine|theirs)" data-message-id="\d+"><p class="message-body">'
        r'<span class="visually-hidden">[^<]*</span>([^<]*)</p>',
        drawn,
    )
    return [(side, text) for side, text in found]


def test_the_readers_conversation_is_drawn_oldest_first_with_both_sides(site: Site) -> None:
    response = httpx.get(f"{site.base}/messages/bob", headers={"Cookie": site.cookies["alice"]})
    assert response.status_code == 200
    assert response.headers["cache-control"] == PERSONAL
    drawn = _feed_part(response.text)
    assert drawn.startswith('<section class="conversation-page"><div class="conversation-head">')
    # The newest two (POSTS_PER_PAGE), oldest first, so the newest is at the bottom.
    assert _messages(drawn) == [
        ("mine", "&lt;b&gt;still&lt;/b&gt; there &amp; awake?"),
        ("mine", "ping"),
    ]
    assert "<b>" not in drawn
    assert ">Load earlier messages</button>" in drawn  # there are older ones
    assert 'aria-label="Conversation with bob"' in drawn
    assert '<a class="rt-Text rt-reset rt-Link rt-underline-auto" href="/user/bob">bob</a>' in drawn
    assert 'href="/messages">' in drawn and "All messages" in drawn
    assert "Log out" in _nav_part(response.text)


def test_the_other_side_reads_it_in_their_own_language(site: Site) -> None:
    response = httpx.get(f"{site.base}/messages/alice", headers={"Cookie": site.cookies["bob"]})
    drawn = _feed_part(response.text)
    assert _messages(drawn) == [
        ("theirs", "&lt;b&gt;still&lt;/b&gt; there &amp; awake?"),
        ("theirs", "ping"),
    ]
    assert '<span class="visually-hidden">alice\uff1a </span>' in drawn  # "alice:" in Chinese
    assert ">\u52a0\u8f7d\u66f4\u65e9\u7684\u79c1\u4fe1</button>" in drawn  # Load earlier
    assert ">\u5168\u90e8\u79c1\u4fe1</a>" in drawn  # All messages


def _rows(drawn: str) -> list[tuple[str, str, str, str]]:
    """(class, who with, you?, last message) of each conversation of the list, in order."""
    return re.findall(
        r'<li><a class="(conversation[^"]*)" data-username="[^"]+" href="/messages/([^"]+)">'
        r'.*?<p class="conversation-last">(?:<span class="conversation-you">([^<]*)</span>)?'
        r"([^<]*)</p>",
        drawn,
    )


def test_the_readers_conversations_are_listed_with_the_newest_message(site: Site) -> None:
    response = httpx.get(f"{site.base}/messages", headers={"Cookie": site.cookies["alice"]})
    assert response.status_code == 200
    assert response.headers["cache-control"] == PERSONAL
    drawn = _feed_part(response.text)
    assert drawn.startswith('<ul class="conversation-list"><li>')
    # alice wrote last ("ping"), so it is said as hers; bob's one answer is still unread.
    assert _rows(drawn) == [("conversation unread", "bob", "You: ", "ping")]
    assert (
        '<span class="unread-count"><span aria-hidden="true">1</span>'
        '<span class="visually-hidden">1 unread message</span></span>'
    ) in drawn
    assert '<span class="conversation-name">bob</span>' in drawn
    assert "Log out" in _nav_part(response.text)


def test_unread_messages_are_counted_in_the_readers_language(site: Site) -> None:
    response = httpx.get(f"{site.base}/messages", headers={"Cookie": site.cookies["bob"]})
    drawn = _feed_part(response.text)
    assert _rows(drawn) == [("conversation unread", "alice", "", "ping")]
    said = translate(Message("%(num)d unread message", "%(num)d unread messages", 3), "zh")
    assert "3" in said and said != "3 unread messages"
    assert (
        '<span class="unread-count"><span aria-hidden="true">3</span>'
        f'<span class="visually-hidden">{said}</span></span>'
    ) in drawn


def test_what_people_wrote_is_text_in_the_list(site: Site) -> None:
    """The newest message of carol's conversation is hers; dan's list says it as it is."""
    response = httpx.get(f"{site.base}/messages", headers={"Cookie": site.cookies["dan"]})
    drawn = _feed_part(response.text)
    assert _rows(drawn) == [("conversation unread", "carol", "", CAROL_TO_DAN[0])]
    for text in ("still", "ping", "hello bob", "yes, here"):  # alice's and bob's, not dan's
        assert text not in response.text


def test_a_reader_without_conversations_is_told_how_to_start_one_a_visitor_gets_the_bare_page(
    site: Site,
) -> None:
    """The note the live page shows, drawn at once; the visitor's page sends them to log in."""
    name = get_settings().session_cookie_name
    for headers in ({"Cookie": site.cookies["erin"]}, {}, {"Cookie": f"{name}=forged"}):
        response = httpx.get(f"{site.base}/messages", headers=headers)
        drawn = _feed_part(response.text)
        assert response.status_code == 200
        if headers.get("Cookie") == site.cookies["erin"]:
            assert "No conversations yet. Start one from someone&#x27;s profile." in drawn
        else:
            assert drawn == ""
        for text in ("ping", "yes, here", "secret"):
            assert text not in response.text


def test_opening_it_from_the_html_marks_nothing_read(site: Site) -> None:
    engine = make_engine(site.database_url)
    try:
        with Session(engine) as db:
            bob = users.get_user_by_username(db, "bob")
            before = unread_message_count(db, user_id=bob.id or 0)
            for address in ("/messages/alice", "/messages"):
                httpx.get(f"{site.base}{address}", headers={"Cookie": site.cookies["bob"]})
            assert unread_message_count(db, user_id=bob.id or 0) == before == 3
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("reader", "address"),
    [
        ("carol", "/messages/alice"),  # carol and alice never wrote: alice's talk with bob
        ("carol", "/messages/bob"),
        ("dan", "/messages/alice"),
        ("alice", "/messages/dan"),  # alice and dan neither: not carol's message to dan
    ],
)
def test_another_users_conversation_is_never_drawn(site: Site, reader: str, address: str) -> None:
    response = httpx.get(f"{site.base}{address}", headers={"Cookie": site.cookies[reader]})
    drawn = _feed_part(response.text)
    assert _messages(drawn) == []
    assert '<p class="chat-empty">No messages yet: write the first one below.</p>' in drawn
    for text in ("still", "ping", "hello bob", "yes, here", "secret"):
        assert text not in response.text


@pytest.mark.parametrize(
    "cookie",
    ["", "microblog_session=forged"],
    ids=["visitor", "forged session"],
)
def test_nothing_is_drawn_for_a_visitor(site: Site, cookie: str) -> None:
    name = get_settings().session_cookie_name
    headers = {"Cookie": cookie.replace("microblog_session", name)} if cookie else {}
    for address in ("/messages/bob", "/messages/alice"):
        response = httpx.get(f"{site.base}{address}", headers=headers)
        assert response.status_code == 200 and _feed_part(response.text) == ""
        assert "still" not in response.text and "Log in" in _nav_part(response.text)


@pytest.mark.parametrize("address", ["/messages/nobody", "/messages/alice"])
def test_nothing_for_an_unknown_name_or_oneself(site: Site, address: str) -> None:
    """The live page says what is wrong ("no such user", "you cannot write to yourself")."""
    response = httpx.get(f"{site.base}{address}", headers={"Cookie": site.cookies["alice"]})
    assert response.status_code == 200 and _feed_part(response.text) == ""
    assert "Log out" in _nav_part(response.text)
