"""A feed's first page of posts, written into the page's HTML (components/feed_first_paint.py
says why).

A full load of a feed (`/explore`; `/`, the home feed of the signed-in reader; a profile's posts
tab, `/user/<name>`, drawn whole by profile_first_paint.py; a thread, `/post/<id>`; a tag,
`/tag/<name>`; the signed-in reader's conversations, `/messages`, and one of them,
`/messages/<name>`, drawn by conversation_first_paint.py; the reader's notifications,
`/notifications`, by notifications_first_paint.py; and search results, `/search?q=`, by
search_first_paint.py) gets
the prerendered page, as the static files send it (with the status 404 when the user or post
does not exist, so that search engines and link checkers see what a person sees), with the
requested page of posts inside its `feed-first-paint` element: the markup of the page's own post
cards (components/post_card.py) in the reader's language, less what needs the live page (the
user card on hover) and the avatars' pictures (their initials show). Its buttons are disabled
and its links plain links until React takes over, and the page's own list replaces it when the
tab's data arrives.

The response is made for one reader at one moment, so it carries no validators and says
`private, no-store`: a home feed is not kept in the browser's cache after the reader leaves (a
shared computer), and there is nothing to revalidate anyway. The static files are asked
without the browser's validators and without Accept-Encoding, so that there is a whole page to
write into. Whatever goes wrong (no such element in the page, a failed read) sends the page as
the static files made it: the live page loads its posts as it always did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.config import get_settings
from microblog.db import run_read
from microblog.i18n.messages import Message as Text
from microblog.models import utcnow
from microblog.routes import (
    EXPLORE,
    INDEX,
    MESSAGES,
    NOTIFICATIONS,
    SEARCH,
    conversation_username,
    page_url,
    post_url,
    profile_username,
    search_url,
    tag_name,
    tag_url,
    thread_post_id,
    user_url,
)
from microblog.schemas import Page, PostRow
from microblog.services import notifications, search
from microblog.services.auth_sessions import SessionUser, session_user
from microblog.services.conversations import list_conversations, read_conversation
from microblog.services.errors import DomainError, NotFound
from microblog.services.feeds import feed_page
from microblog.services.pagination import clamp_page
from microblog.services.profile import read_profile, tab_of
from microblog.services.tags import tag_posts
from microblog.services.threads import open_thread
from microblog.services.translation import translation_enabled
from microblog.web.conversation_first_paint import conversation_html, conversations_html
from microblog.web.nav_first_paint import nav_html
from microblog.web.notifications_first_paint import notifications_html
from microblog.web.page_languages import page_headers, page_in_language, reader_language
from microblog.web.pager_first_paint import Paged, pager_html
from microblog.web.profile_first_paint import profile_html
from microblog.web.search_first_paint import search_html
from microblog.web.whole_page import whole_page, without_validators
from microblog.widgets.empty_note import (
    NO_CONVERSATIONS,
    NO_NOTIFICATIONS,
    NO_POSTS,
    NO_POSTS_AT_HOME,
    NO_POSTS_WITH_TAG,
    NO_REPLIES,
    NOT_AVAILABLE,
    YOU_BLOCKED,
    empty_note,
)
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.post_card import POST_CARD, POST_LIST_CLASS, reader_fields
from microblog.widgets.profile import PROFILE_BLOCKED, PROFILE_UNAVAILABLE
from microblog.widgets.thread import REPLIES_HEADING, REPLY_OPENER, THREAD_CUT
from microblog.widgets.tree import Value

log = logging.getLogger(__name__)

# The element as the prerender writes components/feed_first_paint.py's rx.html("") (the two
# are kept in step by tests/unit/test_feed_first_paint.py).
PLACEHOLDER_CLASS = "rx-Html feed-first-paint"
_OPEN = f'<div class="{PLACEHOLDER_CLASS}">'
_PLACEHOLDER = (_OPEN + "</div>").encode()
NAV_PLACEHOLDER_CLASS = "rx-Html nav-first-paint"
_NAV_OPEN = f'<div class="{NAV_PLACEHOLDER_CLASS}">'
_NAV_PLACEHOLDER = (_NAV_OPEN + "</div>").encode()
PERSONAL = "private, no-store"


def post_cards_html(rows: Sequence[PostRow], *, lang: str, reader_id: int) -> str:
    """The post list as the live page draws it (microblog/widgets/post_card.py), without the
    user card on hover, every value escaped, for `reader_id` (0: a visitor): their own posts
    with Edit and Delete, and Translate where it is offered, disabled until the page is live.

    Avatars are drawn as the user's initial, the fallback the live card shows until the picture
    loads: with the picture, the first paint would start 25 image loads that the live list, in
    new elements, starts again; where they fail (offline, blocked) the page goes live later
    (docs/performance.md, "Why the first paint exists"), for pictures that do not come anyway."""
    now, reader = utcnow(), card_reader(lang=lang, reader_id=reader_id)
    cards = "".join(
        HtmlRenderer(fields_of(row, **reader), lang=lang, now=now).node(POST_CARD) for row in rows
    )
    return f'<div class="{POST_LIST_CLASS}">{cards}</div>'


def card_reader(*, lang: str, reader_id: int) -> dict[str, Value]:
    """What a post card reads of its reader (widgets/post_card.py `reader_fields`): Translate is
    offered to a signed-in reader when a translation service is configured."""
    can_translate = bool(reader_id) and translation_enabled()
    return reader_fields(reader_id=reader_id, lang=lang, can_translate=can_translate)


@dataclass(frozen=True)
class Asked:
    """What a first paint is drawn for: the page's address and its reader."""

    path: str
    query: dict[str, list[str]]
    page: int
    reader: SessionUser | None
    lang: str

    @property
    def reader_id(self) -> int:
        """The signed-in reader's id, 0 for a visitor (no user has it)."""
        return self.reader.user_id if self.reader else 0

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


