"""Export your posts, end to end: the bar moves to 100 % in every open tab without a reload, a
second start says one is running, the file downloads from the page and holds every post, the
email carries it, and a real failure (the user's export folder cannot be created) offers a Retry
that works.

The app under test exports 100 posts a batch with a 0.15 s pause between batches (see
tests/e2e/conftest.py), so 3,000 posts take a few seconds: long enough to watch the bar.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import Post, User
from tests.e2e.actions import log_in, new_name, register
from tests.e2e.conftest import NewPage, RunningApp
from tests.smtp import SmtpSink

pytestmark = pytest.mark.browser

POSTS = 3000

# Records every value the percentage shows, as the DOM changes (not as Playwright polls).
WATCH_PERCENT = """() => {
    window.__percents = [];
    const record = () => {
        const el = document.querySelector('.export-percent');
        const text = el ? el.textContent : null;
        if (text !== null && window.__percents[window.__percents.length - 1] !== text) {
            window.__percents.push(text);
        }
    };
    new MutationObserver(record).observe(
        document.body, {subtree: true, childList: true, characterData: true});
    window.__still_same_page = true;
}"""


def signed_in_with_posts(
    page: Page, live_app: RunningApp, count: int
) -> tuple[str, int, list[int]]:
    """Register and log in through the UI, then give the user `count` posts directly in the
    app's database; returns the name, the user id and the post ids in export order."""
    name = new_name("exporter")
    register(page, name)
    log_in(page, name)
    expect(page.get_by_role("heading", name=f"Hi, {name}!")).to_be_visible()
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            user_id = db.exec(select(User.id).where(User.username == name)).one()
        start = datetime(2024, 3, 1, tzinfo=UTC)
        rows = [
            {
                "body": f"post number {i} ünïcode",
                "timestamp": start + timedelta(seconds=i),
                "user_id": user_id,
                "language": "en",
            }
            for i in range(count)
        ]
        with engine.begin() as conn:
            conn.execute(insert(Post), rows)
        with Session(engine) as db:
            ids = db.exec(
                select(Post.id).where(Post.user_id == user_id).order_by(Post.timestamp, Post.id)
            ).all()
    finally:
        engine.dispose()
    return name, user_id, list(ids)


def percent(page: Page):
    return page.locator(".export-percent")


def test_export_bar_moves_to_100_in_every_tab_then_download_and_email(
    new_page: NewPage, live_app: RunningApp, app_mail: SmtpSink, tmp_path: Path
) -> None:
    page = new_page()
    name, user_id, post_ids = signed_in_with_posts(page, live_app, POSTS)
    page.get_by_role("link", name="Profile").click()
    expect(page.locator(".profile-username")).to_have_text(name)
    other_tab = page.context.new_page()
    other_tab.goto("/explore")
    expect(other_tab.get_by_role("heading", name="Explore")).to_be_visible()
    for tab in (page, other_tab):
        tab.evaluate(WATCH_PERCENT)

    page.get_by_role("button", name="Export your posts").click()
    # The other tab shows the bar too; while it runs, a second click is refused.
    expect(percent(other_tab)).to_be_visible()
    page.get_by_role("button", name="Export your posts").click()
    expect(page.get_by_text("An export of your posts is already running.")).to_be_visible()

    for tab in (page, other_tab):
        expect(percent(tab)).to_have_text("100 %", timeout=60_000)
        expect(tab.get_by_text("Your posts are exported and emailed to you.")).to_be_visible()
        assert tab.evaluate("() => window.__still_same_page === true"), "the page reloaded"
        seen = tab.evaluate("() => window.__percents")
        values = [int(text.split()[0]) for text in seen]
        assert values == sorted(values), seen  # only ever forward
        assert len([v for v in values if 0 < v < 100]) >= 3, seen  # it moved, visibly
        assert values[-1] == 100

    # A new tab reads the same from the task's row.
    third_tab = page.context.new_page()
    third_tab.goto("/explore")
    expect(percent(third_tab)).to_have_text("100 %")

    with page.expect_download() as download_info:
        page.locator(".export-download").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"microblog-posts-{name}-")
    saved = tmp_path / "export.json"
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["count"] == POSTS
    assert [p["id"] for p in data["posts"]] == post_ids
    assert data["posts"][0] == {
        "id": post_ids[0],
        "url": f"/post/{post_ids[0]}",
        "body": "post number 0 ünïcode",
        "timestamp": "2024-03-01T00:00:00Z",
        "language": "en",
        "in_reply_to": None,
        "in_reply_to_url": None,
        "edited_at": None,
        "media": [],
    }

    # The profile offers the same file; the notification points there.
    expect(page.get_by_role("link", name="Download your last export")).to_be_visible()
    other_tab.get_by_role("link", name="Notifications").click()
    expect(other_tab.get_by_text("Your posts have been exported")).to_be_visible()

    email = f"{name}@example.com"

    def exports(got: list) -> list:
        return [m for m in got if m["To"] == email and "blog posts" in m["Subject"]]

    (message,) = exports(app_mail.wait_for(lambda got: bool(exports(got)), timeout=30))
    (attachment,) = list(message.iter_attachments())
    assert json.loads(attachment.get_content())["count"] == POSTS
    assert user_id > 0


def test_a_failed_export_says_why_and_retry_works(new_page: NewPage, live_app: RunningApp) -> None:
    page = new_page()
    _, user_id, post_ids = signed_in_with_posts(page, live_app, 300)
    # A real failure: a file stands where the user's export folder must be created.
    exports_dir = Path(live_app.database_url.removeprefix("sqlite:///")).parent / "exports"
    exports_dir.mkdir(exist_ok=True)
    blocker = exports_dir / str(user_id)
    blocker.write_text("not a folder")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("button", name="Export your posts")).to_be_visible()
    page.evaluate("() => { window.__still_same_page = true; }")

    page.get_by_role("button", name="Export your posts").click()
    expect(page.locator(".export-error")).to_have_text(
        "Export failed: The export file could not be written. Please retry in a moment."
    )
    blocker.unlink()
    page.get_by_role("button", name="Retry").click()
    expect(percent(page)).to_have_text("100 %", timeout=60_000)
    expect(page.locator(".export-download")).to_be_visible()
    assert page.evaluate("() => window.__still_same_page === true")
    assert len(post_ids) == 300
