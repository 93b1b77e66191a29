"""Grouped likes in the browser: 30 people like Alice's post (more than a page of notification
rows), and her Notifications page shows one line for them with the true count; Bob then likes
it while her page is open, and that line's count goes up at once, without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from microblog.db import make_engine
from microblog.models import User, row_id
from microblog.services import reactions
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp
from tests.e2e.test_threads import assert_not_reloaded, mark_no_reload

pytestmark = pytest.mark.browser

LIKERS = 30  # above POSTS_PER_PAGE (25): today's rows would span two pages


def _liked_by_many(database_url: str, *, post_id: int, prefix: str) -> str:
    """LIKERS new people like the post, each in their own transaction, straight in the app's
    database (their live events stay in this process; the page below is loaded after)."""
    engine = make_engine(database_url)
    try:
        last = ""
        for n in range(LIKERS):
            with Session(engine) as db:
                last = f"{prefix}{n:02}"
                user = User(username=last, email=f"{last}@example.com", password_hash="-")
                db.add(user)
                db.flush()
                reactions.like_post(db, user_id=row_id(user), post_id=post_id)
                db.commit()
        return last
    finally:
        engine.dispose()


def test_many_likes_are_one_line_that_counts_a_new_like_live(
    new_page: NewPage, live_app: RunningApp
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    post(page_a, "a post many people like")
    post_id = page_a.locator(".post").first.get_attribute("data-post-id")
    assert post_id
    newest = _liked_by_many(live_app.database_url, post_id=int(post_id), prefix=new_name("fan"))

    page_a.goto("/notifications")
    lines = page_a.locator(".notification[data-kind='like']")
    expect(lines).to_have_count(1)
    expect(lines).to_have_text(re.compile(rf"{newest} and {LIKERS - 1} others liked your post\."))
    expect(page_a.get_by_role("link", name=re.compile("Older"))).to_have_count(0)
    mark_no_reload(page_a)

    page_b = signed_up(new_page(), bob)
    page_b.goto(f"/post/{post_id}")
    like = page_b.locator(".thread-focus .post").get_by_role("button", name=re.compile(r"^Like"))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")

    expect(lines).to_have_count(1)
    expect(lines).to_have_text(re.compile(rf"{bob} and {LIKERS} others liked your post\."))
    expect(lines.get_by_text("new", exact=True)).to_be_visible()
    assert_not_reloaded(page_a)

    like.click()  # Bob takes it back before Alice left the page: it was read there, it stays
    expect(like).to_have_attribute("aria-pressed", "false")
    page_a.reload()
    expect(lines).to_have_text(re.compile(rf"{bob} and {LIKERS} others liked your post\."))