class Missing(Exception):
    """The address names nothing (an unknown user, a post that does not exist): the page is sent
    as drawn, for the live page to say so, with the status 404."""


def _cards(rows: Sequence[PostRow], asked: Asked) -> str | None:
    return post_cards_html(rows, lang=asked.lang, reader_id=asked.reader_id) if rows else None


def _pager(noun: str, listing: Paged, asked: Asked, address: str) -> str:
    """The pager under a drawn list of `noun`, whose pages are at `address`."""
    return pager_html(noun, listing, href=lambda page: page_url(address, page), lang=asked.lang)


def _empty(message: Text, asked: Asked, cls: str = "") -> str:
    """The note an empty list shows (widgets/empty_note.py)."""
    note = empty_note(message, cls)
    return HtmlRenderer(fields_of(), lang=asked.lang, now=utcnow()).node(note)


def _posts(listing: Page[PostRow], asked: Asked, address: str, empty: Text) -> str:
    """A feed's page of posts (or the note that it has none) and its pager, as the live page's
    column draws them."""
    cards = _cards(listing.items, asked) or _empty(empty, asked)
    return cards + _pager("posts", listing, asked, address)


def _explore(db: Session, asked: Asked) -> str | None:
    per_page = get_settings().posts_per_page
    page = feed_page(db, feed="explore", reader_id=0, page=asked.page, per_page=per_page)
    return _posts(page, asked, EXPLORE, NO_POSTS)


def _home(db: Session, asked: Asked) -> str | None:
    if asked.reader is None:
        return None  # the page sends a visitor to log in
    per_page = get_settings().posts_per_page
    page = feed_page(
        db, feed="home", reader_id=asked.reader.user_id, page=asked.page, per_page=per_page
    )
    return _posts(page, asked, INDEX, NO_POSTS_AT_HOME)


def _profile(db: Session, asked: Asked) -> str | None:
    """The whole profile (card, tabs, posts or the note that there are none, pager) on its posts
    tab; nothing for the other tabs; `Missing` for an unknown user."""
    tab = tab_of(asked.param("tab"))
    username = profile_username(asked.path) or ""
    reader_id = asked.reader.user_id if asked.reader else None
    try:
        view = read_profile(
            db,
            username=username,
            viewer_id=reader_id,
            tab=tab,
            page=asked.page,
            per_page=get_settings().posts_per_page,
        )
    except NotFound:
        raise Missing from None
    if tab != "posts":
        return None
    if view.blocks_viewer:
        cards = _empty(NOT_AVAILABLE, asked, PROFILE_UNAVAILABLE)
    elif view.blocked:
        cards = _empty(YOU_BLOCKED, asked, PROFILE_BLOCKED)
    else:
        cards = _cards(view.posts, asked) or _empty(NO_POSTS, asked)
    address = user_url(view.user.username, tab)
    below = _pager("", view.listing, asked, address)
    return profile_html(view, cards + below, reader_id=reader_id, lang=asked.lang, now=utcnow())


def _tag(db: Session, asked: Asked) -> str | None:
    """A tag's page of posts (pages/tag.py), newest first."""
    reader_id, name = asked.reader_id, tag_name(asked.path) or ""
    page = tag_posts(
        db, name=name, viewer_id=reader_id, page=asked.page, per_page=get_settings().posts_per_page
    )
    return _posts(page, asked, tag_url(name), NO_POSTS_WITH_TAG)


