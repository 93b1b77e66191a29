"""Threads and tags, live (state/thread.py, state/tag.py): which open tabs a POST_CHANGED or a
NEW_POST reaches, what each tab re-reads, and how many queries that costs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import insert
from sqlmodel import Session

import microblog.microblog  # noqa: F401  (imports every state, so every subscription is made)
from microblog.live import events as ev
from microblog.live.tabs import TABS
from microblog.models import PostTag, Tag, User, utcnow
from microblog.services.posts import create_post
from microblog.state import delivery
from microblog.state.tag import TagState
from microblog.state.thread import ThreadState
from tests.tab_state import tab_state

AddUser = Callable[..., User]

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture
def tabs() -> Iterator[Callable[[str, int, str], None]]:
    opened: list[str] = []

    def open_tab(token: str, user_id: int, path: str) -> None:
        TABS.register(token, user_id=user_id, path=path, session_key=f"key-{user_id}")
        opened.append(token)

    yield open_tab
    for token in opened:
        TABS.forget(token)


def _tag(session: Session, post_id: int, name: str) -> None:
    tag = Tag(name=name)
    session.add(tag)
    session.flush()
    session.execute(insert(PostTag).values(post_id=post_id, tag_id=tag.id, timestamp=utcnow()))


async def test_a_reply_reaches_every_open_thread_page_of_its_parent(
    session: Session, add_user: AddUser, tabs: Callable[[str, int, str], None], sent_sql: list[str]
) -> None:
    ann = add_user(session, "ann")
    post = create_post(session, author_id=ann.id, body="question")
    session.commit()
    tabs("visitor-thread", 0, f"/post/{post.id}")
    tabs("ann-explore", ann.id, "/explore")

    visitor = await tab_state(ThreadState, path=f"/post/{post.id}")
    await visitor.load()
    assert visitor.replies == [] and visitor.post.id == post.id

    reply = create_post(session, author_id=ann.id, body="answer", reply_to_id=post.id)
    session.commit()
    sent_sql.clear()
    # (Explore's cards are told too, by their own subscription: state/post_cards.py.)
    found = [
        target
        for target in await delivery.targets(ev.LiveEvent(ev.POST_CHANGED, ref_id=post.id))
        if target[1] is ThreadState
    ]
    assert [(token, state) for token, state, _ in found] == [("visitor-thread", ThreadState)]
    # Each tab knows what it shows: no query to choose them; the one statement is Explore's
    # card, read once for all the cards' tabs.
    assert len(sent_sql) == 1 and "post_like" in sent_sql[0]
    await found[0][2](visitor)
    assert [r.id for r in visitor.replies] == [reply.id]
    assert visitor.post.reply_count == 1

    # A change to a post this tab does not show leaves it alone.
    other = create_post(session, author_id=ann.id, body="elsewhere")
    session.commit()
    sent_sql.clear()
    (refresh,) = [
        handler
        for _, state, handler in await delivery.targets(
            ev.LiveEvent(ev.POST_CHANGED, ref_id=other.id)
        )
        if state is ThreadState
    ]
    sent_sql.clear()
    await refresh(visitor)
    assert sent_sql == [] and [r.id for r in visitor.replies] == [reply.id]


async def test_a_tagged_post_counts_on_the_open_pages_of_its_tags(
    session: Session, add_user: AddUser, tabs: Callable[[str, int, str], None], sent_sql: list[str]
) -> None:
    ann = add_user(session, "ann")
    tabs("visitor-python", 0, "/tag/Python")
    tabs("visitor-zh", 0, "/tag/%E4%B8%AD%E6%96%87")
    python = await tab_state(TagState, path="/tag/Python")
    chinese = await tab_state(TagState, path="/tag/%E4%B8%AD%E6%96%87")
    await python.load()
    await chinese.load()
    assert chinese.tag == "中文" and python.posts == []

    post = create_post(session, author_id=ann.id, body="snakes")
    _tag(session, post.id, "python")
    session.commit()
    sent_sql.clear()
    found = await delivery.targets(ev.LiveEvent(ev.NEW_POST, author_id=ann.id, ref_id=post.id))
    chosen = {token: refresh for token, state, refresh in found if state is TagState}
    assert set(chosen) == {"visitor-python", "visitor-zh"}
    assert len(sent_sql) == 1  # the post's tags, read once for every tag page
    await chosen["visitor-python"](python)
    await chosen["visitor-zh"](chinese)
    assert python.new_post_count == 1 and python.new_posts_count_text == "1"
    assert chinese.new_post_count == 0

    untagged = create_post(session, author_id=ann.id, body="no tags")
    session.commit()
    found = await delivery.targets(ev.LiveEvent(ev.NEW_POST, author_id=ann.id, ref_id=untagged.id))
    assert not [token for token, state, _ in found if state is TagState]
