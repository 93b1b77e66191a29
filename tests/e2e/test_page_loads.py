"""Page loads in a tab that showed another page.

The server keeps a tab's state between loads and sends it as a snapshot when the page connects;
the new page's own data follows once its on_load has run. The snapshot must not put the previous
page's data under the new address (someone else's profile, the other page of a feed). The tests
hold back everything after the snapshot (the websocket runs through Playwright), so what the
snapshot alone shows can be checked before the rest arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.db import make_engine
from microblog.models import Post, User
from microblog.services.messages import send_message
from microblog.services.safety import block_user
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp

pytestmark = pytest.mark.browser

# Every post id that was ever in the page, and whether the list was ever empty once it had posts.
RECORD_POSTS = """
window.__postsSeen = new Set();
window.__emptiedAfterPosts = false;
new MutationObserver(() => {
  const posts = document.querySelectorAll('.post');
  if (posts.length === 0 && window.__postsSeen.size > 0) window.__emptiedAfterPosts = true;
  posts.forEach((p) => window.__postsSeen.add(p.dataset.postId));
}).observe(document, { childList: true, subtree: true });
"""


def shown_ids(page: Page) -> list[str]:
    return page.locator(".post").evaluate_all("(posts) => posts.map((p) => p.dataset.postId)")


def give_posts(live_app: RunningApp, username: str, count: int) -> None:
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            user = db.exec(select(User).where(User.username == username)).one()
            db.add_all(Post(body=f"{username} #{n}", user_id=user.id) for n in range(count))
            db.commit()
    finally:
        engine.dispose()


def hold_after_snapshot(page: Page) -> Callable[[], None]:
    """From the next page load on, let the server's first state message (the snapshot) through
    and hold every later one until the returned function is called."""
    held: list[str | bytes] = []
    routed: dict[str, object] = {"holding": True, "snapshot_sent": False}

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        routed["socket"] = socket
        routed["snapshot_sent"] = False

        def from_server(message: str | bytes) -> None:
            if routed["holding"] and routed["snapshot_sent"]:
                held.append(message)
                return
            routed["snapshot_sent"] = routed["snapshot_sent"] or '"delta"' in str(message)
            socket.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/_event"), route)

    def release() -> None:
        routed["holding"] = False
        socket = routed["socket"]
        assert isinstance(socket, WebSocketRoute)
        for message in held:
            socket.send(message)
        held.clear()

    return release


def test_a_full_load_shows_only_its_own_pages_data(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    post(signed_up(new_page(), alice), f"only on {alice}'s page")
    page = signed_up(new_page(), bob)
    post(page, f"only on {bob}'s page")
    page.goto(f"/user/{alice}")
    expect(page.locator(".post", has_text=f"only on {alice}'s page")).to_be_visible()

    release = hold_after_snapshot(page)
    page.goto(f"/user/{bob}")
    # The snapshot has arrived and been rendered: it is what signs Bob in on this new page.
    expect(page.get_by_role("link", name="Log out")).to_be_visible()
    assert page.locator(".post").count() == 0, "the previous profile's posts were shown"
    assert page.get_by_text(alice).count() == 0
    release()
    expect(page.locator(".post", has_text=f"only on {bob}'s page")).to_be_visible()

    # A reload of the same address may show what it showed before, at once.
    release = hold_after_snapshot(page)
    page.reload()
    expect(page.locator(".post", has_text=f"only on {bob}'s page")).to_be_visible()
    release()


def test_a_click_keeps_the_old_posts_until_the_new_ones_arrive(
    new_page: NewPage, live_app: RunningApp
) -> None:
    per_page = get_settings().posts_per_page
    alice = new_name("alice")
    page = signed_up(new_page(), alice)
    give_posts(live_app, alice, per_page + 5)
    page.context.add_init_script(RECORD_POSTS)
    page.goto(f"/user/{alice}?page=2")
    expect(page.locator(".post")).to_have_count(5)
    older = shown_ids(page)

    page.locator(".pager a", has_text="Newer").first.click()
    expect(page.locator(".post")).to_have_count(per_page)
    assert not set(older) & set(shown_ids(page))
    assert not page.evaluate("window.__emptiedAfterPosts"), "the list went empty in between"


# When the tab built its first full date formatter, and when the first full date (a `<time>`
# that is not a relative one) reached an animation frame (the frame that paints it), on the
# page's clock.
RECORD_DATE_FORMATTER = """
window.__formatterBuiltAt = null;
window.__dateFrameAt = null;
const BuiltIn = Intl.DateTimeFormat;
Intl.DateTimeFormat = function (...args) {
  if (args[1] && args[1].dateStyle && window.__formatterBuiltAt === null) {
    window.__formatterBuiltAt = performance.now();
  }
  return new BuiltIn(...args);
};
Intl.DateTimeFormat.prototype = BuiltIn.prototype;
Intl.DateTimeFormat.supportedLocalesOf = BuiltIn.supportedLocalesOf;
new MutationObserver((_records, observer) => {
  if (!document.querySelector('time:not(.relative-time)')) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.__dateFrameAt = performance.now(); });
}).observe(document, { childList: true, subtree: true });
"""


def test_a_full_date_waits_for_the_page_to_be_painted(
    new_page: NewPage, live_app: RunningApp
) -> None:
    """Building a tab's first date formatter loads locale data (20-40 ms in a new tab): it must
    not hold up the render or the paint of the page that brought the data (here the safety
    settings' "Blocked since"). (Built in a render, or in a timeout that runs before the next
    frame, it comes before that frame.)"""
    alice, bob = new_name("alice"), new_name("bob")
    page = signed_up(new_page(), alice)
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            her = db.exec(select(User).where(User.username == alice)).one()
            him = User(username=bob, email=f"{bob}@example.com", password_hash="-")
            db.add(him)
            db.flush()
            block_user(db, blocker_id=her.id or 0, blocked_id=him.id or 0)
            db.commit()
    finally:
        engine.dispose()
    tab = page.context.new_page()  # a tab of its own: no formatter built yet
    tab.add_init_script(RECORD_DATE_FORMATTER)
    tab.goto("/settings/safety")
    since = tab.locator(".safety-row", has_text=bob).locator("time:not(.relative-time)")
    in_full = tab.evaluate(
        "(iso) => new Date(iso).toLocaleString('en', {dateStyle: 'long', timeStyle: 'short'})",
        since.get_attribute("datetime"),
    )
    expect(since).to_have_text(in_full)
    built, painted = tab.evaluate("[window.__formatterBuiltAt, window.__dateFrameAt]")
    assert painted is not None and built is not None
    assert built >= painted, "the date formatter was built before the page was painted"


def write_to(live_app: RunningApp, username: str, *senders: str) -> dict[str, str]:
    """New people (`senders`) each write to `username`; what each said."""
    engine = make_engine(live_app.database_url)
    said = {}
    try:
        with Session(engine) as db:
            for sender in senders:
                user = User(username=sender, email=f"{sender}@example.com", password_hash="-")
                db.add(user)
                db.flush()
                said[sender] = f"{sender} writes to {username}"
                send_message(
                    db, sender_id=user.id or 0, recipient_username=username, body=said[sender]
                )
            db.commit()
    finally:
        engine.dispose()
    return said


def test_a_full_load_of_a_conversation_shows_no_other_conversation(
    new_page: NewPage, live_app: RunningApp
) -> None:
    bob = new_name("bob")
    page = signed_up(new_page(), bob)
    alice, carol = new_name("alice"), new_name("carol")
    said = write_to(live_app, bob, alice, carol)
    page.goto(f"/messages/{alice}")
    expect(page.locator(".message", has_text=said[alice])).to_be_visible()

    release = hold_after_snapshot(page)
    page.goto(f"/messages/{carol}")
    expect(page.get_by_role("link", name="Log out")).to_be_visible()  # the snapshot is in
    assert page.locator(".message").count() == 0, "the previous conversation was shown"
    assert page.get_by_text(said[alice]).count() == 0
    release()
    expect(page.locator(".message", has_text=said[carol])).to_be_visible()
    expect(page.get_by_role("heading", name=carol)).to_be_visible()