def _thread(db: Session, asked: Asked) -> str | None:
    """A thread (pages/thread.py): the note that it began at a deleted post, the posts it
    answers, the post, the reply box's opener, the replies' heading, the replies and their
    pager, in the live page's wrappers. `Missing` for an unknown post."""
    reader_id = asked.reader_id
    try:
        thread = open_thread(
            db,
            post_id=thread_post_id(asked.path) or 0,
            viewer_id=reader_id,
            page=asked.page,
            per_page=get_settings().posts_per_page,
        )
    except NotFound:
        raise Missing from None
    now = utcnow()
    parts = HtmlRenderer(
        fields_of(earlier_deleted=thread.earlier_deleted, signed_in=bool(reader_id)),
        lang=asked.lang,
        now=now,
    )
    drawn = [parts.node(THREAD_CUT)]
    if thread.ancestors:
        ancestors = post_cards_html(thread.ancestors, lang=asked.lang, reader_id=reader_id)
        drawn.append(ancestors.replace(POST_LIST_CLASS, f"{POST_LIST_CLASS} thread-ancestors", 1))
    reader = card_reader(lang=asked.lang, reader_id=reader_id)
    focus = HtmlRenderer(fields_of(thread.post, **reader), lang=asked.lang, now=now).node(POST_CARD)
    drawn += [
        f'<div class="thread-focus">{focus}</div>',
        parts.node(REPLY_OPENER),
        parts.node(REPLIES_HEADING),
    ]
    replies = _cards(thread.replies.items, asked) or _empty(NO_REPLIES, asked)
    drawn.append(f'<div class="thread-replies">{replies}</div>')
    drawn.append(_pager("replies", thread.replies, asked, post_url(thread.post.id)))
    return f'<div class="thread-first-paint">{"".join(drawn)}</div>'


def _conversation(db: Session, asked: Asked) -> str | None:
    """The reader's own conversation with the person in the address (pages/conversation.py),
    read without marking it read (the live page does, when it loads). Nothing for a visitor,
    an unknown name or oneself: the live page sends the visitor to log in or says what is
    wrong. Only ever the messages between the reader and that person."""
    if asked.reader is None:
        return None
    try:
        view = read_conversation(
            db,
            user_id=asked.reader.user_id,
            other_username=conversation_username(asked.path) or "",
            per_page=get_settings().posts_per_page,
            mark_read=False,
        )
    except DomainError:
        return None
    return conversation_html(view, lang=asked.lang, now=utcnow())


def _messages(db: Session, asked: Asked) -> str | None:
    """The reader's own conversations (pages/messages.py), the newest first, or the note that
    says how to start one; nothing for a visitor (the live page sends them to log in)."""
    if asked.reader is None:
        return None
    listing = list_conversations(
        db, user_id=asked.reader.user_id, page=asked.page, per_page=get_settings().posts_per_page
    )
    if listing.items:
        drawn = conversations_html(listing.items, lang=asked.lang, now=utcnow())
    else:
        drawn = _empty(NO_CONVERSATIONS, asked)
    return drawn + _pager("conversations", listing, asked, MESSAGES)


def _notifications(db: Session, asked: Asked) -> str | None:
    """The reader's own notifications (pages/notifications.py), the newest first, unread ones
    flagged, or the note that says what will show up there; read without marking anything
    read. Nothing for a visitor (the live page sends them to log in)."""
    if asked.reader is None:
        return None
    listing = notifications.list_notifications(
        db, user_id=asked.reader.user_id, page=asked.page, per_page=get_settings().posts_per_page
    )
    if listing.items:
        drawn = notifications_html(listing.items, lang=asked.lang, now=utcnow())
    else:
        drawn = _empty(NO_NOTIFICATIONS, asked)
    return drawn + _pager("notifications", listing, asked, NOTIFICATIONS)


def _search(db: Session, asked: Asked) -> str | None:
    """The first page of results for `q` (pages/search.py) when posts match; nothing for an
    empty query, no posts, or an engine that cannot answer (the live page says which)."""
    query = search.clean_query(asked.param("q"))
    if not query:
        return None
    reader_id = asked.reader_id
    try:
        results = search.search_posts(
            db,
            q=query,
            page=asked.page,
            per_page=get_settings().posts_per_page,
            viewer_id=reader_id,
        )
    except search.SearchUnavailable:
        return None
    users = search.search_users(db, q=query, viewer_id=reader_id) if results.posts else []
    reader = card_reader(lang=asked.lang, reader_id=reader_id)
    below = pager_html(
        "results", results, href=lambda page: search_url(query, page), lang=asked.lang
    )
    return search_html(results, users, reader, below=below, lang=asked.lang, now=utcnow())


