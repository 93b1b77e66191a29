"""A thread (`/post/<id>`) and a tag (`/tag/<name>`) are sent with their posts in the page's
HTML, as the feeds are (web/first_paint.py), from the one prerendered page each
(web/profile_skeleton.py), over real HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert
from sqlmodel import Session

from microblog.db import make_engine
from microblog.models import Post, PostTag, Tag, User, utcnow
from microblog.services.post_body import render_body
from microblog.web.profile_skeleton import TAG_SKELETON, THREAD_SKELETON
from tests.unit.test_feed_first_paint import PAGE, _cards, _feed_part, _serve


@dataclass
class Site:
    base: str
    chain: list[int]  # root, reply, reply to the reply
    tagged: int


def _post(session: Session, author: User, body: str, minutes: int, parent: Post | None) -> Post:
    post = Post(
        body=body,
        body_html=render_body(session, body).html,
        user_id=author.id,
        timestamp=utcnow() - timedelta(minutes=minutes),
        reply_to_id=parent.id if parent else None,
        reply_to_user_id=parent.user_id if parent else None,
    )
    session.add(post)
    session.flush()
    return post


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("thread-first-paint")
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    with Session(engine) as session:
        ann = User(username="ann", email="ann@example.com", password_hash="x")
        session.add(ann)
        session.flush()
        root_post = _post(session, ann, "root <b>post</b>", 30, None)
        reply = _post(session, ann, "the reply", 20, root_post)
        deeper = _post(session, ann, "deeper", 10, reply)
        tagged = _post(session, ann, "tagged", 5, None)
        tag = Tag(name="中文")
        session.add(tag)
        session.flush()
        session.execute(
            insert(PostTag).values(post_id=tagged.id, tag_id=tag.id, timestamp=tagged.timestamp)
        )
        session.commit()
        site_ids = [root_post.id or 0, reply.id or 0, deeper.id or 0], tagged.id or 0
    engine.dispose()
    build = root / "build"
    for skeleton in (THREAD_SKELETON, TAG_SKELETON):
        (build / skeleton.strip("/")).mkdir(parents=True)
        (build / skeleton.strip("/") / "index.html").write_text(PAGE)
    for base in _serve(build, url):
        yield Site(base=base, chain=site_ids[0], tagged=site_ids[1])


def test_a_thread_is_sent_with_its_posts(site: Site) -> None:
    root, reply, deeper = site.chain
    response = httpx.get(f"{site.base}/post/{reply}")
    assert response.status_code == 200
    assert _cards(response.text) == [root, reply, deeper]  # above, the post, its replies
    drawn = _feed_part(response.text)
    assert 'class="post-list thread-ancestors"' in drawn
    assert drawn.index('class="thread-focus"') < drawn.index(f'data-post-id="{reply}"')
    assert 'class="thread-replies"' in drawn
    assert "root &lt;b&gt;post&lt;/b&gt;" in drawn and "<b>" not in drawn
    assert "No replies yet." not in drawn


def test_a_thread_without_replies_says_so_where_the_replies_go(site: Site) -> None:
    deeper = site.chain[-1]
    drawn = _feed_part(httpx.get(f"{site.base}/post/{deeper}").text)
    replies = drawn[drawn.index('<div class="thread-replies">') :]
    assert replies.startswith('<div class="thread-replies"><div class="rt-CalloutRoot')
    assert ">No replies yet.</p>" in replies and 'class="pager"' in replies


def test_an_unknown_post_is_the_bare_page_with_the_status_404(site: Site) -> None:
    response = httpx.get(f"{site.base}/post/987654")
    assert response.status_code == 404 and _feed_part(response.text) == ""


def test_a_tag_in_any_script_is_sent_with_its_posts(site: Site) -> None:
    response = httpx.get(f"{site.base}/tag/%E4%B8%AD%E6%96%87")
    assert response.status_code == 200
    assert _cards(response.text) == [site.tagged]
    nothing = _feed_part(httpx.get(f"{site.base}/tag/nothing").text)  # says so, at once
    assert 'class="rt-CalloutRoot' in nothing and ">No posts with this tag yet.</p>" in nothing
    assert "data-post-id" not in nothing