Draw = Callable[[Session, Asked], "str | None"]
_FEEDS: dict[str, Draw] = {
    "/": _home,
    "/explore": _explore,
    "/explore/": _explore,
    SEARCH: _search,
    SEARCH + "/": _search,
    MESSAGES: _messages,
    MESSAGES + "/": _messages,
    NOTIFICATIONS: _notifications,
    NOTIFICATIONS + "/": _notifications,
}


def drawing_for(path: str) -> Draw | None:
    """What the server draws into the page at `path`, if anything."""
    if path in _FEEDS:
        return _FEEDS[path]
    if thread_post_id(path) is not None:
        return _thread
    if tag_name(path) is not None:
        return _tag
    if conversation_username(path) is not None:
        return _conversation
    return _profile if profile_username(path) is not None else None


@dataclass(frozen=True)
class Painted:
    content: str | None  # the page's posts (or profile), None when there is nothing to draw
    nav: str  # the navbar's links for the reader (web/nav_first_paint.py)
    lang: str  # the language it is drawn in, the page's too (web/page_languages.py)
    missing: bool = False  # the address names nothing: answered 404


def _draw(
    db: Session,
    draw: Draw,
    *,
    path: str,
    query: dict[str, list[str]],
    token: str,
    accept_language: str | None,
) -> Painted:
    """`draw` and the navbar for the reader of `token`, in the reader's language
    (web/page_languages.py, `reader_language`)."""
    reader = session_user(db, token=token)
    lang = reader_language(reader, accept_language)
    pages = query.get("page")
    page = clamp_page(pages[0] if pages else None)
    asked = Asked(path=path, query=query, page=page, reader=reader, lang=lang)
    try:
        content = draw(db, asked)
    except Missing:
        return Painted(content=None, nav=nav_html(reader, lang=lang), lang=lang, missing=True)
    return Painted(content=content, nav=nav_html(reader, lang=lang), lang=lang)


async def first_paint(
    draw: Draw, *, path: str, query_string: str, cookie: str, accept_language: str | None
) -> Painted | None:
    """The markup for the page at `path` for the reader of `cookie`, or None when it could not
    be read."""
    query = parse_qs(query_string)
    token = cookie_parser(cookie).get(get_settings().session_cookie_name, "")
    try:
        return await run_read(
            lambda db: _draw(
                db, draw, path=path, query=query, token=token, accept_language=accept_language
            )
        )
    except Exception:
        log.warning("A page's first paint could not be read; sending the bare page", exc_info=True)
        return None


async def _first_paint(scope: Scope, draw: Draw) -> Painted | None:
    headers = Headers(scope=scope)
    return await first_paint(
        draw,
        path=scope["path"],
        query_string=scope.get("query_string", b"").decode("latin-1"),
        cookie=headers.get("cookie", ""),
        accept_language=headers.get("accept-language"),
    )


def _filled(page: bytes, painted: Painted) -> bytes:
    """The build's page in the reader's language with the drawing written into it."""
    page = page_in_language(page, painted.lang) or page
    if painted.content is not None:
        page = page.replace(_PLACEHOLDER, (_OPEN + painted.content + "</div>").encode(), 1)
    return page.replace(_NAV_PLACEHOLDER, (_NAV_OPEN + painted.nav + "</div>").encode(), 1)


def _personal(start: Message, length: int, *, missing: bool = False) -> Message:
    """A page's headers (`page_headers`) for one reader at one moment: never kept."""
    page = page_headers(start, length)
    kept = [(k, v) for k, v in page["headers"] if k.lower() != b"cache-control"]
    kept.append((b"cache-control", PERSONAL.encode()))
    return {**page, "headers": kept, **({"status": 404} if missing else {})}


class FeedFirstPaintMiddleware:
    """Pure ASGI. GET `/` (the reader's home feed), `/explore`, `/user/<name>`, `/post/<id>`
    and `/tag/<name>`, any `?page=`, are sent with that page's posts in their HTML;
    `/messages` with the reader's conversations, `/messages/<name>` with one of them;
    `/notifications` with the reader's notifications; `/search?q=` with its results."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        draw = drawing_for(scope["path"]) if scope["type"] == "http" else None
        if draw is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        answer = await whole_page(self.app, without_validators(scope), receive, send)
        if answer is None:
            return  # not a page: already sent as it came
        start, body = answer
        if _PLACEHOLDER in body:
            painted = await _first_paint(scope, draw)
            filled = _filled(body, painted) if painted is not None else body
            missing = painted is not None and painted.missing
            if filled != body or missing:
                body, start = filled, _personal(start, len(filled), missing=missing)
        await send(start)
        await send({"type": "http.response.body", "body": body})
